"""A constant-flow pump on the implant and replacement forms.

Its flow is fixed (pumps.toml `nominal_rate_ml_day`), so its program names only its
drugs: a basal step is refused (PUMP-3), and the form, which always sent the daily
dose as a step, could not implant a constant-flow pump at all. On such a pump the
concentration alone sets the dose, which is where a tenfold error hides (devices.md
§3: a concentration changed without the dose following). So the daily dose the
clinician types is kept as the intent, and Check compares it with what the fixed
flow gives, to the figure a clinician reads, naming the concentration that would
give the intended dose. The review then shows the dose the pump will give."""

from __future__ import annotations

from typing import Any

from thecal.adapters.schema.base import part, validate
from thecal.adapters.schema.types import Concentration, DoseRate
from thecal.core.drugs import DrugLibrary
from thecal.core.errors import InputError, Problem
from thecal.core.pump.constant_flow import concentration_for, fixed_daily_dose_mcg
from thecal.core.pump.models import PumpModel
from thecal.core.safety.fmt import conc_text, dose_text
from thecal.core.units import SECONDS_PER_DAY


def fixed_flow_program(
    form: dict[str, str], model: PumpModel, library: DrugLibrary
) -> tuple[dict[str, Any], list[Problem]]:
    """The implant form's program for a constant-flow pump (its drug only; no step,
    no alarm: the pump has neither) and the problems of the dose typed as the intent."""
    drug = {"name": form.get("drug", ""), "concentration": form.get("concentration", "")}
    return {"drugs": [drug]}, _intent_problems(form, model, library)


def _intent_problems(form: dict[str, str], model: PumpModel, library: DrugLibrary) -> list[Problem]:
    flow = f"{model.id} gives a fixed {model.nominal_rate_ml_day:g} mL/day"
    typed = form.get("dose", "").strip()
    if not typed:
        return [Problem("dose", f"the daily dose you intend: {flow}, so Check compares "
                                "it with what the concentration gives")]  # fmt: skip
    try:
        intended = validate(DoseRate, typed, "implant", prefix="dose") * SECONDS_PER_DAY
    except InputError as exc:
        return list(exc.problems)
    conc = part(Concentration, form.get("concentration", ""))
    if conc is None or conc <= 0:
        return []  # the request body names the concentration's problem
    drug = library.get(form.get("drug", ""))
    gives = fixed_daily_dose_mcg(model, conc)
    if dose_text(drug, gives) == dose_text(drug, intended):
        return []
    return [Problem("dose", (
        f"{flow}: {conc_text(drug, conc)} gives {dose_text(drug, gives)}, not the "
        f"{dose_text(drug, intended)} typed; for {dose_text(drug, intended)} fill it "
        f"with {conc_text(drug, concentration_for(model, intended))}"
    ))]  # fmt: skip
