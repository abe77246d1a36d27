"""Therapy programs: what the clinician programmer sends (pump-behaviour.md §3).

A program is validated whole, every problem listed with its path, and only then
compiled into a cyclic rate schedule for the firmware. Doses are turned into rates
with the primary drug's *labelled* concentration: a program that states the wrong
concentration produces a real dosing error, exactly as it would in a pump.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass

from thecal.core.drugs import DrugLibrary
from thecal.core.errors import Problem
from thecal.core.pump.models import PumpModel
from thecal.core.pump.schedule import CycleSchedule
from thecal.core.tolerance import above, same
from thecal.core.units import SECONDS_PER_DAY


@dataclass(frozen=True)
class DrugConcentration:
    name: str
    concentration_mcg_per_ml: float


def same_fluid(a: tuple[DrugConcentration, ...], b: tuple[DrugConcentration, ...]) -> bool:
    """The same drugs at the same concentrations, in any order."""
    ca = {d.name: d.concentration_mcg_per_ml for d in a}
    cb = {d.name: d.concentration_mcg_per_ml for d in b}
    return set(ca) == set(cb) and all(same(ca[n], cb[n]) for n in ca)


@dataclass(frozen=True)
class Amount:
    """A bolus amount: a volume, or an amount of the primary drug (exactly one is set)."""

    ml: float | None = None
    mcg: float | None = None

    def volume_ml(self, primary_mcg_per_ml: float) -> float:
        if self.ml is not None:
            return self.ml
        assert self.mcg is not None
        return self.mcg / primary_mcg_per_ml if primary_mcg_per_ml > 0 else 0.0


@dataclass(frozen=True)
class Step:
    """A basal step: `rate_ml_per_s` or `dose_mcg_per_s` of the primary drug."""

    start_s: float
    rate_ml_per_s: float | None = None
    dose_mcg_per_s: float | None = None


@dataclass(frozen=True)
class PeriodicBolus:
    at_s: float
    amount: Amount
    duration_s: float


@dataclass(frozen=True)
class DemandBolus:
    amount: Amount
    duration_s: float
    lockout_s: float
    max_per_24h: int
    # the most of the primary drug the patient's boluses may give in any 24 h (SR-12);
    # a request that would pass it is denied in full. None: the count alone bounds it.
    max_mcg_per_24h: float | None = None


@dataclass(frozen=True)
class Program:
    drugs: tuple[DrugConcentration, ...]
    steps: tuple[Step, ...]
    cycle_days: int = 1
    periodic_boluses: tuple[PeriodicBolus, ...] = ()
    demand_bolus: DemandBolus | None = None
    low_reservoir_alarm_ml: float = 2.0

    @property
    def primary_mcg_per_ml(self) -> float:
        return self.drugs[0].concentration_mcg_per_ml if self.drugs else 0.0


@dataclass(frozen=True, slots=True)
class CompiledProgram:
    """A validated program in the firmware's terms: rates in mL/s, volumes in mL."""

    program: Program
    schedule: CycleSchedule
    demand_volume_ml: float  # 0 when no demand bolus
    demand_rate_ml_per_s: float
    low_reservoir_alarm_ml: float


def step_rate_ml_per_s(step: Step, primary_mcg_per_ml: float) -> float:
    if step.rate_ml_per_s is not None:
        return step.rate_ml_per_s
    assert step.dose_mcg_per_s is not None
    return step.dose_mcg_per_s / primary_mcg_per_ml if primary_mcg_per_ml > 0 else 0.0


def _cycle_pieces(program: Program) -> tuple[float, list[tuple[float, float]]]:
    cycle_s = program.cycle_days * SECONDS_PER_DAY
    primary = program.primary_mcg_per_ml
    bounds = {s.start_s for s in program.steps} | {0.0}
    bolus_spans = []
    for pb in program.periodic_boluses:
        rate = pb.amount.volume_ml(primary) / pb.duration_s
        bolus_spans.append((pb.at_s % cycle_s, pb.duration_s, rate))
        bounds.add(pb.at_s % cycle_s)
        bounds.add((pb.at_s + pb.duration_s) % cycle_s)
    starts = sorted(b for b in bounds if 0.0 <= b < cycle_s)
    step_starts = [s.start_s for s in program.steps]
    step_rates = [step_rate_ml_per_s(s, primary) for s in program.steps]
    pieces = []
    for start in starts:
        index = max(i for i, s in enumerate(step_starts) if s <= start)
        rate = step_rates[index]
        for at, duration, bolus_rate in bolus_spans:
            if (start - at) % cycle_s < duration:
                rate += bolus_rate
        pieces.append((start, rate))
    return cycle_s, pieces


def compile_program(program: Program) -> CompiledProgram:
    cycle_s, pieces = _cycle_pieces(program)
    demand = program.demand_bolus
    volume = demand.amount.volume_ml(program.primary_mcg_per_ml) if demand else 0.0
    return CompiledProgram(
        program=program,
        schedule=CycleSchedule.build(cycle_s, pieces),
        demand_volume_ml=volume,
        demand_rate_ml_per_s=volume / demand.duration_s if demand else 0.0,
        low_reservoir_alarm_ml=program.low_reservoir_alarm_ml,
    )


def _per_day(rate_ml_per_s: float) -> float:
    return rate_ml_per_s * SECONDS_PER_DAY


def _within(rate_ml_per_day: float, lo: float, hi: float) -> bool:
    """Rates travel as mL/s and come back as mL/day: 0.048 mL/day stays within 0.048."""
    return not above(lo, rate_ml_per_day) and not above(rate_ml_per_day, hi)


MAX_CYCLE_DAYS = 7  # a flex schedule repeats over 1 to 7 days (pump-behaviour.md §3)


def fixed_rate_problem(model: PumpModel, program: Program, path: str) -> Problem | None:
    """A constant-flow pump's rate is fixed: a rate, schedule or bolus given to it is
    refused by `path`, never dropped (the one wording for the pump's own rule and for
    an implant's or refill's field)."""
    if model.programmable or not (
        program.steps or program.periodic_boluses or program.demand_bolus
    ):
        return None
    return Problem(
        path,
        f"{model.id} is constant-flow: its rate is fixed, so what it is given names only "
        "its fluid; its dose changes with the concentration",
    )


def validate_program(program: Program, model: PumpModel, library: DrugLibrary) -> list[Problem]:
    """Every reason the pump must refuse `program`; an empty list means it may be applied."""
    problems: list[Problem] = []
    add = problems.append
    fixed = fixed_rate_problem(model, program, "basal")
    if fixed is not None:
        add(fixed)
    if not program.drugs:
        add(Problem("drugs", "at least one drug is required"))
    for i, drug in enumerate(program.drugs):
        if library.get(drug.name) is None:
            add(
                Problem(
                    f"drugs[{i}].name",
                    f"'{drug.name}' is not in the drug library; "
                    f"accepted: {', '.join(library.names())}",
                )
            )
        if drug.concentration_mcg_per_ml <= 0:
            add(Problem(f"drugs[{i}].concentration", "must be greater than 0"))
    names = [d.name for d in program.drugs]
    if len(set(names)) != len(names):
        add(Problem("drugs", "a drug is listed twice"))
    if not model.programmable:
        return problems
    if not 1 <= program.cycle_days <= MAX_CYCLE_DAYS:
        add(Problem("basal.cycle_days", f"{program.cycle_days} is outside 1-7 days"))
    cycle_s = program.cycle_days * SECONDS_PER_DAY
    if not program.steps:
        add(Problem("basal.steps", "at least one step is required, the first at 00:00"))
    elif program.steps[0].start_s != 0.0:
        add(Problem("basal.steps[0].start", "the first step must start at 00:00"))
    primary = program.primary_mcg_per_ml
    lo, hi = model.min_rate_ml_day, model.max_rate_ml_day
    for i, step in enumerate(program.steps):
        if i > 0 and step.start_s <= program.steps[i - 1].start_s:
            add(Problem(f"basal.steps[{i}].start", "steps must be sorted, each after the last"))
        if not 0.0 <= step.start_s < cycle_s:
            add(Problem(f"basal.steps[{i}].start", f"outside the {program.cycle_days}-day cycle"))
        field = "rate" if step.rate_ml_per_s is not None else "dose"
        rate = _per_day(step_rate_ml_per_s(step, primary))
        if rate != 0.0 and not _within(rate, lo, hi):
            add(
                Problem(
                    f"basal.steps[{i}].{field}",
                    f"gives {rate:.6g} mL/day; {model.id} "
                    f"accepts 0 (stopped) or {lo:g} to {hi:g} mL/day",
                )
            )
    for i, pb in enumerate(program.periodic_boluses):
        if pb.duration_s <= 0:
            add(Problem(f"periodic_boluses[{i}].duration", "must be greater than 0"))
        elif pb.duration_s > cycle_s:
            add(Problem(f"periodic_boluses[{i}].duration", "longer than the cycle"))
        if not 0.0 <= pb.at_s < cycle_s:
            add(Problem(f"periodic_boluses[{i}].at", f"outside the {program.cycle_days}-day cycle"))
        if (pb.amount.ml if pb.amount.ml is not None else pb.amount.mcg or 0.0) <= 0:
            add(Problem(f"periodic_boluses[{i}].amount", "must be greater than 0"))
    demand = program.demand_bolus
    if demand is not None:
        if demand.duration_s <= 0:
            add(Problem("demand_bolus.duration", "must be greater than 0"))
        if demand.lockout_s < demand.duration_s:
            add(Problem("demand_bolus.lockout", "must be at least the bolus duration"))
        if demand.max_per_24h < 1:
            add(Problem("demand_bolus.max_per_24h", "must be at least 1"))
        if (demand.amount.ml if demand.amount.ml is not None else demand.amount.mcg or 0.0) <= 0:
            add(Problem("demand_bolus.amount", "must be greater than 0"))
        cap = demand.max_mcg_per_24h
        one_dose = demand.amount.volume_ml(primary) * primary
        if cap is not None and not cap >= one_dose > 0:
            add(
                Problem(
                    "demand_bolus.max_dose_per_24h",
                    f"{cap:g} mcg: at least one bolus ({one_dose:g} mcg), or none",
                )
            )
        for i, drug in enumerate(program.drugs):
            entry = library.get(drug.name)
            if entry is not None and not entry.demand_eligible:
                add(
                    Problem(
                        "demand_bolus",
                        f"'{drug.name}' (drugs[{i}]) is not eligible for "
                        "patient demand boluses in the drug library",
                    )
                )
    if program.low_reservoir_alarm_ml < 0 or program.low_reservoir_alarm_ml >= model.capacity_ml:
        add(Problem("low_reservoir_alarm_ml", f"must be 0 to below {model.capacity_ml:g} mL"))
    if problems:
        return problems
    compiled = compile_program(program)
    peak = _per_day(compiled.schedule.max_rate_ml_per_s + compiled.demand_rate_ml_per_s)
    if not _within(peak, 0.0, hi):
        add(
            Problem(
                "basal",
                f"the largest rate that can occur (basal + periodic + demand "
                f"boluses) is {peak:.6g} mL/day, above the {model.id} maximum of {hi:g}",
            )
        )
    return problems


def program_digest(program: Program) -> str:
    """SHA-256 of the program's exact values: what the pump stores is read back and
    compared with what was sent (SR-07). `repr` of a float is exact."""
    fields = asdict(program)
    demand = fields["demand_bolus"]
    if demand is not None and demand["max_mcg_per_24h"] is None:
        del demand["max_mcg_per_24h"]  # a program without the dose window (SR-12) keeps
        # the digest it had before the field existed: stored programs still read back
    return hashlib.sha256(repr(fields).encode("utf-8")).hexdigest()
