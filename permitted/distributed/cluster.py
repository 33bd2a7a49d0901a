"""Running an audit on a Dask cluster: partitions submitted, judged partitions gathered in order.

Stage: the application layer under `permitted audit --scheduler/--cluster`. Input: the inputs
(paths on a file system the workers share, or fsspec URLs), the policy choice, how a row is
written, and where the rows go. Output: `Judged` partitions in input order — the rows' bytes
to write, or with `out_dir` the part files committed there, then `manifest.json`. Errors:
UsageError U105 for a `--cluster` that is not `local:N`, U106 for a scheduler that cannot be
reached or has no workers, U107 when dask is not installed here or permitted not on the workers;
U100 for an `--out-dir` that already holds files.

Nothing is lost or counted twice when a worker dies: the scheduler runs its tasks again
elsewhere, a partition's part file is committed once (work.commit), and the rows of each
partition are taken once, in order, here. A partition whose workers keep dying (the scheduler
gives up: KilledWorker) is judged again message by message; a message that kills its worker
again is an error row, I191, as in the local pool. dask is imported only here, when a cluster
is asked for, so other commands never pay for it.
"""
from __future__ import annotations

import contextlib
import json
import os
import re
from collections import deque
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

from dsl.contract.errors import Diagnostic, UsageError

from permitted import exitcodes
from permitted.checking import Checked, Judge
from permitted.distributed import partitions as cut
from permitted.distributed.work import Judged, Render, Settings, finish, judge_for, judge_partition

DEFAULT_PARTITION = 4 << 20       # bytes of input per partition (see bench/README.md)
MANIFEST = "manifest.json"
AHEAD_PER_THREAD = 3              # partitions submitted per worker thread beyond the oldest one not yet taken
_LOCAL = re.compile(r"local:(\d+)")
_INSTALL = "pip install 'permitted[cluster]'"


def _usage(code: str, message: str, help: str | None = None) -> UsageError:
    return UsageError([Diagnostic(code, message, help=help)])


def _dask():
    try:
        import distributed
    except ImportError:
        raise _usage("U107", "a distributed audit needs dask, which is not installed here",
                     help=f"install it with: {_INSTALL}") from None
    return distributed


def local_workers(text: str) -> int:
    """N of `--cluster local:N`; U105 for anything else."""
    match = _LOCAL.fullmatch(text.strip())
    if not match or int(match.group(1)) < 1:
        raise _usage("U105", f"--cluster must be local:N (N worker processes, at least 1), not `{text}`",
                     help="for a cluster that is already running, give its scheduler: --scheduler tcp://host:8786")
    return int(match.group(1))


@contextlib.contextmanager
def connected(scheduler: str | None = None, cluster: str | None = None, *, wait: float = 30.0):
    """A Dask client on the scheduler at `scheduler`, or on a local cluster of `cluster`
    (`local:N`: N worker processes of one thread), closed at the end, the local cluster too."""
    workers = local_workers(cluster) if cluster is not None else None
    distributed = _dask()
    with contextlib.ExitStack() as stack:
        if workers is not None:
            local = distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                             dashboard_address=None)
            stack.callback(local.close)
            scheduler = local.scheduler_address
        try:
            client = distributed.Client(scheduler, timeout=f"{min(wait, 10)}s", set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            raise _usage("U106", f"cannot reach the Dask scheduler at {scheduler}: {exc}",
                         help="start one with `dask scheduler`, or give --cluster local:N") from None
        stack.callback(client.close)
        try:
            client.wait_for_workers(1, timeout=wait)
        except (OSError, TimeoutError) as exc:
            raise _usage("U106", f"the Dask scheduler at {scheduler} has no workers ({exc})",
                         help="start them with `dask worker " + str(scheduler) + " --nthreads 1`") from None
        _check_workers(client)
        yield client


def _importable() -> str:
    import permitted
    return permitted.__name__


def _check_workers(client) -> None:
    """Every worker must import this package: tasks name its functions."""
    try:
        client.run(_importable)
    except (ImportError, AttributeError) as exc:
        raise _usage("U107", f"the Dask workers cannot run permitted: {exc}",
                     help=f"install it on every worker, in the worker's environment: {_INSTALL}") from None


@dataclass(frozen=True)
class Plan:
    partitions: tuple[cut.Partition, ...]

    @property
    def messages(self) -> int:
        return sum(p.messages for p in self.partitions)


def plan(client, inputs: Iterable[str], size: int) -> Plan:
    """The inputs' partitions: batch files' ranges surveyed on the workers (to message
    boundaries, with the lines and messages before each), whole files grouped."""
    found = cut.plan_files(inputs)
    batch = [(s, start, end) for s in found if s.kind != cut.FILE for start, end in cut.ranges(s, size)]
    stretches = client.gather(client.map(cut.survey, *zip(*batch), pure=False)) if batch else []
    surveyed: dict[str, list] = {}
    for (source, _, _), stretch in zip(batch, stretches):
        surveyed.setdefault(source.url, []).append(stretch)
    pieces = []
    for source in found:
        if source.kind == cut.FILE:
            pieces.append(cut.Piece(source))
        else:
            pieces.extend(cut.pieces_of(source, surveyed[source.url]))
    return Plan(tuple(cut.group(pieces, size)))


def prepare_out_dir(out_dir: str) -> None:
    """An empty (or new) folder: part files of another run would mix with this one's."""
    import fsspec
    fs, root = fsspec.core.url_to_fs(out_dir)
    fs.makedirs(root, exist_ok=True)
    if fs.ls(root):
        raise _usage("U100", f"--out-dir {out_dir} is not empty",
                     help="give a new or empty folder: the part files of another run would mix with this one's")


def write_manifest(out_dir: str, done: list[Judged], plan_: Plan) -> None:
    """manifest.json: every part file in order with its rows, size and SHA-256, and what it holds.
    Written last, under a temporary name and then renamed: its presence says the run finished."""
    import fsspec
    parts = []
    for judged, partition in zip(done, plan_.partitions):
        assert judged.part is not None and judged.index == partition.index
        parts.append({"file": judged.part.name, "rows": judged.part.rows, "bytes": judged.part.size,
                      "sha256": judged.part.sha256,
                      "inputs": [{"source": p.source.name, "start": p.start,
                                  "end": p.end if p.end is not None else p.source.size} for p in partition.pieces]})
    document = {"rows": sum(p["rows"] for p in parts), "parts": parts}
    fs, root = fsspec.core.url_to_fs(out_dir)
    # A worker that died between writing its temporary file and committing it left that file
    # behind; the folder was empty when the run began, so every such file is this run's.
    for path in fs.ls(root, detail=False):
        name = path.rstrip("/").rsplit("/", 1)[-1]
        if name.startswith(".part-") and name.endswith(".tmp"):
            fs.rm_file(path)
    staged, final = f"{root.rstrip('/')}/.{MANIFEST}.tmp", f"{root.rstrip('/')}/{MANIFEST}"
    fs.pipe_file(staged, (json.dumps(document, indent=2) + "\n").encode("utf-8"))
    fs.mv(staged, final)


def judge_one(source: str, envelope, settings: Settings) -> Checked:
    return judge_for(settings.choice).row(source, envelope)


def _one_by_one(client, partition: cut.Partition, settings: Settings, render: Render,
                out_dir: str | None, killed: type) -> Judged:
    """A partition whose workers kept dying, judged again a message per task, so only a message
    that kills its worker again is lost to it — as its error row, I191."""
    items = [item for piece in partition.pieces
             for item in cut.piece_envelopes(piece, settings.fields, limit=settings.limit,
                                             api_operation=settings.api_operation)]
    futures = [client.submit(judge_one, source, envelope, settings, pure=False) for source, envelope in items]
    rows = []
    for (source, _), future in zip(items, futures):
        try:
            rows.append(future.result())
        except killed:
            rows.append(Checked(source, None, error=(Diagnostic(
                "I191", f"{source}: could not be judged: the Dask workers judging it stopped, again and again",
                help="the message may need more memory or time than a worker has, or may crash a library: "
                     "check it on its own with `permitted check`"),)))
    return finish(partition.index, rows, render, out_dir)


def run(client, inputs: Iterable[str], settings: Settings, render: Render, *, out_dir: str | None = None,
        size: int = DEFAULT_PARTITION, planned: Callable[[int], None] | None = None,
        judged: Callable[[int], None] | None = None) -> Iterator[Judged]:
    """Every partition of the inputs judged, yielded in input order. `planned` hears how many
    messages there are once the inputs are cut; `judged` how many each partition held as it
    finishes (in any order: the progress bar). At most a few partitions per worker thread are
    held beyond the oldest not yet yielded, so memory stays flat however long the archive."""
    distributed = _dask()
    Judge(settings.choice)              # a choice that names no policy fails here, once (P700)
    if out_dir is not None:
        out_dir = out_dir if cut.is_url(out_dir) else os.path.abspath(out_dir)    # workers may work elsewhere
        prepare_out_dir(out_dir)
    the_plan = plan(client, inputs, size)
    (planned or (lambda n: None))(the_plan.messages)
    judged = judged or (lambda n: None)
    threads = sum(client.nthreads().values()) or 1
    ahead = max(2, AHEAD_PER_THREAD * threads)
    todo = deque(the_plan.partitions)
    pending: deque = deque()              # (partition, future), in input order
    counted: set = set()
    done: list[Judged] = []
    try:
        while todo or pending:
            while todo and len(pending) < ahead:
                partition = todo.popleft()
                future = client.submit(judge_partition, partition, settings, render, out_dir, pure=False)
                pending.append((partition, future))
            for partition, future in pending:
                if future.done() and future.key not in counted:
                    counted.add(future.key)
                    judged(partition.messages)
            partition, head = pending[0]
            if not head.done():
                with client.as_current():
                    distributed.wait([f for _, f in pending if not f.done()], return_when="FIRST_COMPLETED")
                continue
            pending.popleft()
            try:
                result = head.result()
            except distributed.KilledWorker:
                result = _one_by_one(client, partition, settings, render, out_dir, distributed.KilledWorker)
            head.release()
            if out_dir is not None:
                done.append(result)
            yield result
    finally:
        client.cancel([f for _, f in pending])
    if out_dir is not None:
        write_manifest(out_dir, done, the_plan)


def environment_scheduler() -> str | None:
    """The scheduler named by DASK_SCHEDULER_ADDRESS, as dask itself reads it."""
    return os.environ.get("DASK_SCHEDULER_ADDRESS") or None


def absorb(tally, part) -> None:
    """Add a partition's tally (a permitted.batch.Tally) to the audit's."""
    tally.verdicts.update(part.verdicts)
    tally.rules.update(part.rules)
    tally.worst = exitcodes.worst((tally.worst, part.worst))
