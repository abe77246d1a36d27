"""Seeded virtual populations: who the patients are and what will happen to them.

All randomness of a study is drawn here, from a NumPy generator built from
(seed, chunk): a chunk is the same wherever and in whatever order it is computed,
so a run on a Dask cluster equals a run on one core. The engine then runs
deterministically on what was drawn.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from thecal.core.drugs import DrugLibrary
from thecal.core.errors import CatalogueError
from thecal.core.population.cohort import Cohort, F
from thecal.core.population.schedules import daily_volume_ml
from thecal.core.pump.constant_flow import flow_ml_per_day
from thecal.core.pump.models import PumpCatalogue
from thecal.core.pump.program import DrugConcentration
from thecal.core.sourced import unwrap
from thecal.core.therapy.refill import stability_days
from thecal.core.units import HOURS_PER_DAY, SECONDS_PER_DAY

INDICATIONS = ("non_cancer_pain", "cancer_pain", "spasticity")
MAX_REFILLS = 64


@dataclass(frozen=True)
class PopulationSpec:
    values: Mapping[str, Mapping[str, Any]]
    sources: Mapping[str, Mapping[str, str]]

    @classmethod
    def from_mapping(cls, document: Mapping[str, Any]) -> PopulationSpec:
        values, sources = {}, {}
        for section, table in document.items():
            values[section], sources[section] = unwrap(table, f"population.toml [{section}]")
        return cls(values, sources)

    def __call__(self, section: str, key: str) -> Any:
        return self.values[section][key]


@dataclass(frozen=True)
class Population:
    """The drawn patients: a cohort for the engine plus who they are."""

    cohort: Cohort
    indication: np.ndarray  # index into INDICATIONS
    drug: np.ndarray  # str
    diluted: np.ndarray  # bool: the fluid was diluted from a stronger vial


def _drug(library: DrugLibrary, name: str) -> Any:
    drug = library.get(name)
    if drug is None:
        raise CatalogueError(f"population.toml names {name!r}, which the drug library lacks")
    return drug


def rng_for(seed: int, chunk: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([seed, chunk]))


def _choice(rng: np.random.Generator, shares: Mapping[str, float], n: int) -> np.ndarray:
    names = list(shares)
    p = np.array([shares[k] for k in names], dtype=float)
    return np.array(names)[rng.choice(len(names), size=n, p=p / p.sum())]


def uniform(rng: np.random.Generator, bounds: Any, size: int | tuple[int, int]) -> F:
    """Uniform draws between the two numbers of a data range."""
    return rng.uniform(float(bounds[0]), float(bounds[1]), size)


def draw_bias(rng: np.random.Generator, spec: PopulationSpec, kinds: np.ndarray) -> F:
    """Per-pump accuracy: the published mean for the pump's kind, an illustrative
    spread, and rare overinfusion beyond the label."""
    a = spec.values["accuracy"]
    lo, hi = a["bias_range"]
    n = kinds.size
    mean = np.array([a["bias_mean"][str(k)] for k in kinds], dtype=float)
    bias = np.clip(rng.normal(mean, a["bias_sd"], n), lo, hi)
    over = rng.uniform(size=n) < a["overinfusion_probability"]
    return np.where(over, uniform(rng, a["overinfusion_bias"], n), bias)


def _requests(rng: np.random.Generator, per_day: F, awake: list[float], days: int) -> F:
    """Presses: a Poisson number each day at uniform times while awake, sorted, padded."""
    n = per_day.size
    counts = rng.poisson(np.repeat(per_day[:, None], days, axis=1))
    totals = counts.sum(axis=1)
    width = max(1, int(totals.max(initial=0)))
    patient = np.repeat(np.arange(n), totals)
    day = np.repeat(np.tile(np.arange(days), n), counts.ravel())
    t = day * SECONDS_PER_DAY + uniform(rng, awake, int(patient.size))
    order = np.lexsort((t, patient))
    patient, t = patient[order], t[order]
    starts = np.concatenate([[0], np.cumsum(totals)[:-1]])
    column = np.arange(patient.size) - starts[patient]
    out = np.full((n, width), np.inf)
    out[patient, column] = t
    return out


def _schedules(
    rng: np.random.Generator, spec: PopulationSpec, per_day: F, fixed: np.ndarray
) -> dict[str, F]:
    """Flex (a day step) and periodic-bolus programs for some patients, each keeping the
    drawn daily volume: night rate r, day rate f x r from the day start, and a periodic
    bolus of a fixed share of the day's volume."""
    n = per_day.size
    sc = spec.values["schedule"]
    flex = ~fixed & (rng.uniform(size=n) < sc["flex_share"])  # fixed: constant-flow pumps
    periodic = ~fixed & (rng.uniform(size=n) < sc["periodic_share"])
    factor = uniform(rng, sc["flex_day_factor"], n)
    start = float(sc["flex_day_start_s"])
    periodic_ml = np.where(periodic, sc["periodic_fraction_of_daily_volume"] * per_day, 0.0)
    basal = per_day - periodic_ml
    night = np.where(flex, basal / (start + factor * (SECONDS_PER_DAY - start)),
                     basal / SECONDS_PER_DAY)
    return {
        "rate_ml_per_s": night,
        "day_start_s": np.where(flex, start, np.inf),
        "day_rate_ml_per_s": np.where(flex, factor * night, 0.0),
        "periodic_ml": periodic_ml,
        "periodic_at_s": np.full(n, float(sc["periodic_at_s"])),
        "periodic_s": np.full(n, float(sc["periodic_duration_s"])),
    }


def _occlusions(rng: np.random.Generator, spec: PopulationSpec, n: int, days: int) -> dict[str, F]:
    """At most one occlusion a patient, starting at a uniform time (the rate is small)."""
    o = spec.values["occlusion"]
    occluded = rng.uniform(size=n) < o["per_patient_year"] * days / 365.0
    start = rng.uniform(0.0, days * SECONDS_PER_DAY, n)
    end = start + uniform(rng, o["duration_days"], n) * SECONDS_PER_DAY
    return {"occlusion_from_s": np.where(occluded, start, np.inf),
            "occlusion_to_s": np.where(occluded, end, np.inf)}


def _booking(
    cf: npt.NDArray[np.bool_], pick: Callable[[str], np.ndarray]
) -> dict[str, np.ndarray]:
    """What refill_due reads of each pump besides the alarm, as columns
    (Cohort.book_floor_ml)."""
    dead = pick("dead_volume_ml").astype(np.float64)
    floor = np.where(cf, dead, np.maximum(dead, pick("refill_at_ml")))
    factor = np.where(cf, 1.0 + pick("accuracy_pct") / 100.0, 1.0)
    return {"book_floor_ml": np.asarray(floor, np.float64),
            "book_flow_factor": np.asarray(factor, np.float64)}  # fmt: skip


def diluted_fluids(
    rng: np.random.Generator, spec: PopulationSpec, drug: npt.NDArray[np.str_]
) -> npt.NDArray[np.bool_]:
    """Which patients' fluid is diluted from a stronger vial ([fluid] diluted_share per
    drug; a drug not named there is never diluted)."""
    share = spec("fluid", "diluted_share")
    p = np.array([float(share.get(str(name), 0.0)) for name in drug])
    return np.asarray(rng.uniform(size=drug.size) < p)


def stability_columns(
    library: DrugLibrary,
    drug: npt.NDArray[np.str_],
    diluted: npt.NDArray[np.bool_],
    naive: bool = False,
) -> F:
    """Each fluid's stability by the clinic's own rule (core.therapy.refill's
    stability_days: a diluted ziconotide keeps 40 days, undiluted 84), in seconds
    (+inf: no limit). The population starts from a refill; `naive`: a new pump's
    first fill (after a replacement), where ziconotide keeps 14 days."""
    out = np.full(drug.size, np.inf)
    for (name, dil), rows in _groups(drug, diluted).items():
        stock = _drug(library, name).stock_concentrations_mcg_per_ml
        fluid = (DrugConcentration(name, stock[0] if stock else 1.0),)
        days, _ = stability_days(fluid, library, naive_first_fill=naive, diluted=dil)
        out[rows] = np.inf if days is None else days * SECONDS_PER_DAY
    return out


def replacement_dates(
    rng: np.random.Generator,
    spec: PopulationSpec,
    c: Cohort,
    pick: Callable[[str], np.ndarray],
    new: npt.NDArray[np.bool_] | None = None,
) -> F:
    """When each pump reaches its elective replacement indicator, from the start. A
    battery of `battery_uah` drained by the baseline current and each stroke of the
    programmed daily volume lasts battery / drain days and ERI comes `eri_days` before
    its end (the firmware's rule, pump-behaviour.md §11); the pumps' ages are spread
    over that life ([pump] battery_age_fraction), so what is left until ERI is the
    rest; a pump `new` at the start has its whole life to ERI ahead. A constant-flow
    pump has no battery (+inf).

    Patient boluses are strokes too: each pump's drawn requests a day, as many as the
    24-hour maximum and the lockout let through (bolus_ml_per_day). They were
    left out, so a pump with boluses reached ERI later in the study than it would."""
    battery = pick("battery_uah").astype(np.float64)
    volume = daily_volume_ml(c) + bolus_ml_per_day(c)
    strokes_per_day = np.divide(volume, c.stroke_ml, out=np.zeros(c.size),
                                where=c.stroke_ml > 0)  # fmt: skip
    # core.safety.battery.daily_drain_uah per pump, with the boluses the patient takes
    drain = pick("baseline_ua") * HOURS_PER_DAY + pick("uah_per_stroke") * strokes_per_day
    has_battery = (battery > 0) & (drain > 0) & ~c.constant_flow
    life_days = np.divide(battery, drain, out=np.zeros(c.size), where=has_battery)
    to_eri_days = np.maximum(life_days - pick("eri_days"), 0.0)
    age = uniform(rng, spec("pump", "battery_age_fraction"), c.size)
    if new is not None:
        age = np.where(new, 0.0, age)
    return np.where(has_battery, (1.0 - age) * to_eri_days * SECONDS_PER_DAY, np.inf)


NEW_PUMP_STREAM = 1  # a stream of its own: every other draw is as it was before it


def new_at_start(spec: PopulationSpec, n: int, seed: int, chunk: int) -> npt.NDArray[np.bool_]:
    """Which pumps the study meets on the day of their first fill ([pump]
    new_at_start_share): it met every pump on an established refill, so a new
    ziconotide pump's 14-day first fill (drugs-and-dosing F8) and a new battery were
    never drawn at the start (issue 26)."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, chunk, NEW_PUMP_STREAM]))
    return np.asarray(rng.uniform(size=n) < float(spec("pump", "new_at_start_share")))


def bolus_ml_per_day(c: Cohort) -> F:
    """The patient-bolus volume a pump gives a day, for its battery: the requests drawn
    over the horizon, a day's worth, but no more than the 24-hour maximum or one per
    lockout. An average: requests bunched inside a lockout are granted less often, so
    it is the upper side of what the engine grants (an earlier ERI, not a later one)."""
    days = c.horizon_s / SECONDS_PER_DAY
    asked = np.isfinite(c.requests_s).sum(axis=1) / days if days > 0 else np.zeros(c.size)
    per_lockout = np.divide(SECONDS_PER_DAY, c.lockout_s, out=np.full(c.size, np.inf),
                            where=c.lockout_s > 0)  # fmt: skip
    granted = np.minimum(np.minimum(asked, c.max_per_24h.astype(np.float64)), per_lockout)
    return np.asarray(np.where(c.bolus_ml > 0, granted * c.bolus_ml, 0.0), np.float64)


def _groups(
    drug: npt.NDArray[np.str_], diluted: npt.NDArray[np.bool_]
) -> dict[tuple[str, bool], npt.NDArray[np.intp]]:
    keys = sorted({(str(d), bool(x)) for d, x in zip(drug, diluted, strict=True)})
    return {k: np.flatnonzero((drug == k[0]) & (diluted == k[1])) for k in keys}


def generate(
    spec: PopulationSpec,
    catalogue: PumpCatalogue,
    library: DrugLibrary,
    n: int,
    seed: int,
    chunk: int = 0,
    horizon_days: int = 365,
    *,
    margin_days: float,
) -> Population:
    rng = rng_for(seed, chunk)
    ind = spec("indication", "shares")
    indication = _choice(rng, ind, n)
    drug = np.where(indication == "spasticity", "baclofen",
                    _choice(rng, spec("indication", "pain_drug_shares"), n))
    drawn_per_day = uniform(rng, spec("dose", "rate_ml_per_day"), n)
    models = _choice(rng, spec("pump", "model_shares"), n)
    ids = tuple(sorted(set(spec("pump", "model_shares"))))
    model_index = np.searchsorted(np.array(ids), models)
    pumps = [catalogue.models[i] for i in ids]

    def pick(attr: str) -> np.ndarray:
        return np.array([getattr(p, attr) for p in pumps])[model_index]

    cf = ~pick("programmable").astype(bool)
    ambient = uniform(rng, spec("environment", "residence_ambient_kpa"), n)
    flow = np.zeros(n)
    for i in np.flatnonzero(cf):  # the restrictor flow where the patient lives, at 37 °C
        model = pumps[int(model_index[i])]
        flow[i] = flow_ml_per_day(model, model.reference_body_temp_c, float(ambient[i]))
    # the clinic expects a constant-flow pump's labelled rate
    rate_per_day = np.where(cf, pick("nominal_rate_ml_day"), drawn_per_day)
    d = spec.values["demand"]
    eligible = np.array([_drug(library, str(name)).demand_eligible for name in drug])
    has_bolus = ~cf & eligible & (rng.uniform(size=n) < d["pain_share_with_bolus"])
    per_day = np.where(has_bolus, uniform(rng, d["requests_per_day"], n), 0.0)
    lo_max, hi_max = d["max_per_24h"]
    ap = spec.values["appointments"]
    cohort = Cohort(
        model_index=model_index.astype(np.int64),
        model_ids=ids,
        stroke_ml=pick("stroke_ml"),
        constant_flow=cf,
        flow_ml_per_s=flow / SECONDS_PER_DAY,
        ambient_kpa=ambient,
        capacity_ml=pick("capacity_ml"),
        dead_volume_ml=pick("dead_volume_ml"),
        fill_ml=pick("capacity_ml"),
        **_schedules(rng, spec, rate_per_day, cf),
        bolus_ml=np.where(has_bolus, d["bolus_fraction_of_daily_volume"] * rate_per_day, 0.0),
        bolus_s=np.full(n, float(d["bolus_duration_s"])),
        lockout_s=np.full(n, float(d["lockout_s"])),
        max_per_24h=rng.integers(lo_max, hi_max + 1, n).astype(np.int64),
        alarm_ml=np.full(n, float(spec("pump", "low_reservoir_alarm_ml"))),
        bias=draw_bias(rng, spec, pick("kind")),
        **_occlusions(rng, spec, n, horizon_days),
        requests_s=_requests(rng, per_day, d["awake_s"], horizon_days),
        max_interval_s=np.full(n, ap["max_interval_days"] * SECONDS_PER_DAY),
        margin_s=np.full(n, margin_days * SECONDS_PER_DAY),
        **_booking(cf, pick),
        stability_s=np.full(n, np.inf),  # these set below, from the last draws
        naive_stability_s=np.full(n, np.inf),
        replace_at_s=np.full(n, np.inf),
        new_at_start=new_at_start(spec, n, seed, chunk),
        missed=rng.uniform(size=(n, MAX_REFILLS)) < ap["miss_probability"],
        miss_delay_s=uniform(rng, ap["miss_delay_days"], (n, MAX_REFILLS)) * SECONDS_PER_DAY,
        alarm_response_s=uniform(rng, ap["alarm_response_days"], n) * SECONDS_PER_DAY,
        horizon_s=horizon_days * SECONDS_PER_DAY,
    )
    # drawn last, so the draws before them are the same as before these columns existed
    diluted = diluted_fluids(rng, spec, drug)
    replace_at_s = replacement_dates(rng, spec, cohort, pick, cohort.new_at_start)
    return Population(
        cohort=cohort.with_(stability_s=stability_columns(library, drug, diluted),
                            naive_stability_s=stability_columns(library, drug, diluted, True),
                            replace_at_s=replace_at_s),
        indication=np.array([INDICATIONS.index(str(x)) for x in indication], dtype=np.int64),
        drug=drug,
        diluted=diluted,
    )
