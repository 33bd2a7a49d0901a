"""The policy's words that shape facts: brand words the spell check accepts, the words that make
a link's text vague, the markers that make a link an opt-out link, the phrases that show
what a text is written for (message.purposes), and the words that say why a file is attached
(message.attachment_purposes).

Stage: built by the normaliser from the policy it is handed, passed to the text and HTML
readers. Input: a compiled Policy, or None. Output: `Lexicon`, frozen. The entries are named
in dsl.contract.vocab (READ_BY_FACTS), where the compiler learns that they are read.
Without a policy there are no words: no link text is vague, no address is an opt-out link and
no word is a brand; callers that show facts to a person hand in the policy the rules use.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from dsl.contract.model import Policy
from interpreter.evaluation.phrases import Finder, PhraseSet
from dsl.contract.vocab import (ATTACHMENT_DOCUMENT_TYPES, ATTACHMENT_INTRO_WORDS, ATTACHMENT_PURPOSES, BRAND_WORDS,
                                OPT_OUT_LINK_MARKERS, TEXT_PURPOSE_GAP, TEXT_PURPOSE_GAP_WORDS, TEXT_PURPOSES,
                                VAGUE_LINK_WORDS)

_WORDS = re.compile(r"\w+")


@dataclass(frozen=True)
class Lexicon:
    brand_words: tuple[str, ...] = ()
    vague_link_words: frozenset[str] = frozenset()    # lower case, one word each
    opt_out: re.Pattern | None = None                  # any opt-out marker, anywhere in a text
    purposes: tuple[tuple[str, tuple[str, ...]], ...] = ()   # (purpose, its phrases) for message.purposes
    gap_words: int = 0                                 # words a phrase's gap (…) may hold
    # for message.attachment_purposes: (purpose, names of its document), words that say a file is
    # attached, and the MIME types (lower case) of a document
    attachment_names: tuple[tuple[str, tuple[str, ...]], ...] = ()
    attachment_intro: tuple[str, ...] = ()
    document_types: frozenset[str] = frozenset()
    rule_lists: tuple[tuple[str, ...], ...] = ()       # the phrase lists the policy's rules name

    @staticmethod
    def of(policy: Policy | None) -> Lexicon:
        """The policy's lexicon; one per policy, so its phrase set is built once for every message."""
        if policy is None:
            return NO_WORDS
        kept = _BY_POLICY.get(id(policy))
        if kept is None or kept[0] is not policy:      # the policy is held, so its id is not reused
            if len(_BY_POLICY) >= _POLICIES_KEPT:
                _BY_POLICY.clear()
            kept = _BY_POLICY[id(policy)] = (policy, Lexicon._read(policy))
        return kept[1]

    @staticmethod
    def _read(policy: Policy) -> Lexicon:
        return Lexicon(policy.words(BRAND_WORDS.name), _vague(policy.words(VAGUE_LINK_WORDS.name)),
                       _opt_out(policy.words(OPT_OUT_LINK_MARKERS.name)),
                       tuple((purpose, policy.words(v.name)) for purpose, v in TEXT_PURPOSES.items()),
                       policy.vocab.get(TEXT_PURPOSE_GAP_WORDS.name, 0),     # a whole number: the compiler checks
                       tuple((purpose, policy.words(v.name)) for purpose, v in ATTACHMENT_PURPOSES.items()),
                       policy.words(ATTACHMENT_INTRO_WORDS.name),
                       frozenset(t.lower() for t in policy.words(ATTACHMENT_DOCUMENT_TYPES.name)),
                       policy.phrase_lists)

    @functools.cached_property
    def phrases(self) -> PhraseSet:
        """Every phrase list the readers of purposes and attachments ask about, and those the
        policy's rules name, in one automaton: a text is folded and scanned once for all of them
        (a set per list scanned it 19 times; the rules' lists apart from these, once more). The
        policy's lowered program uses this set too (interpreter.evaluation.program)."""
        return PhraseSet(self._phrase_lists())

    def _phrase_lists(self) -> list[tuple[str, ...]]:
        lists = []
        for _, words in self.purposes:
            whole, groups = gapped(words)
            lists += [whole, *(part for group in groups for part in group)]
        return [*self.rule_lists, *lists, *(words for _, words in self.attachment_names), self.attachment_intro]

    def adopt(self, phrases: PhraseSet) -> bool:
        """Take a phrase set kept from an earlier process (permitted.cache) as this lexicon's
        `phrases`, if it was built from this lexicon's lists; False (and nothing taken) if not,
        or if the lexicon has its set already."""
        if "phrases" in self.__dict__ or not phrases.built_from(self._phrase_lists()):
            return False
        self.__dict__["phrases"] = phrases       # where the cached property keeps what it built
        return True

    def finder(self, phrases: tuple[str, ...]) -> Finder:
        """text -> hits of one of the lexicon's phrase lists, as `mentions` finds them."""
        return self.phrases.matcher(phrases)

    # The finders the readers use for every message, made once per lexicon: making one hashes
    # its list, a tuple of up to hundreds of phrases, which Python does not remember.
    @functools.cached_property
    def purpose_finders(self) -> tuple[tuple[str, Finder, tuple[tuple[Finder, Finder], ...]], ...]:
        """Per purpose: the finder of its phrases written whole, and (first parts, second parts)
        finders for its phrases written with a gap (`gapped`)."""
        out = []
        for purpose, phrases in self.purposes:
            whole, groups = gapped(phrases)
            out.append((purpose, self.finder(whole),
                        tuple((self.finder(firsts), self.finder(seconds)) for firsts, seconds in groups)))
        return tuple(out)

    @functools.cached_property
    def attachment_finders(self) -> tuple[tuple[str, Finder], ...]:
        """Per attachment purpose, the finder of the names of its document."""
        return tuple((purpose, self.finder(words)) for purpose, words in self.attachment_names)

    @functools.cached_property
    def intro_finder(self) -> Finder:
        """The finder of the words that say a file is attached."""
        return self.finder(self.attachment_intro)

    def says_nothing(self, link_text: str) -> bool:
        """Does a link's text have no word, or only vague ones ("click here")?"""
        return all(w.lower() in self.vague_link_words for w in _WORDS.findall(link_text))

    def mentions_opt_out(self, text: str) -> bool:
        return self.opt_out is not None and self.opt_out.search(text) is not None


@functools.lru_cache(maxsize=256)
def gapped(phrases: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]]:
    """A purpose's phrases split into those found as they are and those written with a gap
    ("leave … review"): the latter as groups of (first parts, the second parts each of them is
    written with), so that a longer second part ("honest review") never hides the shorter one
    another first part needs ("review")."""
    whole, partners = [], {}
    for phrase in phrases:
        parts = [p.strip() for p in phrase.split(TEXT_PURPOSE_GAP)]
        if len(parts) == 2 and all(parts):
            partners.setdefault(parts[0], {})[parts[1]] = None
        elif TEXT_PURPOSE_GAP not in phrase:
            whole.append(phrase)
    groups: dict[tuple[str, ...], list[str]] = {}
    for first, seconds in partners.items():
        groups.setdefault(tuple(seconds), []).append(first)
    return tuple(whole), tuple((tuple(firsts), seconds) for seconds, firsts in groups.items())


NO_WORDS = Lexicon()
# Lexicons of the policies last asked for, by the policy's id: (policy, lexicon).
_BY_POLICY: dict[int, tuple[Policy, Lexicon]] = {}
_POLICIES_KEPT = 32


@functools.lru_cache(maxsize=32)      # one policy, many messages
def _vague(entries: tuple[str, ...]) -> frozenset[str]:
    # Link text is compared word by word, so an entry of several words adds each of them.
    return frozenset(w.lower() for entry in entries for w in _WORDS.findall(entry))


@functools.lru_cache(maxsize=32)
def _opt_out(markers: tuple[str, ...]) -> re.Pattern | None:
    """Markers found anywhere, ignoring case, in an address (`/unsubscribe?u=1`) as well as in text:
    a marker may be the start of a word ("unsubscrib"), and a space in it stands for any run of white space."""
    parts = [r"\s+".join(map(re.escape, m.split())) for m in markers if m.strip()]
    return re.compile("|".join(sorted(parts, key=len, reverse=True)), re.IGNORECASE) if parts else None
