"""The HTML report opened in a real browser: headless Chromium builds the page, and the highlights,
their numbers and the links from the violations table are there in the DOM it renders."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from permitted.checking import Choice, Judge, envelopes
from permitted.views.highlights import highlights, numbers_of
from permitted.views.html import html_page

from .conftest import ROOT

MESSAGES = ["tests/fixtures/reports/contact.txt", "tests/fixtures/reports/offer.html",
            "tests/fixtures/reports/arabic.json", "tests/fixtures/reports/batch.jsonl"]
# PERMITTED_CHROMIUM names the browser (a command on PATH or a path); unset, the usual names.
OVERRIDE = "PERMITTED_CHROMIUM"
NAMES = ("chromium", "chromium-browser")

pytestmark = pytest.mark.usefixtures("chromium")      # skip before the messages are checked


@pytest.fixture(scope="module")
def chromium() -> str:
    """The Chromium executable; the tests here are skipped when there is none (`make test`
    installs it with apt-get when it can)."""
    wanted = os.environ.get(OVERRIDE)
    found = shutil.which(wanted) if wanted else next(filter(None, map(shutil.which, NAMES)), None)
    if not found:
        looked_for = f"{OVERRIDE}={wanted}" if wanted else " or ".join(NAMES)
        pytest.skip(f"headless Chromium not found ({looked_for}): install it with `apt-get install chromium` "
                    f"(Debian/Ubuntu), or set {OVERRIDE} to its path")
    return found


def rendered_dom(chromium: str, page: Path, profile: Path) -> str:
    """The DOM after Chromium has loaded and laid out the page (`--dump-dom`)."""
    command = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               f"--user-data-dir={profile}", "--dump-dom", page.as_uri()]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0 and "</html>" in done.stdout, done.stderr[-2000:]
    return done.stdout


@pytest.fixture(scope="module")
def checked():
    old = Path.cwd()
    os.chdir(ROOT)
    try:
        judge = Judge(Choice(marketplace="UK", policy="uk@2020-11-06"))
        rows = [judge.row(s, e) for s, e in envelopes(MESSAGES, {"marketplace": "UK"})]
    finally:
        os.chdir(old)
    return rows


@pytest.fixture(scope="module")
def dom(chromium, checked, tmp_path_factory):
    folder = tmp_path_factory.mktemp("report")
    page = folder / "report.html"
    page.write_text(html_page(checked), encoding="utf-8")
    return BeautifulSoup(rendered_dom(chromium, page, folder / "profile"), "html.parser")


def test_every_highlight_is_a_numbered_mark_with_the_evidence_text(checked, dom):
    seen = 0
    for i, row in enumerate(checked, start=1):
        if row.report is None:
            continue
        for h in highlights(row.report, row.text):
            mark = dom.find("mark", id=f"m{i}-{h.number}")
            assert mark is not None, f"no mark m{i}-{h.number} for {h.text!r}"
            label = mark.find("span", class_="n")
            assert label.get_text() == f"[{h.number}]"
            label.extract()
            assert mark.get_text() == (f"\u2039{h.what()}\u203a" if h.empty else h.text)
            assert mark["data-rule"].split() == list(h.rules)
            seen += 1
    assert seen >= 10


def test_violations_table_links_to_the_marks_of_each_rule(checked, dom):
    sections = dom.find_all("section", class_="message")
    assert len(sections) == len(checked)
    for i, (row, section) in enumerate(zip(checked, sections), start=1):
        if row.report is None:
            assert section.find("pre", class_="diagnostics").get_text().startswith("error[I100]")
            continue
        marks = highlights(row.report, row.text)
        table_rows = section.select("table.violations tbody tr")
        assert [tr["data-rule"] for tr in table_rows] == [v.rule for v in row.report.violations]
        for tr, v in zip(table_rows, row.report.violations):
            targets = [a["href"] for a in tr.select("td.where a")]
            assert targets == [f"#m{i}-{n}" for n in numbers_of(v, marks)]
            assert all(dom.find(id=t[1:]) is not None for t in targets)


def test_arabic_message_keeps_its_own_direction(checked, dom):
    i = next(i for i, row in enumerate(checked, start=1) if row.source.endswith("arabic.json"))
    text = dom.find("section", id=f"msg-{i}").find("pre", class_="text")
    assert text["dir"] == "auto" and "\u0634\u0643\u0631\u0627\u064b" in text.get_text()
