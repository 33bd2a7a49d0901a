"""`permitted serve` over HTTP: a real server in a subprocess on a loopback port, called with httpx.

Two servers start together for the module: `gate`, with a token file, a decision log with
evidence, small limits and a copy of the policy tree the reload tests edit; and `open_`, two
workers, no token, one pending request per worker.
"""
from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from permitted import check as check_in_process

from tests.processes import children
from tests.served import ROOT, Served

TOKEN = "s3cret-token-for-tests"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
EMOJI = {"marketplace": "UK", "body": "Thanks for your order 123-1234567-1234567 :)"}


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("service")
    tree = tmp / "policies"
    shutil.copytree(ROOT / "policies", tree)
    (tmp / "tokens").write_text(f"# one token a line\n{TOKEN}\nanother-token\n")
    gate = Served("--policy-dir", str(tree), "--token-file", str(tmp / "tokens"),
                  "--decision-log", str(tmp / "decisions.jsonl"), "--log-evidence",
                  "--max-body", "400000", "--max-batch", "3", "--time-limit", "1", log=tmp / "gate.log")
    open_ = Served("--workers", "2", "--max-pending", "1", log=tmp / "open.log")
    try:
        yield gate.wait_ready(), open_.wait_ready(), tmp
    finally:
        gate.stop()
        open_.stop()


@pytest.fixture(scope="module")
def gate(servers):
    return servers[0]


@pytest.fixture(scope="module")
def client(gate):
    with httpx.Client(base_url=gate.url, headers=AUTH, timeout=30) as c:
        yield c


def _no_traceback(response: httpx.Response) -> None:
    assert "Traceback" not in response.text and 'File "' not in response.text


def _problem(response: httpx.Response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    _no_traceback(response)
    body = response.json()
    assert body["status"] == status and body["code"] == code and body["type"].endswith("/" + code)
    assert body["errors"][0]["code"] == code and body["detail"]
    return body


def test_health_and_readiness_need_no_token(gate):
    assert httpx.get(gate.url + "/healthz").json() == {"status": "ok"}
    ready = httpx.get(gate.url + "/readyz").json()
    assert ready["status"] == "ready" and "uk@2020-11-06" in ready["policies"] and ready["last_reload"]["ok"]


@pytest.mark.parametrize("method,path", [("GET", "/v1/policies"), ("POST", "/v1/check"), ("GET", "/metrics"),
                                         ("GET", "/openapi.json"), ("POST", "/v1/admin/reload"),
                                         ("POST", "/v1/facts"), ("POST", "/v1/policy/test"),
                                         ("GET", "/v1/policies/uk@2020-11-06/text")])
def test_every_other_route_needs_a_token(gate, method, path):
    missing = httpx.request(method, gate.url + path)
    assert _problem(missing, 401, "U101") and missing.headers["www-authenticate"].startswith("Bearer")
    wrong = httpx.request(method, gate.url + path, headers={"Authorization": "Bearer " + TOKEN[:-1] + "x"})
    _problem(wrong, 401, "U101")


def test_the_web_page_opens_without_a_token(gate):
    # The page's files hold no data; what it asks the service for needs the token.
    for path in ("/", "/static/app.js", "/static/app.css"):
        assert httpx.get(gate.url + path).status_code == 200
    assert httpx.post(gate.url + "/v1/check", content="Hi", headers={"content-type": "text/plain"}).status_code == 401


def test_the_second_token_of_the_file_works_too(gate):
    assert httpx.get(gate.url + "/v1/policies", headers={"Authorization": "Bearer another-token"}).status_code == 200


def test_check_answers_the_report_contract_with_decision_policy_hash_and_engine(client):
    response = client.post("/v1/check", json=EMOJI)
    assert response.status_code == 200
    body = response.json()
    expected = check_in_process(EMOJI["body"], "UK").to_json()
    for key in ("verdict", "marketplace", "violations", "undetermined"):
        assert body[key] == expected[key]
    assert body["verdict"] == "blocked" and body["source"] == "request"
    assert body["policy"]["id"] == "uk@2020-11-06" and body["policy"]["hash"].startswith("sha256:")
    assert body["engine"]["name"] == "permitted" and body["engine"]["version"]
    assert len(body["decision_id"]) == 36
    assert client.post("/v1/check", json=EMOJI).json()["decision_id"] != body["decision_id"]


def test_a_request_without_a_query_is_answered_as_one_with_every_parameter_at_its_default(client):
    # Without a query string the route skips reading its parameters; the answer must be the one
    # the parameters at their defaults give, and a query still goes the usual way.
    def answer(**params) -> dict:
        body = client.post("/v1/check", json=EMOJI, params=params).json()
        return {k: v for k, v in body.items() if k != "decision_id"}

    plain = answer()
    assert plain == answer(display="false") == answer(selection_of_nothing="")
    assert "display" not in plain and "display" in answer(display="true")
    batch = client.post("/v1/check/batch", json={"messages": [EMOJI]}).json()["results"][0]
    assert {k: v for k, v in batch.items() if k not in ("decision_id", "source")} == \
        {k: v for k, v in plain.items() if k != "source"}
    _problem(client.post("/v1/check", json=EMOJI, params={"review_requests_sent": "-1"}), 400, "U100")


def test_a_raw_body_takes_its_envelope_from_the_query(client):
    text = client.post("/v1/check", params={"marketplace": "us", "reason": "review_request"},
                       content="Please leave us a 5 star review!", headers={"Content-Type": "text/plain"}).json()
    assert text["marketplace"] == "US" and "review.no-asking-for-positive" in [v["rule"] for v in text["violations"]]
    html = client.post("/v1/check", params={"marketplace": "UK"}, content="<p>Hello <b>there</b> 😊</p>",
                       headers={"Content-Type": "text/html; charset=utf-8"}).json()
    assert "styling.no-emoji" in [v["rule"] for v in html["violations"]]
    mail = (b"From: shop@example.com\r\nTo: buyer@marketplace.amazon.co.uk\r\nSubject: Your order\r\n"
            b"Content-Type: text/plain; charset=utf-8\r\n\r\nCall us on 020 7946 0958 :)\r\n")
    eml = client.post("/v1/check", params={"marketplace": "UK"}, content=mail,
                      headers={"Content-Type": "message/rfc822"}).json()
    assert "styling.no-emoji" in [v["rule"] for v in eml["violations"]]


def test_a_policy_id_and_a_day_choose_the_version(client):
    old = client.post("/v1/check", params={"policy": "us@2018-10-12"}, json={"body": "Hello"}).json()
    assert old["policy"]["id"] == "us@2018-10-12"
    dated = client.post("/v1/check", params={"as_of": "2019-06-01"}, json={"marketplace": "US", "body": "Hello"}).json()
    assert dated["policy"]["id"] == "us@2018-10-12"


def test_problems_carry_the_code_and_the_status(client):
    _problem(client.post("/v1/check", json={"marketplace": "UK", "channel": "fax", "body": "x"}), 422, "I100")
    _problem(client.post("/v1/check", content=b'{"body": ', headers={"Content-Type": "application/json"}), 400, "I101")
    _problem(client.post("/v1/check", content=b"\xff\xfe\xfa", headers={"Content-Type": "text/plain"},
                         params={"marketplace": "UK"}), 400, "I101")
    _problem(client.post("/v1/check", content=b"x", headers={"Content-Type": "application/pdf"}), 415, "I104")
    _problem(client.post("/v1/check", json={"body": "x"}), 422, "I100")                 # no marketplace
    _problem(client.post("/v1/check", params={"policy": "uk@1999-01-01"}, json=EMOJI), 404, "P700")
    _problem(client.post("/v1/check", params={"as_of": "2001-01-01"}, json=EMOJI), 404, "P700")
    _problem(client.post("/v1/check", params={"review_requests_sent": "many"}, json=EMOJI), 400, "U100")
    _problem(client.get("/v1/nothing-here"), 404, "U102")
    _problem(client.delete("/v1/check"), 405, "U103")
    big = client.post("/v1/check", params={"marketplace": "UK"}, content=b"a" * 500_000,
                      headers={"Content-Type": "text/plain"})
    _problem(big, 413, "I103")


def test_the_time_limit_answers_503_and_the_service_goes_on(tmp_path):
    """A server of its own, with a limit a tenth of what the message takes here: with the gate's
    limit of 1 s, the message was answered 200 on a faster machine."""
    hurried = Served("--time-limit", "0.1", log=tmp_path / "hurried.log").wait_ready()
    try:
        with httpx.Client(base_url=hurried.url, timeout=30) as client:
            slow = " ".join(["Thanks for your order, see https://example.com/a and call 020 7946 0958 :)"] * 4000)
            _problem(client.post("/v1/check", params={"marketplace": "UK"}, content=slow[:390_000],
                                 headers={"Content-Type": "text/plain"}), 503, "I192")
            assert client.get("/healthz").status_code == 200       # while the abandoned judgement runs on
            # The abandoned judgement still holds the interpreter for a while: the next message may
            # be over the limit too, and is answered once it is done.
            deadline = time.monotonic() + 60
            while (answer := client.post("/v1/check", json=EMOJI)).status_code == 503 and time.monotonic() < deadline:
                _problem(answer, 503, "I192")
                time.sleep(0.2)
            assert answer.status_code == 200 and answer.json()["verdict"] == "blocked", answer.text
    finally:
        hurried.stop()


def test_a_batch_answers_in_order_and_one_bad_message_fails_alone(client):
    body = {"messages": [EMOJI, {"marketplace": "UK", "channel": "fax", "body": "x"}, {"body": "Hello"}]}
    results = client.post("/v1/check/batch", params={"marketplace": "US"}, json=body).json()["results"]
    assert [r["source"] for r in results] == ["messages[0]", "messages[1]", "messages[2]"]
    assert results[0]["verdict"] == "blocked" and results[0]["marketplace"] == "UK"
    assert results[1]["verdict"] == "error" and results[1]["code"] == "I100" and results[1]["status"] == 422
    assert results[2]["marketplace"] == "US"                 # the query fills in what an envelope leaves out
    _problem(client.post("/v1/check/batch", json={"messages": [EMOJI] * 4}), 413, "I105")
    _problem(client.post("/v1/check/batch", json=[EMOJI]), 422, "I100")


def test_policies_rules_and_lint(client):
    listed = client.get("/v1/policies").json()
    ids = [p["id"] for p in listed["policies"]]
    assert {"uk@2020-11-06", "us@2018-10-12", "us@2020-11-03", "sa@2020-01-01"} <= set(ids)
    assert [p["in_force"] for p in listed["policies"] if p["marketplace"] == "US"] == [False, True]
    uk = client.get("/v1/policies/uk@2020-11-06").json()
    emoji = next(r for r in uk["rules"] if r["id"] == "styling.no-emoji")
    assert emoji["severity"] == "block" and emoji["title"] and emoji["clause"] and uk["extends"]
    rule = client.get("/v1/rules/styling.no-emoji", params={"marketplace": "UK"}).json()
    assert rule["condition"] == "count(message.emoji) > 0" and rule["reads"][0]["fact"] == "message.emoji"
    assert rule["examples"] and rule["policy"] == "uk@2020-11-06"
    assert "did you mean `styling.no-emoji`" in _problem(client.get("/v1/rules/styling.no-emoj"), 404, "U102")["errors"][0]["help"]
    policy = ("policy: buyer-messaging\nmarketplace: UK\neffective: 2021-01-01\nsource: x\nrules:\n"
              "  - id: a.b\n    title: T\n    severity: block\n    clause: c\n    when: count(message.emoj) > 0\n")
    linted = client.post("/v1/lint", params={"file": "uk/draft.yaml"}, content=policy,
                         headers={"Content-Type": "application/yaml"}).json()
    assert linted["ok"] is False
    d = linted["diagnostics"][0]
    assert (d["code"], d["line"], d["column"]) == ("P400", 10, 17) and "message.emoji" in d["help"]
    fixed = client.post("/v1/lint", content=policy.replace("emoj)", "emoji)"), headers={"Content-Type": "text/yaml"}).json()
    assert fixed["ok"] is True and fixed["rules"] == 1
    _problem(client.post("/v1/lint", params={"file": "../../etc/x.yaml"}, content=policy,
                         headers={"Content-Type": "text/yaml"}), 400, "U100")


def test_concurrent_requests_each_get_their_own_answer(client, gate):
    async def many():
        async with httpx.AsyncClient(base_url=gate.url, headers=AUTH, timeout=30) as c:
            # Sixteen at once, each well within the gate's 1 s time limit even on a loaded machine.
            bodies = [{"marketplace": "UK", "body": f"Order {i}: thanks :)" if i % 2 else f"Order {i} shipped."}
                      for i in range(16)]
            return await asyncio.gather(*(c.post("/v1/check", json=b) for b in bodies))

    answers = asyncio.run(many())
    assert [a.status_code for a in answers] == [200] * 16
    assert [("styling.no-emoji" in [v["rule"] for v in a.json()["violations"]]) for a in answers] == \
           [bool(i % 2) for i in range(16)]
    assert len({a.json()["decision_id"] for a in answers}) == 16


def test_metrics_count_requests_latency_verdicts_rules_and_errors(client):
    client.post("/v1/check", json=EMOJI)
    client.post("/v1/check", json={"marketplace": "UK", "channel": "fax", "body": "x"})
    text = client.get("/metrics").text
    assert 'permitted_requests_total{method="POST",route="/v1/check",status="200"}' in text
    assert 'permitted_request_seconds_bucket{le="0.02",route="/v1/check"}' in text
    assert 'permitted_verdicts_total{verdict="blocked"}' in text
    assert 'permitted_rule_verdicts_total{outcome="block",rule="styling.no-emoji"}' in text
    assert 'permitted_errors_total{code="I100"}' in text


def test_the_decision_log_keeps_decisions_not_messages(client, servers):
    secret = "My private note 55 Baker Street :)"
    decided = client.post("/v1/check", json={"marketplace": "UK", "body": secret}).json()
    lines = [json.loads(line) for line in (servers[2] / "decisions.jsonl").read_text().splitlines()]
    line = next(x for x in lines if x["decision_id"] == decided["decision_id"])
    assert line["policy"] == {"id": "uk@2020-11-06", "hash": decided["policy"]["hash"]}
    assert line["verdict"] == "blocked" and "styling.no-emoji" in line["rules"] and line["time"]
    assert line["message_sha256"].startswith("sha256:")
    assert "Baker" not in json.dumps(line)                         # the text is not kept …
    assert {"rule": "styling.no-emoji", "fact": "message.emoji", "text": ":)", "start": 32, "end": 34} in line["evidence"]


def _wait(predicate, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_reload_swaps_a_good_policy_in_and_keeps_serving_through_a_broken_one(client, gate, servers):
    uk = servers[2] / "policies" / "uk" / "2020-11-06.yaml"
    original = uk.read_text(encoding="utf-8")
    before = client.get("/v1/policies/uk@2020-11-06").json()["hash"]
    try:
        uk.write_text(original.replace("source: ", "# edited\nsource: ", 1), encoding="utf-8")
        gate.signal(signal.SIGHUP)
        assert _wait(lambda: client.get("/readyz").json()["generation"] == 2)
        after = client.get("/v1/policies/uk@2020-11-06").json()["hash"]
        assert after != before and client.post("/v1/check", json=EMOJI).json()["policy"]["hash"] == after

        uk.write_text(original.replace("rules:", "rules: [", 1), encoding="utf-8")
        refused = _problem(client.post("/v1/admin/reload"), 422, "P100")
        assert refused["errors"][0]["line"]
        ready = client.get("/readyz").json()
        assert ready["status"] == "ready" and ready["generation"] == 2
        assert ready["last_reload"]["ok"] is False and ready["last_reload"]["errors"][0]["code"] == "P100"
        assert client.post("/v1/check", json=EMOJI).json()["policy"]["hash"] == after
        assert "policy reload failed; generation 2 keeps serving" in gate.log_text()
    finally:
        uk.write_text(original, encoding="utf-8")


def test_several_workers_share_no_token_free_routes_and_answer_429_when_busy(servers):
    open_ = servers[1]
    assert httpx.get(open_.url + "/v1/policies").status_code == 200         # no token file: open

    async def burst():
        async with httpx.AsyncClient(base_url=open_.url, timeout=30) as c:
            body = {"marketplace": "UK", "body": "Thanks for your order :) " * 2000}
            return await asyncio.gather(*(c.post("/v1/check", json=body) for _ in range(12)))

    statuses = [r.status_code for r in asyncio.run(burst())]
    assert 200 in statuses and 429 in statuses and set(statuses) <= {200, 429}
    busy = httpx.post(open_.url + "/v1/check", json=EMOJI)
    assert busy.status_code == 200          # the burst is over: nothing stays counted as pending
    # Metrics are summed over both workers, whichever of them answers the scrape.
    text = httpx.get(open_.url + "/metrics").text
    assert 'permitted_errors_total{code="U104"}' in text


def test_sighup_reloads_every_worker(servers):
    open_ = servers[1]
    open_.signal(signal.SIGHUP)
    assert _wait(lambda: open_.log_text().count("policies reloaded: generation 2") == 2), open_.log_text()


needs_proc = pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads sockets and processes from /proc")


def _listening(port: int) -> int:
    """Sockets listening on a loopback IPv4 port (from /proc/net/tcp: state 0A is LISTEN)."""
    rows = (f.split() for f in Path("/proc/net/tcp").read_text().splitlines()[1:])
    return sum(1 for r in rows if r[1].endswith(f":{port:04X}") and r[3] == "0A")


@needs_proc
def test_each_worker_listens_on_a_socket_of_its_own(servers):
    # One socket per worker on the one port: the kernel spreads new connections over them,
    # where a shared socket lets the first worker to wake take every waiting connection.
    open_ = servers[1]
    assert _listening(open_.port) == 2


@needs_proc
def test_a_worker_that_dies_is_replaced_on_its_socket_and_no_request_is_refused(servers):
    open_ = servers[1]
    workers = children(open_.process.pid, running="spawn_main")    # not multiprocessing's resource tracker
    assert len(workers) == 2
    os.kill(workers[0], signal.SIGKILL)
    # Fresh connections land on both sockets; those on the dead worker's wait for its replacement.
    statuses = [httpx.post(open_.url + "/v1/check", json=EMOJI, timeout=60).status_code for _ in range(12)]
    assert statuses == [200] * 12
    now = children(open_.process.pid, running="spawn_main")
    assert len(now) == 2 and workers[0] not in now and workers[1] in now
    assert f"worker [{workers[0]}] stopped (exit -9); starting another on its socket" in open_.log_text()


@needs_proc
def test_a_worker_that_stops_answering_is_killed_and_replaced(servers):
    open_ = servers[1]
    workers = children(open_.process.pid, running="spawn_main")
    os.kill(workers[1], signal.SIGSTOP)             # stuck: alive, holding its socket, answering nothing
    assert _wait(lambda: workers[1] not in (now := children(open_.process.pid, running="spawn_main"))
                 and len(now) == 2, timeout=60), open_.log_text()
    assert f"worker [{workers[1]}] did not answer a health check" in open_.log_text()
    statuses = [httpx.post(open_.url + "/v1/check", json=EMOJI, timeout=60).status_code for _ in range(12)]
    assert statuses == [200] * 12


def test_a_port_in_use_is_refused_before_any_worker_starts(servers):
    open_ = servers[1]
    done = subprocess.run([sys.executable, "-m", "permitted", "serve", "--workers", "2", "--port", str(open_.port)],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stderr
    assert f"error[U100] usage: cannot listen on 127.0.0.1:{open_.port}" in done.stderr
    assert httpx.get(open_.url + "/healthz").status_code == 200        # the running service is untouched


@pytest.mark.parametrize("workers", ["1", "2"])
def test_serve_refuses_a_policy_tree_that_does_not_compile(tmp_path, workers):
    tree = tmp_path / "policies"
    (tree / "uk").mkdir(parents=True)
    (tree / "uk" / "2020-11-06.yaml").write_text("policy: [\n")
    done = subprocess.run([sys.executable, "-m", "permitted", "serve", "--port", "0", "--workers", workers,
                           "--policy-dir", str(tree)], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "P100" in done.stderr and "Traceback" not in done.stderr
    assert "2020-11-06.yaml:2:1" in done.stderr
