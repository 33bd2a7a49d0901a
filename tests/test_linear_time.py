"""Our own finders run in time linear in the text (issue 13): every compiled pattern of
interpreter/ and dsl/, and the finders that apply them, on 1 MB of adversarial text.

The text is runs of the characters patterns repeat — digits, blanks, tabs, line breaks,
punctuation, letters, Arabic, emoji, markup — 25 KB each, each ended by a NUL: a pattern quadratic in such a run
spends seconds on it, a linear one scans the whole megabyte in a fraction of a second. Each
measurement runs in a forked child that is stopped past a hard limit, so a super-linear pattern
fails the test instead of hanging it. Budgets are a multiple of a linear reference measured on
the same machine (a plain regex scan of the same megabyte), never below a floor.
"""
from __future__ import annotations

import importlib
import multiprocessing
import pkgutil
import re
import time
from html import escape

import pytest

RUNS = ["1", "1 ", "1-", "1.", "1,", "a", "aA", "a.", "a-", "a'", "a1", " ", "\t", "\n", " \n", ".", ":", ":-", "-",
        "_", "<", "<a ", "&", "@", "a@", "%", "[[", "{{", "(1", "+1 ", "١", "ا ", "😀", "www.", "http://", ";", "=",
        "o.O", "\u200b", "#"]
SIZE = 1_000_000


def adversarial(size: int = SIZE) -> str:
    """The runs one after the other, each ended by a NUL: a run must not end where the next
    begins (blanks before a line break are no longer a dead end for a pattern that needs one)."""
    run = size // len(RUNS) - 1
    return "".join((r * (run // len(r) + 1))[:run] + "\0" for r in RUNS)


TEXT = adversarial()
STARTS = [i * (SIZE // len(RUNS)) for i in range(len(RUNS))]

# Patterns the code applies only at one position (`.match`, `.fullmatch`) or within a window of a
# few characters: a scan with them from every position is not what the code does. They are timed
# from the start of each run; what bounds how often they are tried is the finder calling them,
# timed below.
ANCHORED = {
    "interpreter.facts.css._ATTR_LENGTH": "an attribute's value, from its start",
    "interpreter.facts.html._SCHEME": "an address, from its start",
    "interpreter.facts.links._ADDRESS": "a link's text, from its start",
    "interpreter.facts.text._SCHEME": "a link, from its start",
    "interpreter.facts.text._EMAIL": "from where the local part before an @ begins",
    "interpreter.facts.text._UNIT_AFTER": "just after a `<3`",
    "interpreter.facts.text._EMOTICON": "just before the marks an emoticon must have",
    "interpreter.facts.text._CODE_AFTER": "just after an amount",
    "interpreter.facts.text._CODE_BEFORE": "within the characters just before an amount",
    "interpreter.evaluation.sentences._LIST_ITEM": "just after a line break",
    "interpreter.evaluation.sentences._TOKEN_BEFORE": "the 20 characters before a full stop, reversed",
    "dsl.analysis.relations._IMAGE_SCHEME": "a witness image's src, from its start",
    "dsl.analysis.relations.ADDRESS": "a witness link's anchor text, from its start",
}


def _patterns() -> list[tuple[str, re.Pattern]]:
    """Every compiled pattern held at module level (alone, or in a list or tuple)."""
    out = []
    for package in ("interpreter", "dsl"):
        for info in pkgutil.walk_packages(importlib.import_module(package).__path__, package + "."):
            module = importlib.import_module(info.name)
            for name, value in vars(module).items():
                if isinstance(value, re.Pattern):
                    out.append((f"{info.name}.{name}", value))
                elif isinstance(value, (list, tuple)):
                    for i, item in enumerate(value):
                        item = item[0] if isinstance(item, tuple) and item else item
                        if isinstance(item, re.Pattern):
                            out.append((f"{info.name}.{name}[{i}]", item))
    return out


PATTERNS = _patterns()


def _reference() -> float:
    started = time.perf_counter()
    sum(1 for _ in re.finditer(r"\S+", TEXT))
    return time.perf_counter() - started


def _timed(work, limit: float) -> float | None:
    """Seconds `work()` took in a forked child; None when it was still running after `limit`."""
    context = multiprocessing.get_context("fork")
    queue = context.Queue()

    def child():
        started = time.perf_counter()
        work()
        queue.put(time.perf_counter() - started)

    process = context.Process(target=child)
    process.start()
    process.join(limit)
    if process.is_alive():
        process.kill()
        process.join()
        return None
    return queue.get(timeout=5) if process.exitcode == 0 else -1.0


@pytest.fixture(scope="module")
def budget() -> float:
    _reference()
    return max(1.5, 60 * min(_reference() for _ in range(3)))


def test_every_pattern_is_found():
    names = {name for name, _ in PATTERNS}
    assert len(names) > 40
    assert set(ANCHORED) <= names, set(ANCHORED) - names


@pytest.mark.parametrize("name,pattern", PATTERNS, ids=[name for name, _ in PATTERNS])
def test_a_pattern_runs_in_linear_time_on_a_megabyte_of_adversarial_text(name, pattern, budget):
    text = TEXT.encode("utf-8") if isinstance(pattern.pattern, bytes) else TEXT
    if name in ANCHORED:
        def work():
            for start in STARTS:
                pattern.match(text, start)
    else:
        def work():
            for _ in pattern.finditer(text):
                pass
    took = _timed(work, 10 * budget)
    assert took is not None, f"{name} ran for more than {10 * budget:.1f} s on 1 MB"
    assert 0 <= took < budget, f"{name} took {took:.2f} s on 1 MB (budget {budget:.2f} s)"


def _finders():
    from interpreter.evaluation.sentences import split
    from interpreter.facts.html import read_html
    from interpreter.facts.text import text_facts
    from interpreter.read.envelope import envelope_of

    text = TEXT
    markup = "<p>" + escape(text) + "</p>"
    attributes = "".join(f'<img width="{r * 200}" src="{r * 200}"><a href="{r * 200}">{r * 200}</a>'
                         f'<p style="margin:{r * 200}">x</p>' for r in RUNS)
    # YAML allows no control character: the runs end with `~` there.
    yaml_body = "marketplace: UK\nbody: |\n" + "".join("  " + line + "\n" for line in text.replace("\0", "~").split("\n"))
    return {
        "text finders": lambda: text_facts(text, "UK"),
        "sentences": lambda: split(text),
        "html text": lambda: read_html(markup),
        "html attributes": lambda: read_html(attributes),
        "json envelope": lambda: envelope_of(('{"marketplace": "UK", "body": ' + _json(text) + "}").encode(),
                                             ".json", "m.json", limit=10 * SIZE),
        "yaml envelope": lambda: envelope_of(yaml_body.encode(), ".yaml", "m.yaml", limit=10 * SIZE),
        "bundled policies": lambda: _judge(text),
    }


def _judge(text: str) -> None:
    """Every bundled policy on the text's facts: the phrase lists (`mentions`), the sentence
    finders and the policy regexes (RE2) of every rule."""
    from interpreter.evaluation.evaluate import evaluate
    from interpreter.facts.record import build_facts
    from permitted.store import default_store

    store = default_store()
    for versions in store.catalogue.versions.values():
        for version in versions:
            facts = build_facts({"message": {"text": text, "marketplace": version.marketplace}}, version.marketplace)
            evaluate(store.compiled(version.path).program, facts)


def _json(text: str) -> str:
    import json
    return json.dumps(text, ensure_ascii=False)


FINDERS = ["text finders", "sentences", "html text", "html attributes", "json envelope", "yaml envelope",
           "bundled policies"]


@pytest.mark.parametrize("finder", FINDERS)
def test_a_finder_runs_in_linear_time_on_a_megabyte_of_adversarial_text(finder, budget):
    """The finders call the patterns above from many positions: linear in total, or not at all."""
    work = _finders()[finder]
    limit = 12 * budget + 10
    took = _timed(work, 3 * limit)
    assert took is not None, f"{finder} ran for more than {3 * limit:.0f} s on 1 MB"
    assert 0 <= took < limit, f"{finder} took {took:.2f} s on 1 MB (budget {limit:.1f} s)"
