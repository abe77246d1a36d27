"""SR-41: the pump's own limit monitor refuses, whatever the programmer did, any program
or clinician bolus beyond the hard limits of the library it was commissioned with.

Library figures used (src/thecal/data/drugs.toml): morphine maximum concentration
20,000 mcg/mL and largest single bolus 500 mcg, no hard daily maximum (its label has a
caution, not a maximum); ziconotide's label maximum 21.6 mcg/day (EU SmPC)."""

from __future__ import annotations

import pytest

from thecal.core.errors import InputError
from thecal.core.pump import commands as c
from thecal.core.pump.firmware import initial_state, step
from thecal.core.pump.program import Amount, DemandBolus, DrugConcentration, Program, Step
from thecal.data import drug_library, pump_catalogue

DAY = 86_400.0
H = 3600.0
LIB = drug_library()


def morphine(conc_mcg_per_ml: float, mcg_per_day: float, demand: DemandBolus | None = None):
    return Program(
        (DrugConcentration("morphine", conc_mcg_per_ml),),
        (Step(0.0, dose_mcg_per_s=mcg_per_day / DAY),),
        demand_bolus=demand,
        low_reservoir_alarm_ml=2.0,
    )


def pump():
    model = pump_catalogue().get("peristaltic-20")
    s, _ = initial_state(model, LIB, morphine(10_000.0, 3000.0), 20.0, None, 0.26)
    return s


def refusal(events, kind):
    refused = [e for e in events if e.kind == kind and e.get("result") == "refused"]
    assert len(refused) == 1, events
    return refused[0]


def test_the_recall_class_implant_program_is_refused_by_the_pump_itself():
    """The issue's program: 25 mg/mL (above 20 mg/mL) at 19 mg/day with 24 boluses of
    0.5 mg a day. The concentration refuses it; the 0.5 mg bolus is exactly the largest
    single bolus: at the limit, not refused."""
    s = pump()
    bad = morphine(25_000.0, 19_000.0, DemandBolus(Amount(mcg=500.0), 600.0, 3600.0, 24))
    after, events = step(s, c.ApplyProgram(bad), H)
    reasons = refusal(events, "program").get("reasons")
    assert any("25000 mcg/mL is above the library maximum 20000" in r for r in reasons)
    assert not any("bolus of 500" in r for r in reasons)
    assert after.program == s.program  # the running program is untouched


def ziconotide(mcg_per_day: float) -> Program:
    return Program(
        (DrugConcentration("ziconotide", 100.0),),
        (Step(0.0, dose_mcg_per_s=mcg_per_day / DAY),),
        low_reservoir_alarm_ml=2.0,
    )


def test_a_program_at_the_hard_limit_is_accepted_and_one_above_it_refused():
    """Ziconotide's label maximum, 21.6 mcg/day: at it accepted, 22 refused."""
    s = pump()
    at_limit, events = step(s, c.ApplyProgram(ziconotide(21.6)), H)
    assert not [e for e in events if e.get("result") == "refused"]
    assert at_limit.program.program == ziconotide(21.6)
    _, events = step(s, c.ApplyProgram(ziconotide(22.0)), H)
    reasons = " ".join(refusal(events, "program").get("reasons"))
    assert "22 mcg in 24 h" in reasons and "21.6 mcg/day" in reasons


def test_a_clinician_bolus_above_the_largest_single_bolus_is_refused():
    s = pump()  # 10 mg/mL: 0.06 mL is 600 mcg, 0.05 mL is 500 mcg
    _, events = step(s, c.StartBolus("clinician", Amount(ml=0.06), 600.0), H)
    assert "600 mcg morphine" in refusal(events, "bolus").get("reason")
    _, events = step(s, c.StartBolus("clinician", Amount(ml=0.05), 600.0), H)
    assert [e.get("phase") for e in events if e.kind == "bolus"] == ["start"]


def test_a_program_checked_against_another_library_version_is_refused():
    s = pump()
    cmd = c.ApplyProgram(morphine(10_000.0, 3300.0), library_digest="0" * 64)
    _, events = step(s, cmd, H)
    assert (
        "checked against drug library 000000000000" in refusal(events, "program").get("reasons")[0]
    )
    accepted, events = step(s, c.ApplyProgram(morphine(10_000.0, 3300.0), LIB.digest), H)
    assert accepted.program.program == morphine(10_000.0, 3300.0)
    assert not [e for e in events if e.get("result") == "refused"]


def test_a_pump_cannot_be_commissioned_beyond_the_hard_limits():
    model = pump_catalogue().get("peristaltic-20")
    with pytest.raises(InputError, match="above the library maximum 20000"):
        initial_state(model, LIB, morphine(25_000.0, 3000.0), 20.0, None, 0.26)
