"""The Python API takes the obvious forms of its arguments and answers anything else with the
project's errors, each with a code, never a bare TypeError, ValueError or AttributeError
(issue 13)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from permitted import InputError, UsageError, audit, check

ORDER = {"id": "123-1234567-1234567", "completed_at": "2021-03-04", "buyer_language": "en-GB"}


@pytest.mark.parametrize("call, error, code, words", [
    (lambda: check(None), UsageError, "U100", "not None"),
    (lambda: check(["Hello :)"], marketplace="UK"), UsageError, "U100", "not list"),
    (lambda: check(42, marketplace="UK"), UsageError, "U100", "not int"),
    (lambda: check("Hello", marketplace=5), UsageError, "U100", "marketplace must be a marketplace code"),
    (lambda: check("Hello", marketplace="UK", as_of="2021-02-30"), UsageError, "U100", "as_of must be a date"),
    (lambda: check("Hello", marketplace="UK", as_of=20210301), UsageError, "U100", "as_of must be a date"),
    (lambda: check("Hello", marketplace="UK", policy=3.5), UsageError, "U100", "policy must be"),
    (lambda: check(b"\xff\xfeHello", marketplace="UK"), InputError, "I101", "not UTF-8"),
    (lambda: list(audit([], jobs=0)), UsageError, "U100", "jobs must be"),
    (lambda: list(audit([], jobs="2")), UsageError, "U100", "jobs must be"),
    (lambda: list(audit([], marketplace=["UK"])), UsageError, "U100", "marketplace must be"),
])
def test_wrong_arguments_raise_the_projects_errors(call, error, code, words):
    with pytest.raises(error) as caught:
        call()
    assert caught.value.diagnostics[0].code == code
    assert words in str(caught.value)


@pytest.mark.parametrize("message", [
    "Thanks for order 123-1234567-1234567 :)",
    b"Thanks for order 123-1234567-1234567 :)",
    "\ufeffThanks for order 123-1234567-1234567 :)".encode("utf-8"),       # a BOM is not text
    bytearray(b"Thanks for order 123-1234567-1234567 :)"),
])
def test_text_or_utf8_bytes(message):
    report = check(message, marketplace="UK")
    assert report.verdict == "blocked"
    assert [e.text for v in report.violations for e in v.evidence if v.rule == "styling.no-emoji"] == [":)"]


@pytest.mark.parametrize("as_of", [dt.date(2021, 3, 1), dt.datetime(2021, 3, 1, 12, 0), "2021-03-01",
                                   "2021-03-01T12:00:00Z"])
def test_as_of_in_any_obvious_form(as_of):
    # sent in 2019, when no UK version was in force: only as_of can choose one
    assert check("Hello.", marketplace="UK", sent_at="2019-01-01", as_of=as_of).policy_id == "uk@2020-11-06"


def test_dates_among_the_fields_may_be_dates():
    text = "Your invoice for order 123-1234567-1234567 is attached."
    as_text = check(text, marketplace="UK", channel="email", reason="invoice", sent_at="2021-03-05", order=ORDER)
    as_dates = check(text, marketplace="UK", channel="email", reason="invoice", sent_at=dt.date(2021, 3, 5),
                     order={**ORDER, "completed_at": dt.date(2021, 3, 4)})
    assert as_dates.to_json() == as_text.to_json()


def test_a_policy_may_be_a_path():
    root = Path(__file__).resolve().parent.parent
    report = check("Hello :)", policy=root / "policies" / "uk" / "2020-11-06.yaml")
    assert report.policy_id == "uk@2020-11-06"
