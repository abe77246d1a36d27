"""What a worker does with one chunk task: draw the patients, apply the variant, run
the engine, return sums. Top-level functions so Dask can ship them by name."""

from __future__ import annotations

import numpy as np

from thecal.core.population import generate, run_cohort
from thecal.core.population.trial import trial_outcomes
from thecal.core.units import SECONDS_PER_DAY
from thecal.data import drug_library, effects, kinetics, policy, population, pump_catalogue
from thecal.services.study.runner import Stats, Task


def _population(task: Task):  # type: ignore[no-untyped-def]
    margin = policy().refill.margin_days
    return generate(population(), pump_catalogue(), drug_library(), task.patients, task.seed,
                    task.chunk, task.horizon_days, margin_days=margin)


def refill_stats(task: Task) -> Stats:
    pop = _population(task)
    c = pop.cohort
    s = task.settings
    if s.get("pumps") == "programmable":
        c = c.subset(~c.constant_flow)
    changes: dict[str, object] = {}
    if "bias" in s:
        changes["bias"] = np.full(c.size, float(s["bias"]))
    if "alarm_ml" in s:
        changes["alarm_ml"] = np.full(c.size, float(s["alarm_ml"]))
    if "max_interval_days" in s:
        changes["max_interval_s"] = np.full(c.size, float(s["max_interval_days"]) * SECONDS_PER_DAY)
    if "margin_days" in s:
        changes["margin_s"] = np.full(c.size, float(s["margin_days"]) * SECONDS_PER_DAY)
    r = run_cohort(c.with_(**changes))
    years = task.horizon_days / 365.0
    return {
        "patients": c.size,
        "patient_years": c.size * years,
        "patients_dry": int(np.sum(r.dry_episodes > 0)),
        "dry_episodes": int(r.dry_episodes.sum()),
        "dry_days": float(r.dry_s.sum() / SECONDS_PER_DAY),
        "visits": int(r.visits.sum()),
        "low_alarms": int(r.low_alarms.sum()),
        "empty_alarms": int(r.empty_alarms.sum()),
        "granted": int(r.granted.sum()),
        "denied": int(r.denied.sum()),
    }


def trial_stats(task: Task) -> Stats:
    pop = _population(task)
    library = drug_library()
    ranges, ceilings = {}, {}
    for name in np.unique(pop.drug):
        drug = library.get(str(name))
        assert drug is not None
        ranges[str(name)] = drug.trial_bolus_mcg
        ceiling = drug.max_daily_dose_hard_mcg_per_day or drug.max_daily_dose_soft_mcg_per_day
        ceilings[str(name)] = float(ceiling) if ceiling is not None else float("inf")
    return trial_outcomes(pop, population(), kinetics(), effects(), policy(), ranges, ceilings,
                          task.seed, task.chunk)
