"""`program check`, `refill plan`, `dose` and `convert` input documents."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from thecal.adapters.inputs.loader import finish, flag, timestamp
from thecal.adapters.scenario.fields import Reader
from thecal.adapters.scenario.program_reader import read_drugs, read_program
from thecal.core.drugs import DrugLibrary
from thecal.core.pump.models import PumpCatalogue, PumpModel
from thecal.core.pump.program import DrugConcentration
from thecal.core.safety import Catheter, DoseChange, Patient, Policy, ProgramProposal
from thecal.core.safety.context import COMEDICATIONS, INDICATIONS
from thecal.core.therapy import RefillRequest
from thecal.core.therapy.catheter import DEFAULT_UL_PER_CM
from thecal.core.units import SECONDS_PER_DAY, Kind

PATIENT_FLAGS = (
    "paediatric",
    "opioid_naive",
    "spinal_cord_injury_t6_or_above",
    "communication_deficit",
    "history_of_psychosis",
    "psychiatric_screening_done",
    "systemic_dose_reduction_planned",
)
PATIENT_KEYS = ("indication", "sedative_comedication", "effective_screening_dose", *PATIENT_FLAGS)


def _model(r: Reader, doc: Any, catalogue: PumpCatalogue) -> PumpModel | None:
    pump = r.obj(doc.get("pump"), "pump", ("model",), ("model",))
    if pump is None or "model" not in pump:
        return None
    model = catalogue.get(str(pump["model"]))
    if model is None:
        r.add(
            "pump.model",
            f"'{pump['model']}' is not in the catalogue; accepted: " + ", ".join(catalogue.models),
        )
    return model


def _patient(r: Reader, value: Any) -> Patient:
    obj = r.obj(value, "patient", PATIENT_KEYS)
    if obj is None:
        return Patient()
    indication = obj.get("indication", "non_cancer")
    r.text(indication, "patient.indication", INDICATIONS)
    meds = tuple(r.items(obj.get("sedative_comedication", []), "patient.sedative_comedication"))
    for i, m in enumerate(meds):
        r.text(m, f"patient.sedative_comedication[{i}]", COMEDICATIONS)
    screening = None
    if "effective_screening_dose" in obj:
        screening = r.quantity(
            obj["effective_screening_dose"], Kind.AMOUNT, "patient.effective_screening_dose"
        )
    flags = {k: flag(r, obj, k, "patient.") for k in PATIENT_FLAGS}
    return Patient(
        indication=str(indication),
        sedative_comedication=tuple(map(str, meds)),
        effective_screening_dose_mcg=screening,
        **flags,
    )


def _catheter(r: Reader, value: Any) -> Catheter:
    obj = r.obj(value, "catheter", ("length_cm", "ul_per_cm"))
    if obj is None:
        return Catheter(None, None)
    length = r.number(obj["length_cm"], "catheter.length_cm", 0) if "length_cm" in obj else None
    per_cm = r.number(obj.get("ul_per_cm", DEFAULT_UL_PER_CM), "catheter.ul_per_cm", 0)
    return Catheter(length, per_cm)


def _history(r: Reader, value: Any) -> tuple[DoseChange, ...]:
    out = []
    for i, item in enumerate(r.items(value, "history")):
        p = f"history[{i}]"
        obj = r.obj(item, p, ("at", "drug", "dose"), ("at", "drug", "dose"))
        if obj is None or not {"at", "drug", "dose"} <= set(obj):
            continue
        at = timestamp(r, obj["at"], f"{p}.at")
        dose = r.quantity(obj["dose"], Kind.DOSE_RATE, f"{p}.dose")
        if at is not None and dose is not None:
            out.append(DoseChange(at, str(obj["drug"]), dose * SECONDS_PER_DAY))
    return tuple(out)


@dataclass(frozen=True)
class ProgramCheckInput:
    proposal: ProgramProposal
    bridge_duration_s: float | None


PROGRAM_CHECK_KEYS = (
    "pump",
    "catheter",
    "patient",
    "now",
    "first_fill",
    "current",
    "proposed",
    "bridge",
    "history",
    "reservoir_drugs",
)


def read_program_check(
    doc: Any, catalogue: PumpCatalogue, library: DrugLibrary, policy: Policy
) -> ProgramCheckInput:
    r = Reader()
    obj = r.obj(doc, "", PROGRAM_CHECK_KEYS, ("pump", "now", "proposed"))
    if obj is None:
        finish(r, "program check input")
    assert obj is not None
    model = _model(r, obj, catalogue)
    now = timestamp(r, obj.get("now"), "now") if "now" in obj else None
    current = read_program(r, obj["current"], "current") if obj.get("current") else None
    proposed = read_program(r, obj.get("proposed"), "proposed") if "proposed" in obj else None
    bridge = None
    if "bridge" in obj:
        b = r.obj(obj["bridge"], "bridge", ("duration",), ("duration",))
        bridge = (
            r.quantity(b["duration"], Kind.DURATION, "bridge.duration")
            if b and "duration" in b
            else None
        )
    reservoir = (
        read_drugs(r, obj["reservoir_drugs"], "reservoir_drugs")
        if "reservoir_drugs" in obj
        else None
    )
    ctx_patient = _patient(r, obj.get("patient", {}))
    catheter = _catheter(r, obj.get("catheter", {}))
    history = _history(r, obj.get("history", []))
    first_fill = flag(r, obj, "first_fill", "")
    finish(r, "program check input")
    assert model is not None and now is not None and proposed is not None
    ctx = ProgramProposal(
        proposed,
        current,
        model,
        library,
        policy,
        ctx_patient,
        catheter,
        now,
        first_fill,
        history,
        bridge is not None,
        reservoir,
    )
    return ProgramCheckInput(ctx, bridge)


REFILL_KEYS = (
    "pump",
    "now",
    "interrogation",
    "program",
    "refill",
    "previous_refill",
    "naive_pump_first_fill",
    "elective_replacement",
    "due",
)


def read_refill_plan(doc: Any, catalogue: PumpCatalogue) -> RefillRequest:
    r = Reader()
    obj = r.obj(doc, "", REFILL_KEYS, ("pump", "now", "program", "refill"))
    if obj is None:
        finish(r, "refill plan input")
    assert obj is not None
    model = _model(r, obj, catalogue)
    now = timestamp(r, obj.get("now"), "now") if "now" in obj else None
    program = read_program(r, obj.get("program"), "program") if "program" in obj else None
    estimate = None
    if "interrogation" in obj:
        it = r.obj(
            obj["interrogation"],
            "interrogation",
            ("reservoir_estimate_ml",),
            ("reservoir_estimate_ml",),
        )
        if it and "reservoir_estimate_ml" in it:
            estimate = r.volume(it["reservoir_estimate_ml"], "interrogation.reservoir_estimate_ml")
    refill = r.obj(
        obj.get("refill"),
        "refill",
        ("add_ml", "drugs", "entered_ml", "withdrawn_ml"),
        ("add_ml", "drugs"),
    )
    add = entered = withdrawn = None
    drugs: tuple[DrugConcentration, ...] = ()
    if refill is not None:
        add = r.volume(refill.get("add_ml"), "refill.add_ml") if "add_ml" in refill else None
        drugs = read_drugs(r, refill.get("drugs", []), "refill.drugs")
        entered = (
            r.volume(refill["entered_ml"], "refill.entered_ml") if "entered_ml" in refill else None
        )
        withdrawn = (
            r.volume(refill["withdrawn_ml"], "refill.withdrawn_ml")
            if "withdrawn_ml" in refill
            else None
        )
    previous = None
    if "previous_refill" in obj:
        prev = r.obj(obj["previous_refill"], "previous_refill", ("entered_ml",), ("entered_ml",))
        previous = (
            r.volume(prev["entered_ml"], "previous_refill.entered_ml")
            if prev and "entered_ml" in prev
            else None
        )
    eri = (
        timestamp(r, obj["elective_replacement"], "elective_replacement")
        if "elective_replacement" in obj
        else None
    )
    due = timestamp(r, obj["due"], "due") if "due" in obj else None
    naive = flag(r, obj, "naive_pump_first_fill", "")
    finish(r, "refill plan input")
    assert model is not None and now is not None and program is not None and add is not None
    return RefillRequest(
        model, now, estimate, program, add, drugs, withdrawn, entered, previous, naive, eri, due
    )
