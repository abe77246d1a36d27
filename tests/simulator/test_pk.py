"""CSF kinetics: exact against SciPy, and the published half-lives come back out.

Published figures are written here with their source, not read from pk.toml, so a
wrong number in the data fails a test.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from thecal.core.errors import CatalogueError, InputError
from thecal.core.pk import DrugModel, KineticsLibrary, for_patient, solve
from thecal.data import effects, kinetics

HOUR = 3600.0
MINUTE = 60.0


def model(drug: str, weight_kg: float = 70.0, distance_cm: float = 40.0) -> DrugModel:
    k = for_patient(kinetics().get(drug), weight_kg, distance_cm)
    return DrugModel.build(k, effects().get(drug).tolerance_rate_per_s)


def reference(m: DrugModel, starts, rates, times):
    """solve_ivp segment by segment (the input jumps at each start), very tight tolerances."""
    a, b = m.system.matrix, m.system.input_vector
    x = np.zeros(5)
    out = np.empty((len(times), 5))
    ends = [*starts[1:], max(times[-1], starts[-1]) + 1.0]
    for i, (t0, t1) in enumerate(zip(starts, ends, strict=True)):
        inside = (times >= t0) & (times < t1) if i < len(starts) - 1 else times >= t0
        want = np.concatenate([times[inside], [t1]])
        sol = solve_ivp(
            lambda _t, y, u=rates[i]: a @ y + b * u,
            (t0, t1),
            x,
            method="Radau",
            t_eval=want,
            rtol=1e-12,
            atol=1e-20,
            jac=lambda _t, _y: a,
        )
        out[inside] = sol.y.T[:-1]
        x = sol.y[:, -1]
    return out


@pytest.mark.parametrize("drug", ["morphine", "hydromorphone", "ziconotide", "baclofen"])
def test_exact_solution_agrees_with_solve_ivp_to_1e_6(drug: str) -> None:
    rng = np.random.default_rng(7)
    starts = np.concatenate([[0.0], np.sort(rng.uniform(0, 3 * 86400.0, 12))])
    rates = rng.uniform(0.0, 0.05, starts.size)  # mcg/s
    rates[rng.integers(0, starts.size, 3)] = 0.0
    times = np.linspace(0.0, 4 * 86400.0, 97)[1:]
    m = model(drug)
    ours = solve(m.system, np.zeros(5), starts, rates, times)
    theirs = reference(m, starts, rates, times)
    for col in range(5):
        scale = np.max(np.abs(theirs[:, col]))
        assert scale > 0
        err = np.max(np.abs(ours[:, col] - theirs[:, col])) / scale
        assert err <= 1e-6, (drug, col, err)
        big = np.abs(theirs[:, col]) > 1e-3 * scale
        rel = np.abs(ours[big, col] - theirs[big, col]) / np.abs(theirs[big, col])
        assert rel.max() <= 1e-6, (drug, col, rel.max())


def terminal_half_life_h(drug: str, dose_mcg: float) -> float:
    m = model(drug)
    starts = np.array([0.0, MINUTE])
    rates = np.array([dose_mcg / MINUTE, 0.0])
    t = np.array([8 * HOUR, 16 * HOUR])
    c = m.run(starts, rates, t).csf_mcg_per_ml
    return (t[1] - t[0]) * math.log(2) / math.log(c[0] / c[1]) / HOUR


def test_morphine_half_life_is_the_published_175_to_196_min() -> None:
    # drugs-and-dosing.md fact 24 (0.25-0.5 mg IT bolus): CSF terminal t1/2 175-196 min
    assert 175.0 <= terminal_half_life_h("morphine", 500.0) * 60 <= 196.0


def test_ziconotide_half_life_is_the_published_4_6_h() -> None:
    # fact 25: t1/2 4.6 +/- 0.9 h after a 1-10 ug dose
    assert 3.7 <= terminal_half_life_h("ziconotide", 5.0) <= 5.5


def test_baclofen_half_life_is_in_the_published_0_9_to_5_h() -> None:
    # fact 26: t1/2 0.9-5 h after a bolus
    assert 0.9 <= terminal_half_life_h("baclofen", 50.0) <= 5.0


def test_morphine_bolus_keeps_plasma_below_1_ng_per_ml() -> None:
    # fact 24: after a 0.25-0.5 mg IT bolus plasma morphine stays < 1 ng/mL (0.001 mcg/mL)
    m = model("morphine")
    t = np.linspace(MINUTE, 24 * HOUR, 1441)
    plasma = m.run(np.array([0.0, MINUTE]), np.array([500.0 / MINUTE, 0.0]), t).plasma_mcg_per_ml
    assert plasma.max() < 0.001
    assert plasma.max() > 0.0001  # it does get there: the compartment is connected


def test_bolus_follows_the_one_compartment_formula_by_hand() -> None:
    # 0.5 mg morphine, 70 kg: V = 0.88 x 70 = 61.6 mL, k = 0.204 / 0.88 per h.
    # Given in one second: C(t) = 500 / 61.6 x exp(-k (t - 1 s)) (1 - tiny for the second).
    m = model("morphine")
    k = 0.204 / 0.88 / HOUR
    t = np.array([1.0, 2 * HOUR, 6 * HOUR])
    c = m.run(np.array([0.0, 1.0]), np.array([500.0, 0.0]), t).csf_mcg_per_ml
    delivered = 500.0 * (1 - math.exp(-k)) / k  # what is left of 1 s of infusion at 1 s
    expected = delivered / 61.6 * np.exp(-k * (t - 1.0))
    assert c == pytest.approx(expected, rel=1e-12)


def test_steady_infusion_reaches_rate_over_clearance() -> None:
    # 1 mg/day morphine, 70 kg: CL = 0.204 x 70 = 14.28 mL/h; Css = (1000/24) / 14.28 mcg/mL
    m = model("morphine")
    c = m.run(np.array([0.0]), np.array([1000.0 / 86400.0]), np.array([10 * 86400.0]))
    assert c.csf_mcg_per_ml[0] == pytest.approx(1000.0 / 24 / 14.28, rel=1e-9)
    # the brainstem level settles at exp(-40 cm / 23.7 cm) of it (fact 27 length constant)
    assert c.rostral_mcg_per_ml[0] == pytest.approx(
        math.exp(-40 / 23.7) * 1000.0 / 24 / 14.28, rel=1e-6
    )


def test_baclofen_screening_bolus_peaks_4_to_6_h_later() -> None:
    # fact 12: after a screening bolus, onset 30-60 min, peak 4-6 h
    m = model("baclofen")
    t = np.linspace(MINUTE, 12 * HOUR, 721)
    ce = m.run(np.array([0.0, MINUTE]), np.array([50.0 / MINUTE, 0.0]), t).effect_mcg_per_ml
    peak_h = t[int(np.argmax(ce))] / HOUR
    assert 4.0 <= peak_h <= 6.0


def test_piecewise_input_is_checked_with_field_names() -> None:
    m = model("morphine")
    with pytest.raises(InputError) as caught:
        solve(m.system, np.zeros(5), np.array([0.0, 0.0]), np.array([1.0]), np.array([-1.0]))
    paths = {p.path for p in caught.value.problems}
    assert paths == {"starts_s", "rates", "times_s"}


def test_equal_rate_constants_are_refused_naming_the_compartments() -> None:
    lib = KineticsLibrary.from_mapping({"drug": [{
        "name": "x",
        "csf_volume_ml": {"value": 100.0, "source": "test"},
        "csf_clearance_ml_per_h": {"value": 10.0, "source": "test"},
        "plasma_volume_ml": {"value": 1000.0, "source": "test"},
        "plasma_clearance_ml_per_h": {"value": 100.0, "source": "test"},  # 0.1/h as the CSF
        "effect_site_rate_per_h": {"value": 0.5, "source": "test"},
        "rostral_length_constant_cm": {"value": 20.0, "source": "test"},
        "rostral_rate_per_h": {"value": 0.3, "source": "test"},
    }]})
    with pytest.raises(InputError) as caught:
        DrugModel.build(for_patient(lib.get("x"), 70, 40), 1e-6)
    assert [p.path for p in caught.value.problems] == ["csf_mcg / plasma_mcg"]
    assert "must differ" in caught.value.problems[0].message


def test_unknown_drug_and_unsourced_value_are_refused() -> None:
    with pytest.raises(CatalogueError, match="no CSF kinetics for drug 'clonidine'"):
        kinetics().get("clonidine")
    with pytest.raises(CatalogueError, match="csf_volume_ml"):
        KineticsLibrary.from_mapping({"drug": [{"name": "x", "csf_volume_ml": 3.0}]})
