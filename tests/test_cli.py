"""The command line as a user drives it: output and exit codes."""
from __future__ import annotations

import json
import shutil

from .conftest import FIXTURES
from .policytext import NOTED

GOOD = """policy: buyer-messaging
marketplace: UK
effective: 2020-11-06
source: test
rules:
  - id: styling.no-emoji
    title: No emojis or emoticons
    severity: block
    clause: "Emojis, including emoticons"
    when: count( message.emoji )>0
    hint: "Remove {count(message.emoji)} emoji(s)."
    examples:
      - name: smiley
        facts: {message: {text: "Thanks :)", emoji: [{text: ":)", kind: emoticon, start: 7, end: 9}]}}
        expect: [styling.no-emoji]
      - name: wrong on purpose
        facts: {message: {text: "Thanks."}}
        expect: [styling.no-emoji]
"""


def test_test_command_reports_pass_and_fail_with_details(cli, tmp_path):
    policy = tmp_path / "p.yaml"
    policy.write_text(GOOD)
    code, out, _ = cli("test", str(policy))
    assert code == 1
    assert "PASS uk:styling.no-emoji:smiley" in out
    assert "FAIL uk:styling.no-emoji:wrong on purpose" in out
    assert "expected `styling.no-emoji` to fire, but it did not fire" in out
    assert "expected: styling.no-emoji" in out and "actual:   (nothing)" in out
    assert out.rstrip().endswith("1 passed, 1 failed")


NOTED_POLICY = NOTED + """    examples:
      - name: japanese, listed
        facts: {message: {text: "x", spelling: {checked: false, language: ja}}}
        expect: []
        not_checked: [styling.spelling]
      - name: japanese, not listed
        facts: {message: {text: "x", spelling: {checked: false, language: ja}}}
        expect: []
      - name: english, listed
        facts: {message: {text: "x", spelling: {checked: true, language: en, words: 30, unknown: 0, unknown_percent: 0}}}
        expect: []
        not_checked: [styling.spelling]
"""


def test_test_command_checks_the_not_checked_notes_examples_list(cli, tmp_path):
    policy = tmp_path / "p.yaml"
    policy.write_text(NOTED_POLICY)
    code, out, _ = cli("test", str(policy))
    assert code == 1
    assert "PASS uk:styling.spelling:japanese, listed" in out
    flat = " ".join(out.split())          # the terminal may wrap the line
    assert "`styling.spelling` said it was not checked (\"Spelling not checked (ja).\"); list it under `not_checked:`" in flat
    assert "expected `styling.spelling` to say it was not checked, but it said nothing" in out
    assert out.rstrip().endswith("1 passed, 2 failed")


def test_test_command_selects_examples(cli, tmp_path):
    policy = tmp_path / "p.yaml"
    policy.write_text(GOOD)
    code, out, _ = cli("test", str(policy), "-k", "smiley")
    assert code == 0 and out.rstrip().endswith("1 passed, 0 failed")


def test_fmt_check_then_fix(cli, tmp_path):
    policy = tmp_path / "p.yaml"
    policy.write_text(GOOD)
    code, out, _ = cli("fmt", "--check", "--diff", str(policy))
    assert code == 1 and "+    when: count(message.emoji) > 0" in out and "would reformat" in out
    assert policy.read_text() == GOOD                       # --check changes nothing
    assert cli("fmt", str(policy))[0] == 0
    assert "when: count(message.emoji) > 0\n" in policy.read_text()
    code, out, _ = cli("fmt", "--check", str(policy))
    assert code == 0 and "all conditions are in canonical form" in out


def test_fmt_reports_syntax_errors_and_leaves_the_file(cli, tmp_path):
    shutil.copy(FIXTURES / "broken" / "syntax.yaml", tmp_path / "s.yaml")
    before = (tmp_path / "s.yaml").read_text()
    code, _, err = cli("fmt", str(tmp_path / "s.yaml"))
    assert code == 2 and "error[P300]" in err
    assert (tmp_path / "s.yaml").read_text() == before


def test_explain_shows_the_rule(cli, tmp_path):
    policy = tmp_path / "p.yaml"
    policy.write_text(GOOD)
    code, out, _ = cli("explain", "styling.no-emoji", "--policy", str(policy))
    assert code == 0
    for expected in ("styling.no-emoji", "[block]", "uk@2020-11-06", "No emojis or emoticons",
                     "Emojis, including emoticons", "count(message.emoji) > 0", "message.emoji", "list of emoji",
                     "smiley"):
        assert expected in out


def test_explain_unknown_rule_suggests(cli, tmp_path):
    policy = tmp_path / "p.yaml"
    policy.write_text(GOOD)
    code, _, err = cli("explain", "styling.no-emojis", "--policy", str(policy))
    assert code == 2 and "no rule `styling.no-emojis`" in err and "did you mean `styling.no-emoji`?" in err


def test_facts_tree_and_json(cli):
    code, out, _ = cli("facts")
    assert code == 0
    for expected in ("message", "links", "list of link", "anchor_text", "[optional]", "completed_at", "[unknown]",
                     "channel", "seller_central | email | api"):
        assert expected in out
    code, out, _ = cli("facts", "order", "--format", "json")
    assert code == 0 and "completed_at" in json.loads(out)["properties"]
    code, _, err = cli("facts", "ordr")
    assert code == 2 and "did you mean `order`?" in err


def test_usage_errors_exit_2(cli):
    assert cli("frobnicate")[0] == 2
    code, _, err = cli("test", "xx@2020-01-01")
    assert code == 2 and "error[P700]" in err


def test_lint_reports_a_missing_file(cli):
    code, out, err = cli("lint", "no/such/file.yaml")
    assert code == 2 and "error[P103]" in err


def test_facts_of_shows_what_the_rules_see(cli):
    code, out, _ = cli("facts-of", "tests/fixtures/messages/review.html", "--marketplace", "UK", "--completed", "2020-11-02")
    assert code == 0
    for expected in ('"123-4567890-1234567" @34..53', '":)" @54..56', "warranty", "max_margin_percent = 25.0",
                     "completed_at = \"2020-11-02\""):
        assert expected in out


def test_facts_of_json(cli):
    code, out, _ = cli("facts-of", "tests/fixtures/messages/review.html", "-m", "uk", "--format", "json", "--reply")
    data = json.loads(out)
    assert code == 0 and data["message"]["direction"] == "reply" and data["message"]["marketplace"] == "UK"
    assert data["message"]["order_ids"] == [{"text": "123-4567890-1234567", "start": 34, "end": 53}]


def test_facts_of_refuses_bad_input_with_exit_3(cli, tmp_path):
    bad = tmp_path / "m.json"
    bad.write_text('{"body": "x", "channel": "fax"}')
    code, _, err = cli("facts-of", str(bad))
    assert code == 3 and "error[I100]" in err and "channel: 'fax' is not one of" in err


def test_examples_may_give_a_message(cli, tmp_path):
    policy = tmp_path / "p.yaml"
    policy.write_text(GOOD.replace(
        'facts: {message: {text: "Thanks :)", emoji: [{text: ":)", kind: emoticon, start: 7, end: 9}]}}',
        'message: {body: "Thanks for your order 123-1234567-1234567 :)"}'))
    code, out, _ = cli("test", str(policy), "-k", "smiley")
    assert code == 0 and "PASS uk:styling.no-emoji:smiley" in out
    broken = tmp_path / "q.yaml"
    broken.write_text(GOOD.replace(
        'facts: {message: {text: "Thanks :)", emoji: [{text: ":)", kind: emoticon, start: 7, end: 9}]}}',
        'message: {body: "x", chanel: email}'))
    code, _, err = cli("lint", str(broken))
    assert code == 2 and "error[P600]" in err and "'chanel' was unexpected" in err
