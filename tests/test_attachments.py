"""Why files are attached, read from the message: the fact message.attachment_purposes."""
from __future__ import annotations

import json

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dsl.contract.vocab import ATTACHMENT_PURPOSES
from interpreter.facts.attachments import attachment_purposes
from interpreter.facts.lexicon import NO_WORDS, Lexicon

from .conftest import ROOT, examples
from .policytext import bundled_policy

SCHEMA = json.loads((ROOT / "policies" / "facts.schema.json").read_text(encoding="utf-8"))
READING = jsonschema.Draft202012Validator({"$defs": SCHEMA["$defs"], "$ref": "#/$defs/attachment_purpose"})
PDF = "application/pdf"


def read(text: str, *files, subject: str | None = None) -> list[dict]:
    """attachment_purposes with the bundled UK policy's words, the span contract checked on every call."""
    attachments = [{"filename": f, "content_type": PDF} if isinstance(f, str) else f for f in files]
    found = attachment_purposes(attachments, text, subject, Lexicon.of(bundled_policy()))
    for item in found:
        READING.validate(item)
        if item["source"] == "text":
            assert text[item["start"]:item["end"]] == item["text"]
        else:
            assert "start" not in item and "end" not in item
    return found


def purposes(found: list[dict]) -> list[tuple[str, str, str]]:
    return [(r["filename"], r["purpose"], r["source"]) for r in found]


# --- the file's name ----------------------------------------------------------------------

NAMES = [
    ("VAT-invoice-WW-24-00073.pdf", "invoice"),
    ("Invoice_2024-0815.pdf", "invoice"),
    ("ReturnLabel_UPS.pdf", "return_label"),         # a change of case is a space
    ("return-label.pdf", "return_label"),            # the longer name wins over "label"
    ("shipping_label_2.pdf", "shipping_label"),
    ("engraving-proof.png", "custom_design"),
    ("proof-of-postage.pdf", "shipping_label"),      # not a design proof
    ("Warranty-Card.pdf", "warranty"),
    ("assembly_instructions_v3.pdf", "instructions"),
    ("facture-FA1234.pdf", "invoice"),
    ("Rechnung_2024_117.pdf", "invoice"),
    ("Rücksendeetikett-22.pdf", "return_label"),
    ("factura_0042.pdf", "invoice"),
    ("etichetta-di-reso.pdf", "return_label"),
    ("請求書_12345.pdf", "invoice"),
    ("返品ラベル.pdf", "return_label"),                # not the shipping label inside it
    ("فاتورة-1234.pdf", "invoice"),
]


@pytest.mark.parametrize("filename,purpose", NAMES, ids=[n for n, _ in NAMES])
def test_the_name_of_a_file_says_what_it_is(filename, purpose):
    assert purposes(read("Hello.", filename)) == [(filename, purpose, "file_name")]


@pytest.mark.parametrize("filename", ["scan_0042.pdf", "IMG_2231.jpg", "document.pdf", "autumn-catalogue.pdf",
                                      "brochure.pdf", "voucher.pdf", "labelled-photo.jpg", "invoiced.pdf"])
def test_a_name_that_names_no_needed_document_says_nothing(filename):
    assert read("Hello.", filename) == []


# --- the words that introduce it ----------------------------------------------------------

INTRODUCED = [
    ("Please find your invoice attached.", "invoice"),
    ("Attached is the return label for the lamp.", "return_label"),
    ("I have attached the assembly instructions as a PDF.", "instructions"),
    ("Please find enclosed the warranty certificate for your blender.", "warranty"),
    ("Vous trouverez ci-joint votre facture.", "invoice"),
    ("Im Anhang finden Sie die Bedienungsanleitung.", "instructions"),
    ("Le adjuntamos la etiqueta de devolución.", "return_label"),
    ("In allegato trova la fattura del suo ordine.", "invoice"),
    ("Segue em anexo a nota fiscal do seu pedido.", "invoice"),
    ("In de bijlage vindt u de factuur.", "invoice"),
    ("ご注文の領収書を添付いたしました。", "invoice"),
    ("مرفق لكم دليل المستخدم الخاص بالخلاط.", "instructions"),
]


@pytest.mark.parametrize("text,purpose", INTRODUCED, ids=[t[:30] for t, _ in INTRODUCED])
def test_the_sentence_that_introduces_a_file_says_what_it_is(text, purpose):
    assert purposes(read(text, "scan_0042.pdf")) == [("scan_0042.pdf", purpose, "text")]


@pytest.mark.parametrize("text", [
    "Your invoice will follow by post. Attached is a photo of the packed parcel.",    # another sentence
    "Your invoice is available under Your Orders on Amazon.",                         # nothing is attached
    "Please find our spring catalogue attached.",                                     # no needed document
    "Please notice that the attached file is our price list.",                        # "notice" is French only
])
def test_near_misses_of_an_introduction(text):
    assert read(text, "scan_0042.pdf") == []


def test_the_subject_line_introduces_too():
    found = read("Hello Sam, see the file.", "scan_0042.pdf", subject="Invoice attached")
    assert purposes(found) == [("scan_0042.pdf", "invoice", "subject")]
    assert read("Hello Sam.", "scan_0042.pdf", subject="Your invoice") == []


def test_words_go_to_the_files_whose_name_says_nothing():
    found = read("Attached are your invoice and the return label.", "return-label.pdf", "doc_2.pdf")
    assert purposes(found) == [("return-label.pdf", "return_label", "file_name"),
                               ("doc_2.pdf", "invoice", "text"), ("doc_2.pdf", "return_label", "text")]


# --- the file's type ------------------------------------------------------------------------

@pytest.mark.parametrize("content_type,filename,read_as", [
    ("application/pdf", "invoice.pdf", True),
    ("image/jpeg", "invoice.jpg", True),
    ("application/PDF; name=invoice.pdf", "invoice.pdf", True),     # parameters and case
    ("application/octet-stream", "invoice.pdf", True),              # generic: typed by its extension
    ("application/octet-stream", "invoice.exe", False),
    ("", "invoice.pdf", True),
    ("text/html", "invoice.html", False),                           # a web page is no document
    ("application/zip", "invoice.zip", False),
])
def test_only_documents_are_read(content_type, filename, read_as):
    found = read("Your invoice is attached.", {"filename": filename, "content_type": content_type})
    assert bool(found) is read_as


def test_without_attachments_or_words_nothing_is_read():
    assert read("Your invoice is attached.") == []
    assert attachment_purposes([{"filename": "invoice.pdf", "content_type": PDF}], "Your invoice is attached.",
                               None, NO_WORDS) == []


def test_every_attachment_purpose_but_other_has_its_words():
    enum = SCHEMA["$defs"]["attachment"]["properties"]["purpose"]["enum"]
    assert set(ATTACHMENT_PURPOSES) == set(enum) - {"other"}
    policy = bundled_policy()
    for vocab in ATTACHMENT_PURPOSES.values():
        languages = set(policy.vocab[vocab.name])
        assert {"en", "fr", "de", "es", "it", "ja", "ar"} <= languages, vocab.name


@settings(max_examples=examples(100), deadline=None)
@given(text=st.text(max_size=120) | st.lists(st.sampled_from(
           ["attached", "invoice", "label", "return label", ".", "\n", "添付", "請求書", "مرفق", "فاتورة", "ci-joint",
            "facture", " "])).map(" ".join),
       names=st.lists(st.text(max_size=20), max_size=3), subject=st.none() | st.text(max_size=30))
def test_any_message_gives_valid_readings(text, names, subject):
    found = read(text, *names, subject=subject)
    assert {r["filename"] for r in found} <= set(names)
