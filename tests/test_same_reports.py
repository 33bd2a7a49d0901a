"""The fast paths give the same reports as the reference paths (dsl.contract.reference).

A fixed corpus — the bundled example messages, and messages generated here from the phrase lists
of the bundled policies, each phrase written the ways sellers write it (capitals, curly
apostrophes, doubled spaces, glued to a neighbouring word, accented, fullwidth, inside Japanese
or Arabic running text, with tatweel), as plain text, HTML and e-mail — is judged twice, in two
fresh processes: once as shipped, once with PERMITTED_REFERENCE=1. The JSON reports must be
identical, message for message. Both processes read the policies of this tree as they are now,
so the test holds while the policies change.
"""
from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "messages"
SEED = 14

# Judges every message of a corpus file and prints one JSON report (or error) per line.
_JUDGE = """
import json, sys
from pathlib import Path
from dsl.contract.errors import Problem
from permitted import check

def judged(item):
    try:
        if "path" in item:
            return check(Path(item["path"]), item.get("marketplace")).to_json()
        return check(item["envelope"]).to_json()
    except Problem as problem:
        return {"error": [d.to_json() for d in problem.diagnostics]}

for item in json.loads(Path(sys.argv[1]).read_text()):
    print(json.dumps(judged(item), sort_keys=True, ensure_ascii=False))
"""

FILLER = {
    "en": ["Thank you for your order 203-5521984-0736215.", "Your parcel is on its way.",
           "We’re sorry about the delay.", "Kind regards,\nThe Shop"],
    "ar": ["شكراً لطلبك رقم 405-2218874-6630921.", "نعتذر عن التأخير في الشحن.", "مع أطيب التحيات"],
    "ja": ["ご注文ありがとうございます。", "商品は本日発送いたしました。", "よろしくお願いいたします。"],
}
_FULLWIDTH = {c: chr(ord(c) + 0xFEE0) for c in map(chr, range(0x21, 0x7F))}
_ACCENT = {"e": "é", "a": "á", "o": "ö", "u": "ü", "i": "ï"}


def variants(phrase: str, rng: random.Random) -> list[str]:
    """The phrase as sellers write it, and near misses that must not match (glued to a word)."""
    out = [phrase, phrase.upper(), phrase.title(), phrase.replace("'", "’"), phrase.replace(" ", "  "),
           phrase.replace(" ", "\n"), "x" + phrase, phrase + "s", "«" + phrase + "»", phrase + "'s",
           "".join(_FULLWIDTH.get(c, c) for c in phrase),
           "".join(_ACCENT.get(c, c) if rng.random() < 0.3 else c for c in phrase),
           "ـ".join(phrase) if any("\u0600" <= c <= "\u06ff" for c in phrase) else phrase + "\u00ad"]
    return out


def vocab_phrases() -> list[str]:
    from permitted import load_policy

    phrases: set[str] = set()
    for market in ("UK", "US", "SA"):
        policy = load_policy(market)
        for name in policy.vocab:
            phrases.update(p for p in policy.words(name) if isinstance(p, str))
    return sorted(phrases)


def generated(n: int) -> list[dict]:
    rng = random.Random(SEED)
    phrases = vocab_phrases()
    out = []
    for i in range(n):
        script = rng.choice(["en", "en", "ar", "ja"])
        pieces = [rng.choice(FILLER[script])]
        for _ in range(rng.randint(1, 6)):
            pieces.append(rng.choice(variants(rng.choice(phrases), rng)))
            pieces.append(rng.choice(FILLER[script]))
        glue = "" if script == "ja" else rng.choice([" ", "\n\n", " — "])
        text = glue.join(pieces)
        envelope = {"marketplace": rng.choice(["UK", "US", "SA"]), "sent_at": "2024-01-17",
                    "channel": rng.choice(["seller_central", "email", "api"]),
                    "direction": rng.choice(["proactive", "reply"]),
                    "reason": rng.choice(["order_fulfillment_issue", "review_request", "invoice", "unspecified"]),
                    "order": {"id": "203-5521984-0736215", "completed_at": "2024-01-10", "buyer_language":
                              {"en": "en-GB", "ar": "ar-SA", "ja": "ja-JP"}[script]}}
        if rng.random() < 0.5:
            envelope["subject"] = rng.choice(phrases)
        form = rng.choice(["plain", "html", "email"])
        if form == "html":
            envelope["html"] = "<html><body>" + "".join(f"<p style='margin:0 0 8px'>{p}</p>" for p in text.split(
                "\n\n")) + f"<a href='https://example.com/{i}'>{rng.choice(phrases)}</a></body></html>"
        else:
            envelope["body"] = text
        if form == "email":
            out.append({"email": envelope})
        else:
            out.append({"envelope": envelope})
    return out


def email_file(envelope: dict, path: Path) -> dict:
    subject = envelope.get("subject", "About your order")
    path.write_text(f"From: Shop <shop@example.co.uk>\nTo: buyer@marketplace.amazon.co.uk\nSubject: {subject}\n"
                    "Date: Wed, 17 Jan 2024 11:20:04 +0000\nMIME-Version: 1.0\n"
                    "Content-Type: text/plain; charset=\"utf-8\"\nContent-Transfer-Encoding: 8bit\n\n"
                    + envelope["body"] + "\n", encoding="utf-8")
    return {"path": str(path), "marketplace": envelope["marketplace"]}


# Envelopes the schema or the calendar refuses, and one the compiled envelope check refuses but
# jsonschema accepts (a date before a final newline): judged and worded as the reference does.
REFUSED = [{"marketplace": "XX", "body": "Thanks for your order."},
           {"marketplace": "UK", "body": "x", "html": "<p>x</p>"},
           {"marketplace": "UK", "body": "x", "sent_at": "2024-01-17\n"},
           {"marketplace": "UK", "body": "x", "sent_at": "2024-02-30"},
           {"marketplace": "UK", "body": "x", "order": {"completed_at": "2023-13-01", "status": "lost"}},
           {"marketplace": "UK", "body": "x", "history": {"review_requests_sent": -1}},
           {"marketplace": "UK", "body": "x", "attachments": [{"filename": "a.pdf"}], "extra": 1}]


def corpus(tmp: Path) -> list[dict]:
    items = [{"path": str(p), "marketplace": p.name.split("-")[0].upper()}
             for p in sorted(EXAMPLES.iterdir()) if p.suffix in (".yaml", ".json", ".eml")]
    items += [{"envelope": envelope} for envelope in REFUSED]
    for i, item in enumerate(generated(240)):
        items.append(email_file(item["email"], tmp / f"m{i}.eml") if "email" in item else item)
    return items


def judge_all(corpus_file: Path, reference: bool, cache: Path) -> list[str]:
    env = {**os.environ, "PERMITTED_CACHE_DIR": str(cache)}
    env.pop("PERMITTED_REFERENCE", None)
    if reference:
        env["PERMITTED_REFERENCE"] = "1"
    done = subprocess.run([sys.executable, "-c", _JUDGE, str(corpus_file)], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


@pytest.mark.slow
def test_fast_paths_give_the_reference_reports(tmp_path):
    items = corpus(tmp_path)
    corpus_file = tmp_path / "corpus.json"
    corpus_file.write_text(json.dumps(items, ensure_ascii=False))
    reference = judge_all(corpus_file, True, tmp_path / "cache")
    fast = judge_all(corpus_file, False, tmp_path / "cache")          # fills the policy cache
    again = judge_all(corpus_file, False, tmp_path / "cache")         # and reads it
    assert len(reference) == len(items)
    fired = sum(1 for line in reference if json.loads(line).get("violations"))
    assert fired > len(items) // 3, "too few reports with violations for the comparison to mean much"
    for item, want, got, cached in zip(items, reference, fast, again):
        assert got == want, f"{item}: fast path differs from the reference"
        assert cached == want, f"{item}: the cached policy differs from the reference"
