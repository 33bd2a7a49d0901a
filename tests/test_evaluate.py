"""Evaluate stage: three-valued verdicts, evidence with spans, hints, undetermined rules."""
from __future__ import annotations

import json

import pytest

from interpreter.evaluation.evaluate import evaluate
from interpreter.facts.record import build_facts

from .policytext import NOTED, compile_conditions

LINK = {"url": "http://shop.example/x", "scheme": "http", "host": "shop.example", "is_amazon": False,
        "explains": True, "is_opt_out": False, "source": "text", "start": 10, "end": 31}

TRUTH = [
    # condition, facts, expected outcome: True (fires), False, None (undetermined)
    ("count(message.emoji) > 0", {}, False),
    ("days_between(order.completed_at, message.sent_at) > 30", {}, None),
    ("days_between(order.completed_at, message.sent_at) > 30",
     {"order": {"completed_at": "2020-01-01"}, "message": {"sent_at": "2020-03-01"}}, True),
    ("days_between(order.completed_at, message.sent_at) > 30",
     {"order": {"completed_at": "2020-01-01"}, "message": {"sent_at": "2020-01-20T10:00:00Z"}}, False),
    # Kleene logic: a known false conjunct decides, a known true disjunct decides
    ("message.channel == \"api\" and days_between(order.completed_at, message.sent_at) > 30", {}, False),
    ("message.channel == \"seller_central\" or days_between(order.completed_at, message.sent_at) > 30", {}, True),
    ("message.channel == \"seller_central\" and days_between(order.completed_at, message.sent_at) > 30", {}, None),
    ("not (history.review_requests_sent > 0)", {}, None),
    ("exists(order.completed_at)", {}, False),
    ("not exists(order.completed_at) or order.completed_at < 2020-01-01", {"order": {"completed_at": "2019-05-05"}}, True),
    ("any link in message.links: link.scheme == \"http\" and not link.is_amazon", {"message": {"links": [LINK]}}, True),
    ("all link in message.links: link.is_amazon", {"message": {"links": []}}, True),
    ("message.reason in [\"invoice\", \"review_request\"]", {"message": {"reason": "invoice"}}, True),
    ("message.reason not in [\"invoice\"]", {}, None),
    ("language_of(order.buyer_language) != \"en\"", {"order": {"buyer_language": "en-GB"}}, False),
    ("ends_with(host_of(\"https://www.Amazon.co.uk/gp\"), \"amazon.co.uk\")", {}, True),
    ("within_domains(host_of(\"https://Track.DPD.co.uk/x\"), [\"dpd.co.uk\"])", {}, True),
    ("within_domains(\"dpd.co.uk\", [\"ups.com\", \"DPD.co.uk.\"])", {}, True),
    ("within_domains(\"evildpd.co.uk\", [\"dpd.co.uk\"])", {}, False),
    ("within_domains(\"co.uk\", [\"dpd.co.uk\", \"\"])", {}, False),
    ("matches(message.text, /\\b\\d{3}-\\d{7}-\\d{7}\\b/)", {"message": {"text": "Order 123-1234567-1234567"}}, True),
]


@pytest.mark.parametrize("condition,facts,expected", TRUTH, ids=[t[0][:60] for t in TRUTH])
def test_three_valued_outcomes(condition, facts, expected):
    policy = compile_conditions(condition)
    report = evaluate(policy, build_facts(facts, "UK"))
    fired = [v.rule for v in report.violations]
    unknown = [u.rule for u in report.undetermined]
    assert (fired, unknown) == {True: (["r0"], []), False: ([], []), None: ([], ["r0"])}[expected]


def test_verdicts():
    policy = compile_conditions("count(message.emoji) > 0", "days_between(order.completed_at, message.sent_at) > 30")
    assert evaluate(policy, build_facts({"order": {"completed_at": "2020-01-01"}, "message": {"sent_at": "2020-01-02"}}, "UK")).verdict == "allowed"
    assert evaluate(policy, build_facts({}, "UK")).verdict == "review"
    emoji = {"message": {"text": "Hi :)", "emoji": [{"text": ":)", "kind": "emoticon", "start": 3, "end": 5}]}}
    assert evaluate(policy, build_facts(emoji, "UK")).verdict == "blocked"


def test_undetermined_names_only_the_missing_facts():
    policy = compile_conditions("days_between(order.completed_at, message.sent_at) > 30")
    report = evaluate(policy, build_facts({"message": {"sent_at": "2020-01-02"}}, "UK"))
    assert report.undetermined[0].needs == ("order.completed_at",)


def test_evidence_points_at_the_offending_characters():
    text = "Get 20% OFF with   Coupon  today! :)"
    policy = compile_conditions("mentions(message.text, vocab.marketing_phrases)")
    report = evaluate(policy, build_facts({"message": {"text": text}}, "UK"))
    ev = [(e.text, e.start, e.end, e.phrase) for e in report.violations[0].evidence]
    assert ev == [("% OFF", 6, 11, "% off"), ("Coupon", 19, 25, "coupon")]
    assert all(text[s:e] == t for t, s, e, _ in ev)


def test_evidence_of_a_quantifier_is_the_matching_item_and_its_values():
    text = "Visit us: http://shop.example/x now"
    policy = compile_conditions("any link in message.links: link.scheme == \"http\" and not link.is_amazon")
    report = evaluate(policy, build_facts({"message": {"text": text, "links": [LINK]}}, "UK"))
    evidence = report.violations[0].evidence
    assert evidence[0].to_json() == {"fact": "message.links", "text": "http://shop.example/x", "start": 10, "end": 31}
    assert {e.fact for e in evidence[1:]} == {"link.scheme", "link.is_amazon"}


def test_hints_are_filled_with_values():
    yaml_text = """policy: buyer-messaging
marketplace: UK
effective: 2020-11-06
source: test
rules:
  - id: styling.no-emoji
    title: No emoji
    severity: block
    clause: test
    when: count(message.emoji) > 0
    hint: "Remove {count(message.emoji)} emoji(s): {message.emoji}. Braces: {{x}}"
"""
    from dsl.compiler import compile_text

    policy = compile_text(yaml_text, "h.yaml")
    facts = {"message": {"text": "a :) b <3", "emoji": [{"text": ":)", "kind": "emoticon", "start": 2, "end": 4},
                                                        {"text": "<3", "kind": "emoticon", "start": 7, "end": 9}]}}
    report = evaluate(policy, build_facts(facts, "UK"))
    assert report.violations[0].hint == "Remove 2 emoji(s): :), <3. Braces: {x}"


def test_report_json_is_stable_and_deterministic():
    policy = compile_conditions("count(message.emoji) > 0", "days_between(order.completed_at, message.sent_at) > 30")
    facts = build_facts({"message": {"text": "Hi :)", "emoji": [{"text": ":)", "kind": "emoticon", "start": 3, "end": 5}]},
                         "order": {"completed_at": "2020-01-01"}}, "UK")
    first = json.dumps(evaluate(policy, facts).to_json())
    assert first == json.dumps(evaluate(policy, facts).to_json())
    data = json.loads(first)
    assert list(data) == ["verdict", "marketplace", "policy", "violations", "undetermined"]
    assert data["violations"][0]["evidence"] == [{"fact": "message.emoji", "text": ":)", "start": 3, "end": 5}]
    assert data["undetermined"] == [{"rule": "r1", "needs": ["message.sent_at"]}]


def test_bad_facts_are_refused_with_every_problem_named():
    from dsl.contract.errors import InputError

    with pytest.raises(InputError) as info:
        build_facts({"message": {"channel": "fax", "emoji": [{"text": ":)"}]}}, "UK")
    messages = [d.message for d in info.value.diagnostics]
    assert any("facts.message.channel" in m and "'fax'" in m for m in messages)
    assert any("facts.message.emoji.0" in m and "'kind' is a required property" in m for m in messages)


def test_impossible_dates_are_refused():
    from dsl.contract.errors import InputError

    with pytest.raises(InputError) as info:
        build_facts({"order": {"completed_at": "2020-02-30"}}, "UK")
    assert "is not a calendar date" in info.value.diagnostics[0].message


def test_hits_in_another_text_carry_no_offsets_into_the_message():
    policy = compile_conditions("any img in message.images: exists(img.alt) and mentions(img.alt, vocab.marketing_phrases)")
    image = {"src": "https://x.example/m.jpg", "scheme": "https", "alt": "Big coupon inside", "animated": False,
             "tracking_pixel": False, "links_outside_amazon": False, "is_logo": False}
    report = evaluate(policy, build_facts({"message": {"is_html": True, "text": "Your invoice is attached.",
                                                       "images": [image]}}, "UK"))
    evidence = [e.to_json() for e in report.violations[0].evidence]
    assert {"fact": "img.alt", "value": "coupon", "phrase": "coupon"} in evidence
    assert all("start" not in e for e in evidence)


NOTE_CASES = [
    # spelling facts, fired, undetermined, the note said
    ({"checked": False, "language": "ja"}, [], [], ["Spelling not checked (ja)."]),
    ({"checked": True, "language": "en", "words": 40, "unknown": 1, "unknown_percent": 2.5}, [], [], []),
    ({"checked": True, "language": "en", "words": 40, "unknown": 10, "unknown_percent": 25}, ["styling.spelling"], [], []),
    (None, [], ["styling.spelling"], []),                          # language not told: undetermined, no note
]


@pytest.mark.parametrize("spelling,fired,unknown,says", NOTE_CASES)
def test_a_rule_says_it_was_not_checked_only_when_it_was_not(spelling, fired, unknown, says):
    from dsl.compiler import compile_text

    policy = compile_text(NOTED, "n.yaml")
    message = {"text": "x"} if spelling is None else {"text": "x", "spelling": spelling}
    report = evaluate(policy, build_facts({"message": message}, "UK"))
    assert [v.rule for v in report.violations] == fired
    assert [u.rule for u in report.undetermined] == unknown
    assert [n.says for n in report.not_checked] == says
    assert ("not_checked" in report.to_json()) == bool(says)       # absent from the JSON when empty
    assert report.verdict == ("review" if fired or unknown else "allowed")


@pytest.mark.parametrize("note,code", [
    ('when: "not message.spelling.checked"\n      say: "({message.spelling.language})"', "P503"),   # not asserted present
    ('when: "not message.spelling.checked and"\n      say: "x"', "P300"),
    ('when: "not message.spelling.checked"\n      say: "({message.spelling.language"', "P300"),
    ('when: "message.spelling.langauge == 1"\n      say: "x"', "P400"),        # unknown fact, with the nearest name
    ('say: "x"', "P202"),
])
def test_a_bad_note_is_a_diagnostic_at_its_line(note, code):
    from dsl.compiler import compile_text
    from dsl.contract.errors import PolicyError

    text = NOTED.split("    not_checked:")[0] + "    not_checked:\n      " + note + "\n"
    with pytest.raises(PolicyError) as err:
        compile_text(text, "n.yaml")
    found = err.value.diagnostics[0]
    assert found.code == code
    assert found.span.line >= 11
