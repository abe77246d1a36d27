"""The closed loop: a virtual patient on the pump engine, and the PD calibration."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from tests.conftest import EXAMPLES
from thecal.adapters.scenario.patient_reader import parse_patient
from thecal.core.errors import InputError
from thecal.core.pk import DrugModel, for_patient
from thecal.core.pk import pd as effect
from thecal.core.virtual_patient import DemandHabit, VirtualPatient, wants_bolus
from thecal.data import drug_library, effects, kinetics
from thecal.scenario import load
from thecal.services.simulate import simulate
from thecal.services.virtual_patient import PatientObserver

HOUR = 3600.0
DAY = 86400.0


def run(patient: VirtualPatient, days: float = 14):
    scenario = load(EXAMPLES / "patient-morphine-demand.json")
    observer = PatientObserver(patient, kinetics(), effects(), days * DAY)
    return simulate(scenario, drug_library(), observer), observer


def test_csf_level_settles_at_rate_over_clearance_without_presses() -> None:
    # 0.5 mg/day, 80 kg: CL = 0.204 mL/kg/h x 80 = 16.32 mL/h; Css = 500/24/16.32 mcg/mL.
    # After 14 days (112 half-lives) only the strokes separate them: one stroke carries
    # 1 mcg every 172.8 s, so each 15-min check sees 5 or 6 mcg; the day's mean is steady.
    never = VirtualPatient(weight_kg=80, habit=DemandHabit(press_probability=0.0))
    result, observer = run(never)
    assert observer.requests == 0
    assert not [e for e in result.events if e["kind"] == "demand"]
    assert observer.series[-1]["t"] == 14 * DAY
    last_day = [r["csf_mcg_per_ml"]["morphine"] for r in observer.series[-96:]]
    assert np.mean(last_day) == pytest.approx(500 / 24 / 16.32, rel=1e-3)
    assert max(last_day) / min(last_day) < 1.02


def test_patient_in_pain_presses_and_the_pump_answers_with_its_own_rules() -> None:
    # Always presses when awake: the pump grants at most one per 3 h lockout, 4 per 24 h.
    eager = VirtualPatient(weight_kg=80, sensitivity=0.2,
                           habit=DemandHabit(nrs_threshold=0.0, press_probability=1.0))
    result, observer = run(eager, days=2)
    demands = [e for e in result.events if e["kind"] == "demand"]
    granted = [e["t"] for e in demands if e["result"] == "granted"]
    assert observer.requests == len(demands) > len(granted) > 0
    # awake 07:00-23:00 and checks every 15 min: 64 checks a day, 128 in two days
    assert observer.requests == 128
    assert all(b - a >= 3 * HOUR for a, b in itertools.pairwise(granted))
    assert len(granted) == 8  # 4 a day (max_per_24h) over two days
    assert all(7 * HOUR <= t % DAY < 23 * HOUR for t in granted)


def test_a_seed_replays_exactly_and_another_differs() -> None:
    p = VirtualPatient(weight_kg=80, habit=DemandHabit(nrs_threshold=3, press_probability=0.3))
    a = run(p, days=5)[1].series
    b = run(p, days=5)[1].series
    c = run(VirtualPatient(**{**p.__dict__, "seed": 99}), days=5)[1]
    assert a == b
    assert c.series != a


def test_wants_bolus_checks_awake_pain_and_draw() -> None:
    h = DemandHabit(nrs_threshold=4, press_probability=0.5)
    assert wants_bolus(h, 5.0, 8 * HOUR, 0.49)
    assert not wants_bolus(h, 5.0, 8 * HOUR, 0.5)  # the draw
    assert not wants_bolus(h, 4.0, 8 * HOUR, 0.0)  # not above the threshold
    assert not wants_bolus(h, 9.0, 3 * HOUR, 0.0)  # asleep
    night_owl = DemandHabit(awake_from_s=20 * HOUR, awake_to_s=4 * HOUR)
    assert night_owl.is_awake(DAY + 2 * HOUR) and not night_owl.is_awake(12 * HOUR)


def test_patient_file_errors_name_the_field() -> None:
    with pytest.raises(InputError) as caught:
        parse_patient({"weight": 70, "demand": {"press_probability": 2}, "baseline_nrs": 11})
    paths = {p.path for p in caught.value.problems}
    assert paths == {"weight", "demand.press_probability", "baseline_nrs"}
    ok = parse_patient({"weight_kg": 60, "demand": {"awake_from": "06:30"}, "seed": 3})
    assert ok.weight_kg == 60 and ok.habit.awake_from_s == 6.5 * HOUR and ok.seed == 3


def baclofen_drop(dose_mcg: float) -> float:
    k = for_patient(kinetics().get("baclofen"), 70, 40)
    e = effects().get("baclofen")
    m = DrugModel.build(k, e.tolerance_rate_per_s)
    t = np.linspace(60, 8 * HOUR, 481)
    c = m.run(np.array([0.0, 60.0]), np.array([dose_mcg / 60, 0.0]), t)
    frac = effect.fraction_of_max(e, c.effect_mcg_per_ml, c.memory_mcg_per_ml)
    ash = effect.ashworth(effects(), e, frac, 3.9)
    return 3.9 - float(ash.min())


def test_typical_baclofen_screen_responds_at_75_not_50_mcg() -> None:
    # The calibration pd.toml claims (fact 19 responder: >= 2 points; fact 12 doses).
    assert baclofen_drop(50.0) < 2.0 <= baclofen_drop(75.0) < baclofen_drop(100.0)


def test_baclofen_maintenance_ashworth_by_hand() -> None:
    # 400 mcg/day, steady state: C = 400/24/30 mcg/mL (CL 30 mL/h); the effect site equals
    # it; no tolerance (memory 0): Ashworth = 3.9 - 2.9 x C/(0.08 + C)
    e = effects().get("baclofen")
    c = 400 / 24 / 30
    frac = effect.fraction_of_max(e, np.array([c]), np.array([0.0]))
    got = effect.ashworth(effects(), e, frac, 3.9)[0]
    assert got == pytest.approx(3.9 - 2.9 * c / (0.08 + c), rel=1e-12)
    assert math.isclose(got, 1.365, abs_tol=0.001)


def test_tolerance_raises_pain_at_constant_exposure() -> None:
    e = effects().get("morphine")
    ce = np.array([1.0, 1.0])
    frac = effect.fraction_of_max(e, ce, np.array([0.0, 1.0]))  # fresh vs fully adapted
    nrs = effect.pain_nrs(e, 7.5, frac)
    # EC50 0.8 -> 0.8 + 0.3 x 1.0 = 1.1; hill 1.5
    assert nrs[0] == pytest.approx(7.5 * (1 - 0.9 / (0.8**1.5 + 1)), rel=1e-12)
    assert nrs[1] == pytest.approx(7.5 * (1 - 0.9 / (1.1**1.5 + 1)), rel=1e-12)
