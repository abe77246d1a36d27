"""The clinic's use cases on the in-memory unit of work: no database, the same
services the web and the CLI call. Numbers are worked by hand in each test.

The pumps: baclofen 2000 mcg/mL at 400 mcg/day is 0.2 mL/day; morphine 10 mg/mL at
3 mg/day is 0.3 mL/day with a 100 mcg (0.01 mL) patient bolus, 4 h lockout, at most
3 a day. Both are 20 mL pumps filled with 19 mL.
"""

from __future__ import annotations

import pytest

from tests.services.world import ADMIN, DAY, DR, HOUR, RN, T0, Clinicians, baclofen, morphine
from thecal.adapters.inputs.loader import iso
from thecal.core.errors import Conflict, Forbidden, InputError, Refused
from thecal.core.pump.commands import Fault
from thecal.core.pump.program import DrugConcentration
from thecal.services.clinic import Principal
from thecal.services.clinic.gate import Signoff
from thecal.services.clinic.transactions import RefillInput


@pytest.fixture
def c() -> Clinicians:
    return Clinicians()


def test_an_implant_stores_the_pump_its_outlook_and_its_first_program(c):
    pid = c.patient("B1", baclofen())
    o = c.pump(pid).outlook
    assert o.reservoir_estimate_ml == pytest.approx(19.0)
    # (19 - 4) mL / 0.2 mL/day = 75 d to the low alarm, booked 3 d earlier; baclofen's
    # 180 d stability and the battery are later
    assert o.refill_due_s == pytest.approx(T0 + 72 * DAY)
    assert o.withdrawal_risk is True
    assert len(c.table("programs")) == 1
    # after the three staff accounts the setup made
    assert [a[2] for a in c.table("audit")][3:] == ["patient.create", "implant.create"]


def test_a_refill_reconciles_what_came_out_with_what_the_pump_estimated(c):
    pid = c.patient("B1", baclofen())
    at = T0 + 30 * DAY  # 30 d x 0.2 mL/day = 6 mL out: 13 mL left
    drugs = (DrugConcentration("baclofen", 2000.0),)
    refill_id, record = c.refill(RN, pid, RefillInput(16.6, drugs, None, None, "LOT1"), at)
    entry = c.store.tables["refills"][refill_id]
    assert record["status"] == "committed"
    # the syringe draws all but the 2.4 mL the pump cannot give up: 13 - 2.4 = 10.6 mL
    assert entry.withdrawn_ml == pytest.approx(10.6, abs=1e-3)
    assert entry.expected_ml == pytest.approx(10.6, abs=1e-3)
    assert entry.classification == "ok"  # withdrawn equals expected
    # 2.4 + 16.6 = 19 mL at day 30: the low alarm 75 d later, booked 3 d before
    assert c.pump(pid).outlook.refill_due_s == pytest.approx(at + 72 * DAY, abs=60)
    assert c.pump(pid).last_refill_s == at


def test_a_refused_program_keeps_nothing(c):
    pid = c.patient("B1", baclofen())
    before = (c.store.commits, len(c.table("programs")), len(c.table("audit")), c.pump(pid))
    ten_fold = baclofen(4000.0)  # 4 mg/day: a dose per hour typed as per day, say
    review = c.clinic.therapy.check_program(DR, pid, ten_fold, Signoff(), T0 + 2 * DAY)
    with pytest.raises(Refused) as refused:
        c.clinic.therapy.commit_program(DR, pid, ten_fold, "titration", c.signed(review),
                                T0 + 2 * DAY, review.therapy_version)  # fmt: skip
    assert refused.value.findings  # each finding names its rule
    assert all(f.rule_id and f.code for f in refused.value.findings)
    after = (c.store.commits, len(c.table("programs")), len(c.table("audit")), c.pump(pid))
    assert after == before


def test_a_reading_between_check_and_commit_is_no_conflict(c):
    """Issue 22 item 6: optimistic locking guards the therapy, not the readings."""
    pid = c.patient("B1", baclofen())
    review = c.clinic.therapy.check_program(DR, pid, baclofen(440.0), Signoff(), T0 + 2 * DAY)
    c.clinic.care.sync(pid, T0 + 2 * DAY + 600)  # the server's reading sync, 10 min later
    record = c.clinic.therapy.commit_program(
            DR, pid, baclofen(440.0), "titration", c.signed(review),
            T0 + 2 * DAY + 600, review.therapy_version)  # fmt: skip
    assert record["status"] == "committed"


def test_a_screen_older_than_the_therapy_is_a_conflict_and_keeps_nothing(c):
    pid = c.patient("B1", baclofen())
    review = c.clinic.therapy.check_program(DR, pid, baclofen(440.0), Signoff(), T0 + 2 * DAY)
    other = c.clinic.therapy.check_program(DR, pid, baclofen(420.0), Signoff(), T0 + 2 * DAY)
    c.clinic.therapy.commit_program(DR, pid, baclofen(420.0), "someone else's titration",
                            c.signed(other), T0 + 2 * DAY, other.therapy_version)  # fmt: skip
    programs = len(c.table("programs"))
    with pytest.raises(Conflict, match="therapy was changed by someone else"):
        c.clinic.therapy.commit_program(DR, pid, baclofen(440.0), "titration", c.signed(review),
                                T0 + 3 * DAY, review.therapy_version)  # fmt: skip
    assert len(c.table("programs")) == programs


def test_a_retried_bolus_request_gets_the_first_answer_and_no_second_bolus(c):
    patient = c.patient("M1", morphine(), "non_cancer")
    me = Principal(9, "m1", "M1", "patient", patient, "")
    early = c.clinic.care.request_bolus(me, patient, "r0", T0 + HOUR)
    # no dose given yet: an implant starts no lockout (issue 22 item 9)
    assert (early.result, early.reason) == ("granted", None)
    first = c.clinic.care.request_bolus(me, patient, "r1", T0 + 5 * HOUR)  # 4 h after r0
    again = c.clinic.care.request_bolus(me, patient, "r1", T0 + 5 * HOUR + 30)
    assert first.result == "granted" and again == first
    other = c.clinic.care.request_bolus(me, patient, "r2", T0 + 5 * HOUR + 60)
    assert (other.result, other.reason) == ("denied", "lockout")
    assert other.lockout_remaining_s == pytest.approx(4 * HOUR - 60)
    assert [a[2] for a in c.table("audit")].count("bolus.request") == 3  # r0, r1, r2


def test_a_patient_reaches_only_their_own_pump(c):
    mine = c.patient("M1", morphine(), "non_cancer")
    other = c.patient("M2", morphine(), "non_cancer")
    me = Principal(9, "m1", "M1", "patient", mine, "")
    with pytest.raises(Forbidden):
        c.clinic.care.request_bolus(me, other, "r1", T0 + 5 * HOUR)
    with pytest.raises(Forbidden):
        c.clinic.care.interrogate(me, other, T0 + 5 * HOUR)
    assert c.table("boluses") == []


def test_an_alarm_is_logged_at_its_onset_and_acknowledged_once(c):
    pid = c.patient("B1", baclofen())
    c.clinic.care.sync(pid, T0 + 76 * DAY)  # 15 mL above the 4 mL alarm at 0.2 mL/day: day 75
    [alarm] = [a for a in c.table("alarms") if a["code"] == "LOW_RESERVOIR"]
    assert alarm["onset_s"] == pytest.approx(T0 + 75 * DAY, abs=60)
    c.clinic.care.acknowledge_alarm(RN, alarm["id"], "refill booked", T0 + 76 * DAY)
    with pytest.raises(Conflict, match=r"already acknowledged by rn\.b"):
        c.clinic.care.acknowledge_alarm(DR, alarm["id"], "again", T0 + 76 * DAY)
    with pytest.raises(InputError) as no_reason:
        c.clinic.care.acknowledge_alarm(DR, alarm["id"], " ", T0 + 76 * DAY)
    assert [p.path for p in no_reason.value.problems] == ["reason"]


def test_fault_injection_is_hardware_truth_and_audited(c):
    pid = c.patient("B1", baclofen())
    c.clinic.care.inject_fault(pid, Fault("stall"), T0 + DAY)
    assert "MOTOR_STALL" in c.pump(pid).outlook.alarms
    assert c.table("audit")[-1][1:3] == ("emulator", "pump.fault")


def test_a_screening_trial_refuses_a_dose_too_soon_and_keeps_the_record_unchanged(c):
    pid = c.clinic.care.add_patient(DR, {"mrn": "T1", "name": "T1", "birth_year": 1980,
                                    "indication": "spasticity_spinal", "weight_kg": 60.0,
                                    "opioid_naive": False},
                               "new", T0)  # fmt: skip
    doc = {"kind": "baclofen_screening", "drug": "baclofen", "indication": "spasticity_spinal",
           "baseline": {"ashworth": 4}}  # fmt: skip
    tid = c.clinic.trials.start_trial(DR, pid, doc, T0)
    # one trial at a time: a second would not see the first's doses and interval
    with pytest.raises(Conflict, match=f"trial #{tid} of baclofen is still open"):
        c.clinic.trials.start_trial(DR, pid, {**doc, "kind": "opioid_single_shot",
                                              "drug": "morphine"}, T0)  # fmt: skip
    assert list(c.store.tables["trials"]) == [tid]
    c.clinic.trials.add_trial_dose(DR, tid, {"at": iso(T0), "amount": "50 mcg"}, T0)
    soon = T0 + 23 * HOUR  # screening doses are >= 24 h apart (policy, fact 12)
    with pytest.raises(Refused):
        c.clinic.trials.add_trial_dose(DR, tid, {"at": iso(soon), "amount": "75 mcg"}, soon)
    assert len(c.store.tables["trials"][tid].document["doses"]) == 1
    c.clinic.trials.add_trial_assessment(DR, tid, {"at": iso(T0 + 4 * HOUR), "ashworth": 2}, T0)
    result = c.clinic.trials.evaluate_trial(DR, tid, T0 + 5 * HOUR, close=True)
    assert result["outcome"] == "success"  # Ashworth 4 -> 2 after 50 mcg
    assert c.store.tables["trials"][tid].status == "evaluated"
    with pytest.raises(Exception, match="evaluated: nothing more can be added"):
        c.clinic.trials.add_trial_dose(DR, tid, {"at": iso(T0 + 2 * DAY), "amount": "75 mcg"}, T0)
    assert c.clinic.trials.start_trial(DR, pid, doc, T0 + DAY) != tid  # closed: a new one


def test_login_opens_and_logout_closes_one_session(c):
    c.clinic.user_admin.add_user(ADMIN, "rn.c", "Nurse C", "long-enough-pw", "nurse", None, T0)
    with pytest.raises(Forbidden):  # users are the admin's
        c.clinic.user_admin.add_user(DR, "rn.d", "Nurse D", "long-enough-pw", "nurse", None, T0)
    assert c.clinic.accounts.login("rn.c", "wrong-password", T0) is None
    user, token = c.clinic.accounts.login("rn.c", "long-enough-pw", T0)
    assert (user.username, user.role) == ("rn.c", "nurse") and user.csrf
    assert list(c.store.tables["logins"]) == [token]
    c.clinic.accounts.logout(token)
    assert c.store.tables["logins"] == {}
    # 3 staff at setup, the nurse; the wrong password is audited (issue 23)
    assert [a[2] for a in c.table("audit")] == ["user.create"] * 4 + ["login.failed"]


@pytest.mark.parametrize("stated", [None, "no", 0])
def test_a_patient_is_not_added_without_a_stated_opioid_tolerance(stated):
    """The form, the API and the demo seed add patients through this use case (a FHIR
    import checks its extension, test_fhir.py): left out, or not a yes/no, the
    tolerance is asked for and nothing is stored (it defaulted to tolerant, and the
    label's opioid-naive ceiling never applied)."""
    c = Clinicians()
    data = {"mrn": "OT1", "name": "O", "birth_year": 1970, "indication": "cancer",
            "weight_kg": 60.0}  # fmt: skip
    if stated is not None:
        data["opioid_naive"] = stated
    with pytest.raises(InputError) as refused:
        c.clinic.care.add_patient(DR, data, "new", T0)
    assert [p.path for p in refused.value.problems] == ["opioid_naive"]
    assert "opioid-naive" in refused.value.problems[0].message
    assert c.clinic.care.add_patient(DR, data | {"opioid_naive": True}, "new", T0) > 0
