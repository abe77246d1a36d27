"""The clinician programmer's input documents (`thecal program check`, `refill plan`,
`dose`, `convert`, `trial evaluate`, `candidate evaluate`; docs/formats.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from pydantic import (
    BeforeValidator,
    Field,
    ValidationInfo,
    WithJsonSchema,
    create_model,
    field_validator,
    model_validator,
)

from thecal.adapters.schema.base import Doc
from thecal.adapters.schema.program import DrugDoc, PumpProgramDoc
from thecal.adapters.schema.types import (
    DoseRate,
    DrugAmount,
    Duration,
    Flag,
    NonNegative,
    Number,
    Rate,
    Text,
    Timestamp,
    VolumeMl,
    choice,
    refuse,
)
from thecal.core.errors import UnitError
from thecal.core.safety.context import COMEDICATIONS, INDICATIONS
from thecal.core.therapy.candidate import CRITERIA
from thecal.core.therapy.conversion import ROUTES
from thecal.core.therapy.trial import KINDS
from thecal.core.units import SECONDS_PER_DAY, Kind, parse


class PumpRef(Doc):
    model: str

    @field_validator("model")
    @classmethod
    def _in_the_catalogue(cls, value: str, info: ValidationInfo) -> str:
        catalogue = (info.context or {}).get("catalogue")
        if catalogue is not None and catalogue.get(value) is None:
            raise refuse(f"'{value}' is not in the catalogue; accepted: "
                         + ", ".join(catalogue.models))  # fmt: skip
        return value


class PatientDoc(Doc):
    indication: choice(INDICATIONS) = "non_cancer"  # type: ignore[valid-type]
    sedative_comedication: list[choice(COMEDICATIONS)] = Field(  # type: ignore[valid-type]
        default_factory=list
    )
    effective_screening_dose: DrugAmount | None = None
    paediatric: Flag = False
    # the youngest the patient can be, in years (age-limited labels: baclofen under 4)
    age_years: NonNegative | None = None
    # the oldest the patient can be (omitted: age_years is exact); a label's children's
    # range applies only when this is below its age (baclofen, cerebral: under 12)
    oldest_age_years: NonNegative | None = None
    # left out: not stated, and an opioid start is checked as opioid-naive (the safe
    # side, core/safety/tolerance_stated.py); it read as tolerant
    opioid_naive: Flag | None = None
    spinal_cord_injury_t6_or_above: Flag = False
    communication_deficit: Flag = False
    history_of_psychosis: Flag = False
    psychiatric_screening_done: Flag = False
    systemic_dose_reduction_planned: Flag = False

    @model_validator(mode="after")
    def _oldest_not_younger(self) -> PatientDoc:
        young, old = self.age_years, self.oldest_age_years
        if old is not None and (young is None or old < young):
            raise refuse("oldest_age_years needs age_years, and may not be below it")
        return self


class CatheterDoc(Doc):
    length_cm: NonNegative | None = None  # None: not recorded
    # None: the figure for the catheter sold with the pump model (pumps.toml)
    ul_per_cm: NonNegative | None = None


class HistoryDoc(Doc):
    at: Timestamp
    drug: Text
    dose: DoseRate


class BridgeDoc(Doc):
    duration: Duration


class ProgramCheckDoc(Doc):
    pump: PumpRef
    now: Timestamp
    proposed: PumpProgramDoc
    current: PumpProgramDoc | None = None
    bridge: BridgeDoc | None = None
    reservoir_drugs: list[DrugDoc] | None = None
    patient: PatientDoc = PatientDoc()
    catheter: CatheterDoc = CatheterDoc()
    history: list[HistoryDoc] = Field(default_factory=list)
    first_fill: Flag = False

    @model_validator(mode="before")
    @classmethod
    def _no_current_is_none(cls, data: Any) -> Any:
        if isinstance(data, dict) and not data.get("current", True):
            return {k: v for k, v in data.items() if k != "current"}  # {} or null: none yet
        return data


class InterrogationDoc(Doc):
    reservoir_estimate_ml: VolumeMl


class RefillDoc(Doc):
    add_ml: VolumeMl
    drugs: list[DrugDoc]
    entered_ml: VolumeMl | None = None
    withdrawn_ml: VolumeMl | None = None


class PreviousRefillDoc(Doc):
    entered_ml: VolumeMl


class RefillPlanDoc(Doc):
    pump: PumpRef
    now: Timestamp
    program: PumpProgramDoc
    refill: RefillDoc
    interrogation: InterrogationDoc | None = None
    previous_refill: PreviousRefillDoc | None = None
    naive_pump_first_fill: Flag = False
    elective_replacement: Timestamp | None = None
    due: Timestamp | None = None


class DoseDoc(Doc):
    """One of: drugs + rate, drugs + dose (of the first drug), drug + dose + rate, or a
    program."""

    drugs: list[DrugDoc] | None = None
    drug: Text | None = None
    rate: Rate | None = None
    dose: DoseRate | None = None
    program: PumpProgramDoc | None = None

    @model_validator(mode="after")
    def _one_shape(self) -> DoseDoc:
        if self.program is not None:
            return self
        given = tuple(k for k in ("drugs", "drug", "rate", "dose") if getattr(self, k) is not None)
        if given not in (("drugs", "rate"), ("drugs", "dose"), ("drug", "rate", "dose")):
            raise refuse("give drugs + rate, drugs + dose, drug + dose + rate, or program")
        return self


def _amount_or_daily(value: Any) -> tuple[float, bool]:
    """A daily dose ('60 mg/day': mcg/s, True) or an amount ('10 mg': mcg, False)."""
    try:
        return parse(value, Kind.DOSE_RATE, ""), True
    except UnitError:
        pass
    try:
        return parse(value, Kind.AMOUNT, ""), False
    except UnitError as exc:
        raise refuse(exc.problems[0].message) from None


class FromDoc(Doc):
    drug: Text
    route: choice(ROUTES)  # type: ignore[valid-type]
    amount: Annotated[
        tuple[float, bool],
        BeforeValidator(_amount_or_daily),
        WithJsonSchema({"type": "string", "examples": ["10 mg", "60 mg/day"],
                        "description": "an amount, or a daily dose"}),
    ]  # fmt: skip


class ToDoc(Doc):
    drug: Text
    route: choice(ROUTES)  # type: ignore[valid-type]


class ConvertDoc(Doc):
    start: FromDoc = Field(alias="from")
    end: ToDoc = Field(alias="to")


class ScoresDoc(Doc):
    nrs: Number | None = None
    odi: Number | None = None
    ashworth: Number | None = None
    penn: Number | None = None
    side_effects: list[str] = Field(default_factory=list)


class AssessmentDoc(ScoresDoc):
    at: Timestamp


def _trial_amount(value: Any, info: ValidationInfo) -> float:
    """A continuous trial's doses are daily rates (mcg/day); the others are amounts."""
    kind = Kind.DOSE_RATE if (info.context or {}).get("infusion") else Kind.AMOUNT
    try:
        number = parse(value, kind, "")
    except UnitError as exc:
        raise refuse(exc.problems[0].message) from None
    return number * SECONDS_PER_DAY if kind is Kind.DOSE_RATE else number


class TrialDoseDoc(Doc):
    at: Timestamp
    amount: Annotated[
        float,
        BeforeValidator(_trial_amount),
        WithJsonSchema({"type": "string", "examples": ["50 mcg", "0.5 mg/day"],
                        "description": "an amount; a daily dose in an opioid_continuous trial"}),
    ]  # fmt: skip
    duration: Duration = 0.0


class TrialDoc(Doc):
    kind: choice(KINDS)  # type: ignore[valid-type]
    drug: Text
    baseline: ScoresDoc
    doses: list[TrialDoseDoc]
    assessments: list[AssessmentDoc] = Field(default_factory=list)
    indication: Text = "non_cancer"
    observation: Duration | None = None
    inpatient: Flag = True
    paediatric: Flag = False
    systemic_opioid_taper_recorded: Flag = False
    psychological_evaluation_done: Flag = False

    @model_validator(mode="before")
    @classmethod
    def _dose_kind(cls, data: Any, info: ValidationInfo) -> Any:
        if isinstance(data, dict) and isinstance(info.context, dict):
            info.context["infusion"] = data.get("kind") == "opioid_continuous"
        return data


# one optional answer (true, false, or null: not yet known) per criterion of the core's list
if TYPE_CHECKING:
    CriteriaDoc = Doc
else:
    _ANSWERS = {c.key: (Flag | None, None) for c in CRITERIA}
    CriteriaDoc = create_model("CriteriaDoc", __base__=Doc, **_ANSWERS)


class CandidateDoc(Doc):
    therapy: choice(("pain", "spasticity"))  # type: ignore[valid-type]
    criteria: CriteriaDoc
    cancer: Flag = False
