"""A compiled policy's phrase set kept on disk beside it (permitted.cache): a later process takes
it instead of folding the policy's phrases and building the automaton again, finds with it what
a set built afresh finds, and builds afresh when the code that builds one has changed."""
from __future__ import annotations

import pickle

import pytest

from interpreter.evaluation import phrases as phrases_module
from interpreter.evaluation.phrases import PhraseSet
from interpreter.facts.lexicon import Lexicon
from permitted import cache
from permitted.store import PolicyStore

from .policytext import ROOT

UK = ROOT / "policies" / "uk" / "2020-11-06.yaml"

TEXTS = ["Please leave us a 5-star review and reply by e-mail!",
         "Vielen Dank für Ihre Bestellung. Bitte bewerten Sie uns.",
         "شكرا لطلبك، يرجى ترك تقييم",
         "ご注文ありがとうございます。レビューをお願いします。",
         "Your order has shipped. Tracking is available in your account."]


@pytest.fixture
def cache_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("PERMITTED_CACHE_DIR", str(tmp_path))
    return tmp_path


def _hits(phrase_set: PhraseSet, lexicon: Lexicon) -> list:
    return [phrase_set.matcher(lst)(text) for lst in lexicon._phrase_lists() for text in TEXTS]


def test_a_later_store_takes_the_kept_set_and_finds_the_same(cache_folder, monkeypatch):
    first = PolicyStore().compiled(UK)
    built = Lexicon.of(first.policy).phrases

    def not_again(*args, **kwargs):
        raise AssertionError("the phrase set was built again")

    with monkeypatch.context() as patched:
        patched.setattr(PhraseSet, "__init__", not_again)
        later = PolicyStore().compiled(UK)        # another store: as another process, from the disk
    taken = Lexicon.of(later.policy).phrases
    assert later.policy is not first.policy and taken is not built
    assert later.program.policy is later.policy
    assert _hits(taken, Lexicon.of(later.policy)) == _hits(built, Lexicon.of(first.policy))
    assert any(_hits(taken, Lexicon.of(later.policy)))


def test_a_set_made_by_other_code_is_built_again_and_kept_anew(cache_folder, monkeypatch):
    PolicyStore().compiled(UK)
    (entry,) = cache_folder.glob("*.policy")
    assert pickle.loads(entry.read_bytes())[4] == phrases_module.build_version()
    monkeypatch.setattr(cache, "build_version", lambda: "other code")
    again = PolicyStore().compiled(UK)            # the kept set is not taken: built, and kept anew
    assert pickle.loads(entry.read_bytes())[4] == "other code"
    assert any(_hits(Lexicon.of(again.policy).phrases, Lexicon.of(again.policy)))


def test_a_set_is_taken_only_by_the_lexicon_of_the_lists_it_was_built_from():
    lexicon = Lexicon(rule_lists=(("review",), ("e-mail", "email")))
    other = PhraseSet([("review",)])
    assert not lexicon.adopt(other)
    same = pickle.loads(pickle.dumps(PhraseSet(lexicon._phrase_lists())))
    assert lexicon.adopt(same) and lexicon.phrases is same
    assert not lexicon.adopt(pickle.loads(pickle.dumps(same))), "a lexicon keeps the set it has"


def test_a_pickled_set_finds_what_the_set_it_was_made_from_finds():
    lists = [("review", "5-star review"), ("e-mail", "email", "Bestellung"), ("注文",), ("تقييم",)]
    built = PhraseSet(lists)
    for text in TEXTS:
        built.matcher(lists[0])(text)                 # scanned texts are not what is kept
    again = pickle.loads(pickle.dumps(built))
    assert [again.matcher(lst)(t) for lst in lists for t in TEXTS] == [built.matcher(lst)(t) for lst in lists for t in TEXTS]
    assert again.built_from(lists) and not again.built_from(lists[:2])


def test_another_unicode_table_is_another_build(monkeypatch):
    # Folding reads Python's Unicode tables: a set folded under another Python's is built again.
    import types

    here = phrases_module.build_version.__wrapped__()
    assert here == phrases_module.build_version()
    monkeypatch.setattr(phrases_module, "unicodedata", types.SimpleNamespace(unidata_version="0.0.0"))
    assert phrases_module.build_version.__wrapped__() != here
