"""E-mail, mailbox, JSONL and SP-API inputs: each becomes an envelope, or a named error row."""
from __future__ import annotations

import json
from email.message import EmailMessage

import pytest

from dsl.contract.errors import InputError
from interpreter.facts.normalise import normalise
from interpreter.read.envelope import iter_envelopes, read_message
from interpreter.read.spapi import api_envelope


def email_bytes(*, html=None, text="Hello", charset="utf-8", attachment=None, subject="Your order",
                date="Fri, 20 Nov 2020 10:15:00 +0000", cte=None) -> bytes:
    m = EmailMessage()
    m["From"] = "seller@shop.example"
    m["To"] = "buyer@marketplace.example"
    m["Subject"] = subject
    if date:
        m["Date"] = date
    m.set_content(text, charset=charset, cte=cte)
    if html is not None:
        m.add_alternative(html, subtype="html")
    if attachment is not None:
        name, data, mime = attachment
        maintype, subtype = mime.split("/")
        m.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return m.as_bytes()


def test_multipart_email_prefers_html_and_lists_attachments(tmp_path):
    path = tmp_path / "m.eml"
    path.write_bytes(email_bytes(html="<p>Your invoice for 123-1234567-1234567 is attached.</p>",
                                 attachment=("invoice.pdf", b"%PDF-1.4 " + b"x" * 1000, "application/pdf")))
    envelope = read_message(path, {"marketplace": "UK"})
    assert envelope["channel"] == "email" and envelope["subject"] == "Your order"
    assert envelope["sent_at"] == "2020-11-20T10:15:00+00:00"
    assert "html" in envelope and "body" not in envelope
    assert envelope["attachments"] == [{"filename": "invoice.pdf", "content_type": "application/pdf", "size": 1009}]
    facts = normalise(envelope).data
    assert facts["message"]["order_ids"][0]["text"] == "123-1234567-1234567"


def test_an_image_the_html_shows_is_no_attachment(tmp_path):
    # An HTML mail with its logo is multipart/related; every part but the HTML would be listed
    # as an attachment, though the logo is part of what the buyer sees.
    m = EmailMessage()
    m["From"], m["To"], m["Subject"] = "seller@shop.example", "buyer@marketplace.example", "Your order"
    m.set_content('<p><img src="cid:logo%40shop.example" alt="Shop"> Your lamp ships today.</p>', subtype="html")
    m.add_related(b"\x89PNG\r\n\x1a\n", maintype="image", subtype="png", cid="<logo@shop.example>", filename="logo.png")
    m.add_related(b"\x89PNG\r\n\x1a\n", maintype="image", subtype="png", cid="<photo@shop.example>",
                  filename="photo.png")                     # not shown by the HTML: a file attached
    path = tmp_path / "m.eml"
    path.write_bytes(m.as_bytes())
    envelope = read_message(path, {"marketplace": "UK"})
    assert [a["filename"] for a in envelope["attachments"]] == ["photo.png"]
    assert normalise(envelope).data["message"]["images"][0]["src"] == "cid:logo%40shop.example"


@pytest.mark.parametrize("charset,cte", [("iso-8859-1", "quoted-printable"), ("utf-8", "base64"), ("utf-8", "8bit")])
def test_charsets_and_transfer_encodings(tmp_path, charset, cte):
    path = tmp_path / "m.eml"
    path.write_bytes(email_bytes(text="Café crème, thank you", charset=charset, cte=cte))
    assert read_message(path, {})["body"].strip() == "Café crème, thank you"


def test_unknown_charset_is_read_best_effort(tmp_path):
    raw = (b"From: a@b.example\r\nSubject: x\r\nContent-Type: text/plain; charset=x-klingon\r\n\r\n"
           b"Hello \xe9 there\r\n")
    path = tmp_path / "m.eml"
    path.write_bytes(raw)
    assert read_message(path, {})["body"].startswith("Hello \ufffd there")


def test_bytes_that_are_not_an_email(tmp_path):
    path = tmp_path / "m.eml"
    path.write_bytes(b"just some words\nwith no headers at all\n")
    with pytest.raises(InputError) as info:
        read_message(path, {})
    assert "not an e-mail message" in info.value.diagnostics[0].message


def test_mbox_gives_one_row_per_message_and_errors_as_rows(tmp_path):
    good = email_bytes(text="First")
    big = email_bytes(text="x" * 5000)
    mbox = b"".join(b"From seller@shop.example Fri Nov 20 10:15:00 2020\n" + m.replace(b"\r\n", b"\n") + b"\n"
                    for m in (good, big, email_bytes(text="Third")))
    path = tmp_path / "sent.mbox"
    path.write_bytes(mbox)
    rows = list(iter_envelopes(path, {"marketplace": "UK"}, limit=3000))
    assert [name.rsplit("#", 1)[1] for name, _ in rows] == ["1", "2", "3"]
    assert rows[0][1]["body"].strip() == "First"
    assert isinstance(rows[1][1], InputError) and "over the limit" in rows[1][1].diagnostics[0].message
    assert rows[2][1]["body"].strip() == "Third"


def test_jsonl_gives_one_row_per_line(tmp_path):
    path = tmp_path / "batch.jsonl"
    path.write_text('{"marketplace": "UK", "body": "one"}\n\n{"body": "two", "channel": "fax"}\n{"body": \n')
    rows = list(iter_envelopes(path, {}))
    assert [name for name, _ in rows] == [f"{path}:1", f"{path}:3", f"{path}:4"]
    assert rows[0][1]["body"] == "one"
    assert "channel: 'fax'" in rows[1][1].diagnostics[0].message
    assert "not a valid JSON envelope" in rows[2][1].diagnostics[0].message


def test_sp_api_request_body(tmp_path):
    path = tmp_path / "body.json"
    path.write_text(json.dumps({"text": "Please confirm the engraving: 'Anna'.",
                                "attachments": [{"uploadDestinationId": "abc", "fileName": "proof.png"}]}))
    envelope = read_message(path, {"marketplace": "US"}, api_operation="confirmCustomizationDetails")
    assert envelope["channel"] == "api" and envelope["api_message_type"] == "confirmCustomizationDetails"
    assert envelope["body"].startswith("Please confirm")
    assert envelope["attachments"] == [{"filename": "proof.png", "content_type": "image/png", "purpose": "custom_design"}]


@pytest.mark.parametrize("operation,body,message", [
    ("confirmCustomisationDetails", {"text": "x"}, "did you mean `confirmCustomizationDetails`?"),
    ("sendInvoice", {"text": "x"}, "`sendInvoice` does not take `text`"),
    ("sendInvoice", {"attachments": [{"uploadDestinationId": "a"}]}, "attachments[0] needs a `fileName`"),
])
def test_sp_api_mistakes_are_named(tmp_path, operation, body, message):
    path = tmp_path / "body.json"
    path.write_text(json.dumps(body))
    with pytest.raises(InputError) as info:
        read_message(path, {}, api_operation=operation)
    d = info.value.diagnostics[0]
    assert message in d.message or message in (d.help or "")


@pytest.mark.parametrize("name, operation", [
    ("engraving.confirmCustomizationDetails.json", "confirmCustomizationDetails"),
    ("march.sendInvoice.json", "sendInvoice"),
    ("v1.2.json", None),                       # a dotted name that is no operation: a JSON envelope
    ("notes.sendInvoice.txt", None),
])
def test_sp_api_operation_named_by_the_file(tmp_path, name, operation):
    body = {"text": "Hello, the proof for order 123-1234567-1234567 is attached."} if operation != "sendInvoice" \
        else {"attachments": [{"uploadDestinationId": "u1", "fileName": "invoice.pdf"}]}
    path = tmp_path / name
    path.write_text(json.dumps(body) if name.endswith(".json") and operation else
                    json.dumps({"body": "Hello."}) if name.endswith(".json") else "Hello.")
    envelope = read_message(path)
    assert envelope.get("api_message_type") == operation
    assert envelope.get("channel") == ("api" if operation else None)


@pytest.mark.parametrize("operation, body, reason", [
    ("confirmCustomizationDetails", {"text": "Is the spelling 'Anna' right?"}, "custom_design"),
    ("sendInvoice", {"attachments": [{"uploadDestinationId": "u1", "fileName": "invoice.pdf"}]}, "invoice"),
    ("createUnexpectedProblem", {"text": "The courier lost the parcel."}, "order_fulfillment_issue"),
    ("createConfirmServiceDetails", {"text": "The fitter comes on Monday."}, "home_services"),
    ("createConfirmOrderDetails", {"text": "Which colour did you mean?"}, "complete_order_info"),
    ("createConfirmDeliveryDetails", {"text": "Which day suits you?"}, "complete_order_info"),
    ("createWarranty", {"attachments": [{"uploadDestinationId": "u1", "fileName": "warranty.pdf"}]}, None),
])
def test_sp_api_operation_implies_the_contact_reason(tmp_path, operation, body, reason):
    path = tmp_path / f"body.{operation}.json"
    path.write_text(json.dumps(body))
    assert read_message(path, {}).get("reason") == reason


def test_a_given_reason_wins_over_the_implied_one():
    body = {"text": "Which day suits you?"}
    assert api_envelope("createConfirmDeliveryDetails", body, "x.json", {"reason": "bulky_delivery"}).get("reason") is None
    assert api_envelope("createConfirmDeliveryDetails", body, "x.json", {})["reason"] == "complete_order_info"


def test_implied_reasons_are_data_naming_known_operations_and_reasons():
    from dsl.contract.schema import load_schema
    from interpreter.read.spapi import OPERATIONS, implied_reasons

    reasons = load_schema().raw["properties"]["message"]["properties"]["reason"]["enum"]
    assert implied_reasons() and set(implied_reasons()) <= set(OPERATIONS)
    assert set(implied_reasons().values()) <= set(reasons)
