"""Normalisation throughput: HTML messages of about 1, 5 and 50 KB, next to the bare HTML parse.

    .venv/bin/python bench/normalisation.py [--runs R] [--out DIR]

For each size, a fixed set of generated HTML messages (seeded: greeting, paragraphs with order
ids, links, phone numbers, emoji, styled blocks, images, a signature table) is normalised in
one process on one core, best of R passes, and the same messages are parsed by
BeautifulSoup(html, "lxml") alone in the same run: the cost of turning a message into facts is
read against the cost of merely parsing it. Stages are timed apart to show where time goes:
HTML reading (parse + walk + styling), text facts, language and spelling, and building the
facts record (defaults + schema validation). Results: bench/results/normalisation.md and .json.
"""
from __future__ import annotations

import datetime as dt
import gc
import json
import platform
import random
import sys
import time
from pathlib import Path

from bs4 import BeautifulSoup

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from interpreter.facts.record import build_facts  # noqa: E402
from machine import pin_to_one_core, run_options               # noqa: E402
from dsl.compiler import compile_text  # noqa: E402
from interpreter.facts.html import read_html  # noqa: E402
from interpreter.facts.language import detect_language, spelling  # noqa: E402
from interpreter.facts.normalise import message_record, normalise  # noqa: E402
from interpreter.facts.text import text_facts  # noqa: E402

SEED = 20201106
SIZES = {"1 KB": 1_000, "5 KB": 5_000, "50 KB": 50_000}
COUNTS = {"1 KB": 400, "5 KB": 120, "50 KB": 16}

SENTENCES = [
    "Thank you for your order {oid}; it was dispatched this morning.",
    "Your parcel is with the carrier, tracking at <a href='https://track.example.com/{n}'>the carrier's tracking page</a>.",
    "If anything arrived damaged, call our warranty line on 020 7946 {p} and we will help.",
    "Please confirm the engraving text for your custom design: &ldquo;Anna &amp; Tom&rdquo;.",
    "We attached the invoice as a PDF; the total was &pound;{price}.",
    "Could you let us know a convenient delivery slot for the sofa? :)",
    "The replacement part ships from our warehouse within two working days 👍",
    "Visit https://www.amazon.co.uk/gp/your-account/order-history to see the order.",
    "Any questions about the return can go through Buyer-Seller Messaging.",
    "<span style='color:#333;font-family:Arial'>We appreciate your patience with this delay.</span>",
]


def message(rng: random.Random, size: int) -> str:
    parts = ["<html><head><style>p {margin: 0 0 12px 0}</style></head>",
             "<body style='margin:0 10%'><table width='100%'><tr><td>",
             "<img src='https://m.media-amazon.com/images/logo.png' alt='Shop logo' width='120'>",
             "</td></tr></table><p>Dear customer,</p>"]
    while sum(map(len, parts)) < size - 200:
        sentences = [rng.choice(SENTENCES).format(oid=f"{rng.randrange(100, 999)}-{rng.randrange(10**6, 10**7)}-"
                                                       f"{rng.randrange(10**6, 10**7)}",
                                                   n=rng.randrange(10**5), p=rng.randrange(1000, 9999),
                                                   price=f"{rng.randrange(5, 500)}.{rng.randrange(10, 99)}")
                     for _ in range(rng.randrange(2, 5))]
        parts.append("<p>" + " ".join(sentences) + "</p>")
    parts.append("<p>Kind regards,<br>The Shop team</p></body></html>")
    return "".join(parts)


# A policy whose rules read no costly fact: what normalising costs when language and spelling are not needed.
_CHEAP = compile_text("policy: bench\nmarketplace: UK\neffective: 2020-11-06\nsource: bench\nrules:\n"
                      "  - {id: r, title: t, severity: block, clause: c, when: 'count(message.emoji) > 0'}\n")


def best(fn, items, runs: int) -> float:
    """Seconds per item, best of `runs` passes (after one untimed pass)."""
    for item in items:
        fn(item)
    times = []
    for _ in range(runs):
        gc.collect()
        start = time.perf_counter()
        for item in items:
            fn(item)
        times.append(time.perf_counter() - start)
    return min(times) / len(items)


def stages(htmls: list[str], runs: int) -> dict[str, float]:
    texts = [read_html(h).text for h in htmls]
    records = [message_record({"html": h}, "UK", wants=frozenset()) for h in htmls]   # as normalise builds them
    return {
        "bare parse: BeautifulSoup(html, 'lxml')": best(lambda h: BeautifulSoup(h, "lxml"), htmls, runs),
        "read_html (parse + walk + links, images, styling)": best(read_html, htmls, runs),
        "text_facts (ids, placeholders, URLs, e-mail, phones, emoji)": best(lambda t: text_facts(t, "UK"), texts, runs),
        "language + spelling": best(lambda t: (lambda lang: lang and spelling(t, lang))(detect_language(t)), texts, runs),
        "build_facts with schema validation (normalise skips it)": best(lambda r: build_facts(r, "UK"), records, runs),
        "normalise without language/spelling": best(lambda h: normalise({"html": h}, "UK", policy=_CHEAP), htmls, runs),
        "normalise, all facts": best(lambda h: normalise({"html": h}, "UK"), htmls, runs),
    }


def main(argv=None) -> int:
    args = run_options(__doc__, argv)
    pin_to_one_core()
    rng = random.Random(SEED)
    results = {}
    for label, size in SIZES.items():
        htmls = [message(rng, size) for _ in range(COUNTS[label])]
        mean = sum(map(len, htmls)) / len(htmls)
        timings = stages(htmls, args.runs)
        results[label] = {"messages": len(htmls), "mean_bytes": round(mean), "seconds_per_message": timings}
        print(f"{label}: {len(htmls)} messages of {mean:,.0f} bytes", file=sys.stderr)
        for name, secs in timings.items():
            print(f"  {name:62} {secs * 1e3:9.3f} ms", file=sys.stderr)
    write(results, args)
    return 0


def write(results: dict, args) -> None:
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    (args.out / "normalisation.json").write_text(json.dumps({"when": stamp, "python": platform.python_version(),
                                                             "results": results}, indent=2) + "\n")
    names = list(next(iter(results.values()))["seconds_per_message"])
    lines = ["# Normalisation benchmark", "",
             f"`.venv/bin/python bench/normalisation.py` — {stamp}, Python {platform.python_version()}, one core, "
             f"best of {args.runs} passes. Milliseconds per message; the last columns divide by the bare parse.", "",
             "| stage | " + " | ".join(f"{k} ({v['messages']} msgs, {v['mean_bytes']:,} B)" for k, v in results.items())
             + " | " + " | ".join(f"÷ parse, {k}" for k in results) + " |",
             "|---|" + "---:|" * (2 * len(results))]
    for name in names:
        ms = [v["seconds_per_message"][name] * 1e3 for v in results.values()]
        ratio = [v["seconds_per_message"][name] / v["seconds_per_message"][names[0]] for v in results.values()]
        lines.append(f"| {name} | " + " | ".join(f"{x:.3f}" for x in ms) + " | "
                     + " | ".join(f"{r:.2f}" for r in ratio) + " |")
    (args.out / "normalisation.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    sys.exit(main())
