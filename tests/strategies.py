"""Hypothesis strategies for the rule language: syntax trees, typed conditions, facts records,
and the broken input a policy author can type (random bytes, token soups, YAML fragments).

Used by tests/test_properties.py and the fuzz tests. Every strategy produces only what its
comment promises; where that needs checking (facts records against the schema here, typed
conditions against the checker in the test) it is an assertion, so a wrong strategy fails loudly
instead of testing nothing.
"""
from __future__ import annotations

import datetime as _dt
import json
import re

from hypothesis import strategies as st

from dsl.contract import ast
from dsl.contract.schema import complete, load_schema, problems
from dsl.stages.check import vocab_const
from dsl.stages.parse import parse_plain

# ---------------------------------------------------------------------------------------------
# Syntax trees (dsl/ast.py), as the parser could produce them
# ---------------------------------------------------------------------------------------------

# Words the grammar reserves; a NAME token equal to one of them is lexed as the keyword.
KEYWORDS = frozenset({"and", "or", "not", "in", "any", "all", "true", "false"})

# Names that start with, end with or contain a keyword are ordinary names (`order`, `index`,
# `notes`): listed explicitly because random names rarely hit them and the lexer must not split them.
_TRICKY_NAMES = ["order", "index", "notes", "android", "anyone", "allow", "truest", "falsey", "in_", "or1",
                 "_and", "vocab", "message", "link", "x", "_", "ALL", "True", "Not", "inn", "nota"]

names = st.one_of(
    st.sampled_from(_TRICKY_NAMES),
    st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,7}", fullmatch=True),
).filter(lambda n: n not in KEYWORDS)

# Strings: quotes of both kinds, backslashes (also before quote characters and letters that are
# escapes elsewhere), tabs, carriage returns, slashes, and any other unicode but a newline (a
# string literal is written on one line).
_string_chars = st.one_of(
    st.sampled_from(['"', "'", "\\", "\t", "/", "#", ":", " ", "n", "t", "é", "ß", "İ", "خ", "😀", "\u200b", "\r"]),
    st.characters(exclude_characters="\n"),
)
string_values = st.text(_string_chars, max_size=12)

# Floats whose repr has no exponent: the grammar has no exponent syntax, so `1e+16` could not
# be written by an author either.
float_values = st.floats(allow_nan=False, allow_infinity=False).filter(lambda f: "e" not in repr(f))

def _number_text(sign: str, whole: str, zeros: int, digits: str) -> str:
    return f"{sign}{whole}" + (f".{'0' * zeros}{digits}" if digits else "")


# Numbers as an author writes them: the grammar's NUMBER, with more digits than a float keeps,
# and fractions small enough that Python writes them with an exponent (0.0000000000001).
number_texts = st.builds(
    _number_text,
    st.sampled_from(["", "-"]),
    st.just("0") | st.from_regex(r"[0-9]{1,25}", fullmatch=True),   # 0.… is where exponents start
    st.integers(0, 20),                                   # zeros after the point: 0.0000000000001
    st.from_regex(r"[0-9]{0,20}", fullmatch=True),
)

# Regex patterns in the form the parser produces: plain characters (an unescaped `/` included,
# which the formatter escapes) and backslash escapes other than `\/`, which the parser unescapes
# to `/` (a pattern `\/` cannot be written distinctly from `/`, so it is not in the language).
_regex_pieces = st.one_of(
    st.sampled_from(["a", "b", "/", ".", "*", "+", "?", "|", "(a)", "[ab]", "[/]", "^", "$", "{2}", " ", "é", "😀",
                     r"\d", r"\w", r"\s", r"\b", r"\\", r"\.", r"\(", r"\[", r"\+", "(?:x)", "x{1,3}"]),
    st.characters(exclude_characters="\n\\/"),
)


def _compiles(pattern: str, flags: str) -> bool:
    try:
        re.compile(pattern, sum({"i": re.I, "m": re.M, "s": re.S, "x": re.X}[f] for f in set(flags)))
    except (re.error, OverflowError, RecursionError):
        return False
    return True


regex_values = st.builds(
    ast.Regex,
    st.lists(_regex_pieces, min_size=1, max_size=6).map("".join),
    st.text(alphabet="imsx", max_size=3),
).filter(lambda r: _compiles(r.pattern, r.flags))

literal_values = st.one_of(
    st.booleans(),
    st.integers(),
    float_values,
    st.dates(),
    string_values,
    regex_values,
)
literals = st.builds(ast.Literal, literal_values)
paths = st.lists(names, min_size=1, max_size=4).map(lambda parts: ast.Path(tuple(parts)))
leaves = st.one_of(literals, paths)


def _flat(kind: type, operands: list[ast.Node]) -> ast.Node:
    """An n-ary and/or whose operands are never the same kind: the parser flattens those."""
    out: list[ast.Node] = []
    for o in operands:
        out.extend(o.operands if isinstance(o, kind) else (o,))
    return kind(tuple(out))


@st.composite
def syntax_trees(draw, depth: int = 5) -> ast.Node:
    """A syntax tree at most `depth` levels deep, every kind of node at every level. (A composite
    rather than st.recursive: its nested levels have reprs that Hypothesis spends seconds
    printing when a test fails.)"""
    if depth == 0 or draw(st.integers(0, 3)) == 0:    # a leaf one time in four; shrinks towards one
        return draw(leaves)
    sub = syntax_trees(depth - 1)
    kind = draw(st.sampled_from(["call", "list", "compare", "not", "and", "or", "quantifier"]))
    if kind == "call":
        return ast.Call(draw(names), tuple(draw(st.lists(sub, max_size=3))))
    if kind == "list":
        return ast.ListExpr(tuple(draw(st.lists(sub, max_size=3))))
    if kind == "compare":
        # Operands of a comparison may be any expression, comparisons included: the grammar
        # only allows that in parentheses, which the formatter must add.
        return ast.Compare(draw(st.sampled_from(ast.COMPARE_OPS)), draw(sub), draw(sub))
    if kind == "not":
        return ast.Not(draw(sub))
    if kind in ("and", "or"):
        return _flat(ast.And if kind == "and" else ast.Or, draw(st.lists(sub, min_size=2, max_size=4)))
    return ast.Quantifier(draw(st.sampled_from(["any", "all"])), draw(names), draw(sub), draw(sub))


# ---------------------------------------------------------------------------------------------
# Vocabulary and a typed condition generator over the real facts schema
# ---------------------------------------------------------------------------------------------

SCHEMA = load_schema()
_RAW = SCHEMA.raw
_DEFS = _RAW["$defs"]

# The vocabulary the typed conditions and the test policy read, as a policy file would write it.
VOCAB = {
    "marketing_phrases": {"en": ["% off", "coupon", "discount code", "free gift"], "ar": ["خصم", "كوبون"]},
    "amazon_hosts": ["amazon.co.uk", "amazon.com", "amazon.de"],
    "window_days": 30,
    "strict": True,
    "nothing": [],
}
VOCAB_CONSTS = {name: vocab_const(value) for name, value in VOCAB.items()}


def _enum(obj: str, field: str) -> list[str]:
    """Possible values of an enum fact, read from the schema so the tests follow it."""
    return list(SCHEMA.field(obj, field).type.enum)


def _quoted(values) -> str:
    return "[" + ", ".join(f'"{v}"' for v in values) + "]"


_texts_to_find = st.sampled_from(["coupon", "Thanks", "http", "é", "", " ", "click", "ك"])
_small = st.integers(-2, 40)
_dates = st.dates(_dt.date(2020, 1, 1), _dt.date(2021, 12, 31))

# Conditions over facts outside any quantifier: enums (present and unknown), counts, lengths,
# dates (unknown), exists(), vocab, booleans, operators, and comparisons of two constants
# (which the simplifier folds, so folding is compared with evaluation).
_fact_conditions = st.one_of(
    st.sampled_from(_enum("message", "channel")).map(lambda c: f'message.channel == "{c}"'),
    st.sampled_from(_enum("message", "channel")).map(lambda c: f'"{c}" != message.channel'),
    st.lists(st.sampled_from(_enum("message", "direction")), max_size=2).map(lambda v: f"message.direction in {_quoted(v)}"),
    st.lists(st.sampled_from(_enum("message", "reason")), max_size=3).map(lambda v: f"message.reason not in {_quoted(v)}"),
    st.sampled_from(_enum("order", "status")).map(lambda s: f'order.status == "{s}"'),
    st.tuples(st.sampled_from(["<", "<=", ">", ">=", "==", "!="]), st.integers(0, 3)).map(lambda t: f"count(message.emoji) {t[0]} {t[1]}"),
    _small.map(lambda n: f"days_between(order.completed_at, message.sent_at) > {n}"),
    st.just("days_between(order.completed_at, message.sent_at) > vocab.window_days"),
    _dates.map(lambda d: f"message.sent_at < {d.isoformat()}"),
    st.integers(0, 3).map(lambda n: f"history.review_requests_sent >= {n}"),
    st.sampled_from(["order.completed_at", "message.sent_at", "message.reason", "order.buyer_language",
                     "history.buyer_contacted_first", "message.spelling"]).map(lambda p: f"exists({p})"),
    st.just("history.buyer_contacted_first"),
    st.just("message.is_html"),
    st.just("vocab.strict"),
    st.just("vocab.nothing"),
    st.just("mentions(message.text, vocab.marketing_phrases)"),
    st.just(r"matches(message.text, /\d{3}|:\)/i)"),
    _small.map(lambda n: f"len(message.text) > {n}"),
    _texts_to_find.map(lambda t: f'contains(message.text, "{t}")'),
    _texts_to_find.map(lambda t: f'starts_with(lower(message.text), "{t}")'),
    st.just('language_of(order.buyer_language) == "en"'),
    st.just("message.spelling.unknown_percent > 10"),
    st.sampled_from(_enum("styling", "text_align")).map(lambda a: f'message.styling.text_align == "{a}"'),
    st.just("message.styling.font_sizes > 2"),
    st.sampled_from(["true", "false"]),
    st.sampled_from(["1 < 2", "2 <= 1", '"a" == "a"', '"a" in ["b"]', "2020-01-01 < 2020-02-01",
                     '"coupon" in vocab.marketing_phrases', "[] == []", "vocab.window_days >= 30"]),
)

# Conditions about one link (the variable `link`): present fields, an optional field behind its
# guard, and operators on fields.
_link_conditions = st.one_of(
    st.sampled_from(_enum("link", "scheme")).map(lambda s: f'link.scheme == "{s}"'),
    st.just("link.is_amazon"),
    st.just("not link.explains"),
    st.just("host_of(link.url) in vocab.amazon_hosts"),
    st.just('ends_with(link.host, ".amazon.com")'),
    st.just('within_domains(host_of(link.url), vocab.amazon_hosts)'),
    st.just("link.start < 10"),
    st.sampled_from(["click here", "here", ""]).map(lambda t: f'exists(link.anchor_text) and lower(link.anchor_text) == "{t}"'),
    st.just("not exists(link.anchor_text) or len(link.anchor_text) > 3"),
    st.just("any e in message.emoji: e.start >= link.start and e.end <= link.end"),
    st.just('all img in message.images: exists(img.alt) and contains(img.alt, "logo")'),
)


def _combine(atoms: st.SearchStrategy[ast.Node]) -> st.SearchStrategy[ast.Node]:
    """not / and / or over atoms, as the parser builds them (n-ary and flat)."""
    return st.recursive(
        atoms,
        lambda children: st.one_of(
            st.builds(ast.Not, children),
            st.lists(children, min_size=2, max_size=3).map(lambda ops: _flat(ast.And, ops)),
            st.lists(children, min_size=2, max_size=3).map(lambda ops: _flat(ast.Or, ops)),
        ),
        max_leaves=8,
    )


_link_bodies = _combine(_link_conditions.map(parse_plain) | _fact_conditions.map(parse_plain))
_link_quantifiers = st.builds(ast.Quantifier, st.sampled_from(["any", "all"]), st.just("link"),
                              st.just(ast.Path(("message", "links"))), _link_bodies)

# A typed condition: checks cleanly against the real schema and VOCAB (asserted by the test).
typed_conditions = _combine(_fact_conditions.map(parse_plain) | _link_quantifiers)

# ---------------------------------------------------------------------------------------------
# Facts records, generated from policies/facts.schema.json
# ---------------------------------------------------------------------------------------------

# Message text: words the rules look for, in odd forms (case, width, accents, Arabic letter
# variants and diacritics, combining marks, ligatures, zero-width characters, emoji sequences,
# runs of white space, other line breaks), mixed with random text.
_TEXT_PIECES = [
    "Thanks for your order", " ", "  \t ", "\n\n", "\r\n", "\u2028", "coupon", "COUPON", "Coupon!", "% off", "20% off",
    "discount   code", "ｃｏｕｐｏｎ", "coupoN\u0301", "كوبون", "خَصْم", "خصم", "إ", "ـ", "e\u0301", "\u0301", "İstanbul", "ß",
    "ﬁ", "\u200b", "\u00ad", "😀", "👩\u200d👩\u200d👧", "🇬🇧", ":)", "<3", "http://example.com/a?b", "https://amazon.co.uk/x",
    "+44 20 7123 4567", "123-1234567-1234567", "[[order-id]]", "click here", "free gift", "١٢٣", "123",
]
message_texts = st.lists(st.one_of(st.sampled_from(_TEXT_PIECES), st.text(max_size=6)), max_size=8).map("".join)

# Values for string fields whose contents the rules look at; other strings are random text.
_FIELD_STRINGS = {
    "host": st.sampled_from(["amazon.co.uk", "www.amazon.com", "shop.example.com", "", "xn--bcher-kva.example", "[::1]"]),
    "url": st.sampled_from(["https://amazon.co.uk/x", "http://www.example.com:8080/p", "mailto:a@b.c", "tel:+4412",
                            "//host", "http://[::1", "ftp://ＥＸＡＭＰＬＥ.com", "http://a\u2100b.com", ""]) | st.text(max_size=10),
    "anchor_text": st.sampled_from(["click here", "Click Here", "our shop", "here", ""]) | st.text(max_size=8),
    "language": st.sampled_from(["en", "ar", "de", ""]),
    "buyer_language": st.sampled_from(["en-GB", "ar_SA", "EN", "de", "", "-", " en "]) | st.text(max_size=5),
    "alt": st.sampled_from(["logo", "Our LOGO", "photo", ""]),
    "region": st.sampled_from(["GB", "US", "SA"]),
}


# Dates as the schema allows them: a day, or an ISO 8601 timestamp of which only the day counts.
_fact_dates = st.builds(
    lambda day, clock: day.isoformat() + clock,
    st.dates(_dt.date(2019, 1, 1), _dt.date(2022, 12, 31)),
    st.sampled_from(["", "", "T10:00", " 23:59:59", "T00:00:00.5Z", "T12:30:00+01:00", "T12:30-0530"]),
)


def _resolve(node: dict) -> dict:
    return _DEFS[node["$ref"].rsplit("/", 1)[-1]] if "$ref" in node else node


def _value(node: dict, name: str, text: str) -> st.SearchStrategy:
    """A value that the schema node allows."""
    target = _resolve(node)
    if "enum" in target:
        return st.sampled_from(target["enum"])
    kind = target.get("type")
    if kind == "string":
        if target.get("x-type") == "date" or target.get("format") == "date":
            return _fact_dates
        return _FIELD_STRINGS.get(name, st.text(max_size=8))
    if kind == "integer":
        return st.integers(target.get("minimum", -100), 1000)
    if kind == "number":
        return st.integers(0, 100) | st.floats(0, 100, allow_nan=False)
    if kind == "boolean":
        return st.booleans()
    if kind == "array":
        return st.lists(_value(target["items"], name, text), max_size=3)
    if kind == "object":
        return _object(target, text)
    raise AssertionError(f"no strategy for schema node {target!r}")


@st.composite
def _object(draw, node: dict, text: str, fixed: dict | None = None) -> dict:
    """An object with every required field; fields that are unknown, optional or have a default
    are sometimes left out, as a sender would. Spans (start/end) lie inside the message text
    and an item's `text` is the text they cover."""
    node = _resolve(node)
    required = set(node.get("required", ()))
    out: dict = {}
    for prop, sub in node.get("properties", {}).items():
        if fixed and prop in fixed:
            out[prop] = fixed[prop]
            continue
        may_leave_out = prop not in required or "default" in sub or "default" in _resolve(sub)
        if may_leave_out and draw(st.booleans()):
            continue
        out[prop] = draw(_value(sub, prop, text))
    if "start" in out:
        out["start"] = draw(st.integers(0, len(text)))
    if "end" in out:
        out["end"] = draw(st.integers(out.get("start", 0), len(text)))
    if "start" in out and "end" in out and isinstance(out.get("text"), str):
        out["text"] = text[out["start"]:out["end"]]
    return out


@st.composite
def facts_records(draw) -> dict:
    """A facts record as a sender would pass it to build_facts: partial, valid per the schema."""
    text = draw(message_texts)
    message = draw(_object(_RAW["properties"]["message"], text, fixed={"text": text}))
    record = {"message": message}
    for root in ("order", "history"):
        if draw(st.booleans()):
            record[root] = draw(_object(_RAW["properties"][root], text))
    found = problems(complete(record))
    assert not found, f"the strategy made an invalid facts record: {found}"
    return record

# ---------------------------------------------------------------------------------------------
# Broken input: random bytes, token soups, YAML fragments
# ---------------------------------------------------------------------------------------------

# Bytes decoded the way a lenient reader would: bad UTF-8 replaced, or read as Latin-1.
lenient_texts = st.builds(lambda data, codec: data.decode(codec, errors="replace"),
                          st.binary(max_size=80), st.sampled_from(["utf-8", "latin-1"]))

# Pieces of the rule language, right and wrong: every terminal, near-misses (`=`, `&`, `!`),
# bad literals (unclosed strings and regexes, impossible dates), facts, vocab, operators.
CONDITION_TOKENS = [
    "and", "or", "not", "in", "not in", "any", "all", "true", "false", "(", ")", "[", "]", ",", ":", ".",
    "==", "!=", "<", "<=", ">", ">=", "=", "!", "&", "|", "+", "*", "#", "%", "{", "}", "\\", "@", "$", "`",
    "x", "link", "l", "message", "message.links", "message.text", "message.emoji", "message.channel", "order",
    "order.completed_at", "message.sent_at", "link.anchor_text", "link.scheme", "history.review_requests_sent",
    "vocab", "vocab.marketing_phrases", "vocab.window_days", "vocab.nope", "message.link", "link.nope", "a.b.c.d",
    "count", "exists", "mentions", "matches", "days_between", "lower", "len", "host_of", "contains", "nosuchop",
    "0", "1", "-1", "2.5", "1.", ".5", "-", "2020-11-06", "2020-13-45", "2020-02-30", "0000-01-01", "2020-1-1",
    '"a"', "'b'", '"api"', '"emial"', '"', "'", '"unclosed', '"esc\\"', "/a/", "/a/i", "/(/", "/[/", "//", "/x",
    "/a/q", " ", "  ", "\t", "\n", "é", "∀", "😀", "خ", "\u200b", "\u00a0",
]

# Pieces of policy YAML: keys, values, indentation, and the constructs the loader must reject
# or survive (anchors, aliases, tags, flow collections, documents, directives).
YAML_TOKENS = [
    "policy:", "policy: buyer-messaging", "marketplace:", "marketplace: UK", "marketplace: base", "effective:",
    "effective: 2020-11-06", "effective: 2020-13-45", "source: x", "extends:", "extends: ../base/2020-11.yaml",
    "remove: [a.b]", "vocab:", "vocab: {a: 1}", "rules:", "- id: a.b", "- id: A", "id:", "title: t", "severity: block",
    "severity: warn", "clause: c", "when:", "when: |", "when: true", "hint:", "hint: '{count(message.emoji)}'",
    "examples:", "- name: e", "facts: {}", "expect: []", "undetermined: [a.b]", "override: true",
    "-", "- ", ": ", "? ", "{", "}", "[", "]", ",", "|", ">", "&a", "*a", "!!int", "!!str", "!!bool", "!!float", "!!binary",
    "!!python/name:os", "0:", "1.5:", "true:", "null:",
    "!tag", "~", "null", ".nan", ".inf", "---", "...", "%YAML 1.2", "#c", "\n", "\n  ", "\n    ", "\n      ", "\t", "\r",
    "\ufeff", "\x00", "\x85", "'", '"', "key: value", "1", "12:30", "0x1f", "yes", "2020-11-06", "2020-02-30",
]

_soup_tokens = st.one_of(st.sampled_from(CONDITION_TOKENS), st.sampled_from(YAML_TOKENS), st.text(max_size=3))
_separators = st.sampled_from([" ", "", "\n", "\n  "])


@st.composite
def token_soups(draw, tokens: st.SearchStrategy[str] = _soup_tokens, max_size: int = 24) -> str:
    """A sequence of tokens joined by spaces, nothing or line breaks."""
    parts = draw(st.lists(tokens, max_size=max_size))
    seps = draw(st.lists(_separators, min_size=len(parts), max_size=len(parts)))
    return "".join(p + s for p, s in zip(parts, seps))


# Soups for a `when:` block: condition tokens only, and no characters YAML reads as a line break
# or rejects outright, so the soup is the rule's condition rather than broken YAML.
_printable = st.characters(exclude_categories=("Cc", "Cs", "Zl", "Zp"), exclude_characters="\x85\ufeff")
condition_soups = token_soups(st.one_of(st.sampled_from([t for t in CONDITION_TOKENS if t != "\t"]),
                                        st.text(_printable, max_size=3)), max_size=20)

# A valid policy with one rule, but for the rule's condition.
POLICY_HEAD = """\
policy: buyer-messaging
marketplace: UK
effective: 2020-11-06
source: "property tests"
vocab:
  marketing_phrases: {en: ["% off", "coupon"]}
  window_days: 30
rules:
  - id: generated.rule
    title: Generated
    severity: block
    clause: "generated"
"""

# Where a condition starts in a `when: |2` block: six spaces in (the explicit indentation keeps
# a soup line that starts with spaces inside the block).
BLOCK_INDENT = 6


def policy_with_condition(condition: str, quoted: bool = False) -> tuple[str, int, int]:
    """A policy whose only rule has `condition` as its `when:`, as a `|2` block or a double-quoted
    scalar (JSON escapes are YAML escapes); also the first and last line of the `when:` (1-based),
    where diagnostics about the condition must point."""
    first = POLICY_HEAD.count("\n") + 1
    if quoted:
        return POLICY_HEAD + "    when: " + json.dumps(condition, ensure_ascii=False) + "\n", first, first
    body = condition.split("\n")
    text = POLICY_HEAD + "    when: |2\n" + "".join(" " * BLOCK_INDENT + line + "\n" for line in body)
    return text, first, first + len(body)


# Whole policy files: a valid policy with a few of its lines broken. Valid everywhere else, so
# the input gets past the YAML loader into shape, extends, parsing, checking and examples; each
# broken line loses its key, has it misspelt or replaced by a key that is not text, loses its
# value, or gets a value drawn from right and wrong values alike (tags, anchors,
# calendar-impossible dates, flow collections, long values).
_ODD_KEYS = ["0", "1.5", "true", "null", "''", "[a]", "{a: 1}", "2020-11-06"]
_SCALAR_VALUES = [
    "x", "UK", "uk", "base", "buyer-messaging", "Buyer Messaging", "2020-11-06", '"2020-11-06"', "2020-02-30",
    '"2020-02-30"', "2020-13-45", '"2020-13-45"', "1", "-1", "0.5", ".nan", "true", "no", "~", "''", '""', "[]", "{}",
    "!!int abc", "!!int 1", "!!int", "!!str 1", "!!float x", "!!float", "!!bool x", "!!binary zz=", "!!timestamp x",
    "!foo x", "!!set {a}",
    "!!python/tuple [1]", "&a x", "*a", "[a.b, a.b]", "[1, x, true]", "{en: [coupon]}", "{en: []}", "{EN: [x]}",
    "{en: [1]}", '"' + "x" * 300 + '"', "x" * 300 + ".yaml", "../base/2020-11.yaml", ".", "/", "a: b", "- x", "'", "[",
    "{message: {sent_at: 2020-13-45}}", "{message: {sent_at: '2020-02-30'}}", "{message: 1}", "[nope]", "[a.b]",
    '"{count(message.emoji)}"', '"{"', '"{nope}"', '"}{"', '"{vocab.window_days"', "warn", "block",
]

# Conditions for the rule: valid ones (so later stages run), typical mistakes, and token soups.
_conditions = st.one_of(
    st.sampled_from(["count(message.emoji) > 0", "true", "false", 'message.channel == "emial"',
                     "mentions(message.text, vocab.marketing_phrases)", "vocab.window_days > 1",
                     "days_between(order.completed_at, message.sent_at) > vocab.window_days",
                     "count(message.link) > 0", "exists(link.anchor_text)", "any l in message.links: l.is_amazon"]),
    condition_soups,
)

_RULE_LINES = [("id", "a.b"), ("title", "T"), ("severity", "block"), ("clause", "c"),
               ("hint", '"Remove {count(message.emoji)} emoji(s)"'), ("examples", None),
               ("  - name", "e"), ("    facts", "{message: {text: ':)', emoji: [{text: ':)', kind: emoticon, start: 0, end: 2}]}}"),
               ("    expect", None)]


# Header values near the valid ones: misspelt names, date-shaped strings that may not be
# calendar dates (quoted, so they pass the shape check, or not, so YAML reads them), paths of
# any length.
_date_shaped = st.builds(lambda y, m, d, quote: f"{quote}{y:04d}-{m:02d}-{d:02d}{quote}",
                         st.integers(0, 9999), st.integers(0, 99), st.integers(0, 99), st.sampled_from(["", '"']))
_HEADER_NEAR_MISSES = {
    "policy": st.sampled_from(["Buyer-messaging", "buyer messaging", "b", "1x", '""']),
    "marketplace": st.sampled_from(["uk", "GBR", "base", "BASE", "U"]),
    "effective": _date_shaped,
    "source": st.sampled_from(['""', "x" * 300]),
    "extends": st.sampled_from([".", "/", '""', "../base"]) | st.integers(0, 400).map(lambda n: "b" * n + ".yaml"),
    "remove": st.sampled_from(["[a.b]", "[r.n0]", "[r.n0, r.n0]", "a.b", "[A]"]),
}


@st.composite
def policy_documents(draw) -> str:
    """The text of a policy file with one to three rules, mostly valid (see above)."""
    lines: list[list] = [[0, "policy", "buyer-messaging"], [0, "marketplace", "UK"], [0, "effective", "2020-11-06"],
                         [0, "source", "s"], [0, "extends", "nope.yaml"], [0, "remove", "[]"], [0, "vocab", None],
                         [2, "marketing_phrases", "{en: [coupon]}"], [2, "window_days", "30"], [0, "rules", None]]
    # A missing base ends compilation early (P210), so `extends:` is there only now and then.
    lines = [line for line in lines if line[1] != "extends" or draw(st.integers(0, 9)) == 9]
    for line in lines:
        if line[1] in _HEADER_NEAR_MISSES and draw(st.integers(0, 3)) == 3:
            line[2] = draw(_HEADER_NEAR_MISSES[line[1]])
    conditions = draw(st.lists(_conditions, min_size=1, max_size=3))
    for i, condition in enumerate(conditions):
        lines.append([2, "- id", f"r.n{i}"])
        lines += [[4, key, value] for key, value in _RULE_LINES[1:]]
        lines[-1][2] = f"[r.n{i}]"          # the example expects its own rule
        lines.append([4, "when", condition])
    # Break a few lines (usually none to two).
    for i in draw(st.sets(st.integers(0, len(lines) - 1), max_size=3)):
        how = draw(st.sampled_from(["drop", "misspell", "key", "empty", "value"]))
        if how == "drop":
            lines[i] = None
        elif how == "misspell":
            lines[i][1] = lines[i][1][:-1] + "_"
        elif how == "key":
            lines[i][1] = ("- " if lines[i][1].startswith("- ") else "") + draw(st.sampled_from(_ODD_KEYS))
        elif how == "empty":
            lines[i][2] = None
        else:
            lines[i][2] = draw(st.sampled_from(_SCALAR_VALUES))
    out = []
    for line in lines:
        if line is None:
            continue
        indent, key, value = line
        if key == "when" and value is not None and value not in _SCALAR_VALUES:
            # A condition as a block, explicit indentation so a soup line with leading spaces stays inside.
            out.append(" " * indent + "when: |2")
            out += [" " * (indent + 2) + part for part in value.split("\n")]
        else:
            out.append(" " * indent + key + ":" + ("" if value is None else " " + value))
    return "\n".join(out) + "\n"


# How authors write a `when:` in YAML: plain (with or without a comment after it), quoted, and
# the block styles, with and without chomping and explicit indentation indicators.
WHEN_STYLES = ["plain", "plain # comment", '"', "'", "|", "|-", "|+", ">", "|2", "|4", "| # comment"]


def policy_with_when(condition: str, style: str) -> str:
    """A policy whose only rule has `condition` written as `when:` in the given YAML style,
    followed by another key (so the block's end is tested too)."""
    lines = condition.split("\n")
    if style.startswith("plain"):
        value = "\n".join([lines[0]] + ["      " + line for line in lines[1:]])
        value += "  # comment" if "#" in style else ""
    elif style == '"':
        value = json.dumps(condition, ensure_ascii=False)
    elif style == "'":
        # In a single-quoted scalar a quote is doubled and a line break is an empty line.
        value = "'" + "\n\n      ".join(line.replace("'", "''") for line in lines) + "'"
    else:
        indent = 4 + int(style[1]) if style[1:2].isdigit() else 6
        value = style + "".join("\n" + " " * indent + line for line in lines)
    return POLICY_HEAD + "    when: " + value + "\n    hint: fix it\n"

