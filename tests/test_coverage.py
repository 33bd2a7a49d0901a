"""Coverage of the guideline texts: citation matching, the clause lists, every clause of the
texts covered by a rule of each policy they apply to, and the `coverage` command's output."""
from __future__ import annotations

import io
import json

import pytest
from rich.console import Console

from dsl.compiler import compile_text
from dsl.contract.errors import PolicyError, UsageError
from dsl.registry import resolve
from interpreter.evaluation.phrases import folded
from permitted import coverage
from permitted.store import default_store
from permitted.views import coverage as coverage_view
from permitted.exitcodes import Exit
from permitted.views.terminal import diagnostic_plain

from .conftest import ROOT

# The guideline texts the clause lists quote. They are not part of the repository; where they are
# present, every clause is checked against its text.
SEEDS = ROOT.parent / "shared" / "seeds"
SEED_OF = {"forum-summary": "000", "seller-blog": "001", "uk-current": "002", "us-2018-10-12": "003", "sa-2020": "004",
           "sp-api-messaging": None,     # quoted from the public SP-API model file named in the list's source
           "us-2018-10-12-other-copies": None}   # quoted from the copies of the page named in the list's source

LISTS = coverage.load_clause_lists()


# ---- (a) matching ------------------------------------------------------------------------------

@pytest.mark.parametrize("citation,expected", [
    ("Email addresses", ("email addresses",)),
    ("Email addresses.", ("email addresses",)),
    ("All proactive Permitted Messages must … be in the buyer's language", ("all proactive permitted messages must",
                                                                             "be in the buyer's language")),
    ("must include ... order ID ...", ("must include", "order id")),
    ("… Animated GIFs", ("animated gifs",)),
    ("the buyer\u2019s  encrypted\n email", ("the buyer's encrypted email",)),
    ("\u201cProactive Permitted Messages\u201d", ("proactive permitted messages",)),
    ("…", ()),
])
def test_fragments(citation, expected):
    assert coverage.fragments(citation) == expected


CLAUSE = "Telephone numbers except those related to warranties, shipping providers, or manufacturers"


@pytest.mark.parametrize("citation,clause,covers", [
    (CLAUSE, CLAUSE, True),
    ("telephone NUMBERS except those related to warranties", CLAUSE, True),                 # case
    ("Telephone numbers … or manufacturers.", CLAUSE, True),                                # ellipsis, full stop
    ("Telephone numbers ... shipping providers", CLAUSE, True),                             # three dots
    ("Telephone   numbers\nexcept those", CLAUSE, True),                                    # white space
    ("Messages that say only \u2018Thank you\u2019",
     "Messages that say only 'Thank you' or that you are here to help", True),              # curly quotes
    ("the buyer's encrypted email address",
     "and can use the buyer\u2019s encrypted email address.", True),                         # straight vs curly
    ("Telephone numbers except those relating to warranties", CLAUSE, False),               # a misquote
    ("Mobile numbers", CLAUSE, False),
    ("Telephone numbers … Email addresses", CLAUSE, False),       # one fragment from another bullet
    ("Telephone numbers except those related to warranties, shipping providers, or manufacturers, "
     "or carriers", CLAUSE, False),                                                         # longer than the clause
    ("…", CLAUSE, False),
])
def test_cites(citation, clause, covers):
    assert coverage.cites(coverage.fragments(citation), coverage.normalise(clause)) is covers


def test_the_nearest_clause_of_a_misquote():
    clauses = [coverage.normalise(t) for t in (CLAUSE, "Email addresses", "Link to opt out of messaging")]
    pieces = coverage.fragments("Telephone numbers except those relating to warranty providers")
    scores = [coverage.closeness(pieces, c) for c in clauses]
    assert scores.index(max(scores)) == 0 and scores[0] < 1.0
    assert coverage.closeness(coverage.fragments(CLAUSE), clauses[0]) == 1.0


# ---- (b) the clause lists ----------------------------------------------------------------------

def test_the_bundled_clause_lists_load_and_ids_are_unique():
    ids = [c.id for lst in LISTS for c in lst.clauses]
    assert LISTS and len(ids) == len(set(ids))
    assert {lst.name for lst in LISTS} == set(SEED_OF), "every clause list needs its seed text in SEED_OF"


@pytest.mark.parametrize("name", sorted(SEED_OF))
def test_every_clause_is_verbatim_in_its_text(name):
    if SEED_OF[name] is None:
        pytest.skip(f"{name} is not quoted from one of the guideline texts kept with the project")
    found = sorted(SEEDS.glob(f"{SEED_OF[name]}_*.txt")) if SEEDS.is_dir() else []
    if not found:
        pytest.skip(f"the guideline texts are not here ({SEEDS})")
    # The page's markdown emphasis and code marks are not part of its words.
    seed = folded(found[0].read_text(encoding="utf-8").replace("**", "").replace("`", ""))
    (lst,) = [lst for lst in LISTS if lst.name == name]
    missing = [f"{c.id}: {c.text}" for c in lst.clauses if folded(c.text).strip() not in seed]
    assert not missing, "not verbatim in the text:\n" + "\n".join(missing)


GOOD_CLAUSE = "  - id: t.one\n    text: Email addresses\n"


@pytest.mark.parametrize("files,code,message,where", [
    ({"a.yaml": "source: {title: T}\napplies_to: [UK]\nclauses:\n  - id: t.one\n    txt: Email addresses\n"},
     "P201", "unknown key `txt` in clauses[0]", "a.yaml:5:5"),
    ({"a.yaml": "source: {title: T}\napplies_to: [UK]\nclauses:\n  - id: t.one\n    text: x\n    kind: informational\n"},
     "P202", "missing key `why` in clauses[0]", "a.yaml:4:5"),
    ({"a.yaml": "source: {title: T}\napplies_to: [UK]\nclauses:\n  - id: T One\n    text: x\n"},
     "P200", "`T One` is not a valid clause id", "a.yaml:4:9"),
    ({"a.yaml": "source: {title: T}\napplies_to: [uk-2020]\nclauses:\n" + GOOD_CLAUSE},
     "P200", "`uk-2020` is neither a policy id nor a marketplace", "a.yaml:2:14"),
    ({"a.yaml": "source: {title: T}\napplies_to: [UK]\nclauses:\n" + GOOD_CLAUSE,
      "b.yaml": "source: {title: T}\napplies_to: [UK]\nclauses:\n" + GOOD_CLAUSE},
     "P200", "duplicate clause id `t.one`", "b.yaml:4:9"),
    ({"a.yaml": "source: {title: T}\napplies_to: [UK]\nclauses:\n" + GOOD_CLAUSE + "    restates: t.onee\n"},
     "P200", "`restates:` names no clause: `t.onee`", "a.yaml:6:15"),
    ({"a.yaml": "source: {title: T}\napplies_to: [UK]\nclauses:\n" + GOOD_CLAUSE + "    restates: t.two\n"
                "  - {id: t.two, text: x, kind: informational, why: y}\n"},
     "P200", "`t.one` needs a rule but restates an informational clause, `t.two`", "a.yaml:6:15"),
    ({"a.yaml": "source: {title: T}\napplies_to: [UK]\nclauses:\n" + GOOD_CLAUSE + "    text: again\n"},
     "P101", "duplicate key `text`", "a.yaml:6:5"),
])
def test_clause_list_errors_point_into_the_file(tmp_path, files, code, message, where):
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    with pytest.raises(PolicyError) as raised:
        coverage.load_clause_lists(tmp_path)
    shown = [diagnostic_plain(d) for d in raised.value.diagnostics if d.code == code and d.message == message]
    assert shown, [diagnostic_plain(d) for d in raised.value.diagnostics]
    assert f"{tmp_path / where}" in shown[0]


# ---- (c) every clause of the texts has a rule, and every citation is found ----------------------

def _coverage(policy_id: str) -> coverage.Coverage:
    try:
        path = resolve(policy_id)
    except PolicyError as problem:
        reason = problem.diagnostics[0].message
    else:
        return coverage.cover(default_store().policy(path), LISTS)
    pytest.fail(f"policy {policy_id} not found ({reason})")


@pytest.mark.parametrize("policy_id", coverage.policy_ids(LISTS))
def test_every_clause_has_a_rule(policy_id):
    missing = [f"{row.clause.id}: \u201c{row.clause.text}\u201d" for row in _coverage(policy_id).uncovered]
    assert not missing, f"{policy_id}: clauses no rule cites:\n" + "\n".join(missing)


@pytest.mark.parametrize("policy_id", coverage.policy_ids(LISTS))
def test_every_citation_is_in_the_guideline_text(policy_id):
    wrong = [f"{m.rule} ({m.file}:{m.line}): \u201c{m.citation}\u201d; nearest: {m.nearest.id if m.nearest else '-'}"
             for m in _coverage(policy_id).misquotes]
    assert not wrong, f"{policy_id}: citations not found in the guideline text:\n" + "\n".join(wrong)


# ---- coverage of a small policy, end to end ----------------------------------------------------

POLICY = """policy: buyer-messaging
marketplace: UK
effective: 2020-11-06
source: test
rules:
  - id: content.no-email
    title: No email addresses
    severity: block
    clause: "Permitted Messages may not include … Email addresses."
    when: count(message.emails) > 0
    examples:
      - {name: one, message: {body: "Write to a@b.example"}, expect: [content.no-email]}
      - {name: none, message: {body: "Write to us"}, expect: []}
  - id: content.no-phone
    title: No phone numbers
    severity: block
    clause: "Telephone numbers except those related to warranties"
    when: count(message.phones) > 0
"""

TEXT = """source: {title: Test page, date: "2020"}
applies_to: [uk@2020-11-06]
clauses:
  - id: t.emails
    text: Email addresses
    restates: t.lead-in
  - id: t.lead-in
    text: "Permitted Messages may not include any of the following: Email addresses, telephone numbers"
  - id: t.phones
    text: Telephone numbers except those related to warranties, shipping providers, or manufacturers
  - id: t.intro
    text: Amazon requires that sellers follow the guidelines below.
    kind: informational
    why: introduces the rest
  - id: t.links
    text: Links to any website.
"""


@pytest.fixture
def small(tmp_path):
    (tmp_path / "clauses").mkdir()
    (tmp_path / "clauses" / "test.yaml").write_text(TEXT, encoding="utf-8")
    return coverage.load_clause_lists(tmp_path / "clauses")


def test_cover_maps_clauses_to_rules_and_examples(small):
    result = coverage.cover(compile_text(POLICY, "p.yaml"), small)
    rows = {row.clause.id: (row.rules, row.examples) for row in result.clauses}
    assert rows == {"t.emails": (("content.no-email",), 2), "t.lead-in": (("content.no-email",), 2),
                    "t.phones": (("content.no-phone",), 0), "t.intro": ((), 0), "t.links": ((), 0)}
    assert [row.clause.id for row in result.uncovered] == ["t.links"]
    assert result.misquotes == () and not result.ok


def test_a_misquote_is_reported_with_the_nearest_clause(small):
    text = POLICY.replace("Telephone numbers except those related to warranties", "Phone numbers except warranties")
    result = coverage.cover(compile_text(text, "p.yaml"), small)
    (m,) = result.misquotes
    assert (m.rule, m.nearest.id) == ("content.no-phone", "t.phones")
    assert m.line == text.splitlines().index("  - id: content.no-phone") + 1
    assert [row.clause.id for row in result.uncovered] == ["t.phones", "t.links"]


def test_a_misquote_is_shown_as_written(small):
    text = POLICY.replace("Telephone numbers except those related to warranties", "Phone numbers [bold]except[/bold] warranties")
    out = io.StringIO()
    Console(file=out, width=100, color_system=None).print(coverage_view.render([coverage.cover(compile_text(text, "p.yaml"), small)]))
    assert "cites    \u201cPhone numbers [bold]except[/bold] warranties\u201d" in out.getvalue()
    assert "nearest  t.phones \u201cTelephone numbers except those related to warranties," in out.getvalue()


def test_no_clause_list_for_the_policy(small):
    with pytest.raises(UsageError, match="no clause list applies to de@2020-11-06"):
        coverage.cover(compile_text(POLICY.replace("marketplace: UK", "marketplace: DE"), "p.yaml"), small)


# ---- (d) the command ---------------------------------------------------------------------------

@pytest.fixture
def run_cli(cli):
    """`permitted coverage …` through the real entry point."""
    return cli


def test_golden_text_of_the_uk_policy(run_cli, golden):
    code, out, err = run_cli("coverage", "uk@2020-11-06")
    assert err == ""
    golden("coverage/uk@2020-11-06.txt", out)
    assert code == (Exit.ALLOWED if _coverage("uk@2020-11-06").ok else Exit.BLOCKED)


def test_json_and_uncovered(run_cli):
    code, out, _ = run_cli("coverage", "UK", "--format", "json")
    (full,) = json.loads(out)
    code_u, out_u, _ = run_cli("coverage", "UK", "--format", "json", "--uncovered")
    (only,) = json.loads(out_u)
    assert full["policy"] == only["policy"] == "uk@2020-11-06" and code == code_u
    assert [c["id"] for c in only["clauses"]] == full["uncovered"] == only["uncovered"]
    assert len(full["clauses"]) == sum(len(lst.clauses) for lst in LISTS if lst.applies("uk@2020-11-06", "UK"))
    assert code == (Exit.ALLOWED if full["ok"] else Exit.BLOCKED)
    rule_ids = {r.id for r in default_store().policy(resolve("uk@2020-11-06")).rules}
    assert {r for c in full["clauses"] for r in c["rules"]} <= rule_ids


def test_exit_0_when_every_clause_is_covered(run_cli, tmp_path, monkeypatch):
    (tmp_path / "clauses").mkdir()
    (tmp_path / "clauses" / "test.yaml").write_text(TEXT.split("  - id: t.links")[0], encoding="utf-8")
    (tmp_path / "p.yaml").write_text(POLICY, encoding="utf-8")
    monkeypatch.setattr(coverage, "clauses_dir", lambda: tmp_path / "clauses")
    code, out, _ = run_cli("coverage", str(tmp_path / "p.yaml"))
    assert code == Exit.ALLOWED
    assert "uk@2020-11-06: 3 of 3 clauses covered, 0 without a rule, 1 informational" in out


def test_an_unknown_policy(run_cli):
    code, _, err = run_cli("coverage", "uk@2019-01-01")
    assert code == Exit.USAGE and "no policy `uk@2019-01-01`" in err


def test_a_policy_no_text_applies_to(run_cli, tmp_path):
    (tmp_path / "de.yaml").write_text(POLICY.replace("marketplace: UK", "marketplace: DE"), encoding="utf-8")
    code, _, err = run_cli("coverage", str(tmp_path / "de.yaml"))
    assert code == Exit.USAGE and "no clause list applies to de@2020-11-06" in err
