"""The `PumpPort` over the telemetry link: what the programming, refill and trial
sessions, the clinic and the patient's handset use to reach a pump process.

Every write carries a fresh command id and is retransmitted, unchanged, until an
answer comes (the pump applies an id at most once and answers a retry with its
first answer). When no answer comes after every retry the outcome is *uncertain*:
`UncertainOutcome` is raised and every further write is refused, unsent, until an
interrogation has read the pump's command history and found whether that id was
applied (SR-34). Nothing is ever re-sent blind.

Every frame but a ping and a pairing is sealed with the pump's link key (`key`),
and an answer counts only if it opens with that key and is bound to the request
it answers; an open refusal or a forged answer is counted and ignored, so a process
on the link can neither read the therapy nor answer for the pump. A programmer
without the key can only `pair()` (a factory-new pump, or after the physical step),
and `rotate_key()` replaces the key inside a session (docs/telemetry.md).

The pump's own clock decides when a command takes effect: the `now_s` the port's
callers pass is not sent (a programmer cannot set the time a pump applies at), and
the times the pump reports come back in the answers and the interrogation.
"""

from __future__ import annotations

import contextlib
import os
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from thecal.adapters.pump.emulator import demand_answer, refill_result, refuse_unless_accepted
from thecal.adapters.pump.program_codec import program_to_json
from thecal.adapters.telemetry import codec
from thecal.adapters.telemetry.crypto import LinkKey, Offer, RandomBytes, random_nonce
from thecal.adapters.telemetry.frame import REQUEST, RESPONSE, Frame, decode, encode
from thecal.adapters.telemetry.link import Link
from thecal.core.errors import (
    BadFrame,
    InputError,
    InvalidTransition,
    LinkError,
    NotPaired,
    Problem,
    Unauthentic,
    UncertainOutcome,
)
from thecal.core.pump import commands as c
from thecal.core.pump.events import Event, event_from_dict
from thecal.core.pump.program import DrugConcentration, Program
from thecal.services.ports import DemandAnswer, Interrogation, RefillResult

OPEN_OPS = ("ping", "pair")  # the only requests sent unsealed


def _uuid_ids() -> str:
    return uuid.uuid4().hex


def _no_new_key(key: LinkKey) -> None:
    return None


@dataclass(frozen=True)
class Resolution:
    """How an uncertain write turned out, as the pump's history told."""

    command_id: str
    op: str
    applied: bool


@dataclass
class TelemetryPump:
    link: Link
    serial: str
    programmer: str = "programmer"
    new_id: Callable[[], str] = _uuid_ids
    key: LinkKey | None = None
    on_new_key: Callable[[LinkKey], None] = _no_new_key  # keep a paired or rotated key
    random_bytes: RandomBytes = os.urandom
    retries: int = 5
    timeout_s: float = 0.25
    session: str | None = None
    pending: tuple[str, str] | None = None  # (command id, op) whose outcome is uncertain
    seen_seq: int = 0  # the pump's history has been read up to this record
    history: list[dict[str, Any]] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)  # what the pump logged, in answers
    resolutions: list[Resolution] = field(default_factory=list)
    sent: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)
    answered: dict[str, dict[str, Any]] = field(default_factory=dict)
    stats: Counter[str] = field(default_factory=Counter)
    last: dict[str, Any] = field(default_factory=dict)  # the last interrogation answer
    _seq: int = 0

    # -- the link ------------------------------------------------------------------

    def _exchange(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Send one request (retransmitted as is) and return its answer."""
        sealed = payload.get("op") not in OPEN_OPS
        if sealed and self.key is None:
            raise NotPaired(
                f"no link key for pump {self.serial}: pair it at implant, or hold the "
                "programmer head over it and pair again (docs/telemetry.md)"
            )
        self._seq = (self._seq + 1) % 2**32
        nonce = random_nonce(self.random_bytes) if sealed else b""
        data = encode(Frame(REQUEST, self._seq, payload), self.key if sealed else None, nonce)
        keys = (self.key,) if sealed and self.key is not None else ()
        refused: str | None = None
        for attempt in range(self.retries):
            if attempt:
                self.stats["retransmissions"] += 1
            self.link.send(data)
            self.stats["frames_sent"] += 1
            deadline = time.monotonic() + self.timeout_s
            while (remaining := deadline - time.monotonic()) > 0:
                raw = self.link.recv(remaining)
                if raw is None:
                    break
                try:
                    frame = decode(raw, keys, bound=nonce)
                except Unauthentic:
                    self.stats["unauthentic_frames_refused"] += 1
                    continue
                except BadFrame:
                    self.stats["bad_frames_refused"] += 1
                    continue
                if frame.kind != RESPONSE or frame.seq != self._seq:
                    self.stats["stale_frames_ignored"] += 1
                    continue
                if sealed and frame.key_index is None:  # anyone can send an open refusal
                    self.stats["open_answers_ignored"] += 1
                    refused = str(frame.payload.get("message"))
                    continue
                if frame.payload.get("duplicate"):
                    self.stats["duplicates_suppressed"] += 1
                return frame.payload
        if refused is not None:
            raise NotPaired(
                f"{payload.get('op')}: pump {self.serial} does not take this programmer's "
                f"link key ({refused}); re-pair with the physical step (docs/telemetry.md)"
            )
        raise LinkError(f"{payload.get('op')}: no answer from pump {self.serial}")

    # -- keys ----------------------------------------------------------------------

    def pair(self) -> LinkKey:
        """Agree a new link key with the pump (open only to a factory-new pump, or for
        a minute after the physical step); the key is kept before it is used."""
        offer = Offer.new()
        args = {"serial": self.serial, "programmer_public": offer.public_hex}
        answer = self._exchange({"op": "pair", "args": args})
        key = self._agreed(offer, answer, "pairing")
        self.on_new_key(key)
        self.key, self.session = key, None
        self.stats["pairings"] += 1
        return key

    def rotate_key(self) -> LinkKey:
        """A new key agreed inside a sealed session; the pump keeps the old one too until
        a frame sealed with the new one arrives, so a lost answer locks no one out."""
        offer = Offer.new()
        answer = self._call("rekey", {"serial": self.serial, "programmer_public": offer.public_hex})
        key = self._agreed(offer, answer, "key rotation")
        self.on_new_key(key)
        self.key = key
        self.stats["key_rotations"] += 1
        return key

    def _agreed(self, offer: Offer, answer: dict[str, Any], what: str) -> LinkKey:
        if not answer.get("ok"):
            raise InvalidTransition(f"the pump refused {what}: {answer.get('message')}")
        key = offer.agree(str(answer["pump_public"]), self.serial, offer.public_hex)
        if key.key_id != answer.get("key_id"):
            raise LinkError(f"{what}: the pump agreed a different key; try again")
        return key

    def _open(self) -> None:
        cid = self.new_id()
        args = {"serial": self.serial, "programmer": self.programmer}
        self.sent[cid] = ("open", args)
        answer = self._exchange({"op": "open", "command_id": cid, "args": args})
        if not answer.get("ok"):
            raise InvalidTransition(f"the pump refused the session: {answer.get('message')}")
        self.answered[cid] = answer
        self.session = answer["result"]["session"]
        self.stats["sessions_opened"] += 1

    def _call(self, op: str, args: dict[str, Any], command_id: str | None = None) -> dict[str, Any]:
        if self.session is None:
            self._open()
        for _ in range(2):
            payload: dict[str, Any] = {"op": op, "session": self.session, "args": args}
            if command_id is not None:
                payload["command_id"] = command_id
            answer = self._exchange(payload)
            if answer.get("ok") or answer.get("error") != "no_session":
                return answer
            self.session = None  # the pump restarted or timed the session out
            self._open()
        raise LinkError(f"{op}: the pump keeps losing the session")

    def close(self) -> None:
        """End the radio session (the pump also forgets it when it restarts)."""
        if self.session is not None:
            with contextlib.suppress(LinkError):  # the pump times it out anyway
                self._exchange({"op": "close", "session": self.session, "args": {}})
            self.session = None

    def hang_up(self) -> None:
        """End the session and release the radio (the link's socket): this port is done."""
        self.close()
        self.link.close()

    # -- writes --------------------------------------------------------------------

    def _write(
        self, op: str, args: dict[str, Any], command_id: str | None = None
    ) -> dict[str, Any]:
        if self.pending is not None:
            self.stats["blind_writes_refused"] += 1
            raise InvalidTransition(
                f"the outcome of {self.pending[1]} ({self.pending[0]}) is uncertain: "
                "interrogate the pump before sending anything else (SR-34)"
            )
        if self.session is None:
            self._open()  # a failure here sent nothing of this write
        cid = command_id or self.new_id()
        self.sent[cid] = (op, args)
        self.stats["commands"] += 1
        try:
            answer = self._call(op, args, cid)
        except LinkError as exc:
            self.pending = (cid, op)
            self.stats["uncertain"] += 1
            raise UncertainOutcome(
                f"{op}: the answer was lost; it may have been applied. Interrogate first", cid
            ) from exc
        if not answer.get("ok"):
            problems = [Problem(p["path"], p["message"]) for p in answer.get("problems", [])]
            raise InputError(f"the pump refused {op}: {answer.get('message')}", problems)
        self.answered[cid] = answer
        self.events.extend(event_from_dict(e) for e in answer["events"])
        return answer

    def apply_program(
        self,
        program: Program,
        now_s: float,
        library_digest: str | None = None,
        temporary_s: float | None = None,
    ) -> None:
        args = {
            "program": program_to_json(program),
            "library_digest": library_digest,
            "temporary_s": temporary_s,
        }
        r = self._write("apply_program", args)["result"]
        refuse_unless_accepted("program", r)

    def start_bolus(self, kind: str, volume_ml: float, duration_s: float, now_s: float) -> None:
        args = {"kind": kind, "volume_ml": volume_ml, "duration_s": duration_s}
        refuse_unless_accepted("bolus", self._write("start_bolus", args)["result"])

    def request_demand(self, request_id: str, now_s: float) -> DemandAnswer:
        # the request id is the command id: a retried press is answered, never repeated
        answer = self._write("demand", {"request_id": request_id}, f"demand:{request_id}")
        return demand_answer(request_id, answer["result"])

    def refill(
        self, add_ml: float, drugs: tuple[DrugConcentration, ...], entered_ml: float, now_s: float
    ) -> RefillResult:
        args = codec.command_to_json(c.Refill(add_ml, drugs, entered_ml))
        return refill_result(self._write("refill", args)["result"])

    def send(self, command: c.Command) -> dict[str, Any]:
        """Any other pump command (suspend, resume, valve reset; emulator-only faults)."""
        return self._write(codec.OPS_OF[type(command)], codec.command_to_json(command))

    def inject(self, command: c.Command, now_s: float) -> None:
        """Emulator-only fault injection, as `EmulatedPump.inject`: over the link."""
        self.send(command)

    def commission(
        self,
        model_id: str,
        program: Program,
        fill_ml: float,
        catheter_volume_ml: float,
        catheter_initial: str = "drug",
    ) -> dict[str, Any]:
        """The implant: fill the factory-new pump and start its first program."""
        return self._write(
            "commission",
            {
                "model_id": model_id,
                "program": program_to_json(program),
                "fill_ml": fill_ml,
                "catheter_volume_ml": catheter_volume_ml,
                "catheter_initial": catheter_initial,
            },
        )

    # -- reading -------------------------------------------------------------------

    def interrogate(self, now_s: float) -> Interrogation:
        """The pump's report, with its command history read up to date; an uncertain
        write is resolved here, from that history."""
        answer = self._call("interrogate", {"since_seq": self.seen_seq})
        if not answer.get("ok"):
            raise InvalidTransition(f"interrogation refused: {answer.get('message')}")
        fresh = list(answer["history"])
        while not answer["history_complete"]:
            self.seen_seq = fresh[-1]["seq"]
            answer = self._call("interrogate", {"since_seq": self.seen_seq})
            fresh += answer["history"]
        self.history.extend(fresh)
        self.seen_seq = answer["seq"]
        self.last = answer
        if self.pending is not None:
            cid, op = self.pending
            applied = any(r["command_id"] == cid for r in fresh)
            self.resolutions.append(Resolution(cid, op, applied))
            self.stats["uncertain_resolved"] += 1
            self.pending = None
        return codec.interrogation_from_json(answer["report"])
