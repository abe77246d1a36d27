"""The core firmware behind the `PumpPort`, with link faults to inject.

`drop_link` makes the next call fail the way a telemetry link fails: "before" the
pump received the command (nothing applied) or "after" (applied, but the answer
was lost). Both raise `LinkError`: the caller cannot tell which, exactly as with a
real pump. "ignored" is a firmware fault instead: the pump acknowledges a program or
bolus and does not apply it, which only the programmer's read-back can catch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from thecal.adapters.pump.outcome import outcome
from thecal.core.errors import InvalidTransition, LinkError
from thecal.core.pump import commands as c
from thecal.core.pump import firmware
from thecal.core.pump.alarm_system import priority
from thecal.core.pump.events import STOPPING_ALARMS, Event
from thecal.core.pump.program import Amount, DrugConcentration, Program, program_digest
from thecal.core.pump.state import DELIVERING, NOT_YET, PumpState
from thecal.services.ports import DemandAnswer, Interrogation, RefillResult

FAULT_POINTS = ("before", "after", "ignored")


def report(s: PumpState) -> Interrogation:
    """What the pump tells an interrogation about itself at `s.t`: its own view, never
    the true reservoir. The in-process and the telemetry emulator both answer this."""
    program = s.program.program if s.program is not None else None
    active = s.active_alarms()
    silences = tuple(sorted((c, until) for c, until in s.silenced if until > s.t and c in active))
    return Interrogation(
        at_s=s.t,
        model_id=s.model.id,
        program=program,
        program_digest=program_digest(program) if program is not None else None,
        reservoir_estimate_ml=s.estimate_ml,
        state=s.shown,
        active_alarms=tuple(sorted(s.active_alarms())),
        elective_replacement=s.eri,
        battery_fraction=s.battery_fraction,
        days_to_end_of_service=s.days_to_end_of_service,
        lockout_remaining_s=s.lockout_remaining_s,
        temporary_until_s=s.temporary_until if s.base_program is not None else None,
        base_program=s.base_program.program if s.base_program is not None else None,
        alarm_onsets=s.alarm_since,
        delivery_stopped_since_s=stopped_since(s),
        alarm_priorities=tuple((code, priority(s, code)) for code in sorted(s.active_alarms())),
        alarm_silences=silences,
        alarm_acknowledged=tuple(sorted(x for x in s.acknowledged if x[0] in active)),
    )


def stopped_since(s: PumpState) -> float | None:
    """When the running stop began: the suspension or the earliest stopping alarm that
    holds now. A pump that delivers, or one stopped for want of a program, has none."""
    if s.shown == DELIVERING:
        return None
    begun = [t for code, t in s.alarm_since if code in STOPPING_ALARMS]
    if s.suspended and s.suspended_from_t != NOT_YET:
        begun.append(s.suspended_from_t)
    return min(begun) if begun else None


@dataclass
class EmulatedPump:
    state: PumpState
    events: list[Event] = field(default_factory=list)
    faults: dict[str, str] = field(default_factory=dict)  # operation -> before | after
    pocket_fill_next_ml: float = 0.0  # the next refill misses the reservoir by this much

    def drop_link(self, operation: str, when: str = "before") -> None:
        if when not in FAULT_POINTS:
            raise ValueError(f"when: expected one of {FAULT_POINTS}")
        self.faults[operation] = when

    def inject(self, command: c.Command, now_s: float) -> None:
        """Emulator-only fault injection (a stuck valve, a bias, a stall): hardware
        truth that no programmer can command, used by tests and the demo."""
        self._step(command, now_s)

    def _step(self, command: c.Command, now_s: float) -> list[Event]:
        self.state, out = firmware.step(self.state, command, now_s)
        self.events.extend(out)
        return out

    def _send(self, operation: str, command: c.Command, now_s: float) -> list[Event]:
        when = self.faults.pop(operation, None)
        if when == "ignored":  # acknowledged, not applied
            return self._step(c.Tick(), now_s)
        if when == "before":
            raise LinkError(f"{operation}: link lost before the pump answered")
        out = self._step(command, now_s)
        if when == "after":
            raise LinkError(f"{operation}: link lost before the pump answered")
        return out

    def interrogate(self, now_s: float) -> Interrogation:
        if self.faults.pop("interrogate", None) is not None:
            raise LinkError("interrogate: no answer from the pump")
        self._step(c.Tick(), now_s)
        return report(self.state)

    def _outcome(self, operation: str, op: str, command: c.Command, now_s: float) -> dict[str, Any]:
        return outcome(op, self._send(operation, command, now_s), self.state)

    def request_demand(self, request_id: str, now_s: float) -> DemandAnswer:
        r = self._outcome("request_demand", "demand", c.DemandRequest(request_id), now_s)
        return demand_answer(request_id, r)

    def apply_program(
        self,
        program: Program,
        now_s: float,
        library_digest: str | None = None,
        temporary_s: float | None = None,
    ) -> None:
        command = c.ApplyProgram(program, library_digest, temporary_s)
        r = self._outcome("apply_program", "apply_program", command, now_s)
        refuse_unless_accepted("program", r)

    def start_bolus(self, kind: str, volume_ml: float, duration_s: float, now_s: float) -> None:
        command = c.StartBolus(kind, Amount(ml=volume_ml), duration_s)
        refuse_unless_accepted("bolus", self._outcome("start_bolus", "start_bolus", command, now_s))

    def refill(
        self, add_ml: float, drugs: tuple[DrugConcentration, ...], entered_ml: float, now_s: float
    ) -> RefillResult:
        pocket, self.pocket_fill_next_ml = min(self.pocket_fill_next_ml, add_ml), 0.0
        command = c.Refill(add_ml, drugs, entered_ml, pocket)
        return refill_result(self._outcome("refill", "refill", command, now_s))


def demand_answer(request_id: str, r: dict[str, Any]) -> DemandAnswer:
    return DemandAnswer(request_id, r["result"], r["reason"], r["lockout_remaining_s"])


def refill_result(r: dict[str, Any]) -> RefillResult:
    return RefillResult(r["withdrawn_ml"], r["accepted"], r["reason"])


def refuse_unless_accepted(what: str, r: dict[str, Any]) -> None:
    if not r["accepted"]:
        raise InvalidTransition(f"the pump refused the {what}: {r['reason']}")
