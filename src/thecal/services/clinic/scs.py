"""Spinal cord stimulation in the clinic: a trial with temporary leads, scored day by
day and judged by the trial rule (core.scs.trial); the implant, only after a
successful trial (SCS-04); and every program - at the trial, at the implant, at each
follow-up - checked against the charge limits and ranges (SCS-01..03) at the
stimulator and lead it runs on. A hard finding refuses it; nothing is stored.

The trial's outcome is written into the patient's care pathway record when there is
one, so a failed SCS trial opens the pump trial on the worklist (docs/scs.md).
"""

from __future__ import annotations

import math

from typing_extensions import TypedDict  # pydantic reads it on Python 3.11 (API answers)

from thecal.core.errors import InputError, InvalidTransition, Problem, Refused
from thecal.core.safety.findings import HARD, Finding, FindingDict, finding
from thecal.core.scs.battery import BatteryOutlook, battery_outlook
from thecal.core.scs.program import ScsProgram, check_scs_program
from thecal.core.scs.trial import evaluate_scs_trial
from thecal.core.units import SECONDS_PER_DAY
from thecal.services.clinic.base import ClinicBase, can_see, need_reason
from thecal.services.clinic.pathway import store_pathway
from thecal.services.clinic.permissions import authorize
from thecal.services.clinic.ports import Principal, ScsDevice, UnitOfWork
from thecal.services.proposal import review_digest
from thecal.services.trial import SCALES
from thecal.services.vocabulary import StimulatorKind


def _refuse_hard(found: list[Finding], what: str) -> None:
    hard = [f for f in found if f.severity == HARD]
    if hard:
        raise Refused(f"{what} refused: " + ", ".join(f.code for f in hard), tuple(hard))


NRS_LOW, NRS_HIGH = SCALES["nrs"]


class ScsReview(TypedDict):
    """A program's findings on a stimulator and lead, and its battery outlook (None
    when a hard finding refuses it)."""

    findings: list[Finding]
    battery: BatteryOutlook | None


class ScsCheck(ScsReview):
    reviewed_digest: str  # what a confirmation names (SR-08)


class ScsStatus(TypedDict):
    device: ScsDevice
    program: ScsProgram
    battery: BatteryOutlook | None


class BatteryAnswer(TypedDict):
    drain_ma: float  # average current from the battery
    days: float  # primary: to depletion; rechargeable: until the recharge level
    recharge: bool


def battery_answer(b: BatteryOutlook | None) -> BatteryAnswer | None:
    return None if b is None else BatteryAnswer(drain_ma=b.drain_ma, days=b.days,
                                                recharge=b.recharge)  # fmt: skip


class ScsStored(TypedDict):
    """What a stored program answers, as JSON: its findings and battery outlook."""

    findings: list[FindingDict]
    battery: BatteryAnswer | None


class ScsCheckAnswer(ScsStored):
    reviewed_digest: str  # what a confirmation names (SR-08)


class ScsDeviceStored(ScsStored):
    device_id: int  # the trial's leads or the implanted stimulator


class ScsTrialEnd(TypedDict):
    outcome: str  # success | failure | incomplete
    relief_pct: float | None
    days: int
    findings: list[FindingDict]


def scs_digest(program: ScsProgram, stimulator_id: str, lead_id: str) -> str:
    """What a clinician confirms of a stimulation program: every setting, on the
    stimulator and lead it is checked against (SR-08, as for a pump program)."""
    return review_digest("scs program", None, [program, stimulator_id, lead_id])


class Stimulation(ClinicBase):
    def check_scs_program(
        self, who: Principal, patient_id: int, program: ScsProgram,
        stimulator_id: str | None = None, lead_id: str | None = None,
    ) -> ScsCheck:  # fmt: skip
        """The findings and battery outlook of `program` on the patient's device (or on
        the stimulator and lead named, before there is one), and the digest a
        confirmation names; stores nothing."""
        authorize(who.role, "scs.read")
        can_see(who, patient_id)
        with self.uow() as uow:
            device = uow.stimulation.active(patient_id)
        stim_id = stimulator_id or (device.stimulator_id if device else "")
        lead = lead_id or (device.lead_id if device else "")
        review = self._review(program, stim_id, lead)
        return ScsCheck(findings=review["findings"], battery=review["battery"],
                        reviewed_digest=scs_digest(program, stim_id, lead))  # fmt: skip

    def scs_status(self, who: Principal, patient_id: int) -> ScsStatus | None:
        """The active stimulator, the program it runs and that program's battery outlook
        (a primary cell's life, or the days between recharges); None without one."""
        authorize(who.role, "scs.read")
        can_see(who, patient_id)
        with self.uow() as uow:
            device = uow.stimulation.active(patient_id)
            program = uow.stimulation.current_program(device.id) if device else None
        if device is None or program is None:
            return None
        review = self._review(program, device.stimulator_id, device.lead_id)
        return ScsStatus(device=device, program=program, battery=review["battery"])

    def _review(self, program: ScsProgram, stimulator_id: str, lead_id: str) -> ScsReview:
        cat = self.scs
        problems = []
        if stimulator_id not in cat.stimulators:
            problems.append(Problem("stimulator_id", f"one of {', '.join(cat.stimulators)}"))
        if lead_id not in cat.leads:
            problems.append(Problem("lead_id", f"one of {', '.join(cat.leads)}"))
        if problems:
            raise InputError("stimulator refused", problems)
        stim, lead = cat.stimulators[stimulator_id], cat.leads[lead_id]
        found = check_scs_program(program, stim, lead, cat)
        outlook = None if any(f.severity == HARD for f in found) else battery_outlook(
            program, stim, cat)  # fmt: skip
        return ScsReview(findings=found, battery=outlook)

    def _store_program(
        self, uow: UnitOfWork, device: ScsDevice, program: ScsProgram, user: str, reason: str,
        now_s: float, reviewed_digest: str | None,
    ) -> ScsStored:  # fmt: skip
        """As a pump program: every finding, then the clinician's confirmation naming the
        review's digest (SR-08), then stored and audited - or nothing."""
        review = self._review(program, device.stimulator_id, device.lead_id)
        found = list(review["findings"])
        digest = scs_digest(program, device.stimulator_id, device.lead_id)
        if reviewed_digest is None:
            found.append(finding("SR-08", HARD, "NOT_CONFIRMED",
                                 "confirm the stimulation settings before they are sent"))
        elif reviewed_digest != digest:
            found.append(finding("SR-08", HARD, "REVIEW_CHANGED",
                                 "these settings are not the ones reviewed and confirmed: "
                                 "check them again", "reviewed_digest"))  # fmt: skip
        _refuse_hard(found, "stimulation program")
        uow.stimulation.add_program(device.patient_id, device.id, program, user, reason, now_s)
        b = review["battery"]
        uow.audit.append(
            now_s, user, "scs.program", "patient", device.patient_id, reason,
            {"device": device.id, "mode": program.mode, "amplitude_ma": program.amplitude_ma,
             "pulse_width_us": program.pulse_width_us, "frequency_hz": program.frequency_hz},
        )  # fmt: skip
        return ScsStored(findings=[f.as_dict() for f in review["findings"]],
                         battery=battery_answer(b))  # fmt: skip

    def start_scs_trial(
        self, who: Principal, patient_id: int, stimulator_id: str, lead_id: str,
        baseline_nrs: float, program: ScsProgram, reason: str, now_s: float,
        reviewed_digest: str | None = None,
    ) -> ScsDeviceStored:  # fmt: skip
        """Temporary leads with an external stimulator, and the first program."""
        need_reason(reason)
        authorize(who.role, "scs.write")
        if not NRS_LOW < baseline_nrs <= NRS_HIGH:  # a trial needs pain to relieve
            why = f"a pain score above {NRS_LOW:g}, at most {NRS_HIGH:g}"
            raise InputError("trial refused", [Problem("baseline_nrs", why)])
        with self.uow() as uow:
            uow.patients.get(patient_id)
            if uow.stimulation.active(patient_id) is not None:
                raise InvalidTransition("the patient already has a stimulator or a trial running")
            device = uow.stimulation.add_device(patient_id, StimulatorKind.TRIAL, stimulator_id,
                                                lead_id, None, baseline_nrs, now_s)  # fmt: skip
            out = self._store_program(uow, device, program, who.username, reason, now_s,
                                      reviewed_digest)  # fmt: skip
            uow.audit.append(now_s, who.username, "scs.trial.start", "patient", patient_id,
                             reason, {"device": device.id, "baseline_nrs": baseline_nrs})
            uow.commit()
            return ScsDeviceStored(device_id=device.id, **out)

    def record_scs_day(self, who: Principal, patient_id: int, nrs: float, now_s: float) -> None:
        """One day's pain score during the trial."""
        authorize(who.role, "scs.score")
        if not NRS_LOW <= nrs <= NRS_HIGH:
            why = f"a pain score {NRS_LOW:g}-{NRS_HIGH:g}"
            raise InputError("score refused", [Problem("nrs", why)])
        with self.uow() as uow:
            device = self._trial(uow, patient_id)
            uow.stimulation.add_day(device.id, nrs)
            uow.audit.append(now_s, who.username, "scs.trial.day", "patient", patient_id,
                             "trial day score", {"nrs": nrs})  # fmt: skip
            uow.commit()

    def _trial(self, uow: UnitOfWork, patient_id: int) -> ScsDevice:
        device = uow.stimulation.active(patient_id)
        if device is None or device.kind != StimulatorKind.TRIAL:
            raise InvalidTransition(f"patient {patient_id} has no SCS trial running")
        return device

    def end_scs_trial(self, who: Principal, patient_id: int, now_s: float) -> ScsTrialEnd:
        """Remove the temporary leads and judge the trial on its mean daily score."""
        authorize(who.role, "scs.write")
        with self.uow() as uow:
            device = self._trial(uow, patient_id)
            days = max(1, math.ceil((now_s - device.started_s) / SECONDS_PER_DAY - 1e-9))
            baseline = device.baseline_nrs or 0.0
            result = evaluate_scs_trial(baseline, device.daily_nrs, days, self.scs, self.policy)
            uow.stimulation.close_trial(device.id, result.outcome, now_s)
            document = uow.pathways.get(patient_id)
            if document is not None and result.outcome in ("success", "failure"):
                store_pathway(uow, self.readers, patient_id,
                              {**document, "scs_trial": result.outcome}, who.username,
                              now_s)  # fmt: skip
            uow.audit.append(now_s, who.username, "scs.trial.end", "patient", patient_id,
                             f"SCS trial {result.outcome}",
                             {"days": days, "relief_pct": result.relief_pct})  # fmt: skip
            uow.commit()
        return ScsTrialEnd(outcome=result.outcome, relief_pct=result.relief_pct, days=days,
                           findings=[f.as_dict() for f in result.findings])  # fmt: skip

    def implant_stimulator(
        self, who: Principal, patient_id: int, stimulator_id: str, lead_id: str, serial: str,
        program: ScsProgram, reason: str, now_s: float, reviewed_digest: str | None = None,
    ) -> ScsDeviceStored:  # fmt: skip
        need_reason(reason)
        authorize(who.role, "scs.write")
        with self.uow() as uow:
            uow.patients.get(patient_id)
            if uow.stimulation.active(patient_id) is not None:
                raise InvalidTransition("end the running trial (or explant) before an implant")
            trial = uow.stimulation.last_trial(patient_id)
            if trial is None or trial.outcome != "success":
                why = "no SCS trial" if trial is None else f"the SCS trial was a {trial.outcome}"
                raise Refused("implant refused: SCS_TRIAL_REQUIRED", (finding(
                    "SCS-04", HARD, "SCS_TRIAL_REQUIRED",
                    f"implant a stimulator only after a successful trial: {why}"),))
            device = uow.stimulation.add_device(patient_id, StimulatorKind.IMPLANT,
                                                stimulator_id, lead_id, serial, None,
                                                now_s)  # fmt: skip
            out = self._store_program(uow, device, program, who.username, reason, now_s,
                                      reviewed_digest)  # fmt: skip
            uow.audit.append(now_s, who.username, "scs.implant", "patient", patient_id, reason,
                             {"device": device.id, "serial": serial,
                              "stimulator": stimulator_id, "lead": lead_id})  # fmt: skip
            uow.commit()
            return ScsDeviceStored(device_id=device.id, **out)

    def program_stimulator(
        self, who: Principal, patient_id: int, program: ScsProgram, reason: str, now_s: float,
        reviewed_digest: str | None = None,
    ) -> ScsStored:
        """A follow-up visit's reprogramming (or a change during the trial)."""
        need_reason(reason)
        authorize(who.role, "scs.write")
        with self.uow() as uow:
            device = uow.stimulation.active(patient_id)
            if device is None:
                raise InvalidTransition(f"patient {patient_id} has no stimulator")
            out = self._store_program(uow, device, program, who.username, reason, now_s,
                                      reviewed_digest)  # fmt: skip
            uow.commit()
            return out
