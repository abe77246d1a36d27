"""Implants through the gate: a first fill, a replacement pump, an explant and a
catheter revision are reviewed, signed and confirmed by digest like any program.

A first fill is checked against the start ceilings. A new pump that continues a
documented program (a replacement, or a patient transferred in with a running pump)
is checked as a continuation of that program: the titration, unit-sanity and
withdrawal rules compare it with what the patient receives now, so continuing a
stable dose is never forced down to a starting dose (an abrupt cut is a harm too).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from thecal.core.errors import Conflict, InputError, NotFound, Problem
from thecal.core.pump.constant_flow import effective_program
from thecal.core.pump.models import PumpModel
from thecal.core.pump.program import Program, program_digest, validate_program
from thecal.core.safety import HARD, INFO, SOFT, Catheter, ProgramProposal, finding
from thecal.core.safety.fmt import dose_text
from thecal.core.therapy.catheter import catheter_volume_ml, path_volume_ml
from thecal.core.therapy.dosing import daily_doses
from thecal.services.clinic.base import ClinicBase, need_reason
from thecal.services.clinic.gate import (
    DeviceReview,
    Review,
    Signoff,
    change_payload,
    sign,
    therapy_change,
)
from thecal.services.clinic.permissions import authorize
from thecal.services.clinic.ports import (
    ImplantFacts,
    ImplantInput,
    Principal,
    StoredPump,
    UnitOfWork,
)
from thecal.services.programmer import program_proposal
from thecal.services.proposal import Proposal, review_digest

NEW_PUMP = "a new pump: drug, concentration, fill volume and program"


class Devices(ClinicBase):
    def _model(self, model_id: str) -> PumpModel:
        model = self.catalogue.get(model_id)
        if model is None:
            known = sorted(self.catalogue.models)
            raise InputError("implant refused", [Problem("model_id", f"unknown; one of {known}")])
        return model

    def _new_pump(
        self,
        uow: UnitOfWork,
        who: Principal,
        patient_id: int,
        i: ImplantInput,
        current: Program | None,
        before: str | None,
        now_s: float,
    ) -> tuple[DeviceReview, PumpModel, Program]:
        """The review of a new pump: its first program checked as a first fill, or as
        the continuation of `current` (the running or documented program)."""
        model = self._model(i.model_id)
        delivered = i.program if model.programmable else effective_program(model, i.program.drugs)
        patient, history = self._clinical(uow, patient_id)
        ctx = ProgramProposal(
            delivered, current, model, self.library, self.policy, patient,
            Catheter(i.catheter_length_cm, i.catheter_ul_per_cm), now_s, current is None, history,
        )  # fmt: skip
        kind = "first fill" if current is None else "new pump continuing a program"
        checked = program_proposal(ctx, kind, before)
        found = checked.findings
        if not model.programmable:
            # a gas-driven pump takes only its drugs: the pump's own rules are asked of
            # what is sent (drugs only), the dose rules of what it delivers (its flow)
            own = validate_program(i.program, model, self.library)
            found = tuple(f for f in found if f.rule_id != "PUMP-3") + tuple(
                finding("PUMP-3", HARD, "PROGRAM_INVALID", p.message, p.path) for p in own
            )
        if i.fill_ml > model.capacity_ml:
            found += (
                finding(
                    "SR-24", HARD, "OVERFILL",
                    f"{i.fill_ml:g} mL into a {model.capacity_ml:g} mL reservoir: never "
                    "overfill (devices.md F4)", "fill_ml",
                ),
            )  # fmt: skip
        proposal = replace(
            checked,
            findings=found,
            needs_second_person=(NEW_PUMP, *checked.needs_second_person),
            digest=review_digest(kind, before, [i, delivered]),
        )
        return DeviceReview(who.username, proposal), model, delivered

    def _start(
        self,
        uow: UnitOfWork,
        who: Principal,
        patient_id: int,
        i: ImplantInput,
        review: DeviceReview,
        model: PumpModel,
        delivered: Program,
        reason: str,
        before: str | None,
        now_s: float,
    ) -> int:
        """Commission the new pump with the reviewed program and read it back."""
        review.require_clear("implant")
        implant_id = self._implant_record(uow, patient_id, i, now_s)
        implant = uow.implants.active(patient_id)
        volume = catheter_volume_ml(i.catheter_length_cm, i.catheter_ul_per_cm)
        uow.pumps.commission(patient_id, implant, model, i.program, i.fill_ml, volume, now_s)
        stored = uow.pumps.get(patient_id)
        after = stored.pump.interrogate(now_s)
        record = device_record(review, before, after.program_digest, now_s)
        record["status"] = (
            "committed" if after.program_digest == program_digest(delivered) else "incomplete"
        )
        session_id = uow.sessions.add(patient_id, who.username, record)
        uow.programs.add(patient_id, delivered, who.username, reason, now_s, session_id)
        uow.patients.set_status(patient_id, "implanted")
        self._save(uow, stored, now_s, interrogation=after)
        payload = change_payload(
            "implant.create", patient_id, record, delivered.drugs, session_id=session_id,
            model=i.model_id, serial=i.serial, fill_ml=i.fill_ml,
        )  # fmt: skip
        uow.audit.append(
            now_s, who.username, "implant.create", "implant", implant_id, reason, payload
        )
        return implant_id

    # -- first fill, or a transfer in with a documented program --------------------------

    def check_implant(
        self, who: Principal, patient_id: int, i: ImplantInput, signoff: Signoff, now_s: float
    ) -> Review:
        authorize(who.role, "programs.check")
        verifier = self._second_person(who, signoff, now_s)
        with self.uow() as uow:
            self._no_pump_yet(uow, patient_id)
            review, _, _ = self._new_pump(uow, who, patient_id, i, i.continues, None, now_s)
            sign(review, who, signoff, verifier, now_s)
            return review.answer(0)

    @therapy_change("implants.write")
    def implant(
        self,
        who: Principal,
        patient_id: int,
        i: ImplantInput,
        reason: str,
        signoff: Signoff,
        now_s: float,
    ) -> int:
        need_reason(reason)
        authorize(who.role, "implants.write")
        verifier = self._second_person(who, signoff, now_s)
        with self.uow() as uow:
            self._no_pump_yet(uow, patient_id)
            review, model, delivered = self._new_pump(
                uow, who, patient_id, i, i.continues, None, now_s
            )
            sign(review, who, signoff, verifier, now_s)
            implant_id = self._start(
                uow, who, patient_id, i, review, model, delivered, reason, None, now_s
            )
            uow.commit()
            return implant_id

    def _no_pump_yet(self, uow: UnitOfWork, patient_id: int) -> None:
        uow.patients.get(patient_id)
        try:
            uow.pumps.get(patient_id)
        except NotFound:
            return
        raise Conflict("this patient has a pump: replace it (the new pump continues its program)")

    def _implant_record(
        self, uow: UnitOfWork, patient_id: int, i: ImplantInput, now_s: float
    ) -> int:
        """A new implant record; or, for a patient imported with an implant record and no
        commissioned pump (FHIR import), that record, when the serial is the same."""
        try:
            known = uow.implants.active(patient_id)
        except NotFound:
            return uow.implants.add(patient_id, i, now_s)
        if known.serial != i.serial:
            raise InputError(
                "implant refused",
                [Problem("serial", f"the patient's implant record names pump {known.serial}")],
            )
        return known.id

    # -- replacement -----------------------------------------------------------------------

    def check_replacement(
        self, who: Principal, patient_id: int, i: ImplantInput, signoff: Signoff, now_s: float
    ) -> Review:
        authorize(who.role, "programs.check")
        verifier = self._second_person(who, signoff, now_s)
        with self.uow() as uow:
            stored = uow.pumps.get(patient_id)
            now = stored.pump.interrogate(now_s)
            review, _, _ = self._new_pump(
                uow, who, patient_id, i, now.program, now.program_digest, now_s
            )
            sign(review, who, signoff, verifier, now_s)
            return review.answer(stored.therapy_version)

    @therapy_change("implants.write")
    def replace_pump(
        self,
        who: Principal,
        patient_id: int,
        i: ImplantInput,
        reason: str,
        signoff: Signoff,
        now_s: float,
        expected_version: int,
    ) -> int:
        """The old pump out, the new one in, continuing the old pump's program (checked
        as a continuation; any change from it is reviewed like a reprogram)."""
        need_reason(reason)
        authorize(who.role, "implants.write")
        verifier = self._second_person(who, signoff, now_s)
        with self.uow() as uow:
            stored = uow.pumps.get(patient_id, expected_version)
            now = stored.pump.interrogate(now_s)
            review, model, delivered = self._new_pump(
                uow, who, patient_id, i, now.program, now.program_digest, now_s
            )
            sign(review, who, signoff, verifier, now_s)
            if not review.blockers():
                old = uow.implants.active(patient_id)
                uow.implants.end(old.id, now_s)
                uow.pumps.remove(patient_id)
            implant_id = self._start(
                uow, who, patient_id, i, review, model, delivered, reason, now.program_digest,
                now_s,
            )  # fmt: skip
            uow.commit()
            return implant_id

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
        need_reason(reason)
        authorize(who.role, "implants.write")
        verifier = self._second_person(who, signoff, now_s)
        with self.uow() as uow:
            uow.pumps.get(patient_id, expected_version)
            review, before = self._explant_review(uow, who, patient_id, now_s)
            sign(review, who, signoff, verifier, now_s)
            review.require_clear("explant")
            implant = uow.implants.active(patient_id)
            uow.implants.end(implant.id, now_s)
            uow.pumps.remove(patient_id)
            uow.patients.set_status(patient_id, "explanted")
            record = {**device_record(review, before, None, now_s), "status": "committed"}
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
        need_reason(reason)
        authorize(who.role, "implants.write")
        verifier = self._second_person(who, signoff, now_s)
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


def device_record(
    review: DeviceReview, before: str | None, after: str | None, now_s: float
) -> dict[str, Any]:
    """A device change's session record, in the shape of a programming session's."""
    p = review.proposal
    assert p is not None
    return {
        "status": "committed",
        "user": review.user,
        "started_s": now_s,
        "closed_s": now_s,
        "before_digest": before,
        "proposed_digest": program_digest(p.program) if p.program else None,
        "after_digest": after,
        "review_digest": p.digest,
        "findings": [f.as_dict() for f in p.findings],
        "acknowledgements": [a.__dict__ for a in p.acknowledgements],
        "verified_by": p.verified_by,
        "diff": [r.__dict__ for r in p.diff],
        "doses": [r.__dict__ for r in p.doses],
        "log": list(review.log),
    }
