"""SR-41: the pump's own limit monitor refuses, whatever the programmer did, any program
or clinician bolus beyond the hard limits of the library it was commissioned with.

Library figures used (src/thecal/data/drugs.toml): ziconotide's US label maximum 19.2
mcg/day and its 100 mcg/mL strength, both hard (label); morphine's 20 mg/mL maximum
concentration and 500 mcg largest bolus are consensus figures, soft (issue 24), so the
pump leaves them to the programmer, which asks for acknowledgement."""

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


@pytest.mark.sr("SR-41")
def test_the_pump_refuses_a_hard_limit_and_leaves_soft_ones_to_the_programmer():
    """Ziconotide 200 mcg/mL is above the label's 100 mcg/mL: refused by the pump. The
    recall-class morphine program of issue 22 (25 mg/mL Infumorph, 19 mg/day, 24 boluses
    of 0.5 mg) breaks only consensus figures now: the pump takes it, the programmer flags
    each one softly (tests/programmer/test_limits_policy.py)."""
    s = pump()
    too_strong = Program((DrugConcentration("ziconotide", 200.0),), (Step(0.0, 2.4 / DAY),))
    after, events = step(s, c.ApplyProgram(too_strong), H)
    reasons = refusal(events, "program").get("reasons")
    assert any("200 mcg/mL is above the library maximum 100" in r for r in reasons)
    assert after.program == s.program  # the running program is untouched
    infumorph = morphine(25_000.0, 19_000.0, DemandBolus(Amount(mcg=500.0), 600.0, 3600.0, 24))
    taken, events = step(s, c.ApplyProgram(infumorph), H)
    assert not [e for e in events if e.get("result") == "refused"]
    assert taken.program.program == infumorph


def ziconotide(mcg_per_day: float) -> Program:
    return Program(
        (DrugConcentration("ziconotide", 100.0),),
        (Step(0.0, dose_mcg_per_s=mcg_per_day / DAY),),
        low_reservoir_alarm_ml=2.0,
    )


def test_a_program_at_the_hard_limit_is_accepted_and_one_above_it_refused():
    """Ziconotide's US label maximum, 19.2 mcg/day: at it accepted, 19.5 refused."""
    s = pump()
    at_limit, events = step(s, c.ApplyProgram(ziconotide(19.2)), H)
    assert not [e for e in events if e.get("result") == "refused"]
    assert at_limit.program.program == ziconotide(19.2)
    _, events = step(s, c.ApplyProgram(ziconotide(19.5)), H)
    reasons = " ".join(refusal(events, "program").get("reasons"))
    assert "19.5 mcg in 24 h" in reasons and "19.2 mcg/day" in reasons


def test_a_clinician_bolus_above_a_trial_dose_is_not_the_pumps_to_refuse():
    """The largest single bolus is a trial dose, a soft figure (limits-audit.md §1 item 6):
    600 mcg of morphine (0.06 mL of 10 mg/mL) starts; the programmer asked for review."""
    s = pump()
    _, events = step(s, c.StartBolus("clinician", Amount(ml=0.06), 600.0), H)
    assert [e.get("phase") for e in events if e.kind == "bolus"] == ["start"]
    assert not [e for e in events if e.get("result") == "refused"]


@pytest.mark.sr("SR-41")
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
    too_strong = Program((DrugConcentration("ziconotide", 200.0),), (Step(0.0, 2.4 / DAY),))
    with pytest.raises(InputError, match="above the library maximum 100"):
        initial_state(model, LIB, too_strong, 20.0, None, 0.26)
