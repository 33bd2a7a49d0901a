"""The bundled example messages: judged as a compliance reader expects, and their reports as golden files.

`examples/expected.yaml` is an independent reading of the guideline texts; a message the engine
judges otherwise must say so with `known_gap:` (and why), so every difference is written down.
"""
from __future__ import annotations

import json

import jsonschema
import pytest
import yaml

from dsl.contract.errors import UsageError
from permitted import __version__
from permitted.checking import Checked
from permitted.expectations import Expectation, Outcome, load_expectations

from .conftest import FIXTURES, ROOT

EXPECTED = "examples/expected.yaml"
# One message per form and marketplace, for the golden terminal and HTML reports (all of them
# are in the JSON and SARIF goldens).
SHOWN = ("uk-review-gating.yaml", "us-review-gift-card.eml", "us-engraving.confirmCustomizationDetails.json",
         "uk-styled-delay.html", "us-http-tracking.txt", "sa-review-five-stars-ar.yaml", "uk-invoice.eml")


def test_every_example_message_is_judged_as_expected_or_its_gap_is_written_down(cli):
    code, out, err = cli("check", "--expect", EXPECTED, "--format", "json")
    rows = json.loads(out)
    wrong = [f"{r['source']}: expected {r['expected']['verdict']} {r['expected']['rules']}, judged {r['verdict']} "
             f"{[v['rule'] for v in r.get('violations', [])]} ({r['expected']['status']})"
             for r in rows if r["expected"]["status"] not in ("match", "known gap")]
    assert not wrong, "\n".join(wrong)
    assert code == 0, err


def test_the_examples_cover_every_marketplace_and_form():
    entries = load_expectations(ROOT / EXPECTED)
    assert len(entries) >= 30
    markets = {e.file.name[:2] for e in entries}
    assert markets == {"us", "uk", "sa"}
    suffixes = {e.file.suffix for e in entries}
    assert {".yaml", ".eml", ".html", ".txt", ".json"} <= suffixes
    assert {e.verdict for e in entries} == {"allowed", "review", "blocked"}
    assert all(e.file.is_file() for e in entries)
    listed = {e.file.name for e in entries}
    on_disk = {p.name for p in (ROOT / "examples" / "messages").iterdir() if p.name != "README.md"}
    assert listed == on_disk, "every example message has an expectation, and every expectation a message"


def without_tool_version(sarif: str) -> str:
    """A SARIF log as written, with the tool's version replaced by "test" (as tests/test_reports.py
    passes it): the log carries the installed version, and a release must not change the golden."""
    log = json.loads(sarif)
    assert json.dumps(log, ensure_ascii=False, indent=2, sort_keys=True) + "\n" == sarif   # nothing else is rewritten
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["version"] == __version__
    driver["version"] = "test"
    return json.dumps(log, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


@pytest.mark.parametrize("form", ["json", "sarif"])
def test_reports_of_every_example_message_golden(cli, golden, form):
    code, out, _ = cli("check", "--expect", EXPECTED, "--format", form)
    assert code == 0
    golden(f"examples/all.{form}", without_tool_version(out) if form == "sarif" else out)
    if form == "sarif":
        schema = json.loads((FIXTURES / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
        jsonschema.Draft4Validator(schema).validate(json.loads(out))


@pytest.fixture(scope="module")
def shown_manifest(tmp_path_factory):
    """The expectations of the SHOWN messages as an expectations file of their own (absolute
    paths, so the reports still name the messages as `examples/messages/…`)."""
    entries = yaml.safe_load((ROOT / EXPECTED).read_text(encoding="utf-8"))
    picked = [{**e, "file": str(ROOT / "examples" / e["file"])} for e in entries if e["file"].split("/")[-1] in SHOWN]
    assert len(picked) == len(SHOWN)
    path = tmp_path_factory.mktemp("shown") / "expected.yaml"
    path.write_text(yaml.safe_dump(picked, allow_unicode=True), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("form", ["text", "html"])
def test_terminal_and_html_reports_of_example_messages_golden(cli, golden, shown_manifest, form):
    code, out, _ = cli("check", "--expect", shown_manifest, "--format", form)
    assert code == 0
    golden(f"examples/shown.{'txt' if form == 'text' else 'html'}", out)
    for name in SHOWN:
        assert name in out


# ---- the expectations file itself -----------------------------------------------------------

@pytest.mark.parametrize("text, words", [
    ("- {file: a.txt}\n", "needs `file:` and `verdict:`"),
    ("- {file: a.txt, verdict: fine}\n", "verdict must be one of allowed, review, blocked"),
    ("- {file: a.txt, verdict: allowed, rulez: []}\n", "unknown key `rulez`"),
    ("file: a.txt\n", "a list of entries"),
    ("- [unclosed\n", "YAML"),
])
def test_bad_expectations_files_are_named(tmp_path, text, words):
    path = tmp_path / "expected.yaml"
    path.write_text(text)
    with pytest.raises(UsageError) as caught:
        load_expectations(path)
    assert words in str(caught.value) and str(path) in str(caught.value)


def _outcome(expected_verdict, expected_rules, judged_rules, gap=None) -> Outcome:
    from permitted import check

    text = "Your invoice for order 123-1234567-1234567 is attached" + (" :)" if judged_rules else ".")
    report = check(text, marketplace="UK", sent_at="2021-03-05",
                   order={"completed_at": "2021-03-01"}, reason="invoice")
    return Outcome(Expectation(ROOT / "x.txt", (), expected_verdict, frozenset(expected_rules), gap),
                   Checked("x.txt", report))


@pytest.mark.parametrize("expected, rules, judged, gap, status", [
    ("blocked", ["styling.no-emoji"], True, None, "match"),
    ("allowed", [], True, None, "differs"),
    ("allowed", [], True, "emoji are fine here", "known gap"),
    ("allowed", [], False, "was wrong once", "gap closed"),
])
def test_outcome_status(expected, rules, judged, gap, status):
    outcome = _outcome(expected, rules, judged, gap)
    assert outcome.status == status
    assert outcome.ok == (status in ("match", "known gap"))


def test_a_difference_fails_check_expect(cli, tmp_path):
    message = tmp_path / "m.txt"
    message.write_text("Hello :)")
    manifest = tmp_path / "expected.yaml"
    manifest.write_text("- {file: m.txt, flags: [--marketplace, UK], verdict: allowed, rules: []}\n")
    code, out, _ = cli("check", "--expect", str(manifest))
    assert code == 1
    assert "differs" in out and "styling.no-emoji" in out
