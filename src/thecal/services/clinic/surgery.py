"""Surgery on an implant, through the gate: an explant (its therapy stops at once: a
withdrawal-risk drug's stop is a soft finding whose acknowledgement records the bridge
given) and a catheter revision (the bridge and priming volumes are computed from the
new catheter, and a priming bolus is allowed again). Reviewed, signed and confirmed by
digest like any change; a new pump is in devices.py."""

from __future__ import annotations

from thecal.core.errors import InputError, Problem
from thecal.core.safety import INFO, SOFT, Catheter, finding
from thecal.core.safety.fmt import dose_text
from thecal.core.therapy.catheter import path_volume_ml
from thecal.core.therapy.dosing import daily_doses
from thecal.services.clinic.base import ClinicBase
from thecal.services.clinic.devices import device_record
from thecal.services.clinic.gate import (
    DeviceReview,
    Review,
    Signoff,
    change_payload,
    sign,
    therapy_change,
)
from thecal.services.clinic.permissions import authorize
from thecal.services.clinic.ports import ImplantFacts, Principal, StoredPump, UnitOfWork
from thecal.services.proposal import Proposal, review_digest
from thecal.services.vocabulary import SessionStatus


class Surgery(ClinicBase):
    # -- explant ---------------------------------------------------------------------------

    def _explant_review(
        self, uow: UnitOfWork, who: Principal, patient_id: int, now_s: float
    ) -> tuple[DeviceReview, str | None]:
        stored = uow.pumps.get(patient_id)
        now = stored.pump.interrogate(now_s)
        found = []
        for name, dose in (daily_doses(now.program) if now.program else {}).items():
            drug = self.library.get(name)
            if drug is not None and drug.withdrawal_risk and dose.programmed_mcg > 0:
                found.append(
                    finding(
                        "DD-11", SOFT, "WITHDRAWAL_RISK_CUT",
                        f"{name}: removing the pump stops {dose_text(drug, dose.programmed_mcg)}"
                        " at once; an abrupt stop risks withdrawal: give the oral or systemic "
                        "bridge and acknowledge with it",
                    )
                )  # fmt: skip
        if now.reservoir_estimate_ml:
            found.append(
                finding(
                    "SR-24", INFO, "RESERVOIR_TO_EMPTY",
                    f"about {now.reservoir_estimate_ml:.3g} mL of drug is in the reservoir: "
                    "withdraw it before the pump is removed and dispose of it as controlled",
                )
            )  # fmt: skip
        digest = review_digest("explant", now.program_digest, [patient_id, stored.therapy_version])
        proposal = Proposal(None, None, tuple(found), [], [], (), digest=digest)
        return DeviceReview(who.username, proposal), now.program_digest

    def check_explant(
        self, who: Principal, patient_id: int, signoff: Signoff, now_s: float
    ) -> Review:
        authorize(who.role, "programs.check")
        verifier = self._second_person(who, signoff, now_s)
        with self.uow() as uow:
            review, _ = self._explant_review(uow, who, patient_id, now_s)
            sign(review, who, signoff, verifier, now_s)
            version = uow.pumps.get(patient_id).therapy_version
            return review.answer(version)

    @therapy_change("implants.write")
    def explant(
        self,
        who: Principal,
        patient_id: int,
        reason: str,
        signoff: Signoff,
        now_s: float,
        expected_version: int,
    ) -> None:
        verifier = self._signed_change(who, "implants.write", reason, signoff, now_s)
        with self.uow() as uow:
            uow.pumps.get(patient_id, expected_version)
            review, before = self._explant_review(uow, who, patient_id, now_s)
            sign(review, who, signoff, verifier, now_s)
            review.require_clear("explant")
            implant = uow.implants.active(patient_id)
            uow.implants.end(implant.id, now_s)
            uow.pumps.remove(patient_id)
            uow.patients.set_status(patient_id, "explanted")
            record = device_record(review, before, None, now_s)
            record["status"] = SessionStatus.COMMITTED
            payload = change_payload(
                "implant.explant", patient_id, record, None, serial=implant.serial
            )
            uow.audit.append(
                now_s, who.username, "implant.explant", "implant", implant.id, reason, payload
            )
            uow.commit()

    # -- catheter revision -----------------------------------------------------------------

    def _catheter_review(
        self, uow: UnitOfWork, who: Principal, patient_id: int, c: Catheter, now_s: float
    ) -> tuple[DeviceReview, StoredPump, ImplantFacts]:
        given = (("catheter_length_cm", c.length_cm), ("catheter_ul_per_cm", c.ul_per_cm))
        problems = [Problem(name, "a positive number") for name, v in given if not (v or 0) > 0]
        if problems:
            raise InputError("catheter revision refused", problems)
        assert c.length_cm is not None and c.ul_per_cm is not None
        stored = uow.pumps.get(patient_id)
        implant = uow.implants.active(patient_id)
        old = path_volume_ml(stored.model, implant.catheter_length_cm, implant.catheter_ul_per_cm)
        new = path_volume_ml(stored.model, c.length_cm, c.ul_per_cm)
        note = finding(
            "DD-08", INFO, "CATHETER_REVISED",
            f"the path from the pump to the tip holds {new:.3g} mL (was {old:.3g} mL): bridge "
            "and priming boluses are computed from it, and a priming bolus is allowed now",
        )  # fmt: skip
        before = stored.pump.interrogate(now_s).program_digest
        digest = review_digest("catheter", before, [implant.serial, c.length_cm, c.ul_per_cm])
        proposal = Proposal(None, None, (note,), [], [], (), digest=digest)
        return DeviceReview(who.username, proposal), stored, implant

    def check_catheter(
        self, who: Principal, patient_id: int, c: Catheter, signoff: Signoff, now_s: float
    ) -> Review:
        authorize(who.role, "programs.check")
        verifier = self._second_person(who, signoff, now_s)
        with self.uow() as uow:
            review, stored, _ = self._catheter_review(uow, who, patient_id, c, now_s)
            sign(review, who, signoff, verifier, now_s)
            return review.answer(stored.therapy_version)

    @therapy_change("implants.write")
    def revise_catheter(
        self,
        who: Principal,
        patient_id: int,
        c: Catheter,
        reason: str,
        signoff: Signoff,
        now_s: float,
        expected_version: int,
    ) -> float:
        """Record a revised catheter: the bridge and priming volumes are computed from it
        from now on, and a priming bolus is allowed again. Answers the new path volume.
        (The emulated pump keeps its own path volume: docs/clinic.md.)"""
        verifier = self._signed_change(who, "implants.write", reason, signoff, now_s)
        with self.uow() as uow:
            uow.pumps.get(patient_id, expected_version)
            review, stored, implant = self._catheter_review(uow, who, patient_id, c, now_s)
            sign(review, who, signoff, verifier, now_s)
            review.require_clear("revision")
            assert c.length_cm is not None and c.ul_per_cm is not None
            uow.implants.revise(implant.id, c.length_cm, c.ul_per_cm, now_s)
            stored.therapy_version += 1
            self._save(uow, stored, now_s, reading=False)
            before = {
                "length_cm": implant.catheter_length_cm,
                "ul_per_cm": implant.catheter_ul_per_cm,
            }
            record = device_record(review, None, None, now_s)
            payload = change_payload(
                "implant.revise_catheter", patient_id, record, None, before=before,
                after={"length_cm": c.length_cm, "ul_per_cm": c.ul_per_cm},
            )  # fmt: skip
            uow.audit.append(
                now_s, who.username, "implant.revise_catheter", "implant", implant.id, reason,
                payload,
            )  # fmt: skip
            uow.commit()
            return path_volume_ml(stored.model, c.length_cm, c.ul_per_cm)
