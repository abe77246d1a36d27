"""A stored pump state loads to exactly the state that was stored, caches included."""

from __future__ import annotations

from thecal.adapters.pump.state_blob import dump_state, load_state
from thecal.core.pump import commands as c
from thecal.core.pump import firmware
from thecal.core.pump.program import Amount, DemandBolus, DrugConcentration, Program, Step
from thecal.data import drug_library, pump_catalogue

DAY = 86_400.0


def _pump():
    model = pump_catalogue().get("peristaltic-40")
    demand = DemandBolus(Amount(mcg=100.0), 600.0, 3 * 3600.0, 4)
    program = Program(
        (DrugConcentration("morphine", 10_000.0),),
        (Step(0.0, rate_ml_per_s=0.5 / DAY),),
        demand_bolus=demand,
    )
    s, _ = firmware.initial_state(model, drug_library(), program, 40.0, None, 0.26)
    return model, s


def test_a_blob_written_before_a_cache_existed_loads_with_it_recomputed():
    model, s = _pump()
    s, _ = firmware.step(s, c.DemandRequest("r1"), 4 * 3600.0)
    # a blob from before `demand_fluid_ok` existed: the field takes its default
    old = s._replace(demand_fluid_ok=False, low_at_stroke=0, empty_at_stroke=0)
    blob, digest = dump_state(old)
    back = load_state(blob, digest, model, drug_library())
    assert back == s
    assert back.answers.get("r1") is not None and back.answers.get("r1").result == "granted"
    # (the program applied at 0 starts a 3 h lockout) morphine is demand-eligible, so the
    # next request, 3 h after the first grant, is granted
    _, events = firmware.step(back, c.DemandRequest("r2"), 7 * 3600.0)
    assert [e.get("result") for e in events if e.kind == "demand"] == ["granted"]
