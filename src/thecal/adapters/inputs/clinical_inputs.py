"""`dose`, `convert`, `trial evaluate` and `candidate evaluate` input documents ->
core inputs, through their pydantic models (`adapters/schema/programmer.py`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from thecal.adapters.schema.base import validate
from thecal.adapters.schema.pathway import PathwayDoc
from thecal.adapters.schema.programmer import CandidateDoc, ConvertDoc, DoseDoc, TrialDoc
from thecal.core.pump.program import DrugConcentration, Program
from thecal.core.therapy.pathway import PathwayRecord
from thecal.core.therapy.trial import Assessment, Trial, TrialDose
from thecal.core.units import SECONDS_PER_DAY


@dataclass(frozen=True)
class DoseInput:
    """One of: drugs + rate, drugs + dose (of the first drug), drug + dose + rate, program."""

    drugs: tuple[DrugConcentration, ...] = ()
    rate_ml_per_day: float | None = None
    dose_mcg_per_day: float | None = None
    drug: str | None = None
    program: Program | None = None


def read_dose(doc: Any) -> DoseInput:
    d: DoseDoc = validate(DoseDoc, doc, "dose input")
    if d.program is not None:
        return DoseInput(program=d.program.core())
    return DoseInput(
        tuple(x.core() for x in d.drugs or ()),
        d.rate * SECONDS_PER_DAY if d.rate is not None else None,
        d.dose * SECONDS_PER_DAY if d.dose is not None else None,
        d.drug,
    )


@dataclass(frozen=True)
class ConvertInput:
    amount: float  # mcg, or mcg/s when per_time
    per_time: bool
    start: tuple[str, str]
    end: tuple[str, str]


def read_convert(doc: Any) -> ConvertInput:
    d: ConvertDoc = validate(ConvertDoc, doc, "conversion input")
    amount, per_time = d.start.amount
    return ConvertInput(amount, per_time, (d.start.drug, d.start.route), (d.end.drug, d.end.route))


def read_trial(doc: Any) -> Trial:
    d: TrialDoc = validate(TrialDoc, doc, "trial input", context={})
    doses = tuple(TrialDose(x.at, x.amount, x.duration) for x in d.doses)
    b = d.baseline
    baseline = Assessment(doses[0].at_s if doses else 0.0, b.nrs, b.odi, b.ashworth, b.penn)
    assessments = tuple(
        Assessment(a.at, a.nrs, a.odi, a.ashworth, a.penn, side_effects=tuple(a.side_effects))
        for a in d.assessments
    )
    return Trial(
        d.kind,
        d.drug,
        baseline,
        doses,
        assessments,
        d.indication,
        observation_h=d.observation / 3600.0 if d.observation is not None else None,
        inpatient=d.inpatient,
        paediatric=d.paediatric,
        systemic_opioid_taper_recorded=d.systemic_opioid_taper_recorded,
        psychological_evaluation_done=d.psychological_evaluation_done,
    )


@dataclass(frozen=True)
class CandidateInput:
    therapy: str
    cancer: bool
    answers: dict[str, bool | None]


def read_candidate(doc: Any) -> CandidateInput:
    d: CandidateDoc = validate(CandidateDoc, doc, "candidate input")
    answers = d.criteria.model_dump(exclude_unset=True)
    return CandidateInput(d.therapy, d.cancer, answers)


def read_pathway(doc: Any) -> tuple[PathwayRecord, bool]:
    """A care pathway record (and whether the pain is cancer-related)."""
    d: PathwayDoc = validate(PathwayDoc, doc, "pathway record")
    return d.core(), d.cancer
