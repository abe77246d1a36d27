"""What the web service accepts: request bodies checked by pydantic (extra fields
refused, no NaN or infinity), then read by the same readers as the CLI files, so a
quantity is always text with a unit and every problem names its field path. The
REST API and the browser UI both read their input through here."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Annotated, Any, ClassVar, Literal

from fastapi import Request
from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    model_validator,
)

from thecal.adapters.db.queries import PatientRecord
from thecal.adapters.schema.base import validate
from thecal.adapters.schema.program import DrugDoc, ProgramDoc, PumpProgramDoc
from thecal.adapters.schema.scs import ScsProgramDoc
from thecal.core.errors import InputError, Problem
from thecal.core.pump.program import DrugConcentration, Program
from thecal.core.safety import Catheter
from thecal.entrypoints.web.guards import control_characters
from thecal.services.clinic.gate import SecondPerson, Signoff
from thecal.services.clinic.ports import ImplantInput
from thecal.services.clinic.therapy import BolusInput
from thecal.services.clinic.transactions import RefillInput


class Body(BaseModel):
    # protected_namespaces=(): `model_id` is the pump's (see adapters/schema/base.py)
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, protected_namespaces=())

    @model_validator(mode="before")
    @classmethod
    def _no_control_characters(cls, data: Any) -> Any:
        """A NUL or another control character in any text, nested too, is refused by
        its path, never stored (issue 23)."""
        bad = control_characters(data)
        if bad:
            raise ValueError(f"control characters are not accepted in: {', '.join(bad)}")
        return data

    # the fields holding a pump program, which the program reader reads after pydantic
    # (its own words and paths: "program.basal.steps[0].dose: ... a daily dose")
    PROGRAMS: ClassVar[tuple[str, ...]] = ()
    BASAL_REQUIRED: ClassVar[bool] = True  # parse_program

    @classmethod
    def program_problems(cls, body: Any, reported: Collection[str] = ()) -> list[Problem]:
        """What the program reader says of the body's programs, beside what pydantic
        said of its other fields, so one answer names both (an implant with a bad
        serial and a bad dose took two rounds: issue 25). A field pydantic already
        refused (`reported`) or left out is not read again."""
        problems: list[Problem] = []
        for name in cls.PROGRAMS:
            doc = body.get(name) if isinstance(body, dict) else None
            if doc is None or name in reported:
                continue
            try:
                parse_program(doc, name, cls.BASAL_REQUIRED)
            except InputError as exc:
                problems += exc.problems
        return problems


class Login(Body):
    username: str = Field(max_length=60)
    password: str = Field(max_length=200)


class LockLift(Body):
    key: str = Field(min_length=1, max_length=120)
    reason: str = Field(min_length=1, max_length=500)


class Credentials(Body):
    username: str = Field(max_length=60)
    password: str = Field(max_length=200)


BRAIN_INJURY = (
    "the date (YYYY-MM-DD) of a traumatic brain injury the spasticity follows: baclofen's "
    "label asks long-term intrathecal therapy to wait a year after it"
)
# a date as the ISO text the clinic stores, checked as a calendar date and not ahead of
# any plausible clinic clock (the rule compares it with the clinic's own time)
InjuryDate = Annotated[
    date, Field(ge=date(1900, 1, 1), le=date(2100, 12, 31)),
    PlainSerializer(lambda d: d.isoformat(), return_type=str),
]  # fmt: skip


class PatientIn(Body):
    mrn: str = Field(min_length=1, max_length=32)
    name: str = Field(min_length=1, max_length=120)
    birth_year: int = Field(ge=1900, le=2100)
    indication: Literal["non_cancer", "cancer", "spasticity_spinal", "spasticity_cerebral"]
    weight_kg: float = Field(gt=0, le=400)
    # stated, never assumed: the dose rules hold an opioid start to the naive ceiling
    # or the tolerant range by it (services/clinic/care.py)
    opioid_naive: bool = Field(description="true: not taking an opioid every day now; "
                                           "false: opioid-tolerant")  # fmt: skip
    sleep_apnoea: bool = False
    brain_injury_on: InjuryDate | None = Field(default=None, description=BRAIN_INJURY)
    reason: str = Field(min_length=1, max_length=500)


class PatientEdit(Body):
    """The facts the dose rules read, corrected; a field left out keeps its value."""

    name: str | None = Field(default=None, min_length=1, max_length=120)
    birth_year: int | None = Field(default=None, ge=1900, le=2100)
    indication: (
        Literal["non_cancer", "cancer", "spasticity_spinal", "spasticity_cerebral"] | None
    ) = None
    weight_kg: float | None = Field(default=None, gt=0, le=400)
    opioid_naive: bool | None = None
    sleep_apnoea: bool | None = None
    brain_injury_on: InjuryDate | None = Field(
        default=None, description=BRAIN_INJURY + "; null clears a date recorded in error"
    )
    reason: str = Field(min_length=1, max_length=500)

    def changes(self) -> dict[str, Any]:
        """The fields sent; a brain injury's date sent as null is cleared (recorded in
        error), where any other field left out or null keeps its value."""
        out = self.model_dump(exclude={"reason"}, exclude_none=True)
        if "brain_injury_on" in self.model_fields_set and self.brain_injury_on is None:
            out["brain_injury_on"] = None
        return out


DIGEST = r"^[0-9a-f]{64}$"
VERSION = Field(ge=0, le=2**31 - 1, description="the therapy version the review was drawn from")


class Signed(Body):
    """The sign-off on a review (issue 22): soft findings acknowledged with reasons, the
    second person's own credentials, and the digest of the review being confirmed."""

    acknowledgements: dict[str, str] = Field(default_factory=dict)
    verifier: Credentials | None = None
    reviewed_digest: str | None = Field(default=None, pattern=DIGEST)

    def signoff(self) -> Signoff:
        v = self.verifier
        second = SecondPerson(v.username, v.password) if v is not None else None
        return Signoff(dict(self.acknowledgements), second, self.reviewed_digest)


class ImplantIn(Signed):
    PROGRAMS = ("program", "continues")
    # a new pump may be constant-flow: its program names only its drugs (parse_program)
    BASAL_REQUIRED = False
    model_id: str = Field(max_length=40)
    serial: str = Field(min_length=1, max_length=40)
    catheter_type: str = Field(max_length=40)
    catheter_length_cm: float = Field(gt=0, le=200)
    # left out: the figure for the catheter sold with the pump model (pumps.toml)
    catheter_ul_per_cm: float | None = Field(default=None, gt=0, le=20)
    tip_level: str = Field(max_length=10)
    program: dict[str, Any]
    fill_ml: float = Field(gt=0, le=100)
    # the program the patient's previous pump ran (a transfer in): continued, not started
    continues: dict[str, Any] | None = None
    # the first fill's lot, kept on the pump's first refill row; "" when not known
    lot: str = Field(default="", max_length=40)


class ImplantCommit(ImplantIn):
    reason: str = Field(min_length=1, max_length=500)


class ReplaceCommit(ImplantCommit):
    expected_version: int = VERSION


class ExplantIn(Signed):
    pass


class ExplantCommit(ExplantIn):
    reason: str = Field(min_length=1, max_length=500)
    expected_version: int = VERSION


class CatheterIn(Signed):
    catheter_length_cm: float = Field(gt=0, le=200)
    catheter_ul_per_cm: float = Field(gt=0, le=20)

    def catheter(self) -> Catheter:
        return Catheter(self.catheter_length_cm, self.catheter_ul_per_cm)


class CatheterCommit(CatheterIn):
    reason: str = Field(min_length=1, max_length=500)
    expected_version: int = VERSION


class ProgramIn(Signed):
    PROGRAMS = ("program",)
    program: dict[str, Any]
    # a temporary program: the pump returns to the running one after this many hours
    # (SR-36; the pump's alarm table bounds it)
    temporary_h: float | None = Field(default=None, gt=0, le=10_000)

    def temporary_s(self) -> float | None:
        return None if self.temporary_h is None else self.temporary_h * 3600.0


class ProgramCommit(ProgramIn):
    reason: str = Field(min_length=1, max_length=500)
    expected_version: int = VERSION


class BolusGiveIn(Signed):
    kind: Literal["clinician", "bridge", "priming"]
    volume_ml: float = Field(gt=0, le=5)
    duration_s: float = Field(gt=0, le=7 * 86_400)
    extra_ml: float = Field(default=0.0, ge=0, le=5)


class BolusGiveCommit(BolusGiveIn):
    reason: str = Field(min_length=1, max_length=500)
    expected_version: int = VERSION


class RefillIn(Signed):
    PROGRAMS = ("program",)
    # a constant-flow pump's new fluid may be named as a program of its drugs alone; the
    # pump model decides (core/pump/constant_flow.py delivered_by, or PUMP-3 "at least one step")
    BASAL_REQUIRED = False
    add_ml: float = Field(gt=0, le=100)
    drugs: list[dict[str, Any]]
    entered_ml: float | None = Field(default=None, ge=0, le=100)
    program: dict[str, Any] | None = None
    lot: str = Field(min_length=1, max_length=40)
    bridge_duration_s: float | None = Field(
        default=None, gt=0, le=86_400,
        description="at a new drug or concentration: the bridge bolus that pushes the old "
        "fluid out of the path, over this many seconds (DD-07)",
    )  # fmt: skip
    diluted: bool | None = Field(
        default=None,
        description="the fluid was diluted from a stronger vial (true), is undiluted (false), "
        "or not stated (null: a non-stock strength counts as diluted); sets its stability",
    )


class RefillCommit(RefillIn):
    expected_version: int = VERSION


class Acknowledge(Body):
    code: str = Field(max_length=60)
    reason: str = Field(min_length=1, max_length=500)


class Reason(Body):
    reason: str = Field(min_length=1, max_length=500)


class BolusIn(Body):
    request_id: str = Field(min_length=1, max_length=64)


class DiaryIn(Body):
    pain_nrs: int | None = Field(default=None, ge=0, le=10)
    spasm: int | None = Field(default=None, ge=0, le=10)
    note: str = Field(default="", max_length=2000)


class TrialIn(Body):
    document: dict[str, Any]


class ScsCheckIn(Body):
    program: ScsProgramDoc
    stimulator_id: str | None = Field(default=None, max_length=40)  # default: the patient's
    lead_id: str | None = Field(default=None, max_length=40)


class ScsProgramIn(Body):
    program: ScsProgramDoc
    reason: str = Field(min_length=1, max_length=500)
    # the digest of the review (POST .../scs/check) the clinician confirms (SR-08)
    reviewed_digest: str | None = Field(default=None, pattern=DIGEST)


class ScsDeviceIn(ScsProgramIn):
    stimulator_id: str = Field(max_length=40)
    lead_id: str = Field(max_length=40)


class ScsTrialIn(ScsDeviceIn):
    baseline_nrs: float  # its scale is checked by the use case (services.trial.SCALES)


class ScsImplantIn(ScsDeviceIn):
    serial: str = Field(min_length=1, max_length=40)


class ScsDayIn(Body):
    nrs: float  # its scale is checked by the use case (services.trial.SCALES)


class PathwayIn(Body):
    record: dict[str, Any]  # read by the pathway model (docs/schemas/pathway.schema.json)
    reason: str = Field(min_length=1, max_length=500)


Role = Literal["admin", "physician", "nurse", "pharmacist", "patient"]


class UserIn(Body):
    """A new account; the password's length and the role's rules are the use case's
    (services/clinic/users.py), so every route answers the same."""

    username: str = Field(min_length=1, max_length=60)
    full_name: str = Field(max_length=120)
    password: str = Field(max_length=200)
    role: Role
    patient_id: int | None = Field(default=None, ge=1, le=2**31 - 1)


class UserChange(Body):
    """A new role, or the account deactivated (active false) or reactivated."""

    role: Role | None = None
    active: bool | None = None
    reason: str = Field(min_length=1, max_length=500)


class AppointmentIn(Body):
    """A refill booked: its start with a UTC offset (ISO 8601, e.g.
    2026-12-01T09:30:00+00:00), its length and who will do it."""

    start: AwareDatetime
    minutes: float = Field(gt=0, le=24 * 60)
    clinician: str = Field(min_length=1, max_length=60)
    note: str = Field(default="", max_length=500)


class PasswordReset(Body):
    password: str = Field(max_length=200)
    reason: str = Field(min_length=1, max_length=500)


def parse_program(doc: Any, path: str = "program", basal_required: bool = True) -> Program:
    """`basal_required=False` for a new pump and a refill, whose pump may be
    constant-flow: its program names only its drugs, and the pump model says whether a
    basal is needed (the core's validate_program, run by the use case: "at least one
    step is required"; a refill's fluid, core/pump/constant_flow.py `delivered_by`)."""
    tp = PumpProgramDoc if basal_required else ProgramDoc
    program: ProgramDoc = validate(tp, doc, "program", prefix=path)
    return program.core()


def parse_drugs(doc: Any, path: str = "drugs") -> tuple[DrugConcentration, ...]:
    drugs: list[DrugDoc] = validate(list[DrugDoc], doc, "drugs", prefix=path)
    if not drugs:
        raise InputError("invalid drugs", [Problem(path, "at least one drug")])
    return tuple(d.core() for d in drugs)


def now(request: Request) -> float:
    return float(request.app.state.clock.now())


def kept_record(request: Request, patient_id: int) -> PatientRecord:
    """The patient's record as of the data version read with this request's login
    (patient_records.py). Only for a request that writes nothing."""
    records, version = request.app.state.records, request.state.data_version
    with request.app.state.db.reads() as db:
        return records.record(db, version, patient_id)


def refill_input(body: RefillIn) -> RefillInput:
    program = (parse_program(body.program, "program", body.BASAL_REQUIRED)
               if body.program is not None else None)  # fmt: skip
    return RefillInput(
        body.add_ml, parse_drugs(body.drugs), body.entered_ml, program, body.lot,
        bridge_duration_s=body.bridge_duration_s, diluted=body.diluted,
    )  # fmt: skip


def form_signoff(form: dict[str, str]) -> Signoff:
    """A screen's sign-off: acknowledgements (`ack_CODE`), the second person's
    credentials, and - only when the box that says the review was compared is ticked -
    the digest of the review on the screen."""
    acks = {k[4:]: v for k, v in form.items() if k.startswith("ack_") and v.strip()}
    second = None
    if form.get("verifier_username", "").strip():
        second = SecondPerson(form["verifier_username"].strip(), form.get("verifier_password", ""))
    digest = form.get("reviewed_digest", "") if form.get("confirmed") == "yes" else ""
    return Signoff(acks, second, digest or None)


def implant_input(body: ImplantIn) -> ImplantInput:
    basal = body.BASAL_REQUIRED
    continues = parse_program(body.continues, "continues", basal) if body.continues else None
    return ImplantInput(
        body.model_id, body.serial, body.catheter_type, body.catheter_length_cm,
        body.catheter_ul_per_cm, body.tip_level, parse_program(body.program, "program", basal),
        body.fill_ml, continues, body.lot.strip(),
    )  # fmt: skip


def bolus_input(body: BolusGiveIn) -> BolusInput:
    return BolusInput(body.kind, body.volume_ml, body.duration_s, body.extra_ml)
