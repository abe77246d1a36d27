"""`program check` and `refill plan` input documents -> core requests, through their
pydantic models (`adapters/schema/programmer.py`): every problem with its path."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from thecal.adapters.schema.base import validate
from thecal.adapters.schema.programmer import PatientDoc, ProgramCheckDoc, PumpRef, RefillPlanDoc
from thecal.core.drugs import DrugLibrary
from thecal.core.pump.models import PumpCatalogue, PumpModel
from thecal.core.safety import Catheter, DoseChange, Patient, Policy, ProgramProposal
from thecal.core.therapy import RefillRequest
from thecal.core.therapy.catheter import catheter_ul_per_cm
from thecal.core.units import SECONDS_PER_DAY


def _model(pump: PumpRef, catalogue: PumpCatalogue) -> PumpModel:
    model = catalogue.get(pump.model)
    assert model is not None  # PumpRef checked it against this catalogue
    return model


def clinical_patient(p: PatientDoc) -> Patient:
    flags = p.model_dump(exclude={"indication", "sedative_comedication",
                                  "effective_screening_dose"})  # fmt: skip
    return Patient(indication=p.indication, sedative_comedication=tuple(p.sedative_comedication),
                   effective_screening_dose_mcg=p.effective_screening_dose, **flags)  # fmt: skip


@dataclass(frozen=True)
class ProgramCheckInput:
    proposal: ProgramProposal
    bridge_duration_s: float | None


def read_program_check(
    doc: Any, catalogue: PumpCatalogue, library: DrugLibrary, policy: Policy
) -> ProgramCheckInput:
    d: ProgramCheckDoc = validate(
        ProgramCheckDoc, doc, "program check input", {"catalogue": catalogue}
    )
    model = _model(d.pump, catalogue)
    history = tuple(DoseChange(h.at, h.drug, h.dose * SECONDS_PER_DAY) for h in d.history)
    reservoir = None if d.reservoir_drugs is None else tuple(x.core() for x in d.reservoir_drugs)
    bridge = d.bridge.duration if d.bridge is not None else None
    ctx = ProgramProposal(
        d.proposed.core(),
        d.current.core() if d.current is not None else None,
        model,
        library,
        policy,
        clinical_patient(d.patient),
        Catheter(d.catheter.length_cm, catheter_ul_per_cm(model, d.catheter.ul_per_cm)),
        d.now,
        d.first_fill,
        history,
        bridge is not None,
        reservoir,
    )
    return ProgramCheckInput(ctx, bridge)


def read_refill_plan(doc: Any, catalogue: PumpCatalogue) -> RefillRequest:
    d: RefillPlanDoc = validate(RefillPlanDoc, doc, "refill plan input", {"catalogue": catalogue})
    r = d.refill
    return RefillRequest(
        _model(d.pump, catalogue),
        d.now,
        d.interrogation.reservoir_estimate_ml if d.interrogation is not None else None,
        d.program.core(),
        r.add_ml,
        tuple(x.core() for x in r.drugs),
        r.withdrawn_ml,
        r.entered_ml,
        d.previous_refill.entered_ml if d.previous_refill is not None else None,
        d.naive_pump_first_fill,
        d.elective_replacement,
        d.due,
    )
