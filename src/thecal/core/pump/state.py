"""The firmware's frozen state, and what is derived from it (states and alarms).

Derived things (the state shown, which alarms are active, the reservoir estimate)
are computed from the stored facts, never stored beside them, so they can never
disagree. Counters are synced to `t`: `strokes` strokes have been issued by `t`, and
`true_ml`, `outlet_ml` and `charge_uah` already account for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple, TypeVar, cast

import numpy as np

from thecal.core.drugs import DrugLibrary
from thecal.core.pump.answer_log import AnswerLog
from thecal.core.pump.models import PumpModel
from thecal.core.pump.path import PathLedger, Vector, pad
from thecal.core.pump.program import CompiledProgram
from thecal.core.units import SECONDS_PER_DAY

# A stroke is due when V_cmd / stroke reaches k within this many strokes: it absorbs
# float noise so that the time found for stroke k and the count at that time agree.
STROKE_EPS = 1e-6

Number = TypeVar("Number", float, "np.ndarray")


def strokes_until_level(estimate_ml: Number, level_ml: Number, stroke_ml: Number) -> Number:
    """Strokes from an estimate until it reads <= `level_ml` (0 if it already does).
    For one pump (floats) or a cohort (arrays): the firmware and the population engine
    share it, so their alarms fall on the same stroke."""
    needed = np.maximum(0.0, np.ceil((estimate_ml - level_ml) / stroke_ml - STROKE_EPS))
    return cast(Number, needed if isinstance(needed, np.ndarray) else float(needed))


DELIVERING = "delivering"
STOPPED = "stopped"
SUSPENDED = "suspended"
STALLED = "stalled"
VALVE_CLOSED = "valve-closed"
EMPTY = "empty"
END_OF_SERVICE = "end-of-service"
SELF_TEST_FAILED = "self-test-failed"
NOT_YET = float("inf")  # a timer that is not running
# The demand lockout runs from the last demand bolus granted: before any, there is none
# (a program, a refill or a reading gives no dose and starts no lockout; SR-06).
NO_DOSE_YET = float("-inf")


@dataclass(frozen=True, slots=True)
class RunningBolus:
    kind: str  # demand | clinician | bridge | priming
    rate_ml_per_s: float
    start_t: float
    end_t: float
    programmed_ml: float


@dataclass(frozen=True, slots=True)
class DemandVerdict:
    """What the firmware answered a request id, kept for a repeat of the id (SR-33); the
    port's DemandAnswer (services/ports.py) adds the id and the lockout left."""

    result: str  # granted | denied
    reason: str | None


# what the cached fields (empty_at_stroke, low_at_stroke, demand_fluid_ok) derive from
CACHE_INPUTS = frozenset(
    {"model", "library", "program", "estimate_base_ml", "estimate_base_strokes",
     "drug_names", "reservoir_conc"}
)  # fmt: skip


def average_daily_drain_uah(samples: tuple[float, ...]) -> float:
    """The mean drain per day over charges sampled at consecutive midnights."""
    days = len(samples) - 1
    return (samples[0] - samples[-1]) / days if days > 0 else 0.0


class PumpState(NamedTuple):
    model: PumpModel
    library: DrugLibrary
    t: float
    program: CompiledProgram | None
    anchor_s: float
    # delivery counters
    v_cmd_ml: float
    strokes: int
    # the firmware's estimate of the reservoir: base at base_strokes, minus one stroke per stroke
    estimate_base_ml: float
    estimate_base_strokes: int
    # what is really there
    true_ml: float
    outlet_ml: float
    bias: float
    occluded: bool
    drug_names: tuple[str, ...]
    reservoir_conc: Vector
    path: PathLedger
    # stopping conditions
    suspended: bool
    stall_causes: frozenset[str]
    mri_stall_until: float
    valve_closed: bool
    # battery
    charge_uah: float
    daily_charge_uah: tuple[float, ...]  # charge at consecutive midnights, newest last
    samples_from_t: float  # time of daily_charge_uah[0]
    peak_rate_ml_per_s: float  # the largest commanded rate so far (bounds the daily drain)
    eri: bool
    eos: bool
    # boluses and the patient's demand history
    boluses: tuple[RunningBolus, ...]
    lockout_from_t: float  # the last demand grant, NO_DOSE_YET before the first
    grants: tuple[float, ...]  # grant times within the last 24 h
    answers: AnswerLog[DemandVerdict]
    # Derived from the estimate base, the program and the fluid, and kept so a step
    # need not recompute them: `changed()` re-derives them whenever one of those changes
    # (CACHE_INPUTS). The stroke numbers at which the estimate reaches 0 and the
    # low-reservoir threshold ...
    empty_at_stroke: int = 0
    low_at_stroke: int = 0
    # ... and whether every drug in the reservoir may be given as a demand bolus
    demand_fluid_ok: bool = False
    # the alarm system (issue 26): when the running suspension began and whether it has
    # escalated (SR-30); alarms whose tone is silenced, until when (SR-29)
    suspended_from_t: float = NOT_YET
    suspension_alarm: bool = False
    silenced: tuple[tuple[str, float], ...] = ()
    # a temporary program runs over `base_program` until `temporary_until` (SR-36)
    base_program: CompiledProgram | None = None
    temporary_until: float = NOT_YET
    # self-test (SR-40): corruption injected and not yet found by a check, and the
    # checks that failed (delivery stops while any has)
    corrupt: frozenset[str] = frozenset()
    self_test_failed: frozenset[str] = frozenset()
    # the primary drug's dose of each grant in `grants` (SR-12), aligned from the right:
    # a state stored before it existed has fewer, and a missing dose counts as the
    # current bolus (missing history counts as full delivery, SR-06)
    grant_mcg: tuple[float, ...] = ()
    # when each active alarm began, from the pump's own clock (SR-32): an interrogation
    # reports it, so the clinic's alarm log starts at the onset, not at the reading
    alarm_since: tuple[tuple[str, float], ...] = ()
    # when each active alarm was first acknowledged at the pump (SR-32): it neither
    # clears nor silences the alarm, and it ends with it
    acknowledged: tuple[tuple[str, float], ...] = ()

    @property
    def stroke_ml(self) -> float:
        return self.model.stroke_ml

    def changed(self, **fields: Any) -> PumpState:
        """The one way to change a state (NamedTuple's `_replace` is not used outside this
        class; tests/unit/test_pump_state.py holds it): what is derived is re-derived
        whenever what it derives from changes, so no caller can forget to."""
        after = self._replace(**fields)
        return after.with_levels() if CACHE_INPUTS.intersection(fields) else after

    def with_levels(self) -> PumpState:
        """This state with its cached threshold strokes and demand eligibility recomputed
        (`changed` calls it; a state read from storage is built with it)."""
        low = self.program.low_reservoir_alarm_ml if self.program is not None else None
        return self._replace(
            empty_at_stroke=self.strokes_to_level(0.0),
            low_at_stroke=self.strokes_to_level(low) if low is not None else 2**62,
            demand_fluid_ok=self._fluid_demand_eligible(),
        )

    def _fluid_demand_eligible(self) -> bool:
        """No drug present in the reservoir is refused for demand boluses by the library
        (pump-behaviour.md §7, first check)."""
        concentrations = pad(self.reservoir_conc, len(self.drug_names))
        return not any(
            conc > 0.0 and (drug := self.library.get(name)) is not None and not drug.demand_eligible
            for name, conc in zip(self.drug_names, concentrations, strict=True)
        )

    @property
    def estimate_ml(self) -> float:
        return self.estimate_base_ml - self.stroke_ml * (self.strokes - self.estimate_base_strokes)

    def strokes_to_level(self, level_ml: float) -> int:
        """The stroke number at which the estimate falls to <= `level_ml`."""
        needed = strokes_until_level(self.estimate_base_ml, level_ml, self.stroke_ml)
        return self.estimate_base_strokes + int(needed)

    @property
    def empty(self) -> bool:
        return self.strokes >= self.empty_at_stroke

    @property
    def low(self) -> bool:
        return self.strokes >= self.low_at_stroke

    @property
    def shown(self) -> str:
        """The state shown: the first stopping condition that holds (pump-behaviour.md §8)."""
        if self.eos:
            return END_OF_SERVICE
        if self.self_test_failed:
            return SELF_TEST_FAILED
        if self.stall_causes:
            return STALLED
        if self.valve_closed:
            return VALVE_CLOSED
        if self.empty:
            return EMPTY
        if self.suspended:
            return SUSPENDED
        if self.program is None:
            return STOPPED
        return DELIVERING

    def active_alarms(self) -> frozenset[str]:
        active = set()
        if self.low:
            active.add("LOW_RESERVOIR")
        if self.empty:
            active.add("EMPTY_RESERVOIR")
        if self.stall_causes:
            active.add("MOTOR_STALL")
        if self.valve_closed:
            active.add("VALVE_CLOSED")
        if self.eri:
            active.add("ELECTIVE_REPLACEMENT")
        if self.eos:
            active.add("END_OF_SERVICE")
        if self.suspension_alarm:
            active.add("SUSPENSION_PROLONGED")
        if self.self_test_failed:
            active.add("SELF_TEST_FAILURE")
        return frozenset(active)

    def grant_doses_mcg(self, current_mcg: float) -> tuple[float, ...]:
        """The dose of each grant in `grants`, oldest first."""
        missing = len(self.grants) - len(self.grant_mcg)
        if missing <= 0:
            return self.grant_mcg[len(self.grant_mcg) - len(self.grants) :]
        return (current_mcg,) * missing + self.grant_mcg

    @property
    def lockout_remaining_s(self) -> float:
        """Time until the demand-bolus lockout ends (0 when none is running or none is
        programmed); the firmware denies a request while it is above 0 (SR-10)."""
        program = self.program
        if program is None or program.program.demand_bolus is None:
            return 0.0
        # written so that "> 0" is exactly "t - lockout_from_t < lockout_s"
        return max(0.0, program.program.demand_bolus.lockout_s - (self.t - self.lockout_from_t))

    @property
    def days_to_end_of_service(self) -> float | None:
        """Charge left over the average daily drain of the samples kept for the ERI check."""
        if self.model.battery_uah <= 0 or len(self.daily_charge_uah) < 2:
            return None
        drain = average_daily_drain_uah(self.daily_charge_uah)
        return self.charge_uah / drain if drain > 0 else None

    def bolus_rate_ml_per_s(self) -> float:
        return sum(b.rate_ml_per_s for b in self.boluses)

    @property
    def battery_fraction(self) -> float:
        return max(0.0, min(1.0, self.charge_uah / self.model.battery_uah))

    def drain_bound_uah_per_day(self) -> float:
        """No day can drain more than this: baseline plus strokes at the peak rate."""
        model = self.model
        rate = max(model.max_rate_ml_day / SECONDS_PER_DAY, self.peak_rate_ml_per_s)
        baseline = model.baseline_ua * SECONDS_PER_DAY / 3600.0
        return baseline + model.uah_per_stroke * rate * SECONDS_PER_DAY / model.stroke_ml

    def tip_drug_mcg(self) -> Vector:
        return self.path.tip_drug(self.outlet_ml, len(self.drug_names))
