"""Checking messages: envelope -> facts -> report, with the policy in force when each was sent.

Stage: the application layer over interpreter.facts.normalise and interpreter.evaluation.evaluate. Input:
envelopes (or a message given as text, a file, or a batch of files), a marketplace and a policy
choice. Output: `Checked` rows — a report and the text its evidence spans point into, or the
reason the message could not be judged. Errors: `check` raises InputError/PolicyError, and
UsageError for arguments of the wrong kind; the batch functions never raise for one message,
they turn it into an error row. Nothing here prints.
"""
from __future__ import annotations

import datetime as _dt
import gc
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator, Mapping

from dsl.contract.errors import Diagnostic, InputError, PolicyError, Problem, UsageError, internal_error
from dsl.contract.model import Policy
from dsl.contract.schema import as_json_data
from interpreter.evaluation.evaluate import evaluate
from interpreter.evaluation.report import Report
from interpreter.facts.normalise import normalise
from interpreter.facts.record import calendar_date
from interpreter.read.envelope import DEFAULT_LIMIT, Part, check_envelope, iter_envelopes, read_message
from interpreter.read.origin import Origin

from permitted.store import Compiled, PolicyStore, default_store


@dataclass(frozen=True)
class Checked:
    """The outcome for one message: a report, or the diagnostics saying why it could not be judged."""
    source: str                          # a path, "-", "archive.mbox#3" or "sent.jsonl:12"
    report: Report | None                # None when the message could not be judged
    text: str = ""                       # message.text: what evidence start/end offsets point into
    subject: str | None = None
    error: tuple[Diagnostic, ...] = ()   # codes I1xx (input) or P700 (no policy for it)
    # Where `text` is in the message's file, for views that point into it (SARIF); None when
    # the message was not read from a file.
    origin: Origin | None = field(default=None, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        return self.report is not None

    @property
    def verdict(self) -> str:
        return self.report.verdict if self.report is not None else "error"

    def to_json(self) -> dict:
        """One row of `audit` output / one element of `check --format json`: the report plus its source."""
        if self.report is None:
            return {"source": self.source, "verdict": "error", "errors": [d.to_json() for d in self.error]}
        return {"source": self.source, **self.report.to_json()}


@dataclass(frozen=True)
class Choice:
    """How a message's policy is chosen: a fixed policy (file or id), else the marketplace's version
    in force on `as_of`, else on the day the message was sent, else today. `marketplace` is used
    for messages that do not name their own."""
    marketplace: str | None = None
    as_of: _dt.date | None = None
    policy: str | None = None


_SETTLED = False


def _settle() -> None:
    """Once per process, after its first judgement: what is loaded for good by then (the policy
    and its program, the language model, the word lists, the modules) is moved out of the cycle
    collector's walk (gc.freeze). Every full collection walked all of it again: measured by
    instructions, a warm process spent a tenth of its time per message there (bench/README.md).
    Objects made later are collected as usual."""
    global _SETTLED
    if not _SETTLED:
        _SETTLED = True
        gc.freeze()


class Judge:
    """Judges envelopes under one Choice, with the policies of a store (the process's own by default)."""

    def __init__(self, choice: Choice, store: PolicyStore | None = None, fixed: Compiled | None = None):
        """`fixed`: a policy compiled elsewhere (a draft held in memory) that judges every message."""
        self.choice = choice
        self.store = store or default_store()
        self.default_market = choice.marketplace.upper() if choice.marketplace else None
        self.fixed = fixed
        if fixed is None and choice.policy is not None:
            self.fixed = self.store.load(choice.policy, choice.as_of)

    def policy_for(self, envelope: Mapping, source: str) -> tuple[Compiled, str | None]:
        market = envelope.get("marketplace") or self.default_market
        if self.fixed is not None:
            fixed = self.fixed.policy
            return self.fixed, market or (fixed.marketplace if fixed.marketplace != "base" else None)
        if not market:
            raise InputError([Diagnostic("I100", f"{source}: the message does not say which marketplace it is for",
                                         help="give --marketplace US|UK|SA, or `marketplace:` in the envelope")])
        day = self.choice.as_of or sent_on(envelope) or _dt.date.today()
        return self.store.compiled(self.store.catalogue.in_force(market, day).path), market

    def policy_if_known(self, envelope: Mapping, source: str) -> Policy | None:
        """The policy the rules would judge the message by, whose words shape some facts (vague
        link text, opt-out links, brand words); None when no marketplace is known or no version
        is in force."""
        if not (envelope.get("marketplace") or self.default_market or self.fixed):
            return None
        try:
            return self.policy_for(envelope, source)[0].policy
        except PolicyError as problem:
            if all(d.code == "P700" for d in problem.diagnostics):
                return None
            raise

    def judge(self, envelope: Mapping, source: str) -> Checked:
        """A Checked row; raises Problem when the message cannot be judged."""
        compiled, market = self.policy_for(envelope, source)
        facts = normalise(envelope, market, source=source, policy=compiled.policy)
        message = facts.data["message"]
        checked = Checked(source, evaluate(compiled.program, facts), message["text"], message.get("subject"),
                          origin=facts.origin)
        _settle()
        return checked

    def row(self, source: str, envelope: Mapping | InputError) -> Checked:
        """A Checked row for anything a reader produced: a report, or an error row with the reason.

        A bug met while judging one message (any other exception) is that message's error row,
        I190, naming the exception and where it was raised: in a batch, the other messages are
        still judged and "rows out equal messages in" holds whatever a message contains. Never
        a verdict: the row is an error, and the command exits 70 (permitted.exitcodes)."""
        try:
            if isinstance(envelope, InputError):
                raise envelope
            return self.judge(envelope, source)
        except Problem as problem:
            diagnostics = problem.diagnostics
        except Exception as exc:           # noqa: BLE001 — a bug: an error row, never a pass
            diagnostics = (internal_error(exc, source),)
        # An envelope, or a batch file's message that could not be read, knows where it is in its file.
        return Checked(source, None, error=diagnostics, origin=getattr(envelope, "origin", None))


def sent_on(envelope: Mapping) -> _dt.date | None:
    """The day a message was sent (the envelope's `sent_at`, a date or an ISO timestamp)."""
    sent = envelope.get("sent_at")
    if not isinstance(sent, str):
        return None
    try:
        return calendar_date(sent)
    except ValueError:
        return None           # the facts record names the bad date (I100) when the message is judged


def _usage(message: str) -> UsageError:
    return UsageError([Diagnostic("U100", message)])


def _day(value, name: str) -> _dt.date | None:
    """A date argument in the obvious forms: a date, a datetime (its day), ISO text."""
    if value is None or (isinstance(value, _dt.date) and not isinstance(value, _dt.datetime)):
        return value
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, str):
        for parse in (_dt.date.fromisoformat, _dt.datetime.fromisoformat):
            try:
                return calendar_date(parse(value))
            except ValueError:
                continue
    raise _usage(f"{name} must be a date (datetime.date or YYYY-MM-DD), not {value!r}")


def choice_of(marketplace=None, as_of=None, policy=None) -> Choice:
    """A Choice from what an API caller gave, checked here once: a marketplace code (text), a
    day (a date, a datetime, or ISO text such as "2021-03-01"), a policy (an id or a file, text
    or a Path). UsageError U100 for anything else, instead of an AttributeError deep inside."""
    if marketplace is not None and not isinstance(marketplace, str):
        raise _usage(f"marketplace must be a marketplace code such as \"UK\", not {marketplace!r}")
    if policy is not None and not isinstance(policy, (str, Path)):
        raise _usage(f"policy must be a policy id such as \"uk@2020-11-06\" or a file, not {policy!r}")
    return Choice(marketplace, _day(as_of, "as_of"), str(policy) if policy is not None else None)


def _given(message, source: str) -> dict:
    """The envelope fields a message passed to `check` stands for."""
    if isinstance(message, str):
        return {"body": message}
    if isinstance(message, (bytes, bytearray)):
        try:
            return {"body": bytes(message).decode("utf-8-sig")}
        except UnicodeDecodeError as exc:
            raise InputError([Diagnostic("I101", f"{source}: not UTF-8 text (byte {exc.start})",
                                         help="decode the message yourself and pass the text")]) from None
    if isinstance(message, Mapping):
        return dict(message)
    raise _usage(f"message must be the text (str, or UTF-8 bytes), a Path to a message file or an envelope "
                 f"mapping, not {'None' if message is None else type(message).__name__}")


def check(message: str | bytes | Path | Mapping, marketplace: str | None = None, *,
          as_of: _dt.date | str | None = None, policy: str | Path | None = None, template: bool = False,
          **fields) -> Report:
    """Judge one message and return its Report.

    `message` is the plain text of the message (a str, or bytes in UTF-8), a Path to a message
    file (any form `permitted check` reads), or an envelope mapping
    (policies/message.schema.json). `fields` are envelope fields used where the message does not
    say (e.g. `order={"id": ..., "completed_at": ...}`, `sent_at=`, `reason=`, `channel=`); dates
    may be `datetime.date`s or ISO text. `template=True` checks a template: placeholders count
    as filled in. Raises InputError for a message that cannot be read, PolicyError when no
    policy applies, UsageError (U100) for an argument of the wrong kind.
    """
    choice = choice_of(marketplace, as_of, policy)
    fields = as_json_data(fields)        # a datetime.date is written as the envelope writes it
    if template:
        fields["template"] = True
    if isinstance(message, Path):
        envelope = read_message(message, fields)
        source = str(message)
    else:
        source = "<message>"
        envelope = check_envelope(as_json_data({**fields, **_given(message, source)}), source)
    checked = Judge(choice).judge(envelope, source)
    assert checked.report is not None
    return checked.report


# ---- batches ---------------------------------------------------------------------------------

MESSAGE_SUFFIXES = frozenset({".txt", ".text", ".html", ".htm", ".eml", ".msg", ".json", ".yaml", ".yml",
                              ".jsonl", ".mbox"})


def input_files(inputs: Iterable[str | Path]) -> Iterator[Path]:
    """The files of the inputs, folders walked in name order (hidden files and folders left out).

    In a folder, only files with a message suffix are messages; a file named on its own is always
    read, whatever its name, so nothing given explicitly is skipped."""
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            for found in sorted(path.rglob("*")):
                parts = found.relative_to(path).parts
                if found.is_file() and not any(p.startswith(".") for p in parts) \
                        and found.suffix.lower() in MESSAGE_SUFFIXES:
                    yield found
        else:
            yield path


def envelopes(inputs: Iterable[str | Path], fields: Mapping | None = None, *, limit: int = DEFAULT_LIMIT,
              api_operation: str | None = None,
              lines_unread: bool = False) -> Iterator[tuple[str, dict | InputError | Part]]:
    """(source, envelope or InputError) for every message of every input, lazily. With
    `lines_unread`, a JSONL file's lines are left for interpreter.read.envelope.read_line."""
    for path in input_files(inputs):
        yield from iter_envelopes(path, fields, limit=limit, api_operation=api_operation, lines_unread=lines_unread)


def count_messages(inputs: Iterable[str | Path]) -> int:
    """How many rows a batch will give, counted cheaply (for a progress bar's total): JSONL lines
    that are not blank, mbox `From ` separators, one per other file."""
    total = 0
    for path in input_files(inputs):
        suffix = path.suffix.lower()
        if suffix not in (".jsonl", ".mbox"):
            total += 1
            continue
        try:
            with path.open("rb") as lines:
                if suffix == ".jsonl":
                    total += sum(1 for line in lines if line.strip())
                else:
                    total += sum(1 for line in lines if line.startswith(b"From "))
        except OSError:
            total += 1                  # it becomes one error row
    return total
