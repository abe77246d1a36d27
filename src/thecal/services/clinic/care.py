"""Patients and the pump's life in the clinic: add a patient, keep the pump current,
inject an emulator fault; the patient's own bolus requests and diary; acknowledging
alarms. Implants are in devices.py, behind the gate."""

from __future__ import annotations

from typing import Any

from thecal.core.errors import Conflict, InputError, Problem
from thecal.core.pump.commands import Command
from thecal.services import patient as patient_service
from thecal.services.clinic.base import ClinicBase, can_see, day_start_s, need_reason
from thecal.services.clinic.permissions import authorize
from thecal.services.clinic.ports import Principal
from thecal.services.ports import DemandAnswer, Interrogation


def _not_ahead(data: dict[str, Any], now_s: float) -> None:
    """A brain injury's date (ISO) is a day that has begun on the clinic's clock."""
    injured = data.get("brain_injury_on")
    if injured and day_start_s(injured) > now_s:
        raise InputError("invalid patient",
                         [Problem("brain_injury_on", "a date on or before today")])  # fmt: skip


OPIOID_STATUS = (
    "say whether the patient takes an opioid every day now: true (opioid-naive, not "
    "taking one) or false (opioid-tolerant)"
)


def _opioid_status_stated(data: dict[str, Any]) -> None:
    """Opioid tolerance is stated at registration, never assumed (issue 24: context is an
    input). Left out, it defaulted to tolerant: an opioid start was then held to the
    label's tolerant range (morphine up to 10 mg/day) and not to its naive ceiling
    (1 mg/day), the dangerous side of the guess."""
    if not isinstance(data.get("opioid_naive"), bool):
        raise InputError("patient not added", [Problem("opioid_naive", OPIOID_STATUS)])


class Care(ClinicBase):
    def add_patient(self, who: Principal, data: dict[str, Any], reason: str, now_s: float) -> int:
        authorize(who.role, "patients.write")
        _opioid_status_stated(data)
        _not_ahead(data, now_s)
        with self.uow() as uow:
            pid = uow.patients.add(data)
            uow.audit.append(now_s, who.username, "patient.create", "patient", pid, reason, data)
            uow.commit()
            return pid

    def edit_patient(
        self, who: Principal, patient_id: int, data: dict[str, Any], reason: str, now_s: float
    ) -> None:
        """Corrects the facts the dose rules read (age, indication, weight, opioid
        tolerance, sleep apnoea): audited with the values before and after. The MRN is
        the patient's identity in the hospital and is not edited here."""
        authorize(who.role, "patients.write")
        need_reason(reason)
        if "mrn" in data:
            raise InputError("the MRN is not edited", [Problem("mrn", "not editable")])
        _not_ahead(data, now_s)
        with self.uow() as uow:
            before = uow.patients.update(patient_id, data)
            changed = {k: v for k, v in data.items() if before.get(k) != v}
            if not changed:
                raise InputError("nothing changed", [Problem("patient", "no field differs")])
            was = {k: before[k] for k in changed}
            uow.audit.append(now_s, who.username, "patient.edit", "patient", patient_id, reason,
                             {"before": was, "after": changed})  # fmt: skip
            uow.commit()

    def inject_fault(self, patient_id: int, command: Command, now_s: float) -> None:
        """Emulator-only fault injection (a bias, a stall): hardware truth that no
        programmer can command, for tests and the demo. Audited like any change."""
        with self.uow() as uow:
            stored = uow.pumps.get(patient_id)
            stored.pump.inject(command, now_s)
            self._save(uow, stored, now_s)
            uow.audit.append(
                now_s, "emulator", "pump.fault", "patient", patient_id,
                "fault injected into the emulated pump", repr(command),
            )  # fmt: skip
            uow.commit()

    def interrogate(self, who: Principal, patient_id: int, now_s: float) -> Interrogation:
        """What the pump reports at `now_s`, advanced in memory only: nothing is stored."""
        authorize(who.role, "patients.read")
        can_see(who, patient_id)
        with self.uow() as uow:
            return uow.pumps.get(patient_id).pump.interrogate(now_s)

    def sync(self, patient_id: int, now_s: float) -> None:
        """Advance the pump to the clinic's clock and store what it reports."""
        with self.uow() as uow:
            stored = uow.pumps.get(patient_id)
            if now_s <= stored.as_of_s:  # nothing newer than what is stored
                return
            self._save(uow, stored, now_s)
            uow.commit()

    # -- the patient's own -----------------------------------------------------------

    def request_bolus(
        self, who: Principal, patient_id: int, request_id: str, now_s: float
    ) -> DemandAnswer:
        authorize(who.role, "bolus.request")
        can_see(who, patient_id)
        with self.uow() as uow:
            known = uow.boluses.find(request_id)
            if known is not None:  # a retried request: the same answer, never twice (SR-16)
                if known.patient_id != patient_id:
                    raise Conflict("request_id is already used")
                return known.answer
            stored = uow.pumps.get(patient_id)
            answer = patient_service.request_bolus(stored.pump, request_id, now_s)
            uow.boluses.add(patient_id, answer, now_s)
            self._save(uow, stored, now_s, reading=False)
            uow.audit.append(
                now_s, who.username, "bolus.request", "patient", patient_id, "patient request",
                {"request_id": request_id, "result": answer.result, "reason": answer.reason},
            )  # fmt: skip
            uow.commit()
            return answer

    def add_diary(
        self,
        who: Principal,
        patient_id: int,
        pain_nrs: int | None,
        spasm: int | None,
        note: str,
        now_s: float,
    ) -> int:
        authorize(who.role, "diary.write")
        can_see(who, patient_id)
        entry = patient_service.diary_note(now_s, pain_nrs, spasm, note)
        with self.uow() as uow:
            uow.patients.get(patient_id)
            entry_id = uow.diary.add(patient_id, now_s, entry.pain_nrs, entry.spasm, entry.note)
            uow.audit.append(
                now_s, who.username, "diary.add", "patient", patient_id, "diary entry",
                {"pain_nrs": pain_nrs, "spasm": spasm},
            )  # fmt: skip
            uow.commit()
            return entry_id

    def acknowledge_alarm(self, who: Principal, alarm_id: int, reason: str, now_s: float) -> None:
        need_reason(reason)
        authorize(who.role, "alarms.acknowledge")
        with self.uow() as uow:
            alarm = uow.alarms.get(alarm_id)
            if alarm.acknowledged_by is not None:
                raise Conflict(
                    f"alarm {alarm_id} was already acknowledged by {alarm.acknowledged_by}"
                )
            uow.alarms.acknowledge(alarm_id, who.username, now_s)
            uow.audit.append(
                now_s, who.username, "alarm.acknowledge", "alarm", alarm_id, reason,
                {"code": alarm.code, "patient_id": alarm.patient_id},
            )  # fmt: skip
            uow.commit()
