"""Why a rule fired, or why it could not be judged.

Stage: runs after the fast closures, only for rules that fired (evidence) or came out unknown
(needs). Input: a rule's predicate tree and the facts. Output: evidence — the spans of text
hits and the fact values that made the condition true — or the unknown facts it needed.
Values always come from the lowered closures, so this module adds explanation, never semantics.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from dsl.contract import tree
from dsl.contract.schema import as_json_data

from interpreter.evaluation.program import Program


@dataclass(frozen=True)
class Evidence:
    fact: str                     # the fact (or the text) the evidence comes from
    text: str | None = None       # the characters, for text-derived evidence
    start: int | None = None
    end: int | None = None
    value: object = None          # the fact's value, for scalar evidence
    phrase: str | None = None     # the vocabulary phrase or pattern that matched

    def to_json(self) -> dict:
        out: dict = {"fact": self.fact}
        if self.start is not None:
            out.update(text=self.text, start=self.start, end=self.end)
        else:
            out["value"] = as_json_data(self.value)
        if self.phrase is not None:
            out["phrase"] = self.phrase
        return out


@dataclass(frozen=True)
class Run:
    """One message under one program: the closures, the facts record and the quantifier slots."""
    program: Program
    data: dict
    env: list
    # Per quantifier slot, where the texts of its items' spans start in message.text (None: the
    # items are not stretches of message.text). Set while tracing a quantifier.
    bases: dict = field(default_factory=dict)

    def value(self, node: tree.Pred):
        return self.program.closure(node)(self.data, self.env)


def _source_name(node: tree.Pred) -> str:
    """The fact a list of spanned items comes from: `message.emoji`, or the text an operator searched."""
    if isinstance(node, (tree.Fact, tree.Field)):
        return node.dotted
    if isinstance(node, tree.Call) and node.args:
        return _source_name(node.args[0])
    return "message.text"


def _offset(node: tree.Pred, run: Run) -> int | None:
    """Where the spans of this list's items start in message.text, or None when they point elsewhere.

    Lists of the message (links, emoji, …) and hits of an operator that searched message.text
    start at 0. Hits found in the text of an item that is itself a stretch of message.text (a
    sentence: `mentions(s.text, …)`) start where that item does. Hits found in another text (an
    image's alt text, a link's anchor) have offsets into that text, so their evidence is the
    matched words without offsets.
    """
    if isinstance(node, tree.Call):
        target = node.args[0] if node.args else None
        if isinstance(target, tree.Fact):
            return 0 if target.dotted == "message.text" else None
        if isinstance(target, tree.Field) and target.path == ("text",):
            base, item = run.bases.get(target.slot), run.env[target.slot]
            if base is not None and isinstance(item, dict) and isinstance(item.get("start"), int):
                return base + item["start"]
        return None
    return 0 if isinstance(node, tree.Fact) and node.path[0] == "message" else None


def _spanned(items, source: str, text: str, offset: int | None = 0) -> list[Evidence]:
    out = []
    for item in items if isinstance(items, list) else ():
        if not isinstance(item, dict):
            continue
        s, e = item.get("start"), item.get("end")
        if offset is not None and isinstance(s, int) and isinstance(e, int) and 0 <= s + offset <= e + offset <= len(text):
            out.append(Evidence(source, text[s + offset:e + offset], s + offset, e + offset, phrase=item.get("phrase")))
        elif offset is None and "text" in item:
            out.append(Evidence(source, value=item["text"], phrase=item.get("phrase")))
    return out


def _leaf_evidence(node: tree.Pred, run: Run, text: str, hits_only: bool = True) -> list[Evidence]:
    """Evidence from a value-level subtree: spanned lists it reads, and scalar facts. A text that a
    call searched is left out when the call's hits stand for it (`hits_only`); under `not`, where
    there are no hits, the text searched is what explains the outcome."""
    out: list[Evidence] = []
    searched: set[int] = set()     # texts a call searched: its hits are the evidence, not the whole text
    for n in run.program.outside_quantifiers(node):
        if isinstance(n, (tree.Call, tree.Fact, tree.Field)) and n.type.is_list:
            offset = _offset(n, run)
            # Hits in a sentence's text are hits in message.text once moved there.
            source = "message.text" if isinstance(n, tree.Call) and offset is not None else _source_name(n)
            out.extend(_spanned(run.value(n), source, text, offset))
            if hits_only and isinstance(n, tree.Call) and n.args:
                searched.add(id(n.args[0]))
        elif isinstance(n, (tree.Fact, tree.Field)) and n.type.kind in ("bool", "number", "string", "date"):
            if id(n) not in searched and not _is_message_text(n, run):
                out.append(Evidence(n.dotted, value=run.value(n)))
    return out


def _is_message_text(node: tree.Fact | tree.Field, run: Run) -> bool:
    """message.text, or the text of a stretch of it (a sentence): spans show it, never its value."""
    if isinstance(node, tree.Fact):
        return node.dotted == "message.text"
    return node.path == ("text",) and run.bases.get(node.slot) is not None


def evidence(node: tree.Pred, run: Run) -> list[Evidence]:
    """Evidence that `node` is true (call only when it is)."""
    text = (run.data.get("message") or {}).get("text") or ""
    return _dedupe(_evidence(node, run, text))


def _evidence(node: tree.Pred, run: Run, text: str) -> list[Evidence]:
    if isinstance(node, tree.And):
        return [ev for o in node.operands for ev in _evidence(o, run, text)]
    if isinstance(node, tree.Or):
        for o in node.operands:
            if run.value(o) is True:
                return _evidence(o, run, text)
        return []
    if isinstance(node, tree.Quant):
        out: list[Evidence] = []
        items = run.program.items(node)(run.data, run.env) or []
        source = _source_name(node.collection)
        offset = run.bases[node.slot] = _offset(node.collection, run)
        for item in items:
            run.env[node.slot] = item
            if run.value(node.body) is True:
                inner = _evidence(node.body, run, text)
                own = _spanned([item], source, text, offset)
                # An item that holds the evidence found in it (a sentence around the words that
                # broke the rule) is where to look, not what to show.
                if not any(_inside(ev, o) for ev in inner for o in own):
                    out.extend(own)
                out.extend(inner)
        # Every item that makes the body true, for `any` too: a rule broken in two sentences
        # shows both places (the verdict stopped at the first; only fired rules come here).
        return out
    if isinstance(node, tree.Exists):
        return []     # a guard: that the fact is there explains nothing; what is tested next does
    if isinstance(node, tree.Not):
        # Why something is false has no spans to show; report the facts it read.
        return [ev for ev in _leaf_evidence(node.operand, run, text, hits_only=False) if ev.start is None]
    return _leaf_evidence(node, run, text)


def _inside(ev: Evidence, outer: Evidence) -> bool:
    return (ev.start is not None and outer.start is not None and outer.start <= ev.start
            and ev.end <= outer.end and (ev.start, ev.end) != (outer.start, outer.end))


def needs(node: tree.Pred, run: Run) -> list[str]:
    """The unknown facts that left `node` unknown (call only when it is)."""
    found: dict[str, None] = {}
    _needs(node, run, found)
    return list(found)


def _needs(node: tree.Pred, run: Run, found: dict) -> None:
    if isinstance(node, (tree.And, tree.Or, tree.Not)):
        for o in tree.children(node):
            if run.value(o) is None:
                _needs(o, run, found)
        return
    for n in tree.walk(node):
        if isinstance(n, tree.Fact) and n.absent == "unknown" and run.value(n) is None:
            found.setdefault(n.dotted, None)


def _dedupe(items: list[Evidence]) -> list[Evidence]:
    seen, out = set(), []
    for ev in items:
        key = (ev.fact, ev.start, ev.end, repr(ev.value))
        if key not in seen:
            seen.add(key)
            out.append(ev)
    return sorted(out, key=lambda ev: (ev.start is None, ev.start or 0, ev.fact))
