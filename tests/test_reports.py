"""The reports of `permitted check` as a seller and a CI reader see them: terminal, SARIF and HTML."""
from __future__ import annotations

import io
import json
from dataclasses import replace
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from rich.console import Console

from dsl.contract.errors import Diagnostic
from interpreter.evaluation.report import Report, Violation
from interpreter.evaluation.trace import Evidence
from permitted.checking import Checked, Choice, Judge, envelopes
from permitted.views.highlights import Mark, highlights, layout, numbers_of, plain
from permitted.views.html import html_page
from permitted.views.report import message_text, report_view, summary_view
from permitted.views.sarif import sarif_log

from .conftest import FIXTURES, ROOT

REPORTS = "tests/fixtures/reports"
SINGLE = ["contact.txt", "offer.html", "clean.json", "arabic.json", "undetermined.json"]
BATCHES = ["batch.jsonl", "sent.mbox"]
POLICY = "uk@2020-11-06"        # pinned, so the golden files follow this version and no other


@pytest.fixture(autouse=True)
def _at_root(monkeypatch):
    monkeypatch.chdir(ROOT)       # sources and SARIF URIs are relative to the working directory


@lru_cache(maxsize=None)
def rows_of(*names: str) -> tuple[Checked, ...]:
    judge = Judge(Choice(marketplace="UK", policy=POLICY))
    return tuple(judge.row(source, envelope)
                 for source, envelope in envelopes([f"{REPORTS}/{n}" for n in names], {"marketplace": "UK"}))


def row_of(name: str) -> Checked:
    (row,) = rows_of(name)
    return row


def row_from_text(tmp_path: Path, name: str, text: str, **fields) -> Checked:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    judge = Judge(Choice(marketplace="UK", policy=POLICY))
    (row,) = [judge.row(s, e) for s, e in envelopes([path], {"marketplace": "UK", **fields})]
    return row


def terminal(renderable) -> str:
    out = io.StringIO()
    Console(file=out, width=100, color_system=None).print(renderable)
    return out.getvalue()


# ---- highlights: which characters, which numbers ------------------------------------------------

TEXT = "Call 020 7946 0958 or mail a@b.example now :)"


def report(*violations: tuple[str, str, list[tuple[int, int]]]) -> Report:
    vs = tuple(Violation(rule, severity, rule, "clause", None,
                         tuple(Evidence("message.text", TEXT[s:e], s, e) for s, e in spans))
               for rule, severity, spans in violations)
    return Report("blocked", "UK", POLICY, "policies/uk/2020-11-06.yaml", vs, ())


def shown(nodes) -> str:
    """A layout written out: `{3 text}` for a mark, `{3… text}` for the continuation of a split one."""
    return "".join(n if isinstance(n, str) else
                   "{%d%s %s}" % (n.highlight.number, "" if n.first else "\u2026", shown(n.children))
                   for n in nodes)


@pytest.mark.parametrize("spans, expected", [
    pytest.param([("a", "block", [(5, 18)])], "Call {1 020 7946 0958} or mail a@b.example now :)", id="one span"),
    pytest.param([("a", "block", [(5, 18), (27, 38)])],
                 "Call {1 020 7946 0958} or mail {2 a@b.example} now :)", id="two spans of one rule"),
    pytest.param([("a", "block", [(27, 38)]), ("b", "warn", [(5, 18)])],
                 "Call {1 020 7946 0958} or mail {2 a@b.example} now :)", id="numbered in reading order"),
    pytest.param([("a", "block", [(5, 18)]), ("b", "warn", [(5, 18)])],
                 "Call {1 020 7946 0958} or mail a@b.example now :)", id="same span, two rules, one number"),
    pytest.param([("a", "block", [(5, 18)]), ("b", "block", [(9, 13)])],
                 "Call {1 020 {2 7946} 0958} or mail a@b.example now :)", id="nested"),
    pytest.param([("a", "block", [(0, 13)]), ("b", "block", [(9, 21)])],
                 "{1 Call 020 {2 7946}}{2\u2026  0958 or} mail a@b.example now :)", id="crossing: split"),
    pytest.param([("a", "block", [(0, 4)]), ("b", "block", [(4, 8)])],
                 "{1 Call}{2  020} 7946 0958 or mail a@b.example now :)", id="adjacent"),
    pytest.param([("a", "block", [(43, 45)]), ("b", "block", [(45, 45)])],
                 "Call 020 7946 0958 or mail a@b.example now {1 :)}{2 }", id="at the very end, and empty"),
])
def test_layout_marks_the_right_characters(spans, expected):
    r = report(*spans)
    nodes = layout(TEXT, highlights(r, TEXT))
    assert shown(nodes) == expected
    assert plain(nodes) == TEXT


def test_same_span_lists_every_rule_and_the_gravest_severity():
    (h,) = highlights(report(("a.warned", "warn", [(5, 18)]), ("b.blocked", "block", [(5, 18)])), TEXT)
    assert (h.number, h.text, h.rules, h.severity) == (1, "020 7946 0958", ("a.warned", "b.blocked"), "block")


@pytest.mark.parametrize("start, end, text", [(5, 18, "not these characters"), (40, 99, "now :)"), (-1, 3, "Call")])
def test_evidence_that_does_not_match_the_text_is_not_highlighted(start, end, text):
    v = Violation("a", "block", "a", "clause", None, (Evidence("message.text", text, start, end),))
    assert highlights(Report("blocked", "UK", POLICY, "p.yaml", (v,), ()), TEXT) == ()


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])   # the fixture only sets the cwd
@given(st.lists(st.tuples(st.integers(0, len(TEXT)), st.integers(0, len(TEXT))), max_size=8))
def test_any_spans_give_a_tree_whose_pieces_spell_each_highlight(pairs):
    r = report(("a", "block", [(min(p), max(p)) for p in pairs]))
    marks = highlights(r, TEXT)
    nodes = layout(TEXT, marks)
    assert plain(nodes) == TEXT
    pieces: dict[int, list[str]] = {h.number: [] for h in marks}
    firsts: dict[int, int] = {h.number: 0 for h in marks}

    def walk(ns):
        for n in ns:
            if isinstance(n, Mark):
                pieces[n.highlight.number].append(plain(n.children))
                firsts[n.highlight.number] += n.first
                walk(n.children)
    walk(nodes)
    assert all("".join(pieces[h.number]) == h.text and firsts[h.number] == 1 for h in marks)


@pytest.mark.parametrize("name", SINGLE + BATCHES)
def test_every_violation_numbers_highlights_of_its_own_evidence(name):
    for row in rows_of(name):
        if row.report is None:
            continue
        marks = {h.number: h for h in highlights(row.report, row.text)}
        for v in row.report.violations:
            spans = {(ev.start, ev.end) for ev in v.evidence if ev.start is not None}
            assert {(marks[n].start, marks[n].end) for n in numbers_of(v, tuple(marks.values()))} == spans
            assert all(v.rule in marks[n].rules for n in numbers_of(v, tuple(marks.values())))


# ---- terminal -----------------------------------------------------------------------------------

@pytest.mark.parametrize("name", SINGLE + BATCHES)
def test_terminal_report_golden(name, golden):
    golden(f"reports/{name}.txt", "".join(terminal(report_view(row)) + "\n" for row in rows_of(name)))


def test_terminal_summary_golden(golden):
    golden("reports/summary.txt", terminal(summary_view(rows_of(*SINGLE, *BATCHES))))


@pytest.mark.parametrize("name", SINGLE + BATCHES)
def test_terminal_text_brackets_and_numbers_every_highlight(name):
    for row in rows_of(name):
        if row.report is None:
            continue
        shown_text = message_text(row).plain
        for h in highlights(row.report, row.text):
            assert (f"[{h.number} \u2039{h.what()}\u203a]" if h.empty else f"[{h.number} {h.text}]") in shown_text


@pytest.mark.parametrize("name, shows", [
    ("contact.txt", ["BLOCKED  tests/fixtures/reports/contact.txt", "policy uk@2020-11-06 (policies/uk/2020-11-06.yaml)",
                     "[2 \U0001F600]", "[3 020 7946 0958]", "[4 care@bright-lamps.example]", "fix: Remove 1 emoji(s)"]),
    ("offer.html", ["[1 coupon code]", "[2 % off]", "\u2039image\u203a]", 'found img.scheme = "http"']),
    ("clean.json", ["ALLOWED", "0 violations, 0 undetermined", "Subject: Delivery of your order"]),
    ("undetermined.json", ["REVIEW", "timing.thirty-day-window  could not judge: needs order.completed_at, "
                                     "message.sent_at"]),
])
def test_terminal_report_shows(name, shows):
    out = terminal(report_view(row_of(name)))
    for expected in shows:
        assert expected in out


def test_terminal_report_of_an_unreadable_message_shows_its_diagnostics():
    bad = [row for row in rows_of("batch.jsonl") if row.report is None]
    out = terminal(report_view(bad[0]))
    assert out.startswith("ERROR  tests/fixtures/reports/batch.jsonl:2")
    assert "error[I100] bad-facts" in out and "= help: see policies/message.schema.json" in out


def test_a_long_message_is_shown_whole(tmp_path):
    body = "Thank you for your order. " * 200 + "See you soon :)"
    row = row_from_text(tmp_path, "long.txt", body)
    last = highlights(row.report, row.text)[-1]
    assert (last.start, last.text) == (len(body) - 2, ":)")
    assert message_text(row).plain.endswith(f"See you soon [{last.number} :)]")
    assert f"[{last.number} :)]" in terminal(report_view(row))


# ---- HTML ---------------------------------------------------------------------------------------

class Page(HTMLParser):
    """The marks, links and ids of a page, as a browser would build them."""

    def __init__(self, page: str):
        super().__init__()
        self.marks: dict[str, dict] = {}
        self.continued: list[dict] = []
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.tags: list[str] = []
        self._open: list[dict] = []
        self._in_label = False
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append(tag)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("href", "").startswith("#"):
            self.links.append(attrs["href"][1:])
        if tag == "mark":
            mark = {"attrs": attrs, "text": "", "label": ""}
            if "id" in attrs:
                self.marks[attrs["id"]] = mark
            else:
                self.continued.append(mark)
            self._open.append(mark)
        elif tag == "span" and attrs.get("class") == "n":
            self._in_label = True

    def handle_endtag(self, tag):
        if tag == "mark":
            self._open.pop()
        elif tag == "span":
            self._in_label = False

    def handle_data(self, data):
        if self._in_label:
            self._open[-1]["label"] += data
            return
        for mark in self._open:
            mark["text"] += data


def test_html_page_golden(golden):
    golden("reports/page.html", html_page(rows_of(*SINGLE, *BATCHES)))


@pytest.mark.parametrize("names", [SINGLE, BATCHES, ["offer.html"]])
def test_html_marks_hold_the_evidence_and_the_table_links_to_them(names):
    rows = rows_of(*names)
    page = Page(html_page(rows))
    for i, row in enumerate(rows, start=1):
        if row.report is None:
            continue
        for h in highlights(row.report, row.text):
            mark = page.marks[f"m{i}-{h.number}"]
            assert mark["label"] == f"[{h.number}]"
            assert mark["attrs"]["data-rule"].split() == list(h.rules)
            assert mark["text"] == (f"\u2039{h.what()}\u203a" if h.empty else h.text)
    assert page.continued == []                                  # no two spans here cross
    assert page.links and all(target in page.ids for target in page.links)


def test_html_splits_crossing_spans_and_numbers_only_the_first_piece():
    row = Checked("x.txt", report(("a", "block", [(0, 13)]), ("b", "warn", [(9, 21)])), TEXT)
    page = Page(html_page([row]))
    assert (page.marks["m1-1"]["text"], page.marks["m1-2"]["text"]) == ("Call 020 7946", "7946")
    (rest,) = page.continued
    assert (rest["text"], rest["label"], rest["attrs"]["data-n"], rest["attrs"]["data-rule"]) == (" 0958 or", "", "2", "b")


def test_html_escapes_everything_from_the_message(tmp_path):
    body = 'Hi <script>alert("x")</script> & <img src=x onerror=alert(1)> :)'
    row = row_from_text(tmp_path, "evil.txt", body, subject="<b>bold</b> offer")
    page = html_page([row], title="<i>t</i>")
    assert "<script" not in page.lower() and "<img" not in page and "<b>bold" not in page and "<i>t" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;img src=x onerror=alert(1)&gt;" in page
    assert Page(page).marks["m1-1"]["text"] == ":)"


def test_html_shows_arabic_right_to_left():
    row = row_of("arabic.json")
    page = html_page([row])
    assert f'<pre class="text" dir="auto">{row.text[:12]}' in page
    assert f'<span dir="auto">{row.subject}</span>' in page
    marks = Page(page).marks
    assert [marks[f"m1-{n}"]["text"] for n in (1, 2, 3)] == ["\U0001F642", "020 7946 0958", "care@bright-lamps.example"]


def test_html_page_loads_nothing_and_runs_nothing():
    page = html_page(rows_of(*SINGLE))
    assert "default-src 'none'" in page
    assert not {"script", "link", "img", "iframe"} & set(Page(page).tags)
    assert "http://" not in page.split("<body>")[0] and "https://" not in page.split("<body>")[0]


def test_html_undetermined_and_error_rows():
    page = html_page(rows_of("undetermined.json", "batch.jsonl"))
    assert "<code>timing.thirty-day-window</code> \u2014 could not judge: needs order.completed_at, message.sent_at" in page
    assert '<span class="verdict error">ERROR</span>' in page
    assert "error[I100] bad-facts: tests/fixtures/reports/batch.jsonl:2: body: 42 is not of type &#x27;string&#x27;" in page


# ---- SARIF --------------------------------------------------------------------------------------

@lru_cache(maxsize=None)
def sarif_schema() -> dict:
    return json.loads((FIXTURES / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))


def dumped(log: dict) -> str:
    return json.dumps(log, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def test_sarif_golden(golden):
    golden("reports/log.sarif", dumped(sarif_log(rows_of(*SINGLE, *BATCHES), "test")))


@pytest.mark.parametrize("names", [SINGLE, BATCHES, ["clean.json"], []])
def test_sarif_validates_against_the_oasis_schema(names):
    log = sarif_log(rows_of(*names), "test")
    validator = jsonschema.Draft4Validator(sarif_schema(), format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)
    assert [e.message for e in validator.iter_errors(log)] == []


def test_sarif_is_byte_identical_for_the_same_rows():
    rows = rows_of(*SINGLE, *BATCHES)
    assert dumped(sarif_log(rows, "test")) == dumped(sarif_log(list(rows), "test"))


def test_sarif_rules_levels_and_messages():
    rows = rows_of(*SINGLE)
    run = sarif_log(rows, "test")["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    violations = {v.rule: v for row in rows if row.report for v in row.report.violations}
    assert [r["id"] for r in rules] == sorted(violations)
    for rule in rules:
        v = violations[rule["id"]]
        assert (rule["shortDescription"]["text"], rule["fullDescription"]["text"]) == (v.title, v.clause)
        assert rule["defaultConfiguration"]["level"] == {"block": "error", "warn": "warning"}[v.severity]
    for result in run["results"]:
        if result["properties"].get("undetermined"):
            assert result["level"] == "note" and "could not judge: needs" in result["message"]["text"]
        else:
            assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
            assert result["level"] == rules[result["ruleIndex"]]["defaultConfiguration"]["level"]
            assert result["message"]["text"].startswith(violations[result["ruleId"]].title)
    undetermined = sum(len(row.report.undetermined) for row in rows if row.report)
    assert sum(1 for r in run["results"] if r["level"] == "note") == undetermined


def regions(log: dict):
    for result in log["runs"][0]["results"]:
        for location in result.get("locations", []):
            physical = location["physicalLocation"]
            yield result, physical["artifactLocation"]["uri"], physical.get("region")


def test_sarif_regions_point_at_the_snippet_in_the_file():
    log = sarif_log(rows_of(*SINGLE, *BATCHES), "test")
    checked = 0
    for _, uri, region in regions(log):
        if region is None or "snippet" not in region:
            continue
        lines = (ROOT / uri).read_text(encoding="utf-8").split("\n")
        assert region["startLine"] == region["endLine"]              # no evidence here spans lines
        line = lines[region["startLine"] - 1]
        assert line[region["startColumn"] - 1:region["endColumn"] - 1] == region["snippet"]["text"]
        checked += 1
    assert checked >= 15


@pytest.mark.parametrize("name, rule, snippet, line", [
    ("contact.txt", "styling.no-emoji", "\U0001F600", 3),                 # offsets map straight into a .txt
    ("arabic.json", "styling.no-emoji", "\U0001F642", 6),                 # the body, not the subject
    ("batch.jsonl", "content.no-phone-numbers", "020&nbsp;7946&nbsp;0958", 3),
    ("sent.mbox", "content.no-email-addresses", "care@bright-lamps.example", 15),
])
def test_sarif_region_found_in_the_raw_file(name, rule, snippet, line):
    found = [(r["startLine"], r["snippet"]["text"]) for result, _, r in regions(sarif_log(rows_of(name), "test"))
             if result["ruleId"] == rule and r and "snippet" in r]
    assert (line, snippet) in found


@pytest.mark.parametrize("words, snippet, column", [
    ("% off", "&#37; off", 104),                    # a character reference
    ("next purchase", "next <i>purchase", 119),     # a tag between words
    ("Bright Lamps & Co.", "Bright Lamps &amp; Co.", 0),
    ("Kind regards,\nBright", "Kind regards,<br>Bright", 0),
])
def test_sarif_region_of_html_evidence(words, snippet, column):
    row = row_of("offer.html")
    start = row.text.index(words)
    v = Violation("a.rule", "block", "A rule", "clause", None,
                  (Evidence("message.text", words, start, start + len(words)),))
    synthetic = Checked(row.source, Report("blocked", "UK", POLICY, "p.yaml", (v,), ()), row.text, origin=row.origin)
    ((_, _, region),) = regions(sarif_log([synthetic], "test"))
    assert region["snippet"]["text"] == snippet
    line = (ROOT / row.source).read_text(encoding="utf-8").split("\n")[region["startLine"] - 1]
    assert line.index(snippet) + 1 == region["startColumn"] and (column == 0 or column == region["startColumn"])


def test_sarif_messages_of_a_batch_point_at_their_own_lines():
    log = sarif_log(rows_of(*BATCHES), "test")
    for result, uri, region in regions(log):
        source = result["properties"]["source"]
        if source.endswith(".jsonl:1"):
            assert region["startLine"] == 1
        elif source.endswith(".jsonl:3"):
            assert region["startLine"] == 3
        elif source.endswith(".mbox#1"):
            assert 1 <= region["startLine"] <= region["endLine"] <= 8
        elif source.endswith(".mbox#2"):
            assert 9 <= region["startLine"] <= region["endLine"] <= 16


def test_sarif_regions_come_from_the_reading_not_from_the_file_again(tmp_path):
    row = row_from_text(tmp_path, "sent.txt", "Thanks for your order :) see you")
    (tmp_path / "sent.txt").unlink()                   # the log is written from what was read
    log = sarif_log([row, replace(row, origin=None), Checked("-", row.report, row.text)], "test")
    emoji = [(uri, region) for result, uri, region in regions(log) if result["ruleId"] == "styling.no-emoji"]
    uri = (tmp_path / "sent.txt").as_uri()             # outside the working directory
    assert emoji == [(uri, {"startLine": 1, "startColumn": 23, "endLine": 1, "endColumn": 25, "snippet": {"text": ":)"}}),
                     (uri, None)]                      # not read from the file: no region rather than a guess
    stdin = [r for r in log["runs"][0]["results"] if r["properties"]["source"] == "-"]
    assert stdin and all("locations" not in r for r in stdin)


def test_sarif_unreadable_messages_are_tool_notifications():
    run = sarif_log(rows_of("batch.jsonl"), "test")["runs"][0]
    (invocation,) = run["invocations"]
    assert invocation["executionSuccessful"] is False
    (note,) = invocation["toolExecutionNotifications"]
    assert note["descriptor"]["id"] == "I100" and note["level"] == "error"
    assert note["locations"][0]["physicalLocation"]["region"] == {"startLine": 2, "endLine": 2}
    ok = sarif_log(rows_of("contact.txt"), "test")["runs"][0]["invocations"][0]
    assert ok == {"executionSuccessful": True}


def test_sarif_error_rows_without_a_file():
    row = Checked("-", None, error=(Diagnostic("I101", "-: not UTF-8 text (byte 3)", help="save the message as UTF-8"),))
    note = sarif_log([row], "test")["runs"][0]["invocations"][0]["toolExecutionNotifications"][0]
    assert "locations" not in note and note["message"]["text"] == "-: not UTF-8 text (byte 3) (save the message as UTF-8)"


def test_undetermined_only_report_for_review():
    run = sarif_log(rows_of("undetermined.json"), "test")["runs"][0]
    assert {r["ruleId"]: r["properties"]["needs"] for r in run["results"]} == {
        "timing.thirty-day-window": ["order.completed_at", "message.sent_at"],
        "review.no-repeat-request": ["history.review_requests_sent"]}
    assert run["tool"]["driver"]["rules"] == []

