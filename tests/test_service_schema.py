"""The served OpenAPI document against the service itself: schemathesis generates requests for
every route from /openapi.json and checks that no answer is a 500 and every answer (status,
content type, body) is one the document describes. Bounded: a few examples per route.
"""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance, response_schema_conformance,
                                               status_code_conformance)

from permitted.service.app import create_app
from permitted.service.settings import Settings

from tests.served import Served

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    server = Served("--max-batch", "5", "--time-limit", "5", log=tmp_path_factory.mktemp("schema") / "serve.log")
    try:
        yield server.wait_ready()
    finally:
        server.stop()


# The document the app serves, built without a server so pytest can collect a test per route;
# the last test checks that the served one is the same. A reload compiles every policy (seconds
# each time): it is tested on its own in test_service.
DOCUMENT = create_app(Settings()).openapi()
schema = schemathesis.openapi.from_dict(DOCUMENT).exclude(path="/v1/admin/reload")


@schema.parametrize()
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_every_answer_is_described_by_the_document(case, served):
    case.call_and_validate(base_url=served.url, checks=CHECKS)


def test_the_document_describes_the_envelope_and_the_problems(served):
    import httpx
    document = httpx.get(served.url + "/openapi.json").json()
    assert document == DOCUMENT
    envelope = document["components"]["schemas"]["Envelope"]
    assert envelope["additionalProperties"] is False and "marketplace" in envelope["properties"]
    check = document["paths"]["/v1/check"]["post"]
    assert set(check["requestBody"]["content"]) == {"application/json", "text/plain", "text/html", "message/rfc822"}
    assert {"200", "400", "404", "413", "415", "422", "429", "500"} <= set(check["responses"])
    assert document["components"]["schemas"]["CheckResult"]["examples"]
