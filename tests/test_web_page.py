"""The web page of `permitted serve`, in a real headless Chromium against a real server.

Playwright drives the system Chromium (never a downloaded one): typing a message shows the verdict
and numbered marks, switching marketplace changes the policy, a dropped e-mail is judged, an
Arabic message reads right to left, a typo in a policy shows its diagnostic at its line, the
examples run, a share link restores the page in a fresh browser, and the time from a keystroke to
updated marks on an 8 KB message is measured. Screenshots of each state go to a folder under
pytest's temporary directory (printed at the end). The JSON routes the page uses are tested over
plain HTTP at the end of the file.
"""
from __future__ import annotations

import json
import os
import statistics
import time
from pathlib import Path

import httpx
import pytest
from playwright import sync_api

from tests.served import ROOT, Served
from tests.test_html_report_browser import chromium  # noqa: F401 — the fixture: finds Chromium, or skips

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
OFFENDING = "Thanks for your order 123-1234567-1234567 :) call 020 7946 0958"
ARABIC = json.loads((ROOT / "tests/fixtures/reports/arabic.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    served = Served(log=tmp_path_factory.mktemp("web") / "serve.log")
    try:
        yield served.wait_ready()
    finally:
        served.stop()


@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    folder = tmp_path_factory.mktemp("screenshots")
    yield folder
    print(f"\nscreenshots of the web page: {folder}")


@pytest.fixture(scope="module")
def browser(chromium):  # noqa: F811
    with sync_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=chromium,
                                     args=["--no-sandbox"] if os.geteuid() == 0 else [])
        yield launched
        launched.close()


class Page:
    """One browser tab on the page, with the console's complaints kept (CSP violations, errors)."""

    def __init__(self, browser, server, width: int = 1280, height: int = 900, url: str = "/"):
        self.context = browser.new_context(viewport={"width": width, "height": height})
        self.page = self.context.new_page()
        self.complaints: list[str] = []
        self.page.on("console", lambda m: m.type in ("error", "warning") and self.complaints.append(m.text))
        self.page.on("pageerror", lambda e: self.complaints.append(str(e)))
        self.page.goto(server.url + url)
        self.page.wait_for_selector("body[data-ready=true]")

    def until(self, predicate: str, arg=None, timeout: float = 30) -> None:
        """Wait until the JavaScript function `predicate` is true. Polled with `evaluate`:
        Playwright's own wait_for_function compiles its predicate with eval, which the page's
        CSP forbids, as it should."""
        deadline = time.monotonic() + timeout
        while not self.page.evaluate(predicate, arg):
            assert time.monotonic() < deadline, f"not true within {timeout} s: {predicate}"
            self.page.wait_for_timeout(15)

    def updated(self) -> str:
        return self.page.get_attribute("#marked", "data-updated")

    def after_update(self, act) -> None:
        """Do `act`, then wait until the marks were rendered for it."""
        before = self.updated()
        act()
        self.until("b => document.querySelector('#marked').dataset.updated !== b", before)

    def type_message(self, text: str) -> None:
        self.after_update(lambda: self.page.fill("#message", text))

    def marks(self) -> list[tuple[str, str]]:
        """(number label, text) of every numbered mark, in document order."""
        return [tuple(pair) for pair in self.page.eval_on_selector_all(
            "#marked mark[id]", "ms => ms.map(m => [m.querySelector('.n').textContent, "
                                "[...m.childNodes].filter(n => !(n.classList && n.classList.contains('n')))"
                                ".map(n => n.textContent).join('')])")]

    def shot(self, folder: Path, name: str) -> None:
        self.page.screenshot(path=str(folder / f"{name}.png"), full_page=True)

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def tab(browser, server):
    opened = Page(browser, server)
    yield opened
    assert opened.complaints == [], opened.complaints      # no CSP violation, no script error
    opened.close()


def judged(server, text: str, marketplace: str = "UK", **fields) -> dict:
    response = httpx.post(server.url + "/v1/check", params={"marketplace": marketplace, "display": "true", **fields},
                          content=text.encode(), headers={"content-type": "text/plain"}, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


# ---- the check view ------------------------------------------------------------------------------

def test_typing_a_message_shows_the_verdict_and_numbered_marks(tab, server, shots):
    tab.page.focus("#message")
    tab.after_update(lambda: tab.page.keyboard.type(OFFENDING))
    tab.until(f"() => document.querySelector('#marked').textContent.includes({json.dumps(OFFENDING[-4:])})")
    expected = judged(server, OFFENDING)
    assert tab.page.text_content("#verdict") == "blocked"
    assert tab.marks() == [(f"[{h['number']}]", h["text"]) for h in expected["display"]["highlights"]]
    assert ("[2]", ":)") in tab.marks() and ("[3]", "020 7946 0958") in tab.marks()
    rules = tab.page.eval_on_selector_all("#violations > li", "ls => ls.map(l => l.dataset.rule)")
    assert rules == [v["rule"] for v in expected["violations"]]
    # Each violation links to its marks, and following the link focuses the mark.
    phone = tab.page.locator("#violations > li[data-rule='content.no-phone-numbers'] .where a")
    assert phone.get_attribute("href") == "#m-3"
    assert "Telephone numbers except" in tab.page.text_content("#violations > li[data-rule='content.no-phone-numbers']")
    phone.click()
    assert tab.page.evaluate("document.activeElement.id") == "m-3"
    assert tab.page.text_content("#undetermined")
    tab.page.click("#facts-panel summary")
    tab.until("() => document.querySelector('#facts').textContent.includes('\"emoji\"')")
    assert json.loads(tab.page.text_content("#facts"))["message"]["emoji"][0]["text"] == ":)"
    tab.shot(shots, "1-typed-message")


def test_switching_the_marketplace_judges_by_its_policy(tab, shots):
    tab.type_message("Your order 203-1234567-1234567 has a voucher code inside.")
    assert tab.page.text_content("#verdict") == "blocked"
    assert "uk@2020-11-06" in tab.page.text_content("#policy-line")
    assert tab.marks() == [("[1]", "voucher code")]
    tab.after_update(lambda: tab.page.select_option("#marketplace", "US"))
    assert "us@" in tab.page.text_content("#policy-line")
    assert tab.page.text_content("#verdict") == "review"
    assert tab.marks() == []
    # An older version, chosen by name.
    tab.after_update(lambda: tab.page.select_option("#version", "us@2018-10-12"))
    assert "us@2018-10-12" in tab.page.text_content("#policy-line")
    tab.shot(shots, "2-marketplace-us")


def test_a_dropped_email_file_is_judged(tab, server, shots):
    mail = (ROOT / "examples/messages/us-review-gift-card.eml").read_text(encoding="utf-8")
    tab.page.select_option("#marketplace", "US")
    tab.after_update(lambda: tab.page.evaluate("""text => {
        const data = new DataTransfer();
        data.items.add(new File([text], 'us-review-gift-card.eml', {type: 'message/rfc822'}));
        document.querySelector('#message').dispatchEvent(new DragEvent('drop', {dataTransfer: data, bubbles: true}));
    }""", mail))
    assert tab.page.input_value("#format") == "eml"
    assert tab.page.text_content("#verdict") == "blocked"
    assert "review.no-incentives" in tab.page.eval_on_selector_all("#violations > li", "ls => ls.map(l => l.dataset.rule)")
    shown = tab.page.text_content("#marked")
    assert "Hi Taylor" in shown and "Content-Transfer-Encoding" not in shown     # the body, decoded
    assert any("gift card" in text for _, text in tab.marks())
    tab.shot(shots, "3-dropped-email")


def test_an_arabic_message_reads_right_to_left(tab, shots):
    tab.type_message(ARABIC["body"])
    marked = tab.page.locator("#marked")
    assert marked.get_attribute("dir") == "auto"
    assert marked.evaluate("m => m.matches(':dir(rtl)') && getComputedStyle(m).direction") == "rtl"
    texts = [text for _, text in tab.marks()]
    assert "\U0001f642" in texts and "020 7946 0958" in texts
    # Right to left: the first line's first word sits at the right edge of the box.
    box = marked.bounding_box()
    first = tab.page.evaluate("""() => { const r = document.createRange(); const t = document.querySelector('#marked');
        const node = [...t.childNodes].find(n => n.nodeType === 3); r.setStart(node, 0); r.setEnd(node, 1);
        return r.getBoundingClientRect().right; }""")
    assert first > box["x"] + box["width"] * 0.8
    tab.shot(shots, "4-arabic")


def test_a_japanese_message_says_its_spelling_was_not_checked(tab, shots):
    # Japanese has no word list: not held back for spelling, and the page says so, then stops
    # saying it for an English message.
    tab.type_message("ご注文いただいた本棚は、倉庫の都合により発送が一週間ほど遅れる見込みです。")
    assert tab.page.is_visible("#not-checked-box")
    note = tab.page.locator("#not-checked > li[data-rule='styling.no-egregious-spelling']")
    assert "(ja)" in note.text_content()
    tab.shot(shots, "4b-not-checked")
    tab.type_message("Your bookcase will leave our warehouse a week late; we are sorry for the wait.")
    assert not tab.page.is_visible("#not-checked-box")


def test_a_narrow_window_shows_everything_in_one_column(browser, server, shots):
    narrow = Page(browser, server, width=420, height=900)
    try:
        narrow.type_message(OFFENDING)
        assert narrow.page.text_content("#verdict") == "blocked"
        width = narrow.page.evaluate("document.documentElement.scrollWidth")
        assert width <= 420, f"the page scrolls sideways at 420 px ({width} px wide)"
        narrow.shot(shots, "5-narrow")
        assert narrow.complaints == []
    finally:
        narrow.close()


def test_the_controls_are_labelled_and_reachable_by_keyboard(tab):
    unlabelled = tab.page.evaluate("""() => [...document.querySelectorAll('input, select, textarea')]
        .filter(c => !c.hidden && c.type !== 'hidden' && !(c.labels && c.labels.length) && !c.getAttribute('aria-label'))
        .map(c => c.id)""")
    assert unlabelled == []
    tab.page.focus("#tab-check")
    tab.page.keyboard.press("ArrowRight")
    assert tab.page.evaluate("document.activeElement.id") == "tab-policy"
    assert tab.page.is_visible("#policy-text") and not tab.page.is_visible("#message")


# WCAG contrast of an element's text with the first opaque background behind it.
CONTRAST = """el => {
    const rgb = c => c.match(/[\\d.]+/g).map(Number);
    const lum = ([r, g, b]) => [r, g, b].map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
                                        .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
    let node = el, bg = null;
    while (node && !bg) { const c = rgb(getComputedStyle(node).backgroundColor); if (c.length < 4 || c[3] > 0) bg = c; node = node.parentElement; }
    const [a, b] = [lum(rgb(getComputedStyle(el).color)), lum(bg || [255, 255, 255])];
    return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""


def test_text_is_readable_against_its_background(tab):
    tab.page.select_option("#reason", "invoice")
    tab.type_message(OFFENDING)
    checked = set()
    for selector in ("#verdict", "#policy-line", "mark.hit", "mark.warn", "mark .n", "mark.warn > .n", ".sev.block",
                     ".sev.warn", ".clause", ".values", ".where a", "label small", ".grid label", "#undetermined li"):
        for found in tab.page.locator(selector).all():
            ratio = found.evaluate(CONTRAST)
            assert ratio >= 4.5, f"{selector}: contrast {ratio:.2f}"
            checked.add(selector)
    assert len(checked) >= 12, checked


# ---- the share link ------------------------------------------------------------------------------

def test_a_share_link_restores_the_same_state_in_a_fresh_page(tab, browser, server, shots):
    tab.page.select_option("#marketplace", "US")
    tab.page.select_option("#reason", "review_request")
    tab.page.fill("#purchased-at", "2023-05-29")
    tab.page.fill("#buyer-language", "en-US")
    tab.type_message("Please leave a positive review for order 114-2093847-6612093 and get a gift card 🙂")
    tab.page.click("#tab-policy")
    tab.page.fill("#policy-text", "policy: buyer-messaging\n# a draft kept in the link\n")
    tab.page.click("#share")
    tab.until("() => document.querySelector('#share-url').value !== ''")
    link = tab.page.input_value("#share-url")
    assert link.startswith(server.url + "/#s=")
    fields = ["#format", "#message", "#marketplace", "#version", "#reason", "#purchased-at", "#buyer-language",
              "#channel", "#direction", "#policy-text"]
    before = {f: tab.page.input_value(f) for f in fields}
    tab.page.click("#tab-check")
    marks_before = tab.marks()
    verdict_before = tab.page.text_content("#verdict")

    fresh = Page(browser, server, url=link[len(server.url):])
    try:
        assert {f: fresh.page.input_value(f) for f in fields} == before
        assert fresh.page.is_visible("#policy-text")       # the view that was open when shared
        fresh.page.click("#tab-check")
        fresh.until("() => document.querySelector('#marked').dataset.updated !== '0'")
        assert fresh.marks() == marks_before and fresh.page.text_content("#verdict") == verdict_before
        fresh.shot(shots, "6-restored-from-link")
        assert fresh.complaints == []
    finally:
        fresh.close()


def test_a_damaged_share_link_says_so_and_the_page_still_works(browser, server):
    damaged = Page(browser, server, url="/#s=zNotDeflate")
    try:
        assert "this share link cannot be read" in damaged.page.text_content("#problem")
        damaged.type_message(OFFENDING)
        assert damaged.page.text_content("#verdict") == "blocked"
        assert damaged.complaints == []
    finally:
        damaged.close()


def test_with_a_token_the_page_asks_for_it_and_keeps_it_out_of_the_link(browser, tmp_path, shots):
    (tmp_path / "tokens").write_text("page-token\n")
    guarded = Served("--token-file", str(tmp_path / "tokens"), log=tmp_path / "serve.log").wait_ready()
    page = None
    try:
        page = Page(browser, guarded)
        assert page.page.get_attribute("#token-box", "class") == "token needed"
        assert "U101" in page.page.text_content("#problem")
        page.complaints.clear()        # the browser reports the refused request itself
        # The new token reloads the policies, then checks the message box (still empty). That
        # check is waited for: had it landed after the message below was typed, its "—" would
        # have been read as the typed message's verdict.
        page.after_update(lambda: (page.page.fill("#token", "page-token"), page.page.dispatch_event("#token", "change")))
        assert page.page.evaluate("document.querySelector('#marketplace').options.length") > 0
        page.type_message(OFFENDING)
        assert page.page.text_content("#verdict") == "blocked"
        assert page.page.evaluate("sessionStorage.getItem('permitted-token')") == "page-token"
        assert page.page.evaluate("localStorage.length") == 0
        page.page.click("#share")
        page.until("() => document.querySelector('#share-url').value !== ''")
        link = page.page.input_value("#share-url")
        state = page.page.evaluate("link => decodeState(link.split('#s=')[1])", link)
        assert state["message"] == OFFENDING and "page-token" not in json.dumps(state)
        page.shot(shots, "11-token")
    finally:
        if page is not None:
            page.close()
        guarded.stop()


# ---- the policy editor ---------------------------------------------------------------------------

def _open_policy(tab, policy_id: str) -> str:
    tab.page.click("#tab-policy")
    tab.page.select_option("#policy-pick", policy_id)
    tab.page.click("#policy-open")
    tab.until("() => document.querySelector('#lint-status').textContent.startsWith('compiles')")
    return tab.page.input_value("#policy-text")


def _edit(tab, old: str, new: str) -> int:
    """Replace the first `old` in the editor by typing over it; the line it is on."""
    text = tab.page.input_value("#policy-text")
    at = text.index(old)
    tab.page.evaluate("([a, b]) => { const t = document.querySelector('#policy-text'); t.focus(); t.setSelectionRange(a, b); }",
                      [at, at + len(old)])
    tab.page.keyboard.type(new)
    return text[:at].count("\n") + 1


def test_a_typo_in_a_rule_shows_its_diagnostic_at_its_line(tab, shots):
    text = _open_policy(tab, "sa@2020-01-01")
    assert tab.page.input_value("#policy-file") == "sa/2020-01-01.yaml"
    lines = tab.page.eval_on_selector("#gutter", "g => g.textContent.trim().split('\\n').length")
    assert lines == text.count("\n") + 1
    line = _edit(tab, "count(message.order_ids) == 0", "count(message.order_idz) == 0")
    tab.page.wait_for_selector("#diagnostics li.error")
    item = tab.page.locator("#diagnostics li.error").first
    assert item.get_attribute("data-line") == str(line)
    assert "order_idz" in item.text_content() and "order_ids" in item.text_content()     # did you mean
    excerpt = item.locator("pre").text_content().split("\n")
    source, caret = excerpt[0].split("| ", 1)[1], excerpt[1].split("| ", 1)[1]
    assert source[caret.index("^"):].startswith("message.order_idz")
    assert tab.page.get_attribute("#gutter .bad", "data-line") == str(line)
    assert tab.page.text_content("#lint-status") == "1 error(s)"
    tab.shot(shots, "7-policy-typo")


def test_running_a_drafts_examples_shows_each_pass_or_fail(tab, shots):
    _open_policy(tab, "sa@2020-01-01")
    tab.page.click("#run-examples")
    tab.until("() => document.querySelector('#examples-summary').textContent.includes('passed')")
    rows = tab.page.locator("#examples tbody tr")
    total = rows.count()
    assert total > 20 and tab.page.locator("#examples td.fail").count() == 0
    _edit(tab, "expect: [type.no-coupons-or-vouchers]", "expect: []")
    tab.page.click("#run-examples")
    tab.until("() => document.querySelector('#examples-summary').textContent.includes('1 failed')")
    failed = tab.page.locator("#examples tr:has(td.fail)")
    assert failed.count() == 1
    assert failed.get_attribute("data-example") == "sa:type.no-coupons-or-vouchers:discount code in arabic"
    tab.shot(shots, "8-examples")


def test_a_draft_checks_the_message_and_diffs_against_the_bundled_version(tab, shots):
    tab.page.select_option("#marketplace", "SA")
    tab.type_message("شكراً لطلبك 🙂")
    assert "proactive.order-id-in-every-message" in tab.page.eval_on_selector_all(
        "#violations > li", "ls => ls.map(l => l.dataset.rule)")
    _open_policy(tab, "sa@2020-01-01")
    _edit(tab, "and count(message.order_ids) == 0", "and count(message.order_ids) == 0 and count(message.emoji) == 0")
    tab.until("() => document.querySelector('#lint-status').textContent.includes('compiles')")
    tab.page.click("#draft-check")
    tab.until("() => document.querySelector('#draft-verdict').textContent !== '—'")
    draft_rules = tab.page.eval_on_selector_all("#draft-violations > li", "ls => ls.map(l => l.dataset.rule)")
    assert "proactive.order-id-in-every-message" not in draft_rules
    assert tab.page.text_content("#draft-marked") == tab.page.text_content("#marked") == "شكراً لطلبك 🙂"
    tab.page.click("#draft-diff")
    tab.page.wait_for_selector("#diff li[data-rule='proactive.order-id-in-every-message']")
    changed = tab.page.text_content("#diff li[data-rule='proactive.order-id-in-every-message']")
    assert "changed" in changed and "old blocked, new review" in changed
    assert "verdicts can differ" in tab.page.text_content("#diff")
    tab.page.click("#diff details summary")
    assert "proactive.order-id-in-every-message" in tab.page.text_content("#diff pre.diff-text")
    tab.shot(shots, "9-draft-check-and-diff")


# ---- keystroke to marks --------------------------------------------------------------------------

def test_keystroke_to_updated_marks_on_an_8kb_message(tab, shots, record_property):
    paragraph = ("Your order 203-1234567-1234567 was dispatched today :) and will arrive on Friday. "
                 "Call 020 7946 0958 if the parcel is late. ")
    message = (paragraph * (8192 // len(paragraph) + 1))[:8192]
    tab.type_message(message)
    assert len(tab.page.input_value("#message").encode()) >= 8192
    assert len(tab.marks()) > 100
    figures = []
    for key in "abcdefg":
        tab.page.wait_for_timeout(200)            # a pause: each keystroke is the first after it
        tab.page.focus("#message")
        tab.page.keyboard.press("End")
        tab.after_update(lambda key=key: tab.page.keyboard.type(key))
        figures.append(float(tab.page.get_attribute("#marked", "data-latency-ms")))
    median = statistics.median(figures)
    record_property("keystroke_to_marks_ms_8kb", median)
    print(f"\nkeystroke -> updated marks, 8 KB message: median {median:.0f} ms, "
          f"min {min(figures):.0f} ms, max {max(figures):.0f} ms ({len(figures)} keystrokes)")
    tab.shot(shots, "10-8kb-message")
    assert median < 1000, figures          # generous: the machine is shared; the figure is what matters


# ---- the JSON routes the page uses, over plain HTTP ---------------------------------------------

def test_the_page_and_its_files_carry_a_strict_csp(server):
    for path in ("/", "/static/app.js", "/static/app.css"):
        response = httpx.get(server.url + path)
        assert response.status_code == 200 and response.headers["content-security-policy"] == CSP
    page = httpx.get(server.url + "/").text
    assert "<script src=\"/static/app.js\"" in page and "<script>" not in page and "style=" not in page
    missing = httpx.get(server.url + "/static/other.js")
    assert missing.status_code == 404 and missing.json()["code"] == "U102"


def test_check_with_display_lays_out_the_text_with_its_marks(server):
    report = judged(server, OFFENDING)
    display = report["display"]

    def plain(nodes):
        return "".join(n if isinstance(n, str) else plain(n["children"]) for n in nodes)

    assert plain(display["layout"]) == display["text"] == OFFENDING
    assert [h["text"] for h in display["highlights"]] == ["Thanks", ":)", "020 7946 0958"]
    assert [v["rule"] for v in display["violations"]] == [v["rule"] for v in report["violations"]]
    plain_report = httpx.post(server.url + "/v1/check", params={"marketplace": "UK"}, content=OFFENDING,
                              headers={"content-type": "text/plain"}).json()
    assert "display" not in plain_report


def test_facts_are_those_of_facts_of(server):
    response = httpx.post(server.url + "/v1/facts", params={"marketplace": "UK", "reason": "invoice"},
                          content="Hi :) see https://example.com", headers={"content-type": "text/plain"})
    facts = response.json()
    assert facts["message"]["reason"] == "invoice"
    assert facts["message"]["emoji"][0]["text"] == ":)" and facts["message"]["links"][0]["host"] == "example.com"


def _draft() -> dict:
    return {"policy": (ROOT / "policies/sa/2020-01-01.yaml").read_text(encoding="utf-8"), "file": "sa/2020-01-01.yaml"}


def test_a_draft_that_does_not_compile_is_a_problem_with_its_line(server):
    draft = _draft()
    draft["policy"] = draft["policy"].replace("count(message.order_ids) == 0", "count(message.order_idz) == 0", 1)
    line = draft["policy"][:draft["policy"].index("order_idz")].count("\n") + 1
    for route in ("/v1/policy/test", "/v1/policy/check", "/v1/policy/diff"):
        body = {**draft, "message": {"marketplace": "SA", "body": "x"}} if route.endswith("check") else draft
        response = httpx.post(server.url + route, json=body, timeout=60)
        assert response.status_code == 422 and response.headers["content-type"] == "application/problem+json"
        assert response.json()["errors"][0]["line"] == line


def test_a_drafts_examples_and_its_check(server):
    results = httpx.post(server.url + "/v1/policy/test", json=_draft(), timeout=60).json()
    assert results["failed"] == 0 and results["passed"] == len(results["examples"]) > 20
    checked = httpx.post(server.url + "/v1/policy/check", timeout=60,
                         json={**_draft(), "message": {"marketplace": "SA", "body": "شكراً لطلبك 🙂"}}).json()
    assert checked["policy"]["id"] == "sa@2020-01-01" and checked["display"]["text"] == "شكراً لطلبك 🙂"
    outside = httpx.post(server.url + "/v1/policy/test", json={**_draft(), "file": "../../etc/x.yaml"})
    assert outside.status_code == 400 and outside.json()["code"] == "U100"


def test_a_draft_body_is_read_within_the_services_bounds(server):
    nested = httpx.post(server.url + "/v1/policy/test", content="[" * 10000 + "]" * 10000,
                        headers={"content-type": "application/json"})
    assert nested.status_code == 400 and nested.json()["code"] == "I102"
    wrong = httpx.post(server.url + "/v1/policy/test", json={"policy": 5})
    assert wrong.status_code == 422 and wrong.json()["code"] == "I100" and "policy" in wrong.json()["detail"]
    as_text = httpx.post(server.url + "/v1/policy/test", content="policy: x", headers={"content-type": "text/plain"})
    assert as_text.status_code == 415 and as_text.json()["code"] == "I104"
