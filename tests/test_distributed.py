"""`permitted audit` on a Dask cluster: the same rows, byte for byte and in the same order, as an
audit on this machine — for JSONL cut at lines, mbox cut at `From ` lines, folders cut by files,
`memory://` URLs, part files with a manifest — and every row exactly once when a worker process
is killed mid-run. A real LocalCluster of two worker processes, started once for the module."""
from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path

import pytest

distributed = pytest.importorskip("distributed")

from dsl.contract.errors import UsageError                      # noqa: E402
from permitted.batch import audit                                # noqa: E402
from permitted.checking import Choice                            # noqa: E402
from permitted.commands.audit import row_line                    # noqa: E402
from permitted.distributed import cluster                        # noqa: E402
from permitted.distributed.work import Settings                  # noqa: E402

SETTINGS = Settings(Choice(marketplace="UK"), None, 1_000_000)
ORDER = {"id": "123-1234567-1234567", "completed_at": "2021-03-04", "buyer_language": "en-GB"}
BODIES = ("Your invoice for order 123-1234567-{n} is attached.",
          "Thanks for your order 123-1234567-{n} :) call us on 020 7946 0{n3}",
          "Please leave a 5-star review for order 123-1234567-{n}!")


def _body(i: int) -> str:
    return BODIES[i % len(BODIES)].format(n=1000000 + i, n3=f"{i % 1000:03d}")


def _jsonl(path: Path, n: int) -> Path:
    """n lines: envelopes, with a broken line, a blank one and one the schema refuses among them."""
    with path.open("w", encoding="utf-8") as f:
        for i in range(1, n + 1):
            if i % 11 == 5:
                f.write('{"marketplace": "UK", "body": \n')              # not JSON: I101
            elif i % 11 == 8:
                f.write("\n")                                             # blank: no message
            elif i % 11 == 10:
                f.write(json.dumps({"marketplace": "UK", "body": "hi", "colour": "red"}) + "\n")   # I100
            else:
                f.write(json.dumps({"marketplace": "UK" if i % 2 else "US", "channel": "email", "reason": "invoice",
                                    "sent_at": "2021-03-05", "order": ORDER, "body": _body(i)}) + "\n")
    return path


def _mail(i: int) -> str:
    return (f"From: shop@example.com\nTo: buyer@example.com\nSubject: Order {i}\n"
            f"Date: Fri, 05 Mar 2021 10:00:00 +0000\n\n{_body(i)}\n")


def _mbox(path: Path, n: int) -> Path:
    """n messages; one is not an e-mail at all (I101), one quotes a `>From ` line."""
    with path.open("w", encoding="utf-8") as f:
        for i in range(1, n + 1):
            text = "just some words, no headers\n" if i == 4 else _mail(i)
            if i == 6:
                text += ">From the desk of the shop\n"
            f.write(f"From shop@example.com Fri Mar  5 10:00:00 2021\n{text}\n")
    return path


def _folder(path: Path) -> Path:
    path.mkdir()
    (path / "01.txt").write_text(_body(1), encoding="utf-8")
    (path / "02.html").write_text(f"<p>{_body(2)}</p>", encoding="utf-8")
    (path / "03.eml").write_text(_mail(3), encoding="utf-8")
    (path / "04.json").write_text('{"marketplace": "UK", "body": ', encoding="utf-8")     # broken: I101
    (path / "05.yaml").write_text("marketplace: US\nbody: Thank you for your order!\n", encoding="utf-8")
    (path / "sub").mkdir()
    _jsonl(path / "sub" / "more.jsonl", 12)
    (path / ".hidden.txt").write_text("never read", encoding="utf-8")
    (path / "notes.pdf").write_bytes(b"%PDF not a message suffix")
    return path


@pytest.fixture(scope="module")
def client():
    """Two worker processes of one thread each, for the whole module; closed whatever happens."""
    local = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    try:
        with distributed.Client(local, set_as_default=False) as c:
            yield c
    finally:
        local.close()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> list[Path]:
    root = tmp_path_factory.mktemp("archive")
    return [_jsonl(root / "sent.jsonl", 60), _mbox(root / "sent.mbox", 9), _folder(root / "folder")]


def _local(inputs) -> bytes:
    """What `permitted audit` writes on this machine, one process."""
    return b"".join(row_line(row) for row in audit(inputs, marketplace="UK", jobs=1))


@pytest.fixture(scope="module")
def expected(corpus) -> bytes:
    return _local(corpus)


def _on_cluster(client, inputs, **options) -> tuple[bytes, list]:
    parts = list(cluster.run(client, [str(i) for i in inputs], SETTINGS, row_line, **options))
    return b"".join(p.data or b"" for p in parts), parts


def test_rows_equal_a_local_audit_byte_for_byte(client, corpus, expected):
    # Small partitions: the JSONL and the mbox are cut into several ranges each.
    got, parts = _on_cluster(client, corpus, size=700)
    assert got == expected
    rows = [json.loads(line) for line in got.splitlines()]
    assert len(rows) == 60 - 5 + 9 + 5 + 12 - 1          # blank lines are no messages; hidden and .pdf unread
    assert sum(p.rows for p in parts) == len(rows)
    assert sum(1 for p in parts if p.data and b"sent.jsonl" in p.data) > 3
    assert sum(1 for p in parts if p.data and b"sent.mbox" in p.data) > 1
    errors = [r["source"] for r in rows if r["verdict"] == "error"]
    assert any(s.endswith("sent.mbox#4") for s in errors) and any(s.endswith("04.json") for s in errors)


def test_any_partition_size_gives_the_same_rows(client, corpus, expected):
    assert _on_cluster(client, corpus, size=150)[0] == expected     # about a range per line / per message
    assert _on_cluster(client, corpus, size=1 << 30)[0] == expected


def test_memory_urls_are_read_like_local_files(client, corpus, expected):
    """A memory:// store holds the same files (on every process, as an object store would)."""
    files = {f"/corpus/{p.relative_to(corpus[0].parent)}": p.read_bytes()
             for p in [corpus[0], corpus[1], *sorted(corpus[2].rglob("*"))] if p.is_file()}

    def upload(contents):
        import fsspec
        memory = fsspec.filesystem("memory")
        for name, data in contents.items():
            memory.pipe_file(name, data)

    upload(files)
    client.run(upload, files)
    urls = ["memory://corpus/sent.jsonl", "memory://corpus/sent.mbox", "memory://corpus/folder"]
    got, _ = _on_cluster(client, urls, size=900)
    assert got == expected.replace(str(corpus[0].parent).encode(), b"memory://corpus")


def test_out_dir_holds_one_part_per_partition_and_a_manifest(client, corpus, expected, tmp_path):
    out = tmp_path / "results"
    _, parts = _on_cluster(client, corpus, size=2_000, out_dir=str(out))
    manifest = json.loads((out / "manifest.json").read_text())
    names = [p["file"] for p in manifest["parts"]]
    assert names == [f"part-{i:05d}.jsonl" for i in range(len(parts))]
    assert sorted(os.listdir(out)) == sorted([*names, "manifest.json"])     # no temporary file left
    assert b"".join((out / name).read_bytes() for name in names) == expected
    assert manifest["rows"] == expected.count(b"\n") == sum(p["rows"] for p in manifest["parts"])
    with pytest.raises(UsageError) as refused:                                # a second run would mix parts
        _on_cluster(client, corpus, out_dir=str(out))
    assert refused.value.diagnostics[0].code == "U100"


def test_bad_cluster_values_are_usage_errors():
    with pytest.raises(UsageError) as bad:
        cluster.local_workers("local:zero")
    assert bad.value.diagnostics[0].code == "U105"
    with pytest.raises(UsageError) as unreachable:
        with cluster.connected("tcp://127.0.0.1:1", wait=1):
            pass
    assert unreachable.value.diagnostics[0].code == "U106"


@pytest.fixture
def scheduler_gives_up_at_once(client):
    """The scheduler declares a task lost (KilledWorker) the first time a worker dies under it,
    instead of the third: what a message that keeps killing its workers looks like."""
    def allowed(dask_scheduler, n):
        previous, dask_scheduler.allowed_failures = dask_scheduler.allowed_failures, n
        return previous
    previous = client.run_on_scheduler(allowed, n=0)
    yield
    client.run_on_scheduler(allowed, n=previous)


@pytest.mark.parametrize("gives_up", [False, True], ids=["rerun by the scheduler", "judged again one by one"])
def test_a_worker_killed_mid_run_costs_no_row_and_adds_none(client, corpus, expected, tmp_path, request, monkeypatch, gives_up):
    """A worker process is killed while partitions are running: the scheduler runs its tasks again
    (or, when it gives up on a partition, its messages are judged again one per task), each part
    file is committed once, and the rows are every message's, once, in order."""
    again = []
    if gives_up:
        request.getfixturevalue("scheduler_gives_up_at_once")
        one_by_one = cluster._one_by_one
        monkeypatch.setattr(cluster, "_one_by_one", lambda *a: again.append(a[1].index) or one_by_one(*a))
    pids = client.run(os.getpid)
    killed = []

    def kill_once(n):
        busy = [w for w, tasks in client.processing().items() if tasks]
        if not killed and busy:
            killed.append(pids[busy[0]])
            os.kill(pids[busy[0]], signal.SIGKILL)

    out = tmp_path / "parts"
    parts = list(cluster.run(client, [str(i) for i in corpus], SETTINGS, row_line, size=300,
                             out_dir=str(out), judged=kill_once))
    client.wait_for_workers(2, timeout=60)
    assert killed and killed[0] not in client.run(os.getpid).values()      # a worker really was replaced
    assert bool(again) == gives_up
    names = [p.part.name for p in parts]
    assert b"".join((out / name).read_bytes() for name in names) == expected
    assert sorted(os.listdir(out)) == sorted([*names, "manifest.json"])


def test_the_command_line_audits_on_a_running_scheduler(client, corpus, expected, tmp_path, cli, monkeypatch):
    out = tmp_path / "results.jsonl"
    local = tmp_path / "local.jsonl"
    monkeypatch.setenv("DASK_SCHEDULER_ADDRESS", client.scheduler.address)
    code, _, err = cli("audit", *map(str, corpus), "-m", "UK", "--out", str(out), "--partition-size", "1K")
    assert out.read_bytes() == expected
    assert f"{len(expected.splitlines())} messages audited" in err and "verdicts" in err
    monkeypatch.delenv("DASK_SCHEDULER_ADDRESS")
    assert cli("audit", *map(str, corpus), "-m", "UK", "--out", str(local), "--jobs", "1")[0] == code == 3


@pytest.mark.parametrize("flags, code", [
    (["--cluster", "local:zero"], "U105"),
    (["--cluster", "local:1", "--scheduler", "tcp://127.0.0.1:8786"], "U100"),
    (["--out-dir", "parts"], "U100"),
    (["--partition-size", "lots", "--cluster", "local:1"], "U100"),
])
def test_cluster_flags_that_cannot_work_are_usage_errors(cli, tmp_path, flags, code, monkeypatch):
    monkeypatch.delenv("DASK_SCHEDULER_ADDRESS", raising=False)
    exit_code, _, err = cli("audit", str(tmp_path), "--out", str(tmp_path / "o.jsonl"), *flags)
    assert exit_code == 2 and code in err


def test_without_dask_the_error_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)          # what `import distributed` meets without it
    with pytest.raises(UsageError) as missing:
        with cluster.connected(cluster="local:1"):
            pass
    assert missing.value.diagnostics[0].code == "U107"
    assert "pip install 'permitted[cluster]'" in missing.value.diagnostics[0].help
