"""The bundled policies against the shared labelled corpus: agreement may not fall below the floor.

The corpus is not part of the repository (nothing of it is copied here); where it is present, it is
read from ../shared/corpus/ and judged by its evaluation protocol with `permitted eval`'s service.
"""
from __future__ import annotations

import pytest

from permitted.agreement import evaluate_file

from .conftest import ROOT

CORPUS = ROOT.parent / "shared" / "corpus" / "real-messages.jsonl"

# Rows of the corpus the bundled policies judge as labelled (permitted eval's agreement rule),
# measured when `permitted eval` was written: 40 of 55, then 51 of 55 once purposes, sentence scope,
# plain-text layout and spelling in more languages landed. The floor only goes up: raise it when a
# policy change makes more rows agree; never lower it to let a change through.
FLOOR = 53


@pytest.fixture(scope="module")
def evaluation():
    if not CORPUS.is_file():
        pytest.skip(f"the labelled corpus is not here ({CORPUS})")
    return evaluate_file(CORPUS)


def test_agreement_with_the_corpus_keeps_its_floor(evaluation):
    gone = ", ".join(f"{o.row.id} ({o.row.expected} -> {o.verdict})" for o in evaluation.disagreements)
    assert evaluation.overall.agreed >= FLOOR, f"{evaluation.overall.agreed} of {evaluation.overall.total} agree; " \
                                               f"disagreements: {gone}"


def test_every_corpus_row_is_judged(evaluation):
    """The protocol turns every row into a message the policies can judge: no error rows."""
    assert [o.row.id for o in evaluation.outcomes if o.verdict == "error"] == []


# Messages written for this project (examples/held-out.jsonl: 65 rows, our own text, labelled by a
# reading of the guideline pages, DOUBT where a careful reader could go either way) to see whether
# the policies generalise beyond the corpus they were tuned on: 46 of 65 agreed when they were
# written; 57 once purpose phrases could hold a gap ("leave … review") and the families they
# exposed were added, 60 with review changes, tied rewards and marketing wording in more forms,
# 63 with cancellation requests in seven languages and the second set's wording below.
# They have now been used to tune, so they are a floor like the corpus's, no longer unseen
# messages.
HELD_OUT = ROOT / "examples" / "held-out.jsonl"
HELD_OUT_FLOOR = 63


# A second set of our own (examples/unseen-2.jsonl: 45 rows in the voices of ten kinds of seller),
# written after the held-out set's lessons had landed and judged before anything was tuned on it:
# 36 of 45 agreed, the honest figure for messages the policies had not seen. 43 once carriers'
# sites and desks, ring sizes, revisiting a review, a prize draw in a P.S. and "could you please
# cancel" were added as general wording; now a floor too.
UNSEEN_2 = ROOT / "examples" / "unseen-2.jsonl"
UNSEEN_2_FLOOR = 43


@pytest.mark.parametrize("labelled,floor", [(HELD_OUT, HELD_OUT_FLOOR), (UNSEEN_2, UNSEEN_2_FLOOR)],
                         ids=["held-out", "unseen-2"])
def test_agreement_with_our_own_sets_keeps_its_floor(labelled, floor):
    evaluation = evaluate_file(labelled)
    gone = ", ".join(f"{o.row.id} ({o.row.expected} -> {o.verdict})" for o in evaluation.disagreements)
    assert [o.row.id for o in evaluation.outcomes if o.verdict == "error"] == []
    assert evaluation.overall.agreed >= floor, f"{evaluation.overall.agreed} of {evaluation.overall.total} " \
                                               f"agree; disagreements: {gone}"
