"""`dose`, `convert`, `trial evaluate` and `candidate evaluate` input documents."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from thecal.adapters.inputs.loader import finish, flag, timestamp
from thecal.adapters.scenario.fields import Reader
from thecal.adapters.scenario.program_reader import read_drugs, read_program
from thecal.core.errors import UnitError
from thecal.core.pump.program import DrugConcentration, Program
from thecal.core.therapy.candidate import CRITERIA
from thecal.core.therapy.conversion import ROUTES
from thecal.core.therapy.trial import KINDS, Assessment, Trial, TrialDose
from thecal.core.units import SECONDS_PER_DAY, Kind, parse


@dataclass(frozen=True)
class DoseInput:
    """One of: drugs + rate, drugs + dose (of the first drug), drug + dose + rate, program."""

    drugs: tuple[DrugConcentration, ...] = ()
    rate_ml_per_day: float | None = None
    dose_mcg_per_day: float | None = None
    drug: str | None = None
    program: Program | None = None


def read_dose(doc: Any) -> DoseInput:
    r = Reader()
    obj = r.obj(doc, "", ("drugs", "drug", "rate", "dose", "program"))
    if obj is None:
        finish(r, "dose input")
    assert obj is not None
    if "program" in obj:
        program = read_program(r, obj["program"], "program")
        finish(r, "dose input")
        return DoseInput(program=program)
    rate = r.quantity(obj["rate"], Kind.RATE, "rate") if "rate" in obj else None
    dose = r.quantity(obj["dose"], Kind.DOSE_RATE, "dose") if "dose" in obj else None
    shapes = {("drugs", "rate"), ("drugs", "dose"), ("drug", "dose", "rate")}
    if tuple(k for k in ("drugs", "drug", "rate", "dose") if k in obj) not in {
        tuple(k for k in ("drugs", "drug", "rate", "dose") if k in s) for s in shapes
    }:
        r.add("", "give drugs + rate, drugs + dose, drug + dose + rate, or program")
    drugs = read_drugs(r, obj["drugs"], "drugs") if "drugs" in obj else ()
    drug = r.text(obj["drug"], "drug") if "drug" in obj else None
    finish(r, "dose input")
    per_day = SECONDS_PER_DAY
    return DoseInput(
        drugs,
        rate * per_day if rate is not None else None,
        dose * per_day if dose is not None else None,
        drug,
    )


@dataclass(frozen=True)
class ConvertInput:
    amount: float  # mcg, or mcg/s when per_time
    per_time: bool
    start: tuple[str, str]
    end: tuple[str, str]


def read_convert(doc: Any) -> ConvertInput:
    r = Reader()
    obj = r.obj(doc, "", ("from", "to"), ("from", "to"))
    if obj is None:
        finish(r, "conversion input")
    assert obj is not None
    start = r.obj(obj.get("from"), "from", ("drug", "route", "amount"), ("drug", "route", "amount"))
    end = r.obj(obj.get("to"), "to", ("drug", "route"), ("drug", "route"))
    amount, per_time = None, False
    if start is not None and "amount" in start:
        try:
            amount, per_time = parse(start["amount"], Kind.DOSE_RATE, "from.amount"), True
        except UnitError:
            amount = r.quantity(start["amount"], Kind.AMOUNT, "from.amount")
    for part, p in ((start, "from"), (end, "to")):
        if part is not None and "route" in part:
            r.text(part["route"], f"{p}.route", ROUTES)
    finish(r, "conversion input")
    assert start is not None and end is not None and amount is not None
    return ConvertInput(
        amount,
        per_time,
        (str(start["drug"]), str(start["route"])),
        (str(end["drug"]), str(end["route"])),
    )


SCORES = ("nrs", "odi", "ashworth", "penn")


def _assessment(r: Reader, value: Any, path: str, timed: bool = True) -> Assessment | None:
    keys = ("at", *SCORES, "side_effects") if timed else (*SCORES, "side_effects")
    obj = r.obj(value, path, keys, ("at",) if timed else ())
    if obj is None:
        return None
    at = timestamp(r, obj["at"], f"{path}.at") if timed and "at" in obj else 0.0
    scores = {k: r.number(obj[k], f"{path}.{k}") for k in SCORES if k in obj}
    effects = tuple(str(x) for x in r.items(obj.get("side_effects", []), f"{path}.side_effects"))
    return None if at is None else Assessment(at, side_effects=effects, **scores)


TRIAL_KEYS = (
    "kind",
    "drug",
    "indication",
    "paediatric",
    "observation",
    "inpatient",
    "systemic_opioid_taper_recorded",
    "psychological_evaluation_done",
    "baseline",
    "doses",
    "assessments",
)


def read_trial(doc: Any) -> Trial:
    r = Reader()
    obj = r.obj(doc, "", TRIAL_KEYS, ("kind", "drug", "baseline", "doses"))
    if obj is None:
        finish(r, "trial input")
    assert obj is not None
    kind = r.text(obj.get("kind"), "kind", KINDS)
    baseline = _assessment(r, obj.get("baseline"), "baseline", timed=False)
    doses = []
    for i, item in enumerate(r.items(obj.get("doses", []), "doses")):
        d = r.obj(item, f"doses[{i}]", ("at", "amount", "duration"), ("at", "amount"))
        if d is None or "at" not in d or "amount" not in d:
            continue
        at = timestamp(r, d["at"], f"doses[{i}].at")
        kind_is_infusion = obj.get("kind") == "opioid_continuous"
        amount = r.quantity(
            d["amount"], Kind.DOSE_RATE if kind_is_infusion else Kind.AMOUNT, f"doses[{i}].amount"
        )
        duration = (
            r.quantity(d["duration"], Kind.DURATION, f"doses[{i}].duration")
            if "duration" in d
            else 0.0
        )
        if at is not None and amount is not None and duration is not None:
            doses.append(
                TrialDose(at, amount * SECONDS_PER_DAY if kind_is_infusion else amount, duration)
            )
    assessments = [
        a
        for i, item in enumerate(r.items(obj.get("assessments", []), "assessments"))
        if (a := _assessment(r, item, f"assessments[{i}]")) is not None
    ]
    obs = (
        r.quantity(obj["observation"], Kind.DURATION, "observation")
        if "observation" in obj
        else None
    )
    indication = obj.get("indication", "non_cancer")
    flags = {
        k: flag(r, obj, k, "")
        for k in ("paediatric", "systemic_opioid_taper_recorded", "psychological_evaluation_done")
    }
    inpatient = flag(r, obj, "inpatient", "", default=True)
    finish(r, "trial input")
    assert kind is not None and baseline is not None
    first = doses[0].at_s if doses else 0.0
    baseline = Assessment(first, baseline.nrs, baseline.odi, baseline.ashworth, baseline.penn)
    return Trial(
        kind,
        str(obj["drug"]),
        baseline,
        tuple(doses),
        tuple(assessments),
        str(indication),
        observation_h=obs / 3600.0 if obs is not None else None,
        inpatient=inpatient,
        **flags,
    )


@dataclass(frozen=True)
class CandidateInput:
    therapy: str
    cancer: bool
    answers: dict[str, bool | None]


def read_candidate(doc: Any) -> CandidateInput:
    r = Reader()
    obj = r.obj(doc, "", ("therapy", "cancer", "criteria"), ("therapy", "criteria"))
    if obj is None:
        finish(r, "candidate input")
    assert obj is not None
    therapy = r.text(obj.get("therapy"), "therapy", ("pain", "spasticity"))
    keys = tuple(c.key for c in CRITERIA)
    crit = r.obj(obj.get("criteria"), "criteria", keys) or {}
    answers: dict[str, bool | None] = {}
    for key, value in crit.items():
        if value is not None and not isinstance(value, bool):
            r.add(f"criteria.{key}", f"{value!r}: expected true, false or null (not yet known)")
        elif key in keys:
            answers[key] = value
    cancer = flag(r, obj, "cancer", "")
    finish(r, "candidate input")
    assert therapy is not None
    return CandidateInput(therapy, cancer, answers)
