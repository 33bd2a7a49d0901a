"""`permitted diff`: deliberate edits to the real UK policy, the real UK/US pair, golden output,
JSON keys, corpus replay. Every witness is evaluated again here, on both compiled policies."""
from __future__ import annotations

import argparse
import copy
import io
import json
import shutil
from pathlib import Path

import pytest
import yaml
from rich.console import Console

from dsl.contract import ast, tree
from dsl.contract.errors import PolicyError, UsageError
from dsl.format.condition import format_expr
from dsl.stages.parse import parse_plain
from interpreter.evaluation.evaluate import evaluate
from interpreter.facts.record import build_facts
from permitted import diffing
from permitted.store import default_store
from permitted.commands import diff as diff_command

ROOT = Path(__file__).resolve().parent.parent
BASE = yaml.safe_load((ROOT / "policies/base/2020-11.yaml").read_text(encoding="utf-8"))
UK = yaml.safe_load((ROOT / "policies/uk/2020-11-06.yaml").read_text(encoding="utf-8"))


def _dump(data: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100), encoding="utf-8")


def _base_rule(rule_id: str) -> dict:
    return copy.deepcopy(next(r for r in BASE["rules"] if r["id"] == rule_id))


def write_pair(tmp_path: Path, edit) -> tuple[Path, Path]:
    """The UK policy and its base written twice, as they are (old) and after `edit(base, uk)` (new)."""
    out = []
    for side in ("old", "new"):
        base, uk = copy.deepcopy(BASE), copy.deepcopy(UK)
        if side == "new":
            edit(base, uk)
        _dump(base, tmp_path / side / "base" / "2020-11.yaml")
        for other in (ROOT / "policies" / "base").glob("*.yaml"):      # the base's own bases, unchanged
            if other.name != "2020-11.yaml":
                shutil.copy(other, tmp_path / side / "base" / other.name)
        _dump(uk, tmp_path / side / "uk" / "2020-11-06.yaml")
        out.append(tmp_path / side / "uk" / "2020-11-06.yaml")
    return out[0], out[1]


# ---- the edits -------------------------------------------------------------------------------

def add_phrase(base, uk):
    uk["vocab"]["marketing_phrases"]["add"]["en"].append("flash deal")


def tighten_threshold(base, uk):
    uk["vocab"]["max_margin_percent"] = 15


def drop_rule(base, uk):
    uk["remove"] = ["styling.no-emoji"]


def add_rule(base, uk):
    uk["rules"].append({"id": "content.no-whatsapp", "title": "No WhatsApp", "severity": "warn",
                        "clause": "Links or references to other messaging services",
                        "when": 'contains(message.text, "whatsapp")',
                        "examples": [{"name": "whatsapp", "facts": {"message": {"text": "Text us on WhatsApp"}},
                                      "expect": ["content.no-whatsapp"]}]})


def change_severity(base, uk):
    rule = _base_rule("styling.no-emoji")
    rule.update(severity="warn", override=True)
    uk["rules"].append(rule)


def _de_morgan(node: ast.Node) -> ast.Node:
    """`a and b` written as `not (not a or not b)`: the same in three-valued logic."""
    return ast.Not(ast.Or(tuple(ast.Not(o) for o in node.operands)))


def rewrite_equivalently(base, uk):
    rule = next(copy.deepcopy(r) for r in BASE["rules"] if isinstance(parse_plain(r["when"]), ast.And))
    rule.update(when=format_expr(_de_morgan(parse_plain(rule["when"]))), override=True)
    uk["rules"].append(rule)


def reorder_and_reformat(base, uk):
    base["rules"].reverse()
    for rule in base["rules"]:
        rule["when"] = format_expr(parse_plain(rule["when"]), width=30) if isinstance(rule["when"], str) else rule["when"]


def _unknown_fact_rule() -> tuple[str, str]:
    """The first base rule that reads a fact the sender may leave unknown, and that fact."""
    base = default_store().policy(ROOT / "policies/base/2020-11.yaml")
    for rule in base.rules:
        for node in tree.walk(rule.condition):
            if isinstance(node, tree.Fact) and node.absent == "unknown":
                return rule.id, node.dotted
    raise AssertionError("no rule reads an unknown fact")


GUARDED, GUARD_FACT = _unknown_fact_rule()


def guard_unknown_fact(base, uk):
    """`exists(fact) and …`: the rule no longer comes out undetermined when the fact is unknown."""
    rule = _base_rule(GUARDED)
    guard = ast.Call("exists", (ast.Path(tuple(GUARD_FACT.split("."))),))
    rule.update(when=format_expr(ast.And((guard, parse_plain(rule["when"])))), override=True)
    uk["rules"].append(rule)


FIRST_AND = next(r["id"] for r in BASE["rules"] if isinstance(parse_plain(r["when"]), ast.And))

# edit, {rule: (status, fields)}, {vocab entry: status}, {rule: meaning}, verdict meaning
EDITS = [
    # thank-you-only reads the marketing lists too (a marketing message is not "only thank you")
    (add_phrase, {"type.no-marketing": ("changed", ("vocab",)), "type.no-thank-you-only": ("changed", ("vocab",))},
     {"marketing_phrases": "changed"}, {"type.no-marketing": "differs", "type.no-thank-you-only": "differs"},
     "differs"),
    (tighten_threshold, {"styling.max-margin": ("changed", ("vocab",))}, {"max_margin_percent": "changed"},
     {"styling.max-margin": "differs"}, "differs"),
    (drop_rule, {"styling.no-emoji": ("removed", ())}, {}, {"styling.no-emoji": "differs"}, "differs"),
    (add_rule, {"content.no-whatsapp": ("added", ())}, {}, {"content.no-whatsapp": "differs"}, "differs"),
    (change_severity, {"styling.no-emoji": ("changed", ("severity",))}, {}, {"styling.no-emoji": "differs"},
     "differs"),
    (rewrite_equivalently, {FIRST_AND: ("changed", ("when",))}, {}, {FIRST_AND: "equivalent"}, "equivalent"),
    (reorder_and_reformat, {}, {}, {}, "equivalent"),
    (guard_unknown_fact, {GUARDED: ("changed", ("when",))}, {}, {GUARDED: "differs"}, "differs"),
]


def _outcome(report, rule_id: str) -> str:
    if any(v.rule == rule_id for v in report.violations):
        return "fires"
    if any(u.rule == rule_id for u in report.undetermined):
        return "undetermined"
    return "passes"


def assert_witnesses_hold(result, old, new) -> None:
    """Each witness, evaluated here on both policies, is judged as the diff says."""
    for comparison in result.rules + (result.verdict,):
        for w in comparison.witnesses:
            facts = build_facts(w.facts, "UK")
            ro, rn = evaluate(old, facts), evaluate(new, facts)
            if comparison.subject == "verdict":
                assert (ro.verdict, rn.verdict) == tuple(w.kind.split(">"))
                continue
            a, b = _outcome(ro, comparison.subject), _outcome(rn, comparison.subject)
            assert (a, b) == (w.old if w.old != "absent" else "passes", w.new if w.new != "absent" else "passes")
            if w.kind == "old-only":
                assert a == "fires" and b == "passes"
            elif w.kind == "new-only":
                assert b == "fires" and a == "passes"
            elif w.kind == "severity":
                severities = {v.severity for r in (ro, rn) for v in r.violations if v.rule == comparison.subject}
                assert a == b == "fires" and len(severities) == 2
            else:
                assert (a == "undetermined") != (b == "undetermined")


@pytest.mark.parametrize("edit,rules,vocab,meanings,verdict", EDITS, ids=[e[0].__name__ for e in EDITS])
def test_deliberate_edits(tmp_path, monkeypatch, edit, rules, vocab, meanings, verdict):
    monkeypatch.chdir(tmp_path)
    old_path, new_path = write_pair(tmp_path, edit)
    old, new = default_store().policy(old_path), default_store().policy(new_path)
    result = diffing.compare(old, new)
    assert {r.id: (r.status, r.fields) for r in result.structure.rules} == rules
    assert {v.name: v.status for v in result.structure.vocab} == vocab
    assert {c.subject: c.status for c in result.rules} == meanings
    assert result.verdict.status == verdict
    for c in result.rules:
        assert (c.witnesses != ()) == (c.status == "differs")
    assert_witnesses_hold(result, old, new)
    assert result.equivalent == (verdict == "equivalent")


@pytest.mark.parametrize("edit,code", [(reorder_and_reformat, 0), (drop_rule, 1)], ids=["equivalent", "differs"])
def test_exit_code(tmp_path, monkeypatch, edit, code):
    monkeypatch.chdir(tmp_path)
    old_path, new_path = write_pair(tmp_path, edit)
    assert run_cli(str(old_path), str(new_path))[0] == code


def test_unknown_fact_changes_the_verdict_to_and_from_review(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    old, new = (default_store().policy(p) for p in write_pair(tmp_path, guard_unknown_fact))
    result = diffing.compare(old, new)
    (rule,) = result.rules
    assert ("undetermined", "undetermined", "passes") in [(w.kind, w.old, w.new) for w in rule.witnesses]
    root, name = GUARD_FACT.split(".", 1)
    for w in rule.witnesses:          # the guard only matters where the fact is unknown
        assert name not in w.facts.get(root, {})
    assert "review>allowed" in {w.kind for w in result.verdict.witnesses}


def test_added_phrase_is_in_the_witness_text(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    old, new = (default_store().policy(p) for p in write_pair(tmp_path, add_phrase))
    result = diffing.compare(old, new)
    change = next(v for v in result.structure.vocab if v.name == "marketing_phrases")
    assert change.added == (("en", "flash deal"),) and change.removed == ()
    comparison = next(c for c in result.rules if c.subject == "type.no-marketing")
    assert [w.kind for w in comparison.witnesses] == ["new-only"]
    assert "flash deal" in comparison.witnesses[0].facts["message"]["text"]


def test_threshold_witness_sits_between_the_old_and_new_limits(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    old, new = (default_store().policy(p) for p in write_pair(tmp_path, tighten_threshold))
    result = diffing.compare(old, new)
    setting = result.structure.vocab[0]
    assert (setting.kind, setting.old, setting.new) == ("setting", 20, 15)
    (w,) = result.rules[0].witnesses
    assert w.kind == "new-only" and 15 < w.facts["message"]["styling"]["max_margin_percent"] <= 20


def test_equivalent_rewrite_shows_both_conditions_and_a_word_diff(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    old, new = (default_store().policy(p) for p in write_pair(tmp_path, rewrite_equivalently))
    (change,) = diffing.compare(old, new).structure.rules
    assert change.old_when != change.new_when and change.new_when.startswith("not (")
    assert "".join(w.text for w in change.words if w.op != "insert") == change.old_when
    assert "".join(w.text for w in change.words if w.op != "delete") == change.new_when


# ---- the real pair -----------------------------------------------------------------------------

def test_uk_and_us_differ_only_in_what_they_add_to_the_base_lists():
    uk, us = diffing.load("uk"), diffing.load("us")
    raw_uk = yaml.safe_load(Path(uk.chain[-1]).read_text(encoding="utf-8"))["vocab"]
    raw_us = yaml.safe_load(Path(us.chain[-1]).read_text(encoding="utf-8"))["vocab"]
    differing = {k for k in set(raw_uk) | set(raw_us) if raw_uk.get(k) != raw_us.get(k)}
    result = diffing.compare(uk, us)
    assert {v.name for v in result.structure.vocab} == differing
    assert {f.name for f in result.structure.header} <= {"marketplace", "effective", "source", "description"}
    for change in result.structure.rules:
        assert change.status == "changed" and change.fields == ("vocab",) and set(change.vocab) <= differing
    assert len(result.structure.unchanged) + len(result.structure.rules) == len(uk.rules) == len(us.rules)
    assert {c.status for c in result.rules} == {"differs"} and result.verdict.status == "differs"
    assert_witnesses_hold(result, uk, us)


def test_same_policy_on_both_sides_is_equivalent():
    uk = diffing.load("uk")
    result = diffing.compare(uk, uk)
    assert result.structure.rules == () and result.structure.vocab == ()
    assert result.verdict.status == "equivalent" and result.equivalent


# ---- output --------------------------------------------------------------------------------------

MINI = """policy: buyer-messaging
marketplace: UK
effective: {effective}
source: "Communication Guidelines (UK), Seller Central"
vocab:
  coupon_phrases: {{en: [{phrases}]}}
  max_margin_percent: 20
rules:
  - id: type.no-coupons
    title: No coupons or vouchers
    severity: block
    clause: "Marketing or promotional messaging, including coupons"
    when: mentions(message.text, vocab.coupon_phrases)
  - id: styling.max-margin
    title: Margins of at most 20%
    severity: {severity}
    clause: "Margins must not exceed 20% of the width"
    when: message.styling.max_margin_percent {op} vocab.max_margin_percent
"""


def write_mini(tmp_path: Path) -> tuple[Path, Path]:
    old = tmp_path / "old.yaml"
    new = tmp_path / "new.yaml"
    old.write_text(MINI.format(effective="2020-11-06", phrases='"coupon", "promo code"', severity="block", op=">"))
    new.write_text(MINI.format(effective="2021-01-01", phrases='"coupon", "promo code", "voucher"', severity="warn",
                               op=">="))
    return old, new


def run_cli(*argv: str) -> tuple[int, str]:
    parser = argparse.ArgumentParser()
    diff_command.add_parser(parser.add_subparsers())
    out = io.StringIO()
    console = Console(file=out, width=100, color_system=None, highlight=False)
    code = diff_command.run(parser.parse_args(["diff", *argv]), console, console)
    return code, out.getvalue()


@pytest.mark.parametrize("fmt,golden_name", [("text", "diff/mini.txt"), ("markdown", "diff/mini.md")])
def test_rendered_output(tmp_path, monkeypatch, golden, fmt, golden_name):
    monkeypatch.chdir(tmp_path)
    write_mini(tmp_path)
    code, out = run_cli("old.yaml", "new.yaml", "--format", fmt)
    assert code == 1
    golden(golden_name, out)


def test_json_keys_are_stable_and_output_is_deterministic(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_mini(tmp_path)
    _, first = run_cli("old.yaml", "new.yaml", "--format", "json")
    _, second = run_cli("old.yaml", "new.yaml", "--format", "json")
    assert first == second
    data = json.loads(first)
    assert set(data) == {"old", "new", "equivalent", "policy", "vocab", "rules", "unchanged", "verdict", "bounds", "corpus"}
    assert data["equivalent"] is False and data["corpus"] is None
    rules = {r["id"]: r for r in data["rules"]}
    assert rules["styling.max-margin"]["fields"] == ["severity", "when"]
    assert rules["type.no-coupons"]["fields"] == ["vocab"]
    assert set(rules["type.no-coupons"]["meaning"]["witnesses"][0]) == {
        "kind", "old", "new", "old_verdict", "new_verdict", "old_report", "new_report", "facts"}
    assert data["vocab"][0]["added"] == [{"language": "en", "item": "voucher"}]


def test_corpus_replay_groups_changed_messages_and_lists_errors(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    old_path, new_path = write_mini(tmp_path)
    corpus = tmp_path / "sent.jsonl"
    corpus.write_text("\n".join([
        json.dumps({"marketplace": "UK", "body": "Here is a voucher for your next order."}),
        json.dumps({"marketplace": "UK", "body": "Your invoice is attached."}),
        "{not json",
        json.dumps({"marketplace": "UK", "body": "A voucher and a coupon."}),
        json.dumps({"marketplace": "UK", "body": "Another voucher."}),
    ]) + "\n")
    replay = diffing.replay(default_store().policy(old_path), default_store().policy(new_path), str(corpus))
    assert replay.messages == 4 and replay.changed == 2
    assert [(g.old, g.new, g.rules, g.sources) for g in replay.groups] == [
        ("allowed", "blocked", ("type.no-coupons",), (f"{corpus}:1", f"{corpus}:5"))]
    assert [source for source, _ in replay.errors] == [f"{corpus}:3"]
    code, out = run_cli("old.yaml", "new.yaml", "--corpus", "sent.jsonl")
    assert code == 1 and "4 messages judged, 2 change verdict, 1 could not be read" in out
    assert "error sent.jsonl:3: not a valid JSON envelope" in out


def test_unknown_policy_and_missing_corpus_are_usage_errors(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_mini(tmp_path)
    with pytest.raises(PolicyError) as err:
        run_cli("uk@1999-01-01", "new.yaml")
    assert err.value.diagnostics[0].code == "P700"
    with pytest.raises(UsageError):
        run_cli("old.yaml", "new.yaml", "--corpus", "nowhere.jsonl")
