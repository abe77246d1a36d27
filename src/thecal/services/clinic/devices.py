"""A new pump through the gate: a first fill, a replacement pump or a transfer in is
reviewed, signed and confirmed by digest like any program (explant and catheter
revision: surgery.py).

A first fill is checked against the start ceilings. A new pump that continues a
documented program (a replacement, or a patient transferred in with a running pump)
is checked as a continuation of that program: the titration, unit-sanity and
withdrawal rules compare it with what the patient receives now, so continuing a
stable dose is never forced down to a starting dose (an abrupt cut is a harm too).
"""

from __future__ import annotations

from dataclasses import replace

from thecal.core.errors import Conflict, InputError, NotFound, Problem
from thecal.core.pump.constant_flow import delivered_by
from thecal.core.pump.models import PumpModel
from thecal.core.pump.program import Program, program_digest
from thecal.core.safety import HARD, SOFT, Catheter, ProgramProposal, finding
from thecal.core.therapy.catheter import (
    catheter_figure_sourced,
    catheter_ul_per_cm,
    catheter_volume_ml,
)
from thecal.core.therapy.refill import naive_fill
from thecal.services.clinic.base import ClinicBase
from thecal.services.clinic.first_fill import first_fill_entry
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
    ImplantInput,
    Principal,
    UnitOfWork,
)
from thecal.services.programmer import program_proposal
from thecal.services.proposal import review_digest
from thecal.services.vocabulary import SessionRecord, SessionStatus

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
    ) -> tuple[DeviceReview, PumpModel, Program, ImplantInput]:
        """The review of a new pump: its first program checked as a first fill, or as
        the continuation of `current` (the running or documented program); and the
        implant with its catheter's volume per cm filled in where it was left out."""
        model = self._model(i.model_id)
        i, assumed = self._catheter_figure(uow, patient_id, i, model)
        delivered = delivered_by(model, i.program, "program")
        if current is not None and not current.steps:
            # a transfer in of a constant-flow pump names its drugs: it gave them at its flow
            current = delivered_by(model, current, "continues")
        patient, history = self._clinical(uow, patient_id, now_s)
        ctx = ProgramProposal(
            delivered, current, model, self.library, self.policy, patient,
            Catheter(i.catheter_length_cm, i.catheter_ul_per_cm), now_s, current is None, history,
        )  # fmt: skip
        kind = "first fill" if current is None else "new pump continuing a program"
        checked = program_proposal(ctx, kind, before)
        found = checked.findings
        if assumed:
            found += (
                finding(
                    "DD-08", SOFT, "CATHETER_VOLUME_ASSUMED",
                    f"no catheter volume was entered and thecal has no sourced figure for "
                    f"the {model.id} catheter: {model.catheter_ul_per_cm:g} µL/cm (the "
                    "Prometra figure) is assumed; priming and bridge volumes depend on it: "
                    "confirm it from the catheter's own label", "catheter_ul_per_cm",
                ),
            )  # fmt: skip
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
        return DeviceReview(who.username, proposal), model, delivered, i

    @staticmethod
    def _catheter_figure(
        uow: UnitOfWork, patient_id: int, i: ImplantInput, model: PumpModel
    ) -> tuple[ImplantInput, bool]:
        """The implant with its catheter's µL/cm: as entered; else the catheter already
        in the patient (a replacement keeps it); else the figure for the catheter sold
        with the model, and whether that figure is only a stand-in (limits-audit.md §3)."""
        if i.catheter_ul_per_cm is not None:
            return i, False
        try:
            kept: float | None = uow.implants.active(patient_id).catheter_ul_per_cm
        except NotFound:
            kept = None
        figure = kept if kept is not None else catheter_ul_per_cm(model, None)
        assumed = kept is None and not catheter_figure_sourced(model)
        return replace(i, catheter_ul_per_cm=figure), assumed

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
        review.require_clear("implant" if before is None else "pump replacement")
        implant_id = self._implant_record(uow, patient_id, i, now_s)
        implant = uow.implants.active(patient_id)
        assert i.catheter_ul_per_cm is not None  # filled in by _new_pump
        volume = catheter_volume_ml(i.catheter_length_cm, i.catheter_ul_per_cm)
        uow.pumps.commission(patient_id, implant, model, i.program, i.fill_ml, volume, now_s)
        stored = uow.pumps.get(patient_id)
        # a new pump's first fill: its ziconotide keeps 14 days (core.therapy.refill)
        stored.naive_fill = naive_fill((), i.program.drugs, self.library)
        after = stored.pump.interrogate(now_s)
        record = device_record(review, before, after.program_digest, now_s)
        if before is not None:  # the sessions table says so (its diff shows no change)
            record["replaced_pump"] = True
        committed = after.program_digest == program_digest(delivered)
        record["status"] = SessionStatus.COMMITTED if committed else SessionStatus.INCOMPLETE
        session_id = uow.sessions.add(patient_id, who.username, record)
        # the program version is what the pump reports it runs: the reviewed one if read back
        running = delivered if committed else after.program
        if running is not None:
            uow.programs.add(patient_id, running, who.username, reason, now_s, session_id)
        uow.patients.set_status(patient_id, "implanted")
        o = self._save(uow, stored, now_s, interrogation=after)
        uow.refills.add(first_fill_entry(who, patient_id, i, record, o, now_s))
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
            review, *_ = self._new_pump(uow, who, patient_id, i, i.continues, None, now_s)
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
        verifier = self._signed_change(who, "implants.write", reason, signoff, now_s)
        with self.uow() as uow:
            self._no_pump_yet(uow, patient_id)
            review, model, delivered, i = self._new_pump(
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
            review, *_ = self._new_pump(
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
        verifier = self._signed_change(who, "implants.write", reason, signoff, now_s)
        with self.uow() as uow:
            stored = uow.pumps.get(patient_id, expected_version)
            now = stored.pump.interrogate(now_s)
            review, model, delivered, i = self._new_pump(
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


def device_record(
    review: DeviceReview, before: str | None, after: str | None, now_s: float
) -> SessionRecord:
    """A device change's session record, in the shape of a programming session's."""
    p = review.proposal
    assert p is not None
    return {
        "status": SessionStatus.COMMITTED,
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
