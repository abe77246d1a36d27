"""The attacks of issue 22, each worked by hand on the in-memory clinic: what used to
reach a pump around the programmer's rules, and now cannot; the confirmation bound to
the review's digest; the second person authenticated by the use case; the audit row
of a therapy change; and who may call which use case (roles checked in the services,
not the web)."""

from __future__ import annotations

import pytest

from tests.services.world import ADMIN, DAY, DR, PASSWORD, RN, T0, Clinicians, baclofen, morphine
from thecal.core.errors import Forbidden, InputError, Refused
from thecal.core.pump.program import Amount, DemandBolus, DrugConcentration, Program, Step
from thecal.core.safety import Catheter
from thecal.services.clinic import ImplantInput, Principal
from thecal.services.clinic.gate import THERAPY_CHANGES, SecondPerson, Signoff
from thecal.services.clinic.permissions import PERMISSIONS
from thecal.services.clinic.therapy import BolusInput
from thecal.services.clinic.transactions import RefillInput

AT = T0 + DAY
PH = SecondPerson("ph.c", PASSWORD)


@pytest.fixture
def c() -> Clinicians:
    return Clinicians()


def codes(exc: Refused) -> set[tuple[str, str]]:
    return {(f.rule_id, f.code) for f in exc.findings}


def test_the_recall_class_first_fill_is_refused_at_implant(c):
    """Opioid-naive first fill: morphine 25 mg/mL at 19 mg/day + 24 x 0.5 mg boluses, i.e.
    31 mg in 24 h. By hand: 31 mg is 62x the 0.5 mg/day top of the usual start
    (DOSE_SUSPECT_HIGH, > 10x) and above the Infumorph label's 1 mg/day for an opioid-naive
    patient (START_ABOVE_LABEL_NAIVE): both hard. 25 > 20 mg/mL is a consensus figure,
    acknowledged here (soft). Refused, nothing stored."""
    pid = c.clinic.care.add_patient(DR, {"mrn": "N1", "name": "N", "birth_year": 1960,
                                    "indication": "non_cancer", "weight_kg": 70.0,
                                    "opioid_naive": True}, "new", T0)  # fmt: skip
    bad = Program((DrugConcentration("morphine", 25_000.0),),
                  (Step(0.0, dose_mcg_per_s=19_000.0 / DAY),),
                  demand_bolus=DemandBolus(Amount(mcg=500.0), 600.0, 3600.0, 24),
                  low_reservoir_alarm_ml=3.0)  # fmt: skip
    i = ImplantInput("peristaltic-20", "SN-N1", "two-piece", 90.0, 2.6, "T10", bad, 19.0)
    review = c.clinic.devices.check_implant(DR, pid, i, Signoff(), T0)
    with pytest.raises(Refused) as refused:
        c.clinic.devices.implant(DR, pid, i, "implant", c.signed(review), T0)
    assert {("DD-02", "DOSE_SUSPECT_HIGH"),
            ("DD-03", "START_ABOVE_LABEL_NAIVE")} <= codes(refused.value)  # fmt: skip
    assert ("DD-01", "CONCENTRATION_ABOVE_MAX") not in codes(refused.value)
    assert c.table("pumps") == [] and c.table("implants") == []


def test_a_nurse_cannot_change_a_dose_through_a_refill(c):
    """Baclofen 440 -> 660 mcg/day by a nurse, signed by a pharmacist: a refill that
    changes the program is a physician's act; and for a physician, +50 % is above the
    30 %/24 h spinal maximum (440 x 1.3 = 572; 400 was running the day before: 520)."""
    pid = c.patient("B1", baclofen())
    fluid = (DrugConcentration("baclofen", 2000.0),)
    r = RefillInput(10.0, fluid, None, baclofen(660.0), "LOT1")
    _, review = c.clinic.therapy.plan_refill(RN, pid, r, Signoff(), AT)
    with pytest.raises(Forbidden, match=r"programs\.commit"):
        c.clinic.therapy.record_refill(
            RN, pid, r, c.signed(review, "ph.c"), AT, review.therapy_version
        )
    with pytest.raises(Refused) as refused:
        c.clinic.therapy.record_refill(
            DR, pid, r, c.signed(review, "ph.c"), AT, review.therapy_version
        )
    assert ("DD-05", "TITRATION_ABOVE_MAX") in codes(refused.value)
    # nothing recorded: the implant's first fill is the only refill row
    assert [r.classification for r in c.table("refills")] == ["first fill"]
    assert len(c.table("programs")) == 1


def test_a_concentration_doubled_at_a_refill_with_the_rate_kept_is_refused(c):
    """Morphine 10 -> 20 mg/mL with the same 0.3 mL/day: 3 -> 6 mg/day. The rates were
    carried over to the stronger fluid (SR-05, hard): refused whatever was acknowledged."""
    pid = c.patient("M1", morphine(), "non_cancer")
    doubled = Program((DrugConcentration("morphine", 20_000.0),),
                      (Step(0.0, rate_ml_per_s=0.3 / DAY),),
                      demand_bolus=DemandBolus(Amount(mcg=100.0), 600.0, 4 * 3600.0, 3),
                      low_reservoir_alarm_ml=3.0)  # fmt: skip
    r = RefillInput(10.0, doubled.drugs, None, doubled, "LOT2", bridge_duration_s=12 * 3600.0)
    _, review = c.clinic.therapy.plan_refill(DR, pid, r, Signoff(), AT)
    with pytest.raises(Refused) as refused:
        c.clinic.therapy.record_refill(DR, pid, r, c.signed(review), AT, review.therapy_version)
    assert ("SR-05", "RATES_CARRIED_OVER") in codes(refused.value)


@pytest.mark.sr("SR-08")
def test_the_confirmation_names_the_review_and_nothing_else_is_sent(c):
    """Check 480, confirm it, send 520: refused (SR-08 REVIEW_CHANGED); the pump keeps
    400 mcg/day. The review of 520 confirmed is sent."""
    pid = c.patient("B1", baclofen())
    seen = c.clinic.therapy.check_program(DR, pid, baclofen(480.0), Signoff(), AT)
    with pytest.raises(Refused) as refused:
        c.clinic.therapy.commit_program(DR, pid, baclofen(520.0), "spasms", c.signed(seen), AT,
                                seen.therapy_version)  # fmt: skip
    assert codes(refused.value) == {("SR-08", "REVIEW_CHANGED")}
    assert len(c.table("programs")) == 1
    fresh = c.clinic.therapy.check_program(DR, pid, baclofen(520.0), Signoff(), AT)
    assert fresh.digest != seen.digest
    record = c.clinic.therapy.commit_program(
            DR, pid, baclofen(520.0), "spasms", c.signed(fresh), AT,
            fresh.therapy_version)  # fmt: skip
    assert record["status"] == "committed" and record["review_digest"] == fresh.digest


def test_without_a_confirmation_nothing_is_sent(c):
    pid = c.patient("B1", baclofen())
    review = c.clinic.therapy.check_program(DR, pid, baclofen(440.0), Signoff(), AT)
    unconfirmed = Signoff({}, None, None)
    with pytest.raises(Refused) as refused:
        c.clinic.therapy.commit_program(DR, pid, baclofen(440.0), "x", unconfirmed, AT,
                                review.therapy_version)  # fmt: skip
    assert codes(refused.value) == {("SR-08", "NOT_CONFIRMED")}


def test_the_second_person_is_authenticated_by_the_use_case(c):
    """A +25 % baclofen change needs a second person: a wrong password, a patient or the
    programmer themself cannot be it."""
    pid = c.patient("B1", baclofen())
    review = c.clinic.therapy.check_program(DR, pid, baclofen(500.0), Signoff(), AT)
    acks = {"TITRATION_HIGH_DOSE": "night spasms"}
    c.clinic.user_admin.add_user(ADMIN, "pt", "Pt", PASSWORD, "patient", pid, T0)
    for who, password, path in (("ph.c", "guess-guess", "verifier"), ("pt", PASSWORD, "verifier"),
                                ("dr.a", PASSWORD, "verifier.username")):  # fmt: skip
        with pytest.raises(InputError) as bad:
            c.clinic.therapy.commit_program(DR, pid, baclofen(500.0), "x",
                                    Signoff(acks, SecondPerson(who, password), review.digest),
                                    AT, review.therapy_version)  # fmt: skip
        assert [p.path for p in bad.value.problems] == [path]
    record = c.clinic.therapy.commit_program(DR, pid, baclofen(500.0), "x",
                                     Signoff(acks, PH, review.digest), AT,
                                     review.therapy_version)  # fmt: skip
    assert record["verified_by"] == "ph.c"


def test_the_audit_row_tells_the_whole_change(c):
    pid = c.patient("B1", baclofen())
    before = c.clinic.care.interrogate(DR, pid, AT).program_digest
    review = c.clinic.therapy.check_program(DR, pid, baclofen(500.0), Signoff(), AT)
    c.clinic.therapy.commit_program(DR, pid, baclofen(500.0), "night spasms",
                            Signoff({"TITRATION_HIGH_DOSE": "reviewed"}, PH, review.digest), AT,
                            review.therapy_version)  # fmt: skip
    _, user, action, _, _, reason, payload = c.table("audit")[-1]
    assert (user, action, reason) == ("dr.a", "program.commit", "night spasms")
    assert payload["before_digest"] == before
    assert (
        payload["after_digest"] == c.clinic.care.interrogate(DR, pid, AT).program_digest != before
    )
    assert payload["review_digest"] == review.digest
    assert payload["fluid"] == [{"name": "baclofen", "concentration_mcg_per_ml": 2000.0}]
    assert payload["verified_by"] == "ph.c"
    assert [(a["code"], a["reason"]) for a in payload["acknowledgements"]] == [
        ("TITRATION_HIGH_DOSE", "reviewed")
    ]


def test_a_clinician_bolus_is_a_physicians_act_and_signed(c):
    pid = c.patient("M1", morphine(), "non_cancer")
    b = BolusInput("clinician", 0.02, 600.0)  # 200 mcg of 10 mg/mL
    review = c.clinic.therapy.check_bolus(DR, pid, b, Signoff(), AT)
    with pytest.raises(Forbidden):
        c.clinic.therapy.give_bolus(
            RN, pid, b, "pain", c.signed(review), AT, review.therapy_version
        )
    record = c.clinic.therapy.give_bolus(DR, pid, b, "pain", c.signed(review), AT,
                                 review.therapy_version)  # fmt: skip
    assert record["status"] == "committed"
    assert c.table("audit")[-1][2] == "bolus.clinician"


def test_a_replacement_continues_the_dose_and_an_explant_warns_of_withdrawal(c):
    """Baclofen 400 mcg/day: the new pump continues it (no start ceiling of 200); the
    explant stops it, a soft DD-11 finding that needs a reason (the oral bridge)."""
    pid = c.patient("B1", baclofen())
    i = ImplantInput("peristaltic-20", "SN-B1-2", "two-piece", 90.0, 2.6, "T10", baclofen(),
                     19.0)  # fmt: skip
    review = c.clinic.devices.check_replacement(DR, pid, i, Signoff(), AT)
    assert not [f for f in review.proposal.findings if f.severity == "hard"]
    c.clinic.devices.replace_pump(DR, pid, i, "battery at ERI", c.signed(review), AT,
                          review.therapy_version)  # fmt: skip
    assert c.clinic.care.interrogate(DR, pid, AT).program_digest is not None
    out = c.clinic.surgery.check_explant(DR, pid, Signoff(), AT + DAY)
    assert ("DD-11", "WITHDRAWAL_RISK_CUT") in {(f.rule_id, f.code) for f in out.blockers}
    with pytest.raises(Refused):
        c.clinic.surgery.explant(DR, pid, "infection", Signoff({}, None, out.digest), AT + DAY,
                         out.therapy_version)  # fmt: skip
    c.clinic.surgery.explant(DR, pid, "infection",
                     Signoff({"WITHDRAWAL_RISK_CUT": "oral baclofen 20 mg tds started"}, None,
                             out.digest), AT + DAY, out.therapy_version)  # fmt: skip
    assert c.table("pumps") == []
    assert c.table("audit")[-1][2] == "implant.explant"


def test_a_catheter_revision_changes_the_path_volume_and_allows_priming(c):
    """90 cm x 2.6 uL/cm -> 60 cm: the path is the pump's tubing plus 60 x 2.6 uL."""
    pid = c.patient("M1", morphine(), "non_cancer")
    later = T0 + 30 * DAY  # long after the implant: no priming allowed
    prime = BolusInput("priming", 0.296, 600.0)
    before = c.clinic.therapy.check_bolus(DR, pid, prime, Signoff(verifier=PH), later)
    assert "PRIMING_NOT_AT_IMPLANT" in {f.code for f in before.proposal.findings}
    shorter = Catheter(60.0, 2.6)
    review = c.clinic.surgery.check_catheter(DR, pid, shorter, Signoff(), later)
    path_ml = c.clinic.surgery.revise_catheter(
            DR, pid, shorter, "catheter revised", c.signed(review),
            later, review.therapy_version)  # fmt: skip
    tubing = c.clinic.catalogue.get("peristaltic-20").pump_tubing_ml
    assert path_ml == pytest.approx(tubing + 60 * 2.6 / 1000)
    after = c.clinic.therapy.check_bolus(DR, pid, prime, Signoff(verifier=PH), later)
    assert "PRIMING_NOT_AT_IMPLANT" not in {f.code for f in after.proposal.findings}


ROLES = ("admin", "physician", "nurse", "pharmacist", "patient")


@pytest.mark.parametrize("role", ROLES)
def test_role_by_use_case_matrix_in_the_services(c, role):
    """Every gate route called directly, with each role: the roles written out here by
    hand (issue 22: implants, programs and boluses are a physician's; a refill also a
    nurse's), never read back from the table."""
    allowed = {
        "implant": {"physician"}, "replace_pump": {"physician"}, "explant": {"physician"},
        "revise_catheter": {"physician"}, "commit_program": {"physician"},
        "give_bolus": {"physician"}, "record_refill": {"physician", "nurse"},
    }  # fmt: skip
    assert set(allowed) == set(THERAPY_CHANGES)
    pid = c.patient("M1", morphine(), "non_cancer")
    who = Principal(50, f"x.{role}", "X", role, pid if role == "patient" else None, "")
    calls = {
        "implant": lambda: c.clinic.devices.implant(who, pid, None, "x", Signoff(), AT),
        "replace_pump": lambda: c.clinic.devices.replace_pump(
            who, pid, None, "x", Signoff(), AT, 1
        ),
        "explant": lambda: c.clinic.surgery.explant(who, pid, "x", Signoff(), AT, 1),
        "revise_catheter": lambda: c.clinic.surgery.revise_catheter(
            who, pid, Catheter(1.0, 1.0), "x", Signoff(), AT, 1
        ),
        "commit_program": lambda: c.clinic.therapy.commit_program(
            who, pid, None, "x", Signoff(), AT, 1
        ),
        "give_bolus": lambda: c.clinic.therapy.give_bolus(who, pid, None, "x", Signoff(), AT, 1),
        "record_refill": lambda: c.clinic.therapy.record_refill(
            who, pid, RefillInput(1.0, (), None, None, "L"), Signoff(), AT, 1
        ),
    }
    for route, call in calls.items():
        if role in allowed[route]:
            # past the role check: refused later for the empty input, never Forbidden
            with pytest.raises(Exception) as err:
                call()
            assert not isinstance(err.value, Forbidden), route
        else:
            with pytest.raises(Forbidden):
                call()
        assert THERAPY_CHANGES[route] in PERMISSIONS


@pytest.mark.sr("SR-35")
def test_every_use_case_checks_its_own_role_not_only_the_web(c):
    """Called directly, as the CLI and the demo seed do: a pharmacist starts no trial, a
    nurse creates no user, an admin reads no care pathway, a patient reprograms no
    stimulator (SR-35: the admin has no clinical access; a patient only their own)."""
    pid = c.patient("M1", morphine(), "non_cancer")
    ph = Principal(60, "ph.x", "Ph", "pharmacist", None, "")
    nurse = Principal(61, "rn.x", "Rn", "nurse", None, "")
    admin = Principal(62, "ad.x", "Ad", "admin", None, "")
    patient = Principal(63, "pt.x", "Pt", "patient", pid, "")
    doc = {"kind": "baclofen_screening", "drug": "baclofen", "indication": "spasticity_spinal"}
    with pytest.raises(Forbidden):
        c.clinic.trials.start_trial(ph, pid, doc, AT)
    with pytest.raises(Forbidden):
        c.clinic.user_admin.add_user(nurse, "x.y", "X", "long-enough-pw", "nurse", None, AT)
    with pytest.raises(Forbidden):
        c.clinic.pathways.pathway(admin, pid)
    with pytest.raises(Forbidden):
        c.clinic.stimulation.program_stimulator(patient, pid, None, "x", AT)  # type: ignore[arg-type]
