"""The population engine against the per-pump firmware, patient by patient."""

from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import physics_library
from thecal.core.population import generate, run_cohort
from thecal.core.population.cohort import Cohort
from thecal.core.population.engine import _booked
from thecal.core.population.generator import PopulationSpec, replacement_dates, rng_for
from thecal.data import policy, population, pump_catalogue
from thecal.services.simulate import simulate
from thecal.services.study import replay

DAY = 86400.0
DATA = (population(), pump_catalogue(), physics_library())
MARGIN = {"margin_days": policy().refill.margin_days}


def steady(c: Cohort, ml_per_day: float, **changes: object) -> Cohort:
    """Every pump at one basal rate all day, no periodic or patient bolus, no interval
    cap: the booking rule's cases worked by hand."""
    n = c.size
    return c.with_(**{
        "rate_ml_per_s": np.full(n, ml_per_day / DAY), "day_start_s": np.full(n, np.inf),
        "day_rate_ml_per_s": np.zeros(n), "periodic_ml": np.zeros(n),
        "bolus_ml": np.zeros(n), "max_interval_s": np.full(n, 3650 * DAY), **changes,
    })  # fmt: skip


def scenario_for(cohort: Cohort, result, i: int, drug: str):
    return replay.scenario_for(cohort, result, i, drug, pump_catalogue(), physics_library())


def test_population_engine_equals_the_firmware_on_1000_random_patients() -> None:
    """Random patients with one-step, flex and periodic-bolus programs, demand boluses,
    biased pumps and occluded catheters, replayed one by one through the firmware."""
    pop = generate(*DATA, 1000, seed=2026, horizon_days=120, **MARGIN)
    bias = pop.cohort.bias.copy()
    bias[::10] = np.linspace(0.15, 0.45, bias[::10].size)  # make running dry common
    bias[5::10] = -0.25  # and the estimate running out first
    start = pop.cohort.occlusion_from_s.copy()
    end = pop.cohort.occlusion_to_s.copy()
    start[3::20] = np.linspace(5, 100, start[3::20].size) * DAY  # occlusions common here
    end[3::20] = start[3::20] + 6 * DAY
    cohort = pop.cohort.with_(bias=bias, occlusion_from_s=start, occlusion_to_s=end)
    result = run_cohort(cohort)
    assert result.dry_episodes.sum() > 20 and result.empty_alarms.sum() > 20
    # flex (a day step) and periodic-bolus programs and constant-flow pumps are among them
    assert np.isfinite(cohort.day_start_s).sum() > 200 and (cohort.periodic_ml > 0).sum() > 100
    assert cohort.constant_flow.sum() > 50
    assert result.granted.sum() > 10_000 and result.denied.sum() > 10_000
    library = physics_library()
    for i in range(cohort.size):
        run = simulate(scenario_for(cohort, result, i, str(pop.drug[i])), library)
        s = run.final
        assert abs(s.true_ml - result.true_ml[i]) <= 1e-9, i
        assert abs(s.outlet_ml - result.outlet_ml[i]) <= 1e-9, i
        if cohort.constant_flow[i]:  # no firmware: no strokes, no estimate
            assert not hasattr(s, "strokes") and result.strokes[i] == 0, i
            assert np.isnan(result.estimate_ml[i]), i
        else:
            assert s.strokes == result.strokes[i], i
            assert abs(s.estimate_ml - result.estimate_ml[i]) <= 1e-9, i
        refills = [e for e in run.events if e["kind"] == "refill"]
        withdrawn = result.withdrawn_ml[i][np.isfinite(result.refill_s[i])]
        assert [e.get("result") for e in refills] == [None] * len(refills), i
        assert np.allclose([e["withdrawn_ml"] for e in refills], withdrawn, rtol=0, atol=1e-9)
        demands = [e for e in run.events if e["kind"] == "demand"]
        assert sum(e["result"] == "granted" for e in demands) == result.granted[i], i
        alarms = [e for e in run.events if e["kind"] == "alarm" and e["phase"] == "onset"]
        assert sum(e["code"] == "EMPTY_RESERVOIR" for e in alarms) == result.empty_alarms[i], i
        assert sum(e["code"] == "LOW_RESERVOIR" for e in alarms) == result.low_alarms[i], i


def test_a_chunk_is_the_same_wherever_it_is_drawn() -> None:
    a = generate(*DATA, 50, seed=4, chunk=3, horizon_days=30, **MARGIN)
    b = generate(*DATA, 50, seed=4, chunk=3, horizon_days=30, **MARGIN)
    other = generate(*DATA, 50, seed=4, chunk=4, horizon_days=30, **MARGIN)
    assert np.array_equal(a.cohort.requests_s, b.cohort.requests_s)
    assert np.array_equal(a.cohort.bias, b.cohort.bias)
    assert not np.array_equal(a.cohort.bias, other.cohort.bias)


def test_bias_follows_the_published_accuracy_figures() -> None:
    # devices.md F6: peristaltic per-refill mean +2.5 %; F44: valve-gated delivers 96.8 %
    # of programmed (-3.2 %); F3: overinfusion beyond +14.5 % in < 0.16 % of pumps
    pop = generate(*DATA, 200_000, seed=9, horizon_days=1, **MARGIN)
    bias = pop.cohort.bias
    kind = np.array(pop.cohort.model_ids)[pop.cohort.model_index]
    peristaltic = np.char.startswith(kind.astype(str), "peristaltic")
    valve_gated = np.char.startswith(kind.astype(str), "valve-gated")
    assert np.mean(bias[peristaltic]) == pytest.approx(0.025, abs=0.002)
    assert np.mean(bias[valve_gated]) == pytest.approx(-0.032, abs=0.002)
    assert 0.0005 < np.mean(bias > 0.145) < 0.0016 + 0.0005


def test_the_study_books_refills_by_the_clinics_rule() -> None:
    """Issue 26: the engine booked from the low alarm alone; the clinic (refill_due)
    books from the highest of the alarm, the residual and the manufacturer's refill
    volume, a constant-flow pump at its fastest flow, and no later than the fluid's
    stability. By hand, 20 mL in every pump at 1 mL/day, no boluses, a 7-day margin,
    the population's 2 mL alarm (population.toml):
    SynchroMed-like: 20 - max(2, 2.4 residual) = 17.6 d, less 7 = 10.6 d;
    Prometra-like: 20 - max(2, 3.0 refill volume) = 17 d, less 7 = 10 d;
    constant flow: 20 mL at 1 x 1.15 mL/day (its 15 % accuracy) = 17.39 d, less 7.
    With a 4 mL alarm every programmable pump books from it: 20 - 4 - 7 = 9 d.
    At 0.01 mL/day the fluid's stability decides: baclofen 180 d, morphine and
    hydromorphone 90 d, ziconotide 84 d, or 40 d where its fluid was drawn diluted
    (drugs.toml)."""
    pop = generate(*DATA, 300, seed=11, horizon_days=365, **MARGIN)
    c = pop.cohort
    n = c.size

    def at_rate(ml_per_day: float) -> Cohort:
        return steady(c, ml_per_day, margin_s=np.full(n, 7 * DAY),
                      replace_at_s=np.full(n, np.inf))  # fmt: skip

    days = _booked(at_rate(1.0), np.zeros(n), np.full(n, 20.0)) / DAY
    by_model = {"peristaltic-20": 10.6, "peristaltic-40": 10.6, "valve-gated-20": 10.0,
                "valve-gated-40": 10.0, "constant-flow-20": 20 / 1.15 - 7,
                "constant-flow-35": 20 / 1.15 - 7}  # fmt: skip
    expected = np.array([by_model[c.model_ids[k]] for k in c.model_index])
    assert set(c.model_ids) == set(by_model)
    np.testing.assert_allclose(days, expected, rtol=0, atol=1e-9)
    # a 4 mL alarm (the dry-run-risk study's other threshold) is above both floors
    four = at_rate(1.0).with_(alarm_ml=np.full(n, 4.0))
    days = _booked(four, np.zeros(n), np.full(n, 20.0)) / DAY
    expected = np.where(c.constant_flow, 20 / 1.15 - 7, 20 - 4 - 7)
    np.testing.assert_allclose(days, expected, rtol=0, atol=1e-9)
    slow = _booked(at_rate(0.01), np.zeros(n), np.full(n, 20.0)) / DAY
    stable = {"baclofen": 180.0, "morphine": 90.0, "hydromorphone": 90.0, "ziconotide": 84.0}
    # ziconotide diluted from the 100 mcg/mL vial keeps 40 days (drugs.toml, fact 8)
    expected = [40.0 if str(d) == "ziconotide" and dil else stable[str(d)]
                for d, dil in zip(pop.drug, pop.diluted, strict=True)]  # fmt: skip
    np.testing.assert_allclose(slow, expected, rtol=0, atol=1e-9)
    ziconotide = pop.drug == "ziconotide"
    assert pop.diluted[ziconotide].any() and not pop.diluted[ziconotide].all()
    assert not pop.diluted[~ziconotide].any()  # population.toml dilutes no other drug


def test_the_elective_replacement_date_caps_the_booking_until_the_pump_is_replaced() -> None:
    """refill_due books no later than the elective replacement date; the visit on that
    date replaces the pump, so the next booking is the new pump's own. By hand, as in
    the test above: a SynchroMed-like pump books 10.6 d after a 20 mL fill at 1 mL/day;
    with ERI on day 5 it books day 5; refilled on day 5 it books 5 + 10.6."""
    pop = generate(*DATA, 300, seed=11, horizon_days=365, **MARGIN)
    c = pop.cohort
    n = c.size
    one = steady(c, 1.0, margin_s=np.full(n, 7 * DAY), replace_at_s=np.full(n, 5 * DAY))
    peristaltic = np.array([c.model_ids[k].startswith("peristaltic") for k in c.model_index])
    at_start = _booked(one, np.zeros(n), np.full(n, 20.0)) / DAY
    np.testing.assert_allclose(at_start[peristaltic], 5.0, rtol=0, atol=1e-9)
    on_the_day = _booked(one, np.full(n, 5 * DAY), np.full(n, 20.0)) / DAY
    np.testing.assert_allclose(on_the_day[peristaltic], 5.0 + 10.6, rtol=0, atol=1e-9)


def test_a_new_pumps_first_ziconotide_fill_is_booked_by_the_naive_limit() -> None:
    """The visit on the ERI date replaces the pump, and a new pump's first fill of
    ziconotide keeps 14 days, not 84 (drugs-and-dosing F8). By hand, at 0.01 mL/day
    (volume never sets the date) and no missed visits: ziconotide pumps are refilled on
    day 5 (the replacement), then 5 + 14 = 19, then 19 + 84 = 103; a morphine pump on
    day 5, then 5 + 90 = 95 (the first-fill limit is ziconotide's only)."""
    pop = generate(*DATA, 300, seed=11, horizon_days=120, **MARGIN)
    c = pop.cohort
    n = c.size
    slow = steady(c, 0.01, replace_at_s=np.full(n, 5 * DAY), missed=np.zeros_like(c.missed),
                  occlusion_from_s=np.full(n, np.inf), occlusion_to_s=np.full(n, np.inf),
                  bias=np.zeros(n))  # fmt: skip
    refills = run_cohort(slow).refill_s / DAY
    programmable = ~c.constant_flow
    zic = programmable & (pop.drug == "ziconotide") & ~pop.diluted
    mor = programmable & (pop.drug == "morphine")
    assert zic.any() and mor.any()
    np.testing.assert_allclose(refills[zic, :3], np.tile([5.0, 19.0, 103.0], (zic.sum(), 1)))
    np.testing.assert_allclose(refills[mor, :2], np.tile([5.0, 95.0], (mor.sum(), 1)))
    assert np.isnan(refills[mor, 2]).all()  # the next, day 185, is past the horizon


def test_replacement_dates_follow_the_battery() -> None:
    """pumps.toml: a 525,600 µAh battery, 6 µA baseline (144 µAh/day) and 61.7 µAh/day
    of strokes at 0.5 mL/day (1000 peristaltic strokes of 0.5 µL at 0.0617 µAh, or 200
    valve pulses of 2.5 µL at 0.3085 µAh): 525600 / 205.7 = 2555.18 days, ERI 90 days
    before the end: 2465.18 days from implant. A pump a quarter of the way through
    that life reaches ERI in 0.75 x 2465.18 = 1848.88 days; a constant-flow pump has
    no battery. At 1 mL/day: 525600 / (144 + 123.4) = 1965.59, less 90 = 1875.59."""
    spec, catalogue, library = DATA
    quarter = PopulationSpec(
        {**spec.values, "pump": {**spec.values["pump"], "battery_age_fraction": [0.25, 0.25]}},
        spec.sources,
    )
    pop = generate(quarter, catalogue, library, 200, seed=3, horizon_days=365, **MARGIN)
    c = pop.cohort
    n = c.size

    def dates(ml_per_day: float, **bolus: np.ndarray) -> np.ndarray:
        steady = c.with_(rate_ml_per_s=np.full(n, ml_per_day / DAY),
                         day_start_s=np.full(n, np.inf), day_rate_ml_per_s=np.zeros(n),
                         periodic_ml=np.zeros(n), **{"bolus_ml": np.zeros(n), **bolus})  # fmt: skip
        models = [catalogue.models[i] for i in c.model_ids]

        def pick(attr: str) -> np.ndarray:
            return np.array([getattr(m, attr) for m in models])[c.model_index]

        return replacement_dates(rng_for(3, 0), quarter, steady, pick) / DAY

    half, one = dates(0.5), dates(1.0)
    cf = c.constant_flow
    assert cf.any() and (~cf).any()
    assert np.isinf(half[cf]).all()
    np.testing.assert_allclose(half[~cf], 0.75 * (525600 / 205.7 - 90), rtol=1e-9)
    np.testing.assert_allclose(half[~cf], 1848.88, atol=0.01)
    np.testing.assert_allclose(one[~cf], 0.75 * 1875.59, atol=0.01)
    # patient boluses are strokes: 0.05 mL asked twice a day (730 requests in the
    # 365-day horizon), at most 3 a day, 4 h lockout: 0.1 mL/day more, 0.6 mL/day in
    # all: 144 + 1200 x 0.0617 = 218.04 µAh/day, 525600 / 218.04 = 2410.57 days, less
    # 90, x 0.75 = 1740.43. Asked six times a day, the 24-hour maximum lets 3 through
    # (0.65 mL/day: 224.21 µAh/day, 0.75 x (2344.23 - 90) = 1690.67); with a 12 h
    # lockout, 2 (1740.43 again).
    def asked(per_day: int) -> np.ndarray:
        times = np.full((n, 365 * per_day), np.inf)
        times[:, :] = np.linspace(0.0, 365 * DAY, 365 * per_day, endpoint=False)
        return times

    bolus = {"bolus_ml": np.full(n, 0.05), "max_per_24h": np.full(n, 3, np.int64),
             "lockout_s": np.full(n, 4 * 3600.0)}  # fmt: skip
    twice = dates(0.5, requests_s=asked(2), **bolus)
    np.testing.assert_allclose(twice[~cf], 0.75 * (525600 / 218.04 - 90), rtol=1e-9)
    np.testing.assert_allclose(twice[~cf], 1740.43, atol=0.01)
    capped = dates(0.5, requests_s=asked(6), **bolus)
    np.testing.assert_allclose(capped[~cf], 1690.67, atol=0.01)
    locked = dates(0.5, requests_s=asked(6), **{**bolus, "lockout_s": np.full(n, 12 * 3600.0)})
    np.testing.assert_allclose(locked[~cf], 1740.43, atol=0.01)
    assert np.isinf(twice[cf]).all()
    # in the drawn population, a programmable pump's date is within its life to ERI
    drawn = generate(*DATA, 2000, seed=5, horizon_days=365, **MARGIN).cohort
    programmable = ~drawn.constant_flow
    assert np.isinf(drawn.replace_at_s[drawn.constant_flow]).all()
    assert (drawn.replace_at_s[programmable] > 0).all()
    within_year = (drawn.replace_at_s[programmable] < 365 * DAY).mean()
    assert 0.08 < within_year < 0.25  # about one in seven (0.25-1 mL/day: 2465-1876 d)


def _share(value: float) -> PopulationSpec:
    spec = DATA[0]
    pump = {**spec.values["pump"], "new_at_start_share": value}
    return PopulationSpec({**spec.values, "pump": pump}, spec.sources)


def test_pumps_new_at_the_start_book_their_first_fill_naive_and_have_a_new_battery() -> None:
    """[pump] new_at_start_share: a pump met on the day of its first fill. Drawn from a
    stream of its own, so the same seed draws every other column alike whatever the
    share. By hand, at 0.01 mL/day (volume never sets the date), no ERI, no missed
    visit: a new undiluted ziconotide pump is refilled on day 14 (the naive first fill,
    drugs-and-dosing F8), then 14 + 84 = 98; met on an established refill, on day 84.
    Morphine keeps 90 days either way (the first-fill limit is ziconotide's only). A
    new pump's battery has its whole life to ERI ahead: 525600 / 205.7 - 90 = 2465.18
    days at 0.5 mL/day (the test above)."""
    _, catalogue, library = DATA
    every, none = (generate(_share(v), catalogue, library, 300, seed=11, horizon_days=120,
                            **MARGIN) for v in (1.0, 0.0))  # fmt: skip
    assert every.cohort.new_at_start.all() and not none.cohort.new_at_start.any()
    for name in ("rate_ml_per_s", "bias", "requests_s", "missed", "fill_ml", "stability_s"):
        np.testing.assert_array_equal(getattr(every.cohort, name), getattr(none.cohort, name))
    np.testing.assert_array_equal(every.drug, none.drug)
    pop = every
    c = pop.cohort
    n = c.size
    quiet = {"replace_at_s": np.full(n, np.inf), "missed": np.zeros_like(c.missed),
             "occlusion_from_s": np.full(n, np.inf), "occlusion_to_s": np.full(n, np.inf),
             "bias": np.zeros(n)}  # fmt: skip
    programmable = ~c.constant_flow
    zic = programmable & (pop.drug == "ziconotide") & ~pop.diluted
    mor = programmable & (pop.drug == "morphine")
    assert zic.any() and mor.any()
    new = run_cohort(steady(c, 0.01, **quiet)).refill_s / DAY
    np.testing.assert_allclose(new[zic, :2], np.tile([14.0, 98.0], (zic.sum(), 1)))
    np.testing.assert_allclose(new[mor, 0], 90.0)
    old = run_cohort(steady(c, 0.01, **quiet, new_at_start=np.zeros(n, bool))).refill_s / DAY
    np.testing.assert_allclose(old[zic, 0], 84.0)
    np.testing.assert_allclose(old[mor, 0], 90.0)
    models = [catalogue.models[i] for i in c.model_ids]

    def pick(attr: str) -> np.ndarray:
        return np.array([getattr(m, attr) for m in models])[c.model_index]

    half = steady(c, 0.5, bolus_ml=np.zeros(n))
    to_eri = replacement_dates(rng_for(11, 0), _share(1.0), half, pick, c.new_at_start) / DAY
    np.testing.assert_allclose(to_eri[programmable], 525600 / 205.7 - 90, rtol=1e-9)
    assert np.isinf(to_eri[c.constant_flow]).all()
