"""Trial to implant to one year, for a drawn population, with the PK/PD model.

Every patient of one drug shares the drug's rate constants (volumes and clearances
scale together with weight), so one exact unit-dose curve per drug serves them all,
scaled by dose, CSF volume and sensitivity. Trial doses and success thresholds are
the programmer's (policy and drug library); the responses are the illustrative PD.
"""

from __future__ import annotations

import numpy as np

from thecal.core.errors import CatalogueError
from thecal.core.pk import DrugModel, EffectLibrary, KineticsLibrary, for_patient
from thecal.core.pk import pd as effect
from thecal.core.population.generator import (
    INDICATIONS,
    Population,
    PopulationSpec,
    rng_for,
    uniform,
)
from thecal.core.safety.policy import Policy
from thecal.core.units import SECONDS_PER_DAY

REFERENCE_KG = 70.0
MINUTE = 60.0


def _reference_model(kin: KineticsLibrary, eff: EffectLibrary, drug: str) -> DrugModel:
    """The drug's model at the reference weight. Its curves serve every weight because
    CSF volume and clearance scale alike (both per kg or both absolute), which leaves
    the rates unchanged and divides concentrations by the volume ratio."""
    k = kin.get(drug)
    if k.csf_volume.per_kg != k.csf_clearance.per_kg:
        raise CatalogueError(f"pk.toml drug {drug}: CSF volume and clearance must both be "
                             "per kg or both absolute for population trials")
    return DrugModel.build(for_patient(k, REFERENCE_KG, 40.0), eff.get(drug).tolerance_rate_per_s)


def trial_outcomes(
    pop: Population, spec: PopulationSpec, kin: KineticsLibrary, eff: EffectLibrary,
    policy: Policy, trial_bolus_mcg: dict[str, tuple[float, float]],
    max_daily_mcg: dict[str, float], seed: int, chunk: int,
) -> dict[str, float]:
    """Per indication and drug: trialled, trial successes (implanted), and successes at
    one year after titration: the clinic raises the daily dose in steps of the policy's
    titration factor until the target is met or the library's maximum would be passed."""
    rng = rng_for(seed, 1_000_003 + chunk)  # a stream apart from the generator's
    n = pop.drug.size
    t = spec.values["trial"]
    weight = uniform(rng, t["weight_kg"], n)
    sensitivity = np.exp(rng.normal(0.0, t["sensitivity_sd"], n))
    ash0 = uniform(rng, t["baseline_ashworth"], n)
    stats: dict[str, float] = {}
    bolus_t = np.arange(MINUTE, 24 * 3600.0, 300.0)
    for drug in np.unique(pop.drug):
        mask = pop.drug == drug
        model = _reference_model(kin, eff, str(drug))
        e = eff.get(str(drug))
        csf_volume = kin.get(str(drug)).csf_volume
        scale = csf_volume.for_weight(REFERENCE_KG) / csf_volume.for_weight(weight[mask])
        unit = model.run(np.array([0.0, MINUTE]), np.array([1.0 / MINUTE, 0.0]), bolus_t)
        year = model.run(np.array([0.0]), np.array([1.0 / SECONDS_PER_DAY]),
                         np.array([365 * SECONDS_PER_DAY]))
        if e.effect == "pain":
            lo, hi = trial_bolus_mcg[str(drug)]  # the drug library's trial range
            doses = np.array([lo, np.sqrt(lo * hi), hi])
        else:
            doses = np.array(policy.trial.baclofen_screen_doses_mcg)
        ce = unit.effect_mcg_per_ml[None, None, :] * doses[None, :, None] * scale[:, None, None]
        per_patient = (1.0 / sensitivity[mask])[:, None, None]
        frac = effect.fraction_of_max(e, ce, np.zeros_like(ce), per_patient)
        peak = frac.max(axis=2)  # (patients, doses)
        if e.effect == "pain":
            relief_pct = 100.0 * e.emax * peak
            ok = relief_pct >= policy.trial.success_nrs_reduction_pct
            start_factor = policy.trial.opioid_start_factor
        else:
            drop = (ash0[mask] - eff.ashworth_floor)[:, None] * e.emax * peak
            ok = drop >= policy.trial.baclofen_response_drop
            start_factor = policy.trial.baclofen_start_factor
        success = ok.any(axis=1)
        first = np.argmax(ok, axis=1)
        start = doses[first] * start_factor  # mcg/day from the effective bolus
        ladder = start[:, None] * t["titration_step_factor"] ** np.arange(
            int(t["titration_steps"]) + 1)[None, :]
        allowed = ladder <= max_daily_mcg[str(drug)]
        ce_y = year.effect_mcg_per_ml[0] * ladder * scale[:, None]
        mem_y = year.memory_mcg_per_ml[0] * ladder * scale[:, None]
        frac_y = effect.fraction_of_max(e, ce_y, mem_y, (1.0 / sensitivity[mask])[:, None])
        if e.effect == "pain":
            met = 100.0 * e.emax * frac_y >= t["one_year_success_nrs_reduction_pct"]
        else:
            drop_y = (ash0[mask] - eff.ashworth_floor)[:, None] * e.emax * frac_y
            met = drop_y >= policy.trial.baclofen_response_drop
        good = (met & allowed).any(axis=1)
        for i, name in enumerate(INDICATIONS):
            group = pop.indication[mask] == i
            if not group.any():
                continue
            key = f"{name}.{drug}"
            stats[f"{key}.trialled"] = float(group.sum())
            stats[f"{key}.trial_success"] = float((success & group).sum())
            stats[f"{key}.one_year_success"] = float((success & good & group).sum())
    return stats
