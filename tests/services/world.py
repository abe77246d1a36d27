"""The clinic's use cases on the in-memory unit of work, with three staff accounts (a
physician, a nurse, a pharmacist) so that the second person is really authenticated.

The pumps: baclofen 2000 mcg/mL at 400 mcg/day is 0.2 mL/day; morphine 10 mg/mL at
3 mg/day is 0.3 mL/day with a 100 mcg (0.01 mL) patient bolus, 4 h lockout, at most
3 a day. Both are 20 mL pumps filled with 19 mL.
"""

from __future__ import annotations

from tests.services.fakes import MemoryStore, MemoryUnitOfWork
from thecal.adapters.db.demo import signed
from thecal.adapters.inputs.clinical_inputs import read_pathway, read_trial
from thecal.core.pump.program import Amount, DemandBolus, DrugConcentration, Program, Step
from thecal.data import drug_library, policy, pump_catalogue, scs_catalogue
from thecal.services.clinic import Clinic, ImplantInput, Principal, Readers, Wiring
from thecal.services.clinic.gate import Signoff
from thecal.services.clinic.transactions import RefillInput

DAY, HOUR = 86_400.0, 3600.0
T0 = 1_790_000_000.0
DR = Principal(1, "dr.a", "Dr A", "physician", None, "")
RN = Principal(2, "rn.b", "Nurse B", "nurse", None, "")
ADMIN = Principal(3, "admin", "Admin", "admin", None, "")
PASSWORD = "test-password"


def baclofen(dose_mcg_per_day: float = 400.0) -> Program:
    return Program((DrugConcentration("baclofen", 2000.0),),
                   (Step(0.0, dose_mcg_per_s=dose_mcg_per_day / DAY),),
                   low_reservoir_alarm_ml=4.0)  # fmt: skip


def morphine() -> Program:
    return Program((DrugConcentration("morphine", 10_000.0),),
                   (Step(0.0, dose_mcg_per_s=3000.0 / DAY),),
                   demand_bolus=DemandBolus(Amount(mcg=100.0), 600.0, 4 * HOUR, 3),
                   low_reservoir_alarm_ml=3.0)  # fmt: skip


class Clinicians:
    def __init__(self) -> None:
        self.store = MemoryStore()
        self.wall_s = T0  # real time, for password locks; the tests move it by hand
        catalogue, library = pump_catalogue(), drug_library()
        self.clinic = Clinic(Wiring(
            lambda: MemoryUnitOfWork(self.store, catalogue, library),
            catalogue, library, policy(), Readers(read_trial, read_pathway), scs_catalogue(),
            wall_clock=lambda: self.wall_s,
        ))  # fmt: skip
        for name, role in (("dr.a", "physician"), ("rn.b", "nurse"), ("ph.c", "pharmacist")):
            self.clinic.user_admin.add_user(ADMIN, name, name, PASSWORD, role, None, T0)

    def patient(self, key: str, program: Program, indication: str = "spasticity_spinal",
                birth_year: int = 1970) -> int:  # fmt: skip
        pid = self.clinic.care.add_patient(
            DR, {"mrn": key, "name": key, "birth_year": birth_year, "indication": indication,
                 "weight_kg": 70.0, "opioid_naive": False}, "new", T0,
        )  # fmt: skip
        # a transfer in on established therapy: the new pump continues the program
        implant = ImplantInput("peristaltic-20", f"SN-{key}", "two-piece", 90.0, 2.6, "T10",
                               program, 19.0, continues=program)  # fmt: skip
        review = self.clinic.devices.check_implant(DR, pid, implant, Signoff(), T0)
        self.clinic.devices.implant(DR, pid, implant, "implant", self.signed(review), T0)
        return pid

    def signed(self, review, verifier: str = "ph.c") -> Signoff:
        return signed(review, verifier, "test: reviewed", PASSWORD)

    def refill(self, who, pid, r: RefillInput, at: float, verifier: str = "dr.a"):
        _, review = self.clinic.therapy.plan_refill(who, pid, r, Signoff(), at)
        sign = self.signed(review, verifier)
        return self.clinic.therapy.record_refill(who, pid, r, sign, at, review.therapy_version)

    def table(self, name: str) -> list:
        return self.store.rows(name)

    def pump(self, pid: int):
        return self.store.tables["pumps"][pid]
