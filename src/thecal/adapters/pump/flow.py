"""A constant-flow (gas-driven) pump behind the clinic's `PumpPort`.

Such a pump has no telemetry, no estimate, no alarm and no programming: nothing to
ask. What the clinic knows is its own ledger - the volume it put in at the last fill
and the nominal flow since - so an "interrogation" here answers from that ledger
(labelled as the reservoir estimate, as a programmable pump's own estimate is) and
from the pump's emulated truth only what a person could see: whether it still
delivers. The true flow (fever, altitude, a bias) shows only when a refill withdraws
what is really left.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from thecal.core.errors import InvalidTransition
from thecal.core.pump import commands as c
from thecal.core.pump import constant_flow
from thecal.core.pump.constant_flow import FlowState, effective_program
from thecal.core.pump.events import Event
from thecal.core.pump.program import DrugConcentration, Program, program_digest
from thecal.core.units import SECONDS_PER_DAY
from thecal.services.ports import DemandAnswer, Interrogation, RefillResult


@dataclass(frozen=True)
class FlowRecord:
    """The emulated pump and the clinic's ledger: the volume at the last fill, and when."""

    state: FlowState
    ledger_ml: float
    ledger_s: float

    def expected_ml(self, at_s: float) -> float:
        rate = self.state.model.nominal_rate_ml_day / SECONDS_PER_DAY
        return max(0.0, self.ledger_ml - rate * (at_s - self.ledger_s))


NOT_PROGRAMMABLE = (
    "a constant-flow pump cannot be programmed: its rate is fixed by its restrictor; "
    "change the dose by changing the concentration at a refill"
)


class EmulatedFlowPump:
    def __init__(self, record: FlowRecord) -> None:
        self.record = record
        self.events: list[Event] = []

    def _step(self, command: c.Command, now_s: float) -> list[Event]:
        state, out = constant_flow.step(self.record.state, command, now_s)
        self.record = replace(self.record, state=state)
        self.events.extend(out)
        return out

    def program(self) -> Program:
        s = self.record.state
        drugs = tuple(DrugConcentration(n, x) for n, x in zip(s.drug_names, s.reservoir_conc,
                                                               strict=True))  # fmt: skip
        return effective_program(s.model, drugs)

    def interrogate(self, now_s: float) -> Interrogation:
        self._step(c.Tick(), now_s)
        program = self.program()
        return Interrogation(
            at_s=now_s,
            model_id=self.record.state.model.id,
            program=program,
            program_digest=program_digest(program),
            reservoir_estimate_ml=self.record.expected_ml(now_s),
            state=self.record.state.shown,
            active_alarms=(),
            elective_replacement=False,
            battery_fraction=1.0,  # no battery
        )

    def apply_program(
        self,
        program: Program,
        now_s: float,
        library_digest: str | None = None,
        temporary_s: float | None = None,
    ) -> None:
        raise InvalidTransition(NOT_PROGRAMMABLE)

    def start_bolus(self, kind: str, volume_ml: float, duration_s: float, now_s: float) -> None:
        raise InvalidTransition(NOT_PROGRAMMABLE)

    def request_demand(self, request_id: str, now_s: float) -> DemandAnswer:
        return DemandAnswer(request_id, "denied", "not_enabled", 0.0)

    def refill(
        self, add_ml: float, drugs: tuple[DrugConcentration, ...], entered_ml: float, now_s: float
    ) -> RefillResult:
        out = [e for e in self._step(c.Refill(add_ml, drugs, entered_ml, 0.0), now_s)
               if e.kind == "refill"]  # fmt: skip
        if not out or out[0].get("result") == "refused":
            return RefillResult(0.0, False, out[0].get("reason") if out else "no answer")
        self.record = replace(self.record, ledger_ml=entered_ml, ledger_s=now_s)
        return RefillResult(float(out[0].get("withdrawn_ml")), True, None)

    def inject(self, command: c.Command, now_s: float) -> None:
        """Emulator-only truth (a fever, a flight, a bias, an occlusion)."""
        self._step(command, now_s)
