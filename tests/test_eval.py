"""`permitted eval`: the corpus protocol, the agreement rule, the tallies, error rows, exit codes and
the JSON contract, on labelled messages of our own writing (tests/fixtures/labelled/)."""
from __future__ import annotations

import json
import shutil

import pytest

from dsl.contract.errors import Diagnostic, PolicyError, UsageError
from dsl.contract.verdict import Severity, Verdict
from interpreter.evaluation.report import Report, Violation
from permitted.agreement import Outcome, tally
from permitted.checking import Checked
from permitted.corpus import LabelCodes, is_html, load_label_codes, load_protocol
from permitted.labelled import NONE, Labelled, Unreadable, agrees, load_known_gaps, read_labelled
from permitted.store import default_store

from .conftest import FIXTURES, ROOT

LABELLED = FIXTURES / "labelled"
MIXED = "tests/fixtures/labelled/mixed.jsonl"          # as a user types it, from the repository root
MIXED_GAPS = "tests/fixtures/labelled/mixed-gaps.yaml"


def _bundled_rules() -> frozenset[str]:
    store = default_store()
    return frozenset(r.id for vs in store.catalogue.versions.values() for v in vs
                     for r in store.compiled(v.path).policy.rules)


# ---- the protocol: a corpus row -> an envelope ---------------------------------------------------

@pytest.mark.parametrize("hint,kind,marketplace,language,reason", [
    ("US", "review_request", "US", "en-US", "review_request"),
    (None, "thank_you", "US", "en-US", None),
    ("UK", "delay_notice", "UK", "en-GB", "order_fulfillment_issue"),
    ("DE", "out_of_stock", "UK", "de-DE", "order_fulfillment_issue"),
    ("FR", "invoice", "UK", "fr-FR", "invoice"),
    ("NL", "other", "UK", "nl-NL", None),
    ("JP", "return_followup", "US", "ja-JP", "return_question"),
    ("BR", "marketing", "US", "pt-BR", None),
    ("SA", "custom_design", "SA", "ar-SA", "custom_design"),
    ("AE", "delivery_scheduling", "SA", "ar-AE", "bulky_delivery"),
])
def test_the_protocol_maps_hint_and_kind(hint, kind, marketplace, language, reason):
    envelope = load_protocol().envelope_of(hint, kind, None, "Hello")
    assert envelope["marketplace"] == marketplace and envelope["order"]["buyer_language"] == language
    assert envelope.get("reason") == reason


def test_the_protocol_fixes_everything_else():
    envelope = load_protocol().envelope_of("US", "invoice", "Your invoice", "Hello")
    assert envelope == {
        "marketplace": "US", "channel": "seller_central", "direction": "proactive", "reason": "invoice",
        "sent_at": "2024-03-10", "template": True, "subject": "Your invoice",
        "order": {"status": "shipped", "purchased_at": "2024-02-26", "completed_at": "2024-03-02",
                  "delivered_at": "2024-03-02", "buyer_language": "en-US"},
        "history": {"review_requests_sent": 0},
        "body": "Order ID: 113-4567890-1234567\nHello"}
    html = load_protocol().envelope_of("US", "invoice", None, "<p>Hello</p>")
    assert html["html"] == "<p>Order ID: 113-4567890-1234567</p>\n<p>Hello</p>"
    assert "body" not in html and "subject" not in html


def test_rows_never_share_envelope_parts():
    protocol = load_protocol()
    first = protocol.envelope_of("US", "invoice", None, "a")
    first["order"]["status"] = "cancelled"
    assert protocol.envelope_of("US", "invoice", None, "b")["order"]["status"] == "shipped"


@pytest.mark.parametrize("body,html", [
    ("<p>Hello</p>", True),
    ("<div style=\"font-size: 12px\">Hi</div>", True),
    ("Line one<br />line two", True),
    ("<STYLE>p {color: red}</STYLE>", True),
    ("Dear <buyer name>,\nthanks", False),
    ("Dear {{buyer_name}}", False),
    ("sizes: a < b and c > d", False),
    ("<3 from all of us", False),
])
def test_html_is_told_by_its_elements(body, html):
    assert is_html(body) is html


# ---- the agreement rule ------------------------------------------------------------------------

@pytest.mark.parametrize("expected,verdict,agreed", [
    ("allowed", "allowed", True), ("allowed", "review", False), ("allowed", "blocked", False),
    ("blocked", "blocked", True), ("blocked", "review", True), ("blocked", "allowed", False),
    ("review", "review", True), ("review", "blocked", True), ("review", "allowed", False),
    ("allowed", "error", False), ("blocked", "error", False), ("review", "error", False),
])
def test_the_agreement_rule(expected, verdict, agreed):
    assert agrees(expected, verdict) is agreed


# ---- tallies on a hand-computed case -------------------------------------------------------------

CODES = LabelCodes({"a_code": ("r.a",), "b_code": ("r.b", "r.c"), "unused": ("r.d",)})
IN_FORCE = frozenset({"r.a", "r.b", "r.c", "r.x"})


def _outcome(n: int, kind: str, expected: str, codes: tuple[str, ...], fired: dict[str, Severity],
             form: str = "corpus", rules: frozenset[str] | None = None, gap: str | None = None) -> Outcome:
    row = Labelled(f"r{n}", f"t.jsonl:{n}", form, {}, expected, codes,
                   CODES.expected_rules(codes) if rules is None else rules, None, kind, "en-US", "US")
    violations = tuple(Violation(rule, severity, rule, "clause", None, ()) for rule, severity in fired.items())
    verdict = Verdict.BLOCKED if Severity.BLOCK in fired.values() else Verdict.REVIEW if fired else Verdict.ALLOWED
    report = Report(verdict, "US", "us@test", "t.yaml", violations, ())
    return Outcome(row, Checked(row.source, report), gap, IN_FORCE)


B, W = Severity.BLOCK, Severity.WARN
HAND = [
    _outcome(1, "k1", "blocked", ("a_code",), {"r.a": B}),                  # agrees; r.a true
    _outcome(2, "k1", "blocked", ("a_code", "b_code"), {"r.b": B}),         # agrees; r.b true, r.a and r.c missed
    _outcome(3, "k2", "allowed", (), {"r.a": B}),                           # disagrees; r.a on an allowed row
    _outcome(4, "k2", "blocked", ("b_code",), {}),                          # disagrees; r.b and r.c missed
    _outcome(5, "k3", "allowed", (), {"r.x": W}),                           # disagrees; r.x no code names
    _outcome(6, "k3", "allowed", (), {}),                                   # agrees
    Outcome(Unreadable("r7", "t.jsonl:7", (Diagnostic("I100", "bad"),), expected="blocked"), None),
]


def test_agreement_and_groups_by_hand():
    e = tally("t.jsonl", None, HAND, CODES)
    assert (e.overall.agreed, e.overall.total) == (3, 7)
    assert [(c.name, c.agreed, c.total) for c in e.by["kind"]] == [("k1", 2, 2), ("k2", 0, 2), ("k3", 1, 2), (NONE, 0, 1)]
    assert [(c.name, c.agreed, c.total) for c in e.by["marketplace"]] == [("US", 3, 6), (NONE, 0, 1)]
    assert [o.row.id for o in e.disagreements] == ["r3", "r4", "r5", "r7"]


def test_confusion_counts_by_hand():
    e = tally("t.jsonl", None, HAND, CODES)
    assert e.labels == ("allowed", "blocked")
    assert {k: v for k, v in e.confusion.items() if v} == {
        ("allowed", "allowed"): 1, ("allowed", "review"): 1, ("allowed", "blocked"): 1,
        ("blocked", "allowed"): 1, ("blocked", "blocked"): 2, ("blocked", "error"): 1}


def test_precision_and_recall_by_hand():
    e = tally("t.jsonl", None, HAND, CODES)
    rules = {r.rule: (r.fired, r.fired_on_allowed, r.true, r.expected, r.precision, r.recall) for r in e.rules}
    assert rules == {
        "r.a": (2, 1, 1, 2, 0.5, 0.5),
        "r.b": (1, 0, 1, 2, 1.0, 0.5),
        "r.c": (0, 0, 0, 2, None, 0.0),          # never fired: no precision
        "r.x": (1, 1, 0, 0, None, None),         # no code lists it: neither
    }                                            # r.d neither fired nor was expected: left out
    codes = {c.code: (c.labelled, c.caught, c.recall) for c in e.codes}
    assert codes == {"a_code": (2, 1, 0.5), "b_code": (2, 1, 0.5)}


def test_a_plain_row_names_its_rules_itself():
    plain = _outcome(8, "k4", "review", (), {"r.x": W}, form="plain", rules=frozenset({"r.x"}))
    e = tally("t.jsonl", None, [*HAND, plain], CODES)
    r_x = next(r for r in e.rules if r.rule == "r.x")
    assert (r_x.fired, r_x.true, r_x.expected, r_x.precision, r_x.recall) == (2, 1, 1, 0.5, 1.0)
    assert e.labels == ("allowed", "review", "blocked")


def test_a_rule_the_row_s_policy_lacks_does_not_count_against_recall():
    row = HAND[3]
    elsewhere = Outcome(row.row, row.checked, None, frozenset({"r.a"}))      # its policy has no r.b or r.c
    e = tally("t.jsonl", None, [elsewhere], CODES)
    assert e.rules == ()


def test_a_known_gap_explains_but_still_counts():
    gap = _outcome(3, "k2", "allowed", (), {"r.a": B}, gap="why")
    closed = _outcome(6, "k3", "allowed", (), {}, gap="was wrong once")
    e = tally("t.jsonl", None, [gap, closed], CODES)
    assert (e.overall.agreed, e.overall.total) == (1, 2)
    assert [o.status for o in e.outcomes] == ["known gap", "gap closed"]
    assert [o.row.id for o in e.gaps_closed] == ["r6"]


# ---- reading rows: every bad line is an error row --------------------------------------------------

ERRORS = [   # (line, id, part of the message)
    (1, "errors.jsonl:1", "a labelled message is a JSON object"),
    (2, "errors.jsonl:2", "needs an `id`"),
    (3, "e-03", "neither the corpus form"),
    (4, "e-04", "a corpus row needs `kind`, `expected`, `violations`"),
    (5, "e-05", "`expected` must be one of allowed, blocked, not \"review\""),
    (6, "e-06", "give `body` or `html`, not both"),
    (7, "e-07", "`styling.no-emoj` is not a rule of any policy in use"),
    (8, "e-08", "unknown key `labels` in a plain row"),
    (9, "e-09", "`body` must be non-empty text, not 42"),
    (11, "e-10", "duplicate id `e-10`"),
    (13, "e-13", "`violations` must be a list of text"),
]


def test_every_bad_line_becomes_an_error_row_and_blank_lines_none():
    rows = list(read_labelled(LABELLED / "errors.jsonl", load_protocol(), CODES, _bundled_rules()))
    assert [int(r.source.rsplit(":", 1)[1]) for r in rows] == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13]
    bad = [r for r in rows if isinstance(r, Unreadable)]
    assert [(int(r.source.rsplit(":", 1)[1]), r.id.rsplit("/", 1)[-1]) for r in bad] == [(n, i) for n, i, _ in ERRORS]
    for r, (_, _, words) in zip(bad, ERRORS, strict=True):
        assert words in r.errors[0].message, (r.source, r.errors[0].message)
    assert bad[6].errors[0].help == "did you mean `styling.no-emoji`?"
    assert bad[-1].doubt and bad[-1].expected == "blocked"
    assert isinstance(rows[9], Labelled) and rows[9].id == "e-10"


def test_error_rows_count_as_disagreements(cli):
    code, out, _ = cli("eval", "tests/fixtures/labelled/errors.jsonl", "--format", "json")
    data = json.loads(out)
    assert code == 0
    errors = [r for r in data["rows"] if r["verdict"] == "error"]
    assert len(errors) == len(ERRORS) and not any(r["agrees"] for r in errors)
    assert all(r["errors"] and r["errors"][0]["code"] == "I100" for r in errors)
    assert data["agreement"]["total"] == 12


# ---- the data files and their checks ---------------------------------------------------------------

def test_the_bundled_label_codes_name_bundled_rules():
    codes = load_label_codes(_bundled_rules())
    assert set(codes.rules_of) == {
        "review_only_if_positive", "positive_review_request", "persuasive_review_language",
        "negative_review_diversion", "incentivised_review", "review_removal_request", "thank_you_only",
        "order_confirmation", "marketing", "coupon", "external_link", "email_address", "phone_number",
        "style_override", "click_here_link_text", "excess_line_breaks", "spelling_grammar"}
    assert all(codes.rules_of.values())


def test_an_unknown_rule_in_the_label_codes_names_file_and_line(tmp_path):
    path = tmp_path / "codes.json"
    path.write_text('{\n  "description": "test",\n  "codes": {\n    "coupon": {\n'
                    '      "rules": ["type.no-coupons-or-vouchers", "type.no-coupons-or-voucher"],\n      "why": "test"\n    }\n  }\n}\n')
    with pytest.raises(PolicyError) as caught:
        load_label_codes(_bundled_rules(), path)
    (d,) = caught.value.diagnostics
    assert d.code == "P200" and "`type.no-coupons-or-voucher` (code `coupon`)" in d.message
    assert (d.span.line, d.span.column) == (5, 48) and d.span.file.endswith("codes.json")
    assert d.help == "did you mean `type.no-coupons-or-vouchers`?"


@pytest.mark.parametrize("text,code,line", [
    ('{"description": "x", "codes": {"coupon": {"rule": [], "why": "x"}}}', "P201", 1),
    ('{"description": "x",\n "codes": {"Coupon": {"rules": [], "why": "x"}}}', "P200", 2),
    ('{"description": "x", "codes": {"coupon": {"rules": ["type.no-marketing",\n "type.no-marketing"], "why": "x"}}}',
     "P200", 1),
    ('{"description": "x", "codes": ', "P100", 1),
])
def test_a_misshapen_label_codes_file_is_a_diagnostic(tmp_path, text, code, line):
    path = tmp_path / "codes.json"
    path.write_text(text)
    with pytest.raises(PolicyError) as caught:
        load_label_codes(_bundled_rules(), path)
    assert (caught.value.diagnostics[0].code, caught.value.diagnostics[0].span.line) == (code, line)


@pytest.mark.parametrize("old,new,words", [
    ('"invoice": "invoice"', '"invoice": "invoices"', "reason: 'invoices' is not one of"),
    ('"channel": "seller_central",', '"channel": "seller_central", "body": "x",', "`body` comes from each row"),
    ('"no_marketplace_hint": "US"', '"no_marketplace_hint": "XX"', "no_marketplace_hint `XX`"),
    ('"buyer_language": "en-GB"', '"buyer_language": "english"', "does not match"),
])
def test_a_broken_protocol_is_a_diagnostic_at_its_line(tmp_path, old, new, words):
    text = (ROOT / "policies" / "corpus-protocol.json").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "protocol.json"
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(PolicyError) as caught:
        load_protocol(path)
    d = caught.value.diagnostics[0]
    assert words in d.message, d.message
    assert new in d.source_line and d.span.file.endswith("protocol.json")       # the line that was broken


def test_known_gaps(tmp_path):
    assert dict(load_known_gaps(LABELLED / "mixed-gaps.yaml")) == {
        "fx-05": "the e-mail rule reads any address in the text, a signature's too",
        "fx-01": "a gap that no longer is one"}
    # The corpus's own gaps: each a row id with a reason, and only DOUBT rows so far.
    gaps = dict(load_known_gaps(ROOT / "examples" / "real-messages-gaps.yaml"))
    assert set(gaps) == {"ho-033", "ho-040"} and all(len(why) > 80 for why in gaps.values())
    bad = tmp_path / "gaps.yaml"
    bad.write_text("fx-01: why\nfx-02:\n")
    with pytest.raises(UsageError) as caught:
        load_known_gaps(bad)
    assert caught.value.diagnostics[0].span.line == 2


# ---- the command ---------------------------------------------------------------------------------

@pytest.mark.parametrize("minimum,code", [(None, 0), ("0", 0), ("0.6", 0), ("0.59", 0), ("0.61", 1), ("1", 1)])
def test_min_agreement_sets_the_exit_code(cli, minimum, code):
    argv = ["eval", MIXED, "--summary"] + (["--min-agreement", minimum] if minimum else [])
    got, out, _ = cli(*argv)
    assert got == code
    assert "agreement 6 of 10 (0.600)" in out
    if minimum:
        assert f"minimum {float(minimum):g}: {'met' if code == 0 else 'NOT met'}" in out


@pytest.mark.parametrize("argv,words", [
    (["eval", MIXED, "--min-agreement", "1.5"], "not a ratio from 0 to 1"),
    (["eval", MIXED, "--min-agreement", "6/10"], "not a ratio from 0 to 1"),
    (["eval", "no-such.jsonl"], "no such file: no-such.jsonl"),
    (["eval", MIXED, "--policy", "us@1999-01-01"], "no policy `us@1999-01-01`"),
    (["eval", MIXED, "--known-gaps", "no-such.yaml"], "cannot read known gaps no-such.yaml"),
    (["eval", MIXED, "--format", "csv"], "invalid choice: 'csv'"),
])
def test_usage_errors_exit_2_with_a_diagnostic(cli, capsys, argv, words):
    code, _, err = cli(*argv)
    assert code == 2
    assert words in err + capsys.readouterr().err      # argparse writes its own errors to stderr


def test_an_empty_file_is_a_usage_error(cli, tmp_path):
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n\n")
    code, _, err = cli("eval", str(empty))
    assert code == 2 and "holds no labelled messages" in err


def test_text_output_shows_disagreements_doubts_and_gaps(cli):
    code, out, _ = cli("eval", MIXED, "--known-gaps", MIXED_GAPS)
    assert code == 0
    assert out.startswith("agreement 6 of 10 (0.600)\n")
    assert "disagreements (4)" in out
    assert "fx-05  expected allowed, got blocked  tests/fixtures/labelled/mixed.jsonl:5  DOUBT" in out
    assert "known gap: the e-mail rule reads any address in the text" in out
    assert "fired: content.no-email-addresses  \u201chelp@oakshelf.example\u201d" in out
    assert "gap closed: fx-01 agrees now (allowed, got allowed): drop it from the known gaps" in out
    assert "fx-02" not in out.split("disagreements")[1]                      # it agrees


def test_summary_leaves_out_rules_and_disagreements(cli):
    _, out, _ = cli("eval", MIXED, "--summary")
    assert "labels and verdicts" in out and "rules (" not in out and "disagreements" not in out


def test_json_contract(cli, golden):
    code, out, _ = cli("eval", MIXED, "--known-gaps", MIXED_GAPS, "--format", "json", "--min-agreement", "0.5")
    assert code == 0
    golden("eval/mixed.json", out)
    data = json.loads(out)
    assert list(data) == ["input", "policy", "agreement", "min_agreement", "by", "confusion", "rules", "codes", "rows"]
    assert data["min_agreement"] == {"required": 0.5, "met": True}
    assert [r["id"] for r in data["rows"] if not r["agrees"]] == [
        "fx-05", "fx-06", "tests/fixtures/labelled/mixed.jsonl:7", "fx-09"]


def test_markdown_for_a_pull_request(cli, golden):
    code, out, _ = cli("eval", MIXED, "--known-gaps", MIXED_GAPS, "--format", "markdown")
    assert code == 0
    golden("eval/mixed.md", out)


def test_one_policy_for_every_message(cli, tmp_path):
    # A draft in a policy tree of its own (`extends:` stays inside the tree: dsl.stages.bases).
    shutil.copytree(ROOT / "policies" / "base", tmp_path / "base")
    draft = tmp_path / "uk" / "draft.yaml"
    draft.parent.mkdir()
    shutil.copy(ROOT / "policies" / "uk" / "2020-11-06.yaml", draft)
    code, out, _ = cli("eval", "tests/fixtures/labelled/small.jsonl", "--policy", str(draft), "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["policy"] == str(draft)
    assert {r["marketplace"] for r in data["rows"]} == {"US"}                 # the rows' own marketplace, judged by UK rules
