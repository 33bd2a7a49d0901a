"""The windowed walk of py3langid's automaton (interpreter.facts.langid_walk) gives py3langid's
own answers, score for score: the language a message is read in must not depend on which walk ran."""
from __future__ import annotations

import random

import pytest

py3langid = pytest.importorskip("py3langid.langid")

from interpreter.facts.langid_walk import WindowedIdentifier, forgetting_window  # noqa: E402


@pytest.fixture(scope="module")
def identifiers():
    plain = py3langid.LanguageIdentifier.from_model_file(py3langid.MODEL_FILE, norm_probs=True)
    windowed = WindowedIdentifier.from_model_file(py3langid.MODEL_FILE, norm_probs=True)
    windowed.window = forgetting_window(windowed.tk_nextmove, windowed.tk_row)
    return plain, windowed


def test_the_bundled_model_forgets_after_a_few_bytes(identifiers):
    _, windowed = identifiers
    assert windowed.window is not None and 1 <= windowed.window <= 12


TEXTS = ["", "a", "Thank you for your order.", "Ihre Bestellung wurde versandt.", "ご注文ありがとうございます。",
         "شكرا لطلبك", "Mixed: order 123-1234567-1234567 😀 café naïve Straße", "\x00\xff" * 40]


@pytest.mark.parametrize("text", TEXTS)
def test_the_windowed_walk_scores_as_py3langid(identifiers, text):
    plain, windowed = identifiers
    assert windowed.classify(text) == plain.classify(text)


def test_random_bytes_score_alike(identifiers):
    # Random bytes and scripts reach states a prose text never does.
    plain, windowed = identifiers
    rng = random.Random(5)
    alphabet = "abcdefghijklmnopqrstuvwxyz ,.éßçñ日本語עבריתالعربية😀\n\t0123456789"
    for _ in range(300):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 300)))
        assert windowed.classify(text) == plain.classify(text), text


def test_the_model_kept_in_the_cache_scores_as_py3langid(tmp_path, monkeypatch):
    # The kept model (interpreter.facts.language) holds the scores widened to float32 and is
    # memory-mapped: the same numbers as py3langid's own, restricted to the same languages.
    from interpreter.facts import language

    monkeypatch.setenv("PERMITTED_CACHE_DIR", str(tmp_path))
    plain = py3langid.LanguageIdentifier.from_model_file(py3langid.MODEL_FILE, norm_probs=True)
    plain.set_languages(list(language._LANGUAGES))
    unpacked = language._identifier.__wrapped__()        # unpacks, keeps, reads the kept files back
    assert list(tmp_path.glob("langid-*"))
    read_again = language._identifier.__wrapped__()
    rng = random.Random(7)
    words = ["order", "Bestellung", "commande", "pedido", "ordine", "طلب", "注文", "thank", "you", "merci", "danke"]
    texts = TEXTS + [" ".join(rng.choice(words) for _ in range(rng.randint(1, 60))) for _ in range(100)]
    for identifier in (unpacked, read_again):
        assert identifier.nb_ptc.dtype.name == "float32"
        assert [identifier.classify(t) for t in texts] == [plain.classify(t) for t in texts]
