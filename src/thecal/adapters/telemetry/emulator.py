"""The pump behind the telemetry link: the firmware `step()` owning its state, made
durable by the journal, answering each request exactly once per command id.

A write is handled in this order: session and arguments checked (a refusal here
changes nothing and is not journalled); the command id looked up (a known id gets
its first answer back, flagged `duplicate`, and nothing is applied again); the
record journalled and fsync'd; the record applied through `apply_record`; the
answer kept under its command id and sent. Replay after a restart calls the same
`apply_record` on the same records, so the state, the answers and the history
come back exactly (docs/telemetry.md).

The durable state moves only at journalled commands. An interrogation advances a
copy to the pump's clock and reports it: reading never changes what is stored.
Sessions are volatile, as a radio session is: a restart forgets them, and the
programmer opens a new one. One programmer at a time: opening a session ends the
one before. Within a session the link sequence number only grows; a frame older
than the newest one handled is refused as stale, so a request that wandered late
through the radio can never be applied after the programmer has moved on.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from thecal.adapters.pump.emulator import report
from thecal.adapters.pump.outcome import outcome
from thecal.adapters.pump.state_blob import dump_state, load_state
from thecal.adapters.telemetry import codec
from thecal.adapters.telemetry.journal import Journal, JournalCorrupt
from thecal.core.drugs import DrugLibrary
from thecal.core.errors import InputError, Problem
from thecal.core.pump import commands as c
from thecal.core.pump import firmware
from thecal.core.pump.events import Event
from thecal.core.pump.models import PumpModel
from thecal.core.pump.program import program_digest
from thecal.core.pump.state import PumpState

ANSWERS_KEPT = 4096  # command ids remembered for at-most-once (about a year of sessions)
HISTORY_PAGE = 64  # history records per interrogation answer
COMMAND_ID_MAX = 64


@dataclass
class Applied:
    state: PumpState | None
    answer: dict[str, Any]


def commissioned(
    model: PumpModel, library: DrugLibrary, args: dict[str, Any], t: float
) -> tuple[PumpState, list[Event]]:
    """The implant: filled and started with its first program at pump time `t`."""
    program, fill_ml, catheter_ml, initial = codec.commission_from_json(args)
    return firmware.initial_state(
        model, library, program, fill_ml, None, catheter_ml, initial, start_s=t
    )


def accepted(result: dict[str, Any]) -> bool:
    """Whether the pump took the command (a denied demand request counts as not)."""
    if "session" in result:
        return True
    if "result" in result:
        return bool(result["result"] == "granted")
    return bool(result["accepted"])


def apply_record(
    state: PumpState | None, record: dict[str, Any], model: PumpModel, library: DrugLibrary
) -> Applied:
    """One journalled record applied to the firmware: the pure heart of the emulator,
    shared by live handling and replay (and by the fault campaign's shadow pump)."""
    op, t, args = record["op"], record["t"], record.get("args", {})
    out: list[Event]
    if op == "commission":
        after, out = commissioned(model, library, args, t)
        result: dict[str, Any] = {"accepted": True, "reason": None}
    elif state is None:  # only a session opens on a pump not yet commissioned
        return Applied(None, _answer(record, None, [], {"session": f"s{record['seq']}"}))
    else:
        after, out = firmware.step(state, codec.command_from_json(op, args), t)
        result = {"session": f"s{record['seq']}"} if op == "open" else outcome(op, out, after)
    return Applied(after, _answer(record, after, out, result))


def _answer(
    record: dict[str, Any], after: PumpState | None, out: list[Event], result: dict[str, Any]
) -> dict[str, Any]:
    program = after.program.program if after is not None and after.program is not None else None
    return {
        "ok": True,
        "op": record["op"],
        "command_id": record["command_id"],
        "seq": record["seq"],
        "t": record["t"],
        "result": result,
        "program_digest": program_digest(program) if program is not None else None,
        "events": [e.as_dict() for e in out],
    }


def refusal(error: str, message: str, problems: tuple[Problem, ...] = ()) -> dict[str, Any]:
    return {
        "ok": False,
        "error": error,
        "message": message,
        "problems": [p.as_dict() for p in problems],
    }


@dataclass
class PumpEmulator:
    serial: str
    model: PumpModel
    library: DrugLibrary
    journal: Journal
    clock: Callable[[], float]  # the pump's own clock (pump seconds)
    snapshot_every: int = 256
    state: PumpState | None = None
    seq: int = 0
    t: float = 0.0  # time of the last journalled record: the pump's clock never goes back
    answers: OrderedDict[str, dict[str, Any]] = field(default_factory=OrderedDict)
    history: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=ANSWERS_KEPT))
    session: str | None = None  # the one open session
    session_seq: int = -1  # the newest link sequence number handled in it

    # -- durability ----------------------------------------------------------------

    def restore(self) -> int:
        """Load the last snapshot and replay the journal after it; returns the number
        of records replayed."""
        snap = self.journal.load_snapshot()
        offset = 0
        if snap is not None:
            if snap["serial"] != self.serial or snap["model_id"] != self.model.id:
                raise JournalCorrupt(
                    f"the state directory holds pump {snap['serial']} ({snap['model_id']}), "
                    f"not {self.serial} ({self.model.id})"
                )
            self.seq, self.t, offset = snap["seq"], snap["t"], snap["offset"]
            if snap["state"] is not None:
                text, sha = snap["state"]
                self.state = load_state(text.encode("utf-8"), sha, self.model, self.library)
            self.answers = OrderedDict(snap["answers"])
            self.history = deque(snap["history"], maxlen=ANSWERS_KEPT)
        replayed = 0
        for record in self.journal.records(offset):
            if record["seq"] != self.seq + 1:
                raise JournalCorrupt(
                    f"journal record {record['seq']} follows {self.seq}: a record is missing"
                )
            self._apply(record)
            replayed += 1
        return replayed

    def _snapshot(self) -> None:
        self.journal.save_snapshot(
            {
                "serial": self.serial,
                "model_id": self.model.id,
                "seq": self.seq,
                "t": self.t,
                "offset": self.journal.size,
                "state": _state_text(self.state) if self.state is not None else None,
                "answers": list(self.answers.items()),
                "history": list(self.history),
            }
        )

    def _apply(self, record: dict[str, Any]) -> dict[str, Any]:
        applied = apply_record(self.state, record, self.model, self.library)
        self.state, self.seq, self.t = applied.state, record["seq"], record["t"]
        self.answers[record["command_id"]] = applied.answer
        while len(self.answers) > ANSWERS_KEPT:
            self.answers.popitem(last=False)
        result = applied.answer["result"]
        self.history.append(
            {
                "seq": record["seq"],
                "t": record["t"],
                "op": record["op"],
                "command_id": record["command_id"],
                "accepted": accepted(result),
            }
        )
        return applied.answer

    # -- requests ------------------------------------------------------------------

    def now(self) -> float:
        return max(self.t, self.clock())

    def handle(self, request: dict[str, Any], seq: int = 0) -> dict[str, Any]:
        """One request (link sequence number `seq`) in, one answer out; never raises
        for anything a link can carry."""
        op = request.get("op")
        args = request.get("args") or {}
        if not isinstance(args, dict):
            return refusal("bad_request", "args: expected an object")
        if op == "ping":
            return {
                "ok": True,
                "serial": self.serial,
                "commissioned": self.state is not None,
                "t": self.now(),
                "seq": self.seq,
            }
        if op != "open":
            if self.session is None or request.get("session") != self.session:
                return refusal("no_session", "no open session: open one with this pump's serial")
            if seq < self.session_seq:
                return refusal("stale", f"seq {seq} is older than {self.session_seq}: refused")
            self.session_seq = seq
        if op == "close":
            self.session = None
            return {"ok": True, "t": self.now()}
        if op == "interrogate":
            return self._interrogate(args)
        if op not in codec.WRITE_OPS:
            return refusal(
                "bad_request",
                f"op: '{op}' is not one of {', '.join(codec.READ_OPS + codec.WRITE_OPS)}",
            )
        return self._write(op, request.get("command_id"), args, seq)

    def _start_session(self, token: str, seq: int) -> None:
        self.session, self.session_seq = token, seq

    def _write(self, op: str, command_id: Any, args: dict[str, Any], seq: int) -> dict[str, Any]:
        if not isinstance(command_id, str) or not 0 < len(command_id) <= COMMAND_ID_MAX:
            return refusal("bad_request", f"command_id: 1 to {COMMAND_ID_MAX} characters, unique")
        known = self.answers.get(command_id)
        if known is not None:
            return {**known, "duplicate": True}
        problem = self._check(op, args)
        if problem is not None:
            return problem
        record = {
            "seq": self.seq + 1,
            "t": self.now(),
            "op": op,
            "command_id": command_id,
            "args": args,
        }
        self.journal.append(record)  # durable before it is applied or answered
        answer = self._apply(record)
        if op == "open":
            self._start_session(answer["result"]["session"], seq)
        if self.seq % self.snapshot_every == 0:
            self._snapshot()
        return answer

    def _check(self, op: str, args: dict[str, Any]) -> dict[str, Any] | None:
        """A refusal for a write that must not be journalled, or None."""
        try:
            if op == "open":
                if args.get("serial") != self.serial:
                    return refusal("wrong_serial", f"args.serial: this pump is {self.serial}")
                return None
            if op == "commission":
                return self._check_commission(args)
            if self.state is None:
                return refusal("not_commissioned", "the pump has not been commissioned (implant)")
            codec.command_from_json(op, args)
        except InputError as exc:
            return refusal("bad_request", exc.message, exc.problems)
        return None

    def _check_commission(self, args: dict[str, Any]) -> dict[str, Any] | None:
        if self.state is not None:
            return refusal("already_commissioned", "this pump is already implanted and running")
        if args.get("model_id") != self.model.id:
            return refusal("bad_request", f"args.model_id: this pump is a {self.model.id}")
        try:
            commissioned(self.model, self.library, args, self.now())
        except InputError as exc:
            return refusal("refused", exc.message, exc.problems)
        return None

    def _interrogate(self, args: dict[str, Any]) -> dict[str, Any]:
        if self.state is None:
            return refusal("not_commissioned", "the pump has not been commissioned (implant)")
        since = args.get("since_seq", 0)
        if isinstance(since, bool) or not isinstance(since, int):
            return refusal("bad_request", "args.since_seq: expected a whole number")
        now_state, _ = firmware.step(self.state, c.Tick(), self.now())
        page = [r for r in self.history if r["seq"] > since][:HISTORY_PAGE]
        return {
            "ok": True,
            "t": now_state.t,
            "seq": self.seq,
            "report": codec.interrogation_to_json(report(now_state)),
            "strokes": now_state.strokes,
            "charge_uah": now_state.charge_uah,
            "history": page,
            "history_complete": not page or page[-1]["seq"] == self.seq,
        }


def _state_text(state: PumpState) -> tuple[str, str]:
    """The state as the snapshot keeps it: its JSON document (state_blob) as text."""
    blob, sha = dump_state(state)
    return blob.decode("utf-8"), sha
