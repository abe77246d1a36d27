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


def test_the_state_is_stored_as_plain_json_never_a_pickle():
    """Issue 23: the row holds a JSON document; the lockout's "no dose yet" (minus
    infinity, which JSON cannot hold as a number) is the text "-inf"."""
    import json

    from thecal.adapters.pump.state_blob import FORMAT

    _, s = _pump()
    blob, _ = dump_state(s)
    assert blob.startswith(FORMAT) and b"pickle" not in blob
    doc = json.loads(blob[len(FORMAT) :])
    assert doc["schema"] == 2 and doc["state"]["lockout_from_t"] == "-inf"
    assert "model" not in doc["state"] and "library" not in doc["state"]


def test_a_document_can_build_nothing_but_a_pump_state():
    """Someone with write access to the row, recomputing the digest: an unknown field or
    a value of the wrong type is refused, never turned into an object."""
    import hashlib
    import json

    import pytest

    from thecal.adapters.pump.state_blob import FORMAT, CorruptPumpState

    model, s = _pump()
    blob, _ = dump_state(s)
    doc = json.loads(blob[len(FORMAT) :])
    for tamper in ({"__reduce__": ["os.system", ["true"]]}, {"path": "not a path"}):
        bad = FORMAT + json.dumps({**doc, "state": {**doc["state"], **tamper}}).encode()
        with pytest.raises(CorruptPumpState):
            load_state(bad, hashlib.sha256(bad).hexdigest(), model, drug_library())


def test_a_pickled_state_is_refused_at_load_and_converted_by_the_migration():
    import hashlib
    import pickle

    import pytest

    from thecal.adapters.pump.state_blob import CorruptPumpState, legacy_to_document

    model, s = _pump()
    s, _ = firmware.step(s, c.DemandRequest("r1"), 4 * 3600.0)
    bare = s._replace(model=None, library=None)
    legacy = b"thecal-pump-state-1\n" + pickle.dumps(bare, protocol=5)
    with pytest.raises(CorruptPumpState, match="thecal db upgrade"):
        load_state(legacy, hashlib.sha256(legacy).hexdigest(), model, drug_library())
    converted = legacy_to_document(legacy)
    assert converted is not None
    assert load_state(*converted, model, drug_library()) == s
