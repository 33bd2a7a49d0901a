"""Vocabulary across `extends`: a child adds to and removes from its base's lists, and the lint
warns about entries nothing reads."""
from __future__ import annotations

import pytest

from dsl.compiler import compile_file
from dsl.contract import tree
from dsl.contract.errors import PolicyError
from dsl.contract.vocab import READ_BY_FACTS

from .policytext import ROOT


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


HEAD = "policy: buyer-messaging\nmarketplace: {market}\neffective: 2020-11-06\nsource: test\n"

BASE = HEAD.format(market="base") + """vocab:
  words: {en: [coupon, voucher], ar: [كوبون]}
  hosts: [ups.com, dhl.com]
  limit: 3
rules:
  - id: one
    title: t
    severity: block
    clause: c
    when: mentions(message.text, vocab.words) and count(message.emoji) > vocab.limit
    hint: "Keep links to {vocab.hosts}."
"""


def child(vocab: str, rules: str = "rules: []\n", extends: str | None = "../base/b.yaml") -> str:
    return HEAD.format(market="UK") + (f"extends: {extends}\n" if extends else "") + "vocab:\n" + vocab + rules


@pytest.fixture
def base(tmp_path):
    return write(tmp_path / "base" / "b.yaml", BASE)


def compiled(tmp_path, text):
    return compile_file(write(tmp_path / "uk" / "c.yaml", text))


# ---- the merge ---------------------------------------------------------------------------------

MERGES = [
    ("add", "  words: {add: {en: [promo code]}}\n",
     "words", {"en": ["coupon", "voucher", "promo code"], "ar": ["كوبون"]}),
    ("remove", "  words: {remove: {en: [voucher]}}\n",
     "words", {"en": ["coupon"], "ar": ["كوبون"]}),
    ("add and remove", "  words:\n    add: {en: [promo]}\n    remove: {en: [coupon]}\n",
     "words", {"en": ["voucher", "promo"], "ar": ["كوبون"]}),
    ("per language", "  words: {add: {ar: [قسيمة]}, remove: {ar: [كوبون]}}\n",
     "words", {"en": ["coupon", "voucher"], "ar": ["قسيمة"]}),
    ("a language the base lacks", "  words: {add: {fr: [bon de réduction]}}\n",
     "words", {"en": ["coupon", "voucher"], "ar": ["كوبون"], "fr": ["bon de réduction"]}),
    ("an item the base has is kept once, in its place", "  words: {add: {en: [voucher, promo]}}\n",
     "words", {"en": ["coupon", "voucher", "promo"], "ar": ["كوبون"]}),
    ("plain list", "  hosts: {add: [royalmail.com], remove: [dhl.com]}\n",
     "hosts", ["ups.com", "royalmail.com"]),
    ("a plain entry still replaces", "  words: {en: [gift card]}\n",
     "words", {"en": ["gift card"]}),
]


@pytest.mark.parametrize("vocab,name,expected", [m[1:] for m in MERGES], ids=[m[0] for m in MERGES])
def test_child_edits_the_base_lists(tmp_path, base, vocab, name, expected):
    policy = compiled(tmp_path, child(vocab))
    assert policy.vocab[name] == expected
    assert policy.rule("one").file.endswith("b.yaml")


def test_an_edit_in_a_middle_file_is_inherited_and_edited_again(tmp_path, base):
    write(tmp_path / "mid" / "m.yaml", child("  words: {add: {en: [promo]}}\n", extends="../base/b.yaml")
          .replace("marketplace: UK", "marketplace: base"))
    policy = compiled(tmp_path, child("  words: {remove: {en: [promo]}, add: {en: [deal]}}\n", extends="../mid/m.yaml"))
    assert policy.vocab["words"]["en"] == ["coupon", "voucher", "deal"]


def test_the_rules_read_the_merged_list(tmp_path, base):
    policy = compiled(tmp_path, child("  words: {add: {en: [promo code]}}\n"))
    (mentions,) = [n for n in tree.walk(policy.rule("one").condition) if isinstance(n, tree.Call)
                   and n.op == "mentions"]
    assert set(mentions.args[1].value) == {"coupon", "voucher", "promo code", "كوبون"}


# ---- mistakes in an edit -----------------------------------------------------------------------

# (id, vocab lines, code, message part, line, column, help part); the vocab starts on line 7
EDIT_ERRORS = [
    ("misspelt addition", "  word: {add: {en: [promo]}}\n",
     "P216", "`vocab.word` adds to or removes from an entry no base defines", 7, 3, "did you mean `words`?"),
    ("addition nothing is near", "  giftcards: {add: {en: [promo]}}\n",
     "P216", "no base defines", 7, 3, "define it here"),
    ("remove a phrase the base lacks", "  words: {remove: {en: [coupon, vouchers]}}\n",
     "P217", "cannot remove `vouchers` from `vocab.words` (en)", 7, 33, "did you mean `voucher`?"),
    ("remove from a language the base lacks", "  words:\n    remove:\n      fr: [coupon]\n",
     "P217", "cannot remove `coupon` from `vocab.words` (fr)", 9, 12, "only items the base lists"),
    ("remove from a plain list", "  hosts: {remove: [fedex.com]}\n",
     "P217", "cannot remove `fedex.com` from `vocab.hosts`", 7, 20, None),
    ("languages for a plain list", "  hosts: {add: {en: [royalmail.com]}}\n",
     "P218", "`vocab.hosts` is a plain list", 7, 11, "write `add: [...]`"),
    ("a plain list for phrase lists", "  words: {add: [promo]}\n",
     "P218", "`vocab.words` is phrase lists per language", 7, 11, "write `add: {en: [...], ar: [...]}`"),
    ("edit a setting", "  limit: {add: [4]}\n",
     "P218", "`vocab.limit` is a setting", 7, 3, "write the new value instead"),
    ("unknown key", "  words: {adds: {en: [promo]}}\n",
     "P201", "unknown key `adds` in vocab.words", 7, 11, "did you mean `add`?"),
    ("unknown key beside a valid one", "  words:\n    add: {en: [promo]}\n    remvoe: {en: [coupon]}\n",
     "P201", "unknown key `remvoe` in vocab.words", 9, 5, "did you mean `remove`?"),
]


@pytest.mark.parametrize("vocab,code,message,line,column,help_", [e[1:] for e in EDIT_ERRORS],
                         ids=[e[0] for e in EDIT_ERRORS])
def test_edit_mistakes_are_reported_where_they_are_written(tmp_path, base, vocab, code, message, line, column, help_):
    with pytest.raises(PolicyError) as info:
        compiled(tmp_path, child(vocab))
    (d,) = info.value.diagnostics
    assert (d.code, d.span.file, d.span.line, d.span.column) == (code, str(tmp_path / "uk" / "c.yaml"), line, column)
    assert message in d.message
    assert help_ is None or help_ in (d.help or "")


def test_every_mistake_is_reported_at_once(tmp_path, base):
    with pytest.raises(PolicyError) as info:
        compiled(tmp_path, child("  word: {add: {en: [a]}}\n  words: {remove: {en: [x, y]}}\n  limit: {add: [4]}\n"))
    assert [d.code for d in info.value.diagnostics] == ["P216", "P217", "P217", "P218"]


def test_an_edit_needs_a_base(tmp_path):
    with pytest.raises(PolicyError) as info:
        compiled(tmp_path, child("  words: {add: {en: [promo]}}\n", extends=None))
    (d,) = info.value.diagnostics
    assert d.code == "P216" and "extends no base" in d.help


# ---- vocabulary nothing reads --------------------------------------------------------------------

def test_an_entry_no_rule_reads_is_a_warning_in_the_file_that_writes_it(tmp_path, base):
    policy = compiled(tmp_path, child("  words: {add: {en: [promo]}}\n  word_list: {en: [deal]}\n"))
    (w,) = policy.warnings
    assert (w.code, w.name, w.severity) == ("P405", "unused-vocab", "warning")
    assert (w.span.file, w.span.line, w.span.column) == (str(tmp_path / "uk" / "c.yaml"), 8, 3)
    assert "`vocab.word_list` is not read by any rule" in w.message and w.help == "did you mean `words`?"
    assert w.to_json()["severity"] == "warning"


def test_reads_in_hints_and_by_the_facts_stage_count(tmp_path, base):
    facts_words = "".join(f"  {v.name}: {'4' if v.number else '{en: [x]}'}\n" for v in READ_BY_FACTS)
    assert compiled(tmp_path, child("  hosts: {add: [royalmail.com]}\n" + facts_words)).warnings == ()


def test_an_entry_the_base_writes_is_left_to_the_base(tmp_path, base):
    write(base, BASE.replace("  limit: 3\n", "  limit: 3\n  spare: [a]\n"))
    assert compiled(tmp_path, child("  hosts: {add: [x.com]}\n")).warnings == ()
    (w,) = compile_file(base).warnings
    assert w.span.file == str(base) and "`vocab.spare`" in w.message


def test_no_warnings_while_there_are_errors(tmp_path, base):
    broken = "rules:\n  - id: two\n    title: t\n    severity: block\n    clause: c\n    when: mentions(message.txt, vocab.spare)\n"
    with pytest.raises(PolicyError) as info:
        compiled(tmp_path, child("  spare: {en: [a]}\n", rules=broken))
    assert [d.code for d in info.value.diagnostics] == ["P400"]


def test_an_entry_the_facts_stage_reads_must_be_words(tmp_path, base):
    with pytest.raises(PolicyError) as info:
        compiled(tmp_path, child("  brand_words: 3\n"))
    (d,) = info.value.diagnostics
    assert d.code == "P218" and "`vocab.brand_words` must be phrase lists per language or a list of words" in d.message


def test_lint_shows_warnings_and_still_passes(cli, tmp_path, base):
    path = write(tmp_path / "uk" / "c.yaml", child("  spare: [a]\n"))
    code, out, err = cli("lint", str(path))
    assert code == 0
    assert "warning[P405] unused-vocab: `vocab.spare` is not read by any rule" in err
    assert out.strip().endswith("1 policy file checked, 0 errors in 0 files, 1 warning")


def test_lint_json_carries_the_warnings(cli, tmp_path, base):
    import json

    path = write(tmp_path / "uk" / "c.yaml", child("  spare: [a]\n"))
    code, out, _ = cli("lint", str(path), "--format", "json")
    (result,) = json.loads(out)
    assert code == 0 and result["ok"] is True
    assert [(d["code"], d["severity"], d["line"], d["column"]) for d in result["diagnostics"]] == [("P405", "warning", 7, 3)]


def test_bundled_policies_lint_clean_and_use_no_local_lists(cli):
    code, out, err = cli("lint", "policies")
    assert code == 0 and "warning" not in err and "warning" not in out
    for path in (ROOT / "policies").rglob("*.yaml"):
        assert "_local" not in path.read_text(encoding="utf-8"), path


def test_the_bases_declare_the_entries_the_facts_stage_reads():
    from .policytext import bundled_policy

    for file in ("policies/base/2020-11.yaml", "policies/base/2018.yaml"):
        policy = bundled_policy(file)
        missing = {v.name for v in READ_BY_FACTS} - set(policy.vocab)
        assert missing <= ({"brand_words"} if file.endswith("2018.yaml") else set()), (file, missing)
