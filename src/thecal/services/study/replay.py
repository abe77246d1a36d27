"""One patient of a cohort as a scenario, for the per-pump firmware to replay: the
same program, the same presses, the refills the population engine decided. This
is how the population engine is held to the firmware (and how a surprising
patient of a study can be looked at one event at a time)."""

from __future__ import annotations

import numpy as np

from thecal.core.drugs import DrugLibrary
from thecal.core.population import CohortResult
from thecal.core.population.cohort import Cohort
from thecal.core.population.schedules import program_for
from thecal.core.pump import commands as c
from thecal.core.pump.models import PumpCatalogue
from thecal.core.pump.program import DrugConcentration, Program
from thecal.core.scenario import Scenario, TimedCommand

CATHETER_CM = 50.0


def scenario_for(
    cohort: Cohort, result: CohortResult, i: int, drug: str,
    catalogue: PumpCatalogue, library: DrugLibrary,
) -> Scenario:
    model = catalogue.models[cohort.model_ids[int(cohort.model_index[i])]]
    entry = library.get(drug)
    assert entry is not None, drug
    fluid = (DrugConcentration(drug, entry.stock_concentrations_mcg_per_ml[0]),)
    events: list[tuple[float, c.Command]] = [(0.0, c.Fault("bias", float(cohort.bias[i])))]
    if cohort.constant_flow[i]:  # a gas-driven pump: its drugs only, the patient's altitude
        program = Program(drugs=fluid, steps=())
        events.append((0.0, c.Environment(ambient_kpa=float(cohort.ambient_kpa[i]))))
    else:
        program = program_for(cohort, i, fluid)
    for t, fault in ((cohort.occlusion_from_s[i], "occlusion"),
                     (cohort.occlusion_to_s[i], "occlusion_cleared")):
        if t < cohort.horizon_s:
            events.append((float(t), c.Fault(fault)))
    events += [(float(t), c.DemandRequest(f"r{n}"))
               for n, t in enumerate(cohort.requests_s[i]) if np.isfinite(t)]
    for t, add in zip(result.refill_s[i], result.added_ml[i], strict=True):
        if np.isfinite(t):
            events.append((float(t), c.Refill(float(add), fluid)))
    events.sort(key=lambda e: e[0])
    return Scenario(
        model=model,
        catheter_length_cm=CATHETER_CM,
        catheter_ul_per_cm=model.catheter_ul_per_cm,  # the pump's own catheter (pumps.toml)
        catheter_initial="drug",
        fill_ml=float(cohort.fill_ml[i]),
        entered_ml=None,
        duration_s=cohort.horizon_s,
        program=program,
        events=tuple(TimedCommand(t, n, cmd) for n, (t, cmd) in enumerate(events)),
    )
