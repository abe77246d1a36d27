"""Issue 22 item 3: one gate. Random programs - valid ones and the recall classes (a
dose per hour typed as per day, ten-fold doses, a concentration above the library's
maximum, a raised concentration with the dose left alone, 24 patient boluses a day) -
are pushed through every registered route that can change a pump, on the in-memory
clinic. Each route must refuse exactly what the programmer's own check refuses in that
route's context (first fill, continuation, reprogram, refill), with the same rule ids
and codes; whatever a route lets through, the pump's own monitor accepts (SR-41).

The routes come from the code (`THERAPY_CHANGES`, filled by the decorator on each use
case; test_no_side_door.py proves no other code reaches a pump); a route with no driver
here fails `test_every_registered_route_has_a_driver`.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.services.world import DAY, DR, T0, Clinicians, baclofen, morphine
from thecal.core.errors import Refused
from thecal.core.pump.monitor import program_violations
from thecal.core.pump.program import Amount, DemandBolus, DrugConcentration, Program, Step
from thecal.core.safety import HARD, SOFT, Catheter, Patient, ProgramProposal, check_program
from thecal.core.safety.bolus import BolusProposal, check_bolus
from thecal.services.clinic import ImplantInput
from thecal.services.clinic.gate import THERAPY_CHANGES, Signoff
from thecal.services.clinic.therapy import BolusInput
from thecal.services.clinic.transactions import RefillInput

AT = T0 + 2 * DAY
CATHETER = Catheter(90.0, 2.6)
# the refill plan's own findings (volumes, fluid against program): not program rules
REFILL_PLAN = {"OVERFILL", "ENTERED_VOLUME_MISMATCH", "PROGRAM_DOES_NOT_MATCH_RESERVOIR"}


@st.composite
def programs(draw) -> Program:
    """Morphine or baclofen, from sane to every recall class."""
    drug = draw(st.sampled_from(["morphine", "baclofen"]))
    if drug == "morphine":
        conc = draw(st.sampled_from([10_000.0, 20_000.0, 25_000.0]))  # 25 mg/mL > maximum
        base = 3000.0
    else:
        conc = draw(st.sampled_from([2000.0, 500.0, 4000.0]))  # 4 mg/mL > maximum
        base = 400.0
    factor = draw(st.sampled_from([0.4, 0.9, 1.0, 1.1, 1.25, 1.5, 10.0, 24.0]))  # 24: per hour
    demand = None
    if drug == "morphine" and draw(st.booleans()):
        mcg = draw(st.sampled_from([100.0, 500.0, 600.0]))
        demand = DemandBolus(Amount(mcg=mcg), 600.0, 3600.0 * 4, draw(st.sampled_from([3, 24])))
    return Program(
        (DrugConcentration(drug, conc),),
        (Step(0.0, dose_mcg_per_s=base * factor / DAY),),
        demand_bolus=demand,
        low_reservoir_alarm_ml=4.0 if drug == "baclofen" else 3.0,
    )


def running(p: Program) -> Program:
    return morphine() if p.drugs[0].name == "morphine" else baclofen()


def indication(p: Program) -> str:
    return "non_cancer" if p.drugs[0].name == "morphine" else "spasticity_spinal"


def expected(c: Clinicians, p: Program, current: Program | None, pid: int | None, **kw) -> set:
    """The programmer's own check of `p` in a route's context: its hard (rule, code)."""
    history = ()
    if pid is not None:
        with c.clinic.therapy.uow() as uow:
            _, history = c.clinic.therapy._clinical(uow, pid, AT)
    ctx = ProgramProposal(
        p, current, c.clinic.catalogue.get("peristaltic-20"), c.clinic.library,
        c.clinic.policy, Patient(indication=indication(p)), CATHETER, AT,
        first_fill=current is None, history=history, **kw,
    )  # fmt: skip
    return {(f.rule_id, f.code) for f in check_program(ctx).findings if f.severity == HARD}


def outcome(commit) -> set | None:
    """None when the route committed; else its hard (rule, code) findings."""
    try:
        commit()
    except Refused as exc:
        return {(f.rule_id, f.code) for f in exc.findings if f.severity == HARD}
    return None


def implant_input(p: Program, serial: str, continues: Program | None) -> ImplantInput:
    return ImplantInput("peristaltic-20", serial, "two-piece", 90.0, 2.6, "T10", p, 19.0,
                        continues=continues)  # fmt: skip


def first_fill(c: Clinicians, p: Program) -> tuple[set, set | None]:
    pid = c.clinic.care.add_patient(
        DR,
        {
            "mrn": "NEW",
            "name": "N",
            "birth_year": 1970,
            "indication": indication(p),
            "weight_kg": 70.0, "opioid_naive": False,
        },
        "new",
        AT,
    )
    i = implant_input(p, "SN-NEW", None)
    review = c.clinic.devices.check_implant(DR, pid, i, Signoff(), AT)
    return expected(c, p, None, None), outcome(
        lambda: c.clinic.devices.implant(DR, pid, i, "first fill", c.signed(review), AT)
    )


def transfer_in(c: Clinicians, p: Program) -> tuple[set, set | None]:
    pid = c.clinic.care.add_patient(
        DR,
        {
            "mrn": "TR",
            "name": "T",
            "birth_year": 1970,
            "indication": indication(p),
            "weight_kg": 70.0, "opioid_naive": False,
        },
        "new",
        AT,
    )
    i = implant_input(p, "SN-TR", running(p))
    review = c.clinic.devices.check_implant(DR, pid, i, Signoff(), AT)
    return expected(c, p, running(p), pid), outcome(
        lambda: c.clinic.devices.implant(DR, pid, i, "transfer", c.signed(review), AT)
    )


def replacement(c: Clinicians, p: Program) -> tuple[set, set | None]:
    pid = c.patient("RP", running(p), indication(p))
    i = implant_input(p, "SN-RP2", running(p))
    review = c.clinic.devices.check_replacement(DR, pid, i, Signoff(), AT)
    want = expected(c, p, running(p), pid)
    return want, outcome(
        lambda: c.clinic.devices.replace_pump(
            DR, pid, i, "battery", c.signed(review), AT, review.therapy_version
        )
    )


def reprogram(c: Clinicians, p: Program) -> tuple[set, set | None]:
    pid = c.patient("PG", running(p), indication(p))
    review = c.clinic.therapy.check_program(DR, pid, p, Signoff(), AT)
    want = expected(c, p, running(p), pid)
    return want, outcome(
        lambda: c.clinic.therapy.commit_program(
            DR, pid, p, "titration", c.signed(review), AT, review.therapy_version
        )
    )


def refill_with_program(c: Clinicians, p: Program) -> tuple[set, set | None]:
    pid = c.patient("RF", running(p), indication(p))
    changed = p.drugs != running(p).drugs
    bridge = 12 * 3600.0 if changed else None
    r = RefillInput(10.0, p.drugs, None, p, "LOT-P", bridge_duration_s=bridge)
    _, review = c.clinic.therapy.plan_refill(DR, pid, r, Signoff(), AT)
    want = expected(c, p, running(p), pid, bridge_planned=changed, reservoir_drugs=p.drugs)
    got = outcome(
        lambda: c.clinic.therapy.record_refill(
            DR, pid, r, c.signed(review), AT, review.therapy_version
        )
    )
    plan_only = {(rule, code) for rule, code in (got or set()) if code in REFILL_PLAN}
    return want | plan_only, got


PROGRAM_ROUTES = {
    "implant": (first_fill, transfer_in),
    "replace_pump": (replacement,),
    "commit_program": (reprogram,),
    "record_refill": (refill_with_program,),
}
# routes that carry no program: driven by their own tests below
OTHER_ROUTES = {"give_bolus", "explant", "revise_catheter"}


def test_every_registered_route_has_a_driver():
    assert set(THERAPY_CHANGES) == set(PROGRAM_ROUTES) | OTHER_ROUTES


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs())
def test_every_route_refuses_exactly_what_the_programmer_refuses(p):
    for route, drivers in PROGRAM_ROUTES.items():
        for drive in drivers:
            c = Clinicians()
            want, got = drive(c, p)
            where = f"{route}/{drive.__name__}"
            if want:
                assert got == want, where  # refused, with the programmer's rule ids
            else:
                assert got is None, f"{where}: refused {got}"
                assert program_violations(p, c.clinic.library) == []  # SR-41 agrees


@settings(max_examples=20, deadline=None)
@given(st.sampled_from([0.01, 0.04, 0.05, 0.06, 0.5]))
def test_a_clinician_bolus_is_refused_exactly_as_the_programmer_refuses_it(volume_ml):
    """Morphine 10 mg/mL: 0.05 mL is the trial-bolus top (500 mcg), a soft figure: above
    it the review asks for an acknowledgement; the gate refuses exactly the programmer's
    hard findings."""
    c = Clinicians()
    pid = c.patient("BO", morphine(), "non_cancer")
    b = BolusInput("clinician", volume_ml, 600.0)
    review = c.clinic.therapy.check_bolus(DR, pid, b, Signoff(), AT)
    asked = {f.code for f in review.proposal.findings if f.severity == SOFT}
    assert ("BOLUS_ABOVE_MAX" in asked) == (volume_ml > 0.05)  # by hand: 10,000 x V > 500
    want = {
        (f.rule_id, f.code)
        for f in check_bolus(
            BolusProposal("clinician", volume_ml, 600.0),
            morphine(),
            c.clinic.catalogue.get("peristaltic-20"),
            c.clinic.library,
            c.clinic.policy,
            CATHETER,
        )
        if f.severity == HARD
    }
    got = outcome(
        lambda: c.clinic.therapy.give_bolus(
            DR, pid, b, "pain crisis", c.signed(review), AT, review.therapy_version
        )
    )
    assert got == (want or None)
