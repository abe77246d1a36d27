"""limits-audit.md §3 (catheter volume by model): one code default, the Prometra
catheter's 0.0026 mL/cm [E31], stood in for every catheter. Now each pump model's
catheter has its figure in pumps.toml with its source; only Prometra's is from a
manual. An implant without a typed figure takes the model's; where that is a stand-in
(SynchroMed, IsoMed) the review asks, softly, to confirm it from the catheter's label.
A replacement keeps the catheter already in the patient."""

from __future__ import annotations

from tests.services.world import DR, T0, Clinicians, baclofen
from thecal.core.therapy.catheter import catheter_figure_sourced, catheter_ul_per_cm
from thecal.data import pump_catalogue
from thecal.services.clinic import ImplantInput
from thecal.services.clinic.gate import Signoff

ASSUMED = ("DD-08", "soft", "CATHETER_VOLUME_ASSUMED")


def new_patient(c: Clinicians, key: str) -> int:
    data = {
        "mrn": key,
        "name": key,
        "birth_year": 1970,
        "indication": "spasticity_spinal",
        "weight_kg": 70.0,
        "opioid_naive": False,
    }
    return c.clinic.care.add_patient(DR, data, "new", T0)


def implant(c: Clinicians, pid: int, model_id: str, ul_per_cm: float | None):
    i = ImplantInput(
        model_id,
        f"SN-{pid}",
        "two-piece",
        90.0,
        ul_per_cm,
        "T10",
        baclofen(),
        19.0,
        continues=baclofen(),
    )
    review = c.clinic.devices.check_implant(DR, pid, i, Signoff(), T0)
    c.clinic.devices.implant(DR, pid, i, "implant", c.signed(review), T0)
    found = {(f.rule_id, f.severity, f.code) for f in review.proposal.findings}
    stored = [r for r in c.store.tables["implants"].values() if r["patient_id"] == pid][-1]
    return found, stored["input"].catheter_ul_per_cm


def test_the_catalogue_holds_each_catheter_figure_and_says_which_are_sourced():
    cat = pump_catalogue()
    assert catheter_ul_per_cm(cat.get("valve-gated-20"), None) == 2.6  # [E31] 0.0026 mL/cm
    assert catheter_figure_sourced(cat.get("valve-gated-20"))
    assert not catheter_figure_sourced(cat.get("peristaltic-20"))
    assert not catheter_figure_sourced(cat.get("constant-flow-20"))
    assert catheter_ul_per_cm(cat.get("peristaltic-20"), 1.4) == 1.4  # a typed figure wins


def test_a_synchromed_without_a_typed_figure_is_asked_to_confirm_it():
    c = Clinicians()
    found, stored = implant(c, new_patient(c, "S1"), "peristaltic-20", None)
    assert ASSUMED in found
    assert stored == 2.6


def test_a_prometra_takes_its_manual_figure_without_a_question():
    c = Clinicians()
    found, stored = implant(c, new_patient(c, "P1"), "valve-gated-20", None)
    assert ASSUMED not in found
    assert stored == 2.6


def test_a_typed_figure_is_kept_and_a_replacement_keeps_the_catheter_in_the_patient():
    c = Clinicians()
    pid = new_patient(c, "T1")
    found, stored = implant(c, pid, "peristaltic-20", 1.4)
    assert ASSUMED not in found and stored == 1.4
    i = ImplantInput("peristaltic-40", "SN-T1-2", "two-piece", 90.0, None, "T10", baclofen(), 19.0)
    review = c.clinic.devices.check_replacement(DR, pid, i, Signoff(), T0 + 1000.0)
    assert ASSUMED not in {(f.rule_id, f.severity, f.code) for f in review.proposal.findings}
    c.clinic.devices.replace_pump(
        DR, pid, i, "battery at ERI", c.signed(review), T0 + 1000.0, review.therapy_version
    )
    rows = [r for r in c.store.tables["implants"].values() if r["patient_id"] == pid]
    assert [r["input"].catheter_ul_per_cm for r in rows] == [1.4, 1.4]
