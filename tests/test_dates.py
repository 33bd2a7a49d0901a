"""Dates: text becomes datetime.date once, when the facts record is built; operators take dates as
they are; whatever is written out shows them as ISO text again."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from dsl.contract.errors import InputError
from interpreter.evaluation import operators
from interpreter.evaluation.evaluate import evaluate
from interpreter.facts.record import build_facts, calendar_date

from .policytext import compile_conditions

D = dt.date

# a date fact as given (in a file, by the API), the day it names
GIVEN = [
    ("2020-11-06", D(2020, 11, 6)),
    ("2020-11-06T23:30:00-05:00", D(2020, 11, 6)),     # only the date counts, as written
    ("2020-11-06 08:00", D(2020, 11, 6)),
    (D(2020, 11, 6), D(2020, 11, 6)),
    (dt.datetime(2020, 11, 6, 23, 59), D(2020, 11, 6)),
]


@pytest.mark.parametrize("given, day", GIVEN, ids=[str(g[0]) for g in GIVEN])
def test_built_facts_hold_dates(given, day):
    facts = build_facts({"order": {"completed_at": given}, "message": {"sent_at": given}}, "UK")
    assert type(facts.data["order"]["completed_at"]) is dt.date and facts.data["order"]["completed_at"] == day
    assert type(facts.data["message"]["sent_at"]) is dt.date and facts.data["message"]["sent_at"] == day
    assert calendar_date(given) == day


def test_days_between_is_given_dates(monkeypatch):
    seen = []

    def days_between(earlier, later):
        seen.append((earlier, later))
        return (later - earlier).days

    monkeypatch.setitem(operators.IMPLEMENTATIONS, "days_between", days_between)
    policy = compile_conditions("days_between(order.completed_at, message.sent_at) > 30")
    facts = build_facts({"order": {"completed_at": "2020-01-01"}, "message": {"sent_at": "2020-03-01T09:00:00Z"}}, "UK")
    assert [v.rule for v in evaluate(policy, facts).violations]
    assert seen and all(type(a) is dt.date and type(b) is dt.date for a, b in seen)
    assert seen[0] == (D(2020, 1, 1), D(2020, 3, 1))


@pytest.mark.parametrize("earlier, later, days", [
    (D(2020, 1, 1), D(2020, 3, 1), 60),
    (D(2020, 3, 1), D(2020, 1, 1), -60),
    (D(2020, 2, 28), D(2020, 3, 1), 2),                 # a leap year
    (D(2021, 12, 31), D(2021, 12, 31), 0),
])
def test_days_between_counts_whole_days(earlier, later, days):
    assert operators.IMPLEMENTATIONS["days_between"](earlier, later) == days


def test_reports_and_facts_written_out_show_iso_text(cli, tmp_path):
    message = tmp_path / "m.yaml"
    message.write_text("marketplace: UK\nreason: review_request\nsent_at: 2020-12-20\n"
                       "order: {completed_at: '2020-11-01T23:30:00-05:00'}\nbody: Please leave a review.\n",
                       encoding="utf-8")
    code, out, _ = cli("facts-of", str(message), "--format", "json")
    facts = json.loads(out)
    assert (facts["message"]["sent_at"], facts["order"]["completed_at"]) == ("2020-12-20", "2020-11-01")

    policy = compile_conditions("days_between(order.completed_at, message.sent_at) > 30 and message.sent_at > 2020-12-01")
    report = evaluate(policy, build_facts({"order": {"completed_at": "2020-11-01"}, "message": {"sent_at": "2020-12-20"}}, "UK"))
    values = {e["fact"]: e["value"] for v in report.to_json()["violations"] for e in v["evidence"]}
    assert values == {"order.completed_at": "2020-11-01", "message.sent_at": "2020-12-20"}


# how a date that names no day is given -> the diagnostic it gets, the same wherever it comes from
IMPOSSIBLE = [
    ({"order": {"completed_at": "2020-02-30"}}, "facts.order.completed_at: '2020-02-30' is not a calendar date"),
    ({"message": {"sent_at": "2020-13-01T10:00:00Z"}},
     "facts.message.sent_at: '2020-13-01T10:00:00Z' is not a calendar date"),
]


@pytest.mark.parametrize("record, message", IMPOSSIBLE, ids=[m for _, m in IMPOSSIBLE])
def test_impossible_dates_are_named(record, message):
    with pytest.raises(InputError) as info:
        build_facts(record, "UK", source="m")
    (d,) = info.value.diagnostics
    assert (d.code, d.message, d.help) == ("I100", f"m: {message}", "write dates as YYYY-MM-DD or an ISO 8601 timestamp")


@pytest.mark.parametrize("written", ["sent_at: 2020-02-30", "sent_at: '2020-02-30'", '"sent_at": "2020-02-30"'])
def test_impossible_dates_in_a_message_file_are_named_not_a_crash(cli, tmp_path, written):
    # YAML reads an unquoted 2020-02-30 as a timestamp it cannot build; it stays text, to be named
    message = tmp_path / ("m.json" if written.startswith('"') else "m.yaml")
    body = ('{"marketplace": "UK", ' + written + ', "body": "Hi"}') if written.startswith('"') else \
        f"marketplace: UK\n{written}\nbody: Hi\n"
    message.write_text(body, encoding="utf-8")
    code, out, err = cli("check", str(message))
    assert code == 3
    assert "facts.message.sent_at: '2020-02-30' is not a calendar date" in " ".join((out + err).split())
