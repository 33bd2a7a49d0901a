"""Property tests of the rule language: formatting round trips, simplification, evaluation, and
the compiler's errors on arbitrary input. Strategies live in tests/strategies.py.
"""
from __future__ import annotations

import copy
import functools
import json

from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from dsl import registry
from dsl.compiler import compile_file
from dsl.compiler import compile_text
from dsl.contract.errors import CODES, PolicyError, excerpt
from dsl.contract.tree import slots_used
from dsl.format.condition import format_expr
from dsl.format.rewrite import format_text
from dsl.stages.check import Context, check_condition
from dsl.stages.load import load_text
from dsl.stages.parse import parse_plain
from dsl.stages.simplify import simplify
from interpreter.evaluation.evaluate import evaluate
from interpreter.evaluation.program import lower
from interpreter.facts.record import build_facts

from . import strategies as s
from .conftest import examples

WIDTHS = (20, 40, 88, 10_000)

# deadline=None: the first examples pay for building the Lark parser and the JSON Schema
# validators. too_slow: generating schema-valid facts records is deliberately thorough.
FAST = settings(deadline=None, max_examples=examples(250), suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(deadline=None, max_examples=examples(120), suppress_health_check=[HealthCheck.too_slow])


# ---------------------------------------------------------------------------------------------
# 1–2. Formatting
# ---------------------------------------------------------------------------------------------

@FAST
@given(s.syntax_trees())
def test_format_then_parse_gives_the_same_tree(tree):
    """`permitted fmt` rewrites conditions in canonical form. If this broke, fmt would change
    what a rule means (or refuse to run, as it re-parses its output), and conditions shown by
    `explain` and in error messages would not be the condition in the policy."""
    for width in WIDTHS:
        text = format_expr(tree, width)
        assert parse_plain(text) == tree, f"width {width}:\n{text}"


@FAST
@given(s.number_texts)
def test_numbers_as_written_survive_format(number):
    """Any number an author can write comes back from fmt as the same number. If this broke,
    fmt would change a threshold (`x > 0.0000000000001` becoming `x > 0.0`), or refuse to
    format the file."""
    tree = parse_plain(f"x > {number}")
    for width in WIDTHS:
        text = format_expr(tree, width)
        assert parse_plain(text) == tree, f"{number} formatted as {text}"


@FAST
@given(s.syntax_trees())
def test_format_is_idempotent(tree):
    """fmt run twice changes nothing the second time. If this broke, `fmt --check` would fail
    on a file fmt has just written, and every run would produce a diff."""
    for width in WIDTHS:
        once = format_expr(tree, width)
        assert format_expr(parse_plain(once), width) == once, f"width {width}"


def _when_of(text: str):
    """The condition tree of the policy's only rule, or None when YAML cannot hold it that way."""
    try:
        when = load_text(text, "<policy>").data["rules"][0]["when"]
        return parse_plain(when) if isinstance(when, str) else None
    except PolicyError:
        return None


@settings(FAST, max_examples=examples(100))
@given(s.syntax_trees(), st.sampled_from(WIDTHS))
def test_fmt_of_a_policy_file_is_idempotent_and_keeps_the_condition(tree, width):
    """`permitted fmt` on a policy file keeps each condition's tree, and a second run changes
    nothing, whatever YAML style the author wrote the `when:` in. If this broke, fmt would
    fail on a valid file, change a rule, or make `fmt --check` fail right after `fmt`."""
    condition = format_expr(tree, width)
    # Conditions that a `|` block can hold: YAML allows no control characters in one, and fmt
    # writes long conditions as blocks.
    assume(_when_of(s.policy_with_when(condition, "|")) == tree)
    for style in s.WHEN_STYLES:
        text = s.policy_with_when(condition, style)
        if _when_of(text) != tree:      # this style cannot hold this condition (`: `, a leading `[`, …)
            continue
        try:
            once = format_text(text, "<policy>")
        except PolicyError as err:
            raise AssertionError(f"fmt rejects a valid file whose `when:` is written as {style!r}: {err}") from err
        assert _when_of(once) == tree, style
        assert format_text(once, "<policy>") == once, style


# ---------------------------------------------------------------------------------------------
# 3. Simplification keeps the meaning (three-valued)
# ---------------------------------------------------------------------------------------------

def _checked(node):
    """The typed tree of a generated condition, which must check without problems."""
    ctx = Context(s.SCHEMA, s.VOCAB_CONSTS, lambda span: None)
    pred = check_condition(node, ctx)
    assert not ctx.problems, (format_expr(node, 10_000), ctx.problems)
    return pred


def _run(pred, data):
    """Evaluate a typed tree on a facts record: True, False or None (unknown)."""
    return lower(pred)(data, [None] * slots_used(pred))


@FAST
@given(s.typed_conditions, s.facts_records())
def test_simplify_keeps_the_meaning(node, record):
    """The compiler simplifies every condition before evaluating it. If this broke, a rule
    would fire, pass or come out undetermined differently from what its condition says, for
    example treating `not (x > 3)` as true when x is unknown."""
    pred = _checked(node)
    simpler = simplify(pred)
    data = build_facts(record).data
    before, after = _run(pred, data), _run(simpler, data)
    assert before in (True, False, None)
    assert before is after, f"{format_expr(node, 10_000)}: {before} before simplifying, {after} after"


# ---------------------------------------------------------------------------------------------
# 4–5. Evaluation
# ---------------------------------------------------------------------------------------------

# A policy whose rules use every operator, every kind of fact (present, unknown, optional),
# quantifiers (nested, over facts and vocab), constants and hints with values.
ALL_OPERATORS_POLICY = r"""
policy: buyer-messaging
marketplace: UK
effective: 2020-11-06
source: "property tests"
vocab:
  marketing_phrases: {en: ["% off", "coupon", "discount code", "free gift"], ar: ["خصم", "كوبون"]}
  amazon_hosts: ["amazon.co.uk", "amazon.com"]
  window_days: 30
  strict: true
  nothing: []
rules:
  - id: styling.no-emoji
    title: No emoji
    severity: block
    clause: "emoji"
    when: count(message.emoji) > 0
    hint: "Remove {count(message.emoji)} emoji(s): {message.emoji}."
  - id: content.marketing
    title: Marketing
    severity: block
    clause: "marketing"
    when: |
      mentions(message.text, vocab.marketing_phrases)
    hint: "Remove {mentions(message.text, vocab.marketing_phrases)}; {{literal braces}}"
  - id: content.phone
    title: Phone
    severity: warn
    clause: "phone"
    when: |
      matches(message.text, /\+?\d[\d ]{6,}\d/) or count(message.phones) > 0
  - id: timing.window
    title: Window
    severity: block
    clause: "window"
    when: |
      days_between(order.completed_at, message.sent_at) > vocab.window_days
    hint: "Sent {days_between(order.completed_at, message.sent_at)} days after {order.completed_at}."
  - id: links.external
    title: External link
    severity: block
    clause: "links"
    when: |
      any link in message.links:
        not link.is_amazon and host_of(link.url) not in vocab.amazon_hosts
        and not ends_with(link.host, ".amazon.com")
  - id: links.click-here
    title: Click here
    severity: warn
    clause: "links"
    when: |
      any link in message.links:
        exists(link.anchor_text) and (lower(link.anchor_text) == "click here" or starts_with(link.anchor_text, "here"))
  - id: links.emoji-inside
    title: Emoji in a link
    severity: warn
    clause: "links"
    when: |
      any link in message.links:
        any e in message.emoji: e.start >= link.start and e.end <= link.end
  - id: images.alt
    title: Alt text
    severity: warn
    clause: "images"
    when: |
      not (all img in message.images: exists(img.alt) and len(img.alt) > 0)
  - id: language.mismatch
    title: Language
    severity: warn
    clause: "language"
    when: |
      language_of(order.buyer_language) != message.language
    hint: "Write in {language_of(order.buyer_language)}, not {message.language}."
  - id: content.contains
    title: Contains
    severity: warn
    clause: "contains"
    when: |
      contains(message.text, "http") and not contains(lower(message.text), "amazon")
  - id: channel.api
    title: API reasons
    severity: block
    clause: "api"
    when: |
      message.channel == "api" and message.reason not in ["invoice", "review_request"]
  - id: review.repeat
    title: Review requests
    severity: block
    clause: "reviews"
    when: |
      message.reason == "review_request" and history.review_requests_sent >= 1
        and not history.buyer_contacted_first
  - id: spelling.errors
    title: Spelling
    severity: warn
    clause: "spelling"
    when: message.spelling.unknown_percent > 10 and count(message.spelling.samples) > 0
    hint: "Check {message.spelling.samples} ({message.spelling.unknown_percent}%)."
  - id: styling.fonts
    title: Fonts
    severity: warn
    clause: "styling"
    when: |
      message.styling.font_sizes > 2 or message.styling.text_align in ["center", "right"]
        or message.styling.max_margin_percent >= 10.5
  - id: timing.early
    title: Early
    severity: warn
    clause: "dates"
    when: message.sent_at < 2020-11-06 or order.purchased_at > message.sent_at
  - id: constant.always
    title: Always
    severity: warn
    clause: "constant"
    when: vocab.strict and true
  - id: constant.never
    title: Never
    severity: block
    clause: "constant"
    when: false or vocab.nothing
  - id: attachments.invoice
    title: Attachments
    severity: warn
    clause: "attachments"
    when: |
      any a in message.attachments:
        exists(a.purpose) and a.purpose == "invoice" and exists(a.size) and a.size > 100
        or ends_with(a.filename, ".exe")
  - id: subject.marketing
    title: Subject
    severity: warn
    clause: "subject"
    when: |
      exists(message.subject) and mentions(message.subject, vocab.marketing_phrases)
  - id: placeholders.left
    title: Placeholders
    severity: block
    clause: "placeholders"
    when: |
      any p in message.placeholders: p.syntax in ["double_curly", "double_square"]
  - id: phones.region
    title: Phone region
    severity: warn
    clause: "phones"
    when: |
      any ph in message.phones: not exists(ph.region) or ph.region != "GB"
  - id: emails.mentioned
    title: E-mail in text
    severity: warn
    clause: "emails"
    when: |
      any m in message.emails: mentions(message.text, [m.address, "contact"])
  - id: sentences.near
    title: Two mentions near each other in a sentence
    severity: warn
    clause: "sentences"
    when: |
      any s in sentences(message.text):
        mentions_near(s.text, vocab.marketing_phrases, vocab.marketing_phrases, 2)
        or count(mentions_before(s.text, vocab.marketing_phrases, ["order", "طلب"], 0)) > 0
  - id: sentences.runs
    title: Runs of sentences
    severity: warn
    clause: "sentences"
    when: |
      any r in sentence_runs(message.text, 2): len(r.text) > 10 and r.start >= 0 and r.end <= len(message.text)
  - id: hosts.vocab
    title: Vocab quantifier
    severity: warn
    clause: "vocab"
    when: |
      all h in vocab.amazon_hosts: contains(message.text, h) or exists(order.id)
"""


@functools.lru_cache(maxsize=2)
def _policies(compilation: int = 0) -> tuple:
    """Every bundled marketplace policy, and the policy above (the one that uses everything).
    Each `compilation` number is a compilation of its own (compile_file does not cache)."""
    bundled = [compile_file(v.path) for versions in registry.versions().values() for v in versions]
    return tuple(bundled) + (compile_text(ALL_OPERATORS_POLICY, "<all-operators>"),)


@SLOW
@given(s.facts_records())
def test_evaluation_is_total(record):
    """Any facts record the schema accepts can be checked against every policy. If this broke,
    a seller would get an internal error (exit 70) instead of a verdict for some message,
    e.g. one with emoji inside a link, Arabic diacritics, or an order date left out."""
    facts = build_facts(record)
    for policy in _policies():
        report = evaluate(policy, facts)
        assert report.verdict in ("allowed", "review", "blocked")


@SLOW
@given(s.facts_records())
def test_same_input_gives_byte_identical_json(record):
    """The JSON report is a stable contract. If this broke, two checks of the same message
    would disagree (flaky verdicts, evidence in a different order, hints that change), and
    reports could not be cached, diffed or compared across deployments."""
    facts = build_facts(record)
    data_before = copy.deepcopy(facts.data)
    for policy, recompiled in zip(_policies(0), _policies(1)):
        first = json.dumps(evaluate(policy, facts).to_json(), ensure_ascii=False)
        second = json.dumps(evaluate(policy, facts).to_json(), ensure_ascii=False)
        again = json.dumps(evaluate(recompiled, build_facts(record)).to_json(), ensure_ascii=False)
        assert first == second, policy.id
        assert first == again, f"{policy.id} recompiled"
    assert facts.data == data_before, "evaluation changed the facts record"


# ---------------------------------------------------------------------------------------------
# 6–7. The compiler only ever raises PolicyError, with diagnostics that point into the input
# ---------------------------------------------------------------------------------------------

def _outcome(fn, text):
    """None when `fn(text)` succeeds, the PolicyError when it raises one; anything else propagates."""
    try:
        fn(text)
    except PolicyError as err:
        return err
    return None


# What an author might type as a condition, and as a policy file.
condition_inputs = st.one_of(s.lenient_texts, s.token_soups())
policy_inputs = st.one_of(s.lenient_texts, s.token_soups(), s.policy_documents())


@settings(deadline=None, max_examples=examples(300))
@given(condition_inputs)
def test_parse_only_raises_policy_error(text):
    """A condition the author mistyped gets a diagnostic. If this broke, `permitted lint` and
    `fmt` would crash with a traceback (exit 70) on some typo instead of pointing at it."""
    _outcome(parse_plain, text)


@settings(deadline=None, max_examples=examples(300))
@given(policy_inputs)
def test_compile_only_raises_policy_error(text):
    """A broken policy file gets diagnostics. If this broke, `permitted lint` would crash with
    a traceback (exit 70) on some broken YAML instead of naming the line that is wrong."""
    _outcome(compile_text, text)


@settings(deadline=None, max_examples=examples(300))
@given(s.condition_soups, st.booleans())
def test_compile_with_any_condition_only_raises_policy_error(condition, quoted):
    """A policy that is fine except for its rule's condition gets diagnostics. If this broke,
    a typo in one `when:` would crash `lint` and `test` for the whole policy."""
    text, _, _ = s.policy_with_condition(condition, quoted)
    _outcome(compile_text, text)


def _assert_points_into(err: PolicyError, text: str, file: str) -> None:
    """Every diagnostic has a known code, and a span (if any) on lines of `text`, quoted as they are."""
    lines = text.split("\n")
    for d in err.diagnostics:
        assert d.code in CODES, d
        if d.span is None:
            continue
        assert d.span.file == file, d
        assert 1 <= d.span.line <= len(lines), (d, len(lines))
        assert d.span.line <= d.span.end_line <= len(lines), (d, len(lines))
        if d.source_line is not None:          # the line, or its excerpt around the column when long
            assert d.source_line == excerpt(lines[d.span.line - 1], d.span.column)[0], d


def _diagnostics_point_into_input(fn, text, file):
    """Check the diagnostics of `fn(text)`, if it raises PolicyError."""
    try:
        err = _outcome(fn, text)
    except Exception:  # noqa: BLE001 - a crash is what the tests above report; here only diagnostics count
        return
    if err is not None:
        _assert_points_into(err, text, file)


@settings(deadline=None, max_examples=examples(300))
@given(condition_inputs, policy_inputs)
def test_diagnostics_have_codes_and_point_into_the_input(condition, policy):
    """Every diagnostic has a stable code, and its line is a line of the input, shown as it is
    there. If this broke, `lint --format json` consumers would see unknown codes, and the
    caret display would point at a line that does not exist or quote the wrong one."""
    _diagnostics_point_into_input(parse_plain, condition, "<condition>")
    _diagnostics_point_into_input(compile_text, policy, "<policy>")


@settings(deadline=None, max_examples=examples(300))
@given(s.condition_soups, st.booleans())
@example("2020-13-45 and 2020-13-45 ", False)            # two mistakes: a diagnostic for each
def test_condition_diagnostics_point_into_the_condition(condition, quoted):
    """A mistake in a rule's condition is reported at that condition, and a syntax error in a
    `when: |` block at the same line and column of the condition as when the condition stands
    alone. If this broke, the caret would point at another line or character of the policy
    file than the mistake."""
    text, first, last = s.policy_with_condition(condition, quoted)
    try:
        err = _outcome(compile_text, text)
    except Exception:  # noqa: BLE001 - crashes are test_compile_with_any_condition_only_raises_policy_error's
        return
    if err is None:
        return
    _assert_points_into(err, text, "<policy>")
    for d in err.diagnostics:
        if d.span is not None and d.code[:2] in ("P3", "P4", "P5"):
            assert first <= d.span.line <= last, (d, first, last, text)
    syntax = [d for d in err.diagnostics if d.code == "P300"]
    alone = _outcome(parse_plain, condition)
    # Quoted scalars have escapes, so columns in the file and in the value differ; an empty
    # condition has no character to point at.
    if quoted or not syntax or alone is None or not condition.strip():
        return
    # One diagnostic for each mistake, in the same order: a condition may hold several (two
    # dates that are no calendar dates are two P300s, in the file as alone).
    assert len(syntax) == len(alone.diagnostics), (syntax, alone.diagnostics, text)
    for here, there in zip(syntax, alone.diagnostics):
        assert here.message == there.message
        assert (here.span.line, here.span.column) == (first + there.span.line, there.span.column + s.BLOCK_INDENT), \
            (here, there, text)
