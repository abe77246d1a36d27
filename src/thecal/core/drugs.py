"""The drug library: what may be put in a pump, with every limit and its source.

The engine needs only a few of these facts (demand-bolus eligibility); the
programmer's safety rules use the rest. Units are canonical: mcg, mcg/mL, mcg/day.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from thecal.core.errors import CatalogueError
from thecal.core.sourced import Severity, require_fields, unwrap
from thecal.core.tolerance import same

DRUG_FIELDS = (
    "display_unit",
    "drug_class",
    "stock_concentrations_mcg_per_ml",
    "max_concentration_mcg_per_ml",
    "trial_bolus_mcg",
    "starting_dose_mcg_per_day",
    "max_daily_dose_soft_mcg_per_day",
    "max_daily_dose_hard_mcg_per_day",
    "titration_max_increase_pct_per_24h",
    "titration_max_step_mcg_per_day",
    "stability_days",
    "demand_eligible",
    "withdrawal_risk",
    "max_bolus_mcg",
    "titration_min_interval_h",
    "titration_max_increases_per_week",
    "granuloma_warn_concentration_mcg_per_ml",
    "stability_days_diluted",
    "stability_days_naive_first_fill",
    "monitor_after_start_h",
    "monitor_signs",
    "min_age_years",
    "max_daily_dose_soft_cerebral_mcg_per_day",
    "child_below_years",
    "brain_injury_wait_days",
    "titration_high_dose_mcg_per_day",
    "psychosis_contraindicated",
    "start_from_screening_dose",
    "starting_dose_label_naive_mcg_per_day",
    "starting_dose_tolerant_mcg_per_day",
    "decrease_guidance_pct",
    "titration_slow_step_mcg_per_day",
    "titration_slow_interval_h",
)
# the fields that are limits: each says what kind of source it rests on and whether it is
# hard or soft (core/sourced.py refuses a hard limit that rests on no label or manual)
LIMIT_FIELDS = (
    "max_concentration_mcg_per_ml",
    "starting_dose_mcg_per_day",
    "starting_dose_label_naive_mcg_per_day",
    "starting_dose_tolerant_mcg_per_day",
    "max_daily_dose_soft_mcg_per_day",
    "max_daily_dose_hard_mcg_per_day",
    "titration_max_increase_pct_per_24h",
    "titration_max_step_mcg_per_day",
    "max_bolus_mcg",
    "titration_min_interval_h",
    "titration_max_increases_per_week",
    "decrease_guidance_pct",
    "titration_slow_step_mcg_per_day",
    "titration_slow_interval_h",
    "min_age_years",
    "brain_injury_wait_days",
    "max_daily_dose_soft_cerebral_mcg_per_day",
)
CEREBRAL_KEYS = ("adult", "child")


@dataclass(frozen=True)
class Drug:
    name: str
    display_unit: str
    drug_class: str
    stock_concentrations_mcg_per_ml: tuple[float, ...]
    max_concentration_mcg_per_ml: float
    trial_bolus_mcg: tuple[float, float]
    starting_dose_mcg_per_day: tuple[float, float]
    max_daily_dose_soft_mcg_per_day: float | None
    max_daily_dose_hard_mcg_per_day: float | None
    titration_max_increase_pct_per_24h: Mapping[str, float] | None
    titration_max_step_mcg_per_day: float | None
    stability_days: float | None
    demand_eligible: bool
    withdrawal_risk: bool
    max_bolus_mcg: float
    titration_min_interval_h: float | None
    titration_max_increases_per_week: float | None
    granuloma_warn_concentration_mcg_per_ml: float | None
    stability_days_diluted: float | None
    stability_days_naive_first_fill: float | None
    monitor_after_start_h: tuple[float, float] | None
    monitor_signs: str  # what to watch after a start or an increase (drugs.toml)
    min_age_years: float | None  # below it the label has not established the drug
    # after a traumatic brain injury, long-term therapy waits this long (Gablofen: 1 y)
    brain_injury_wait_days: float | None
    # at or above this daily dose an increase beyond the titration warning is soft-flagged
    titration_high_dose_mcg_per_day: float | None
    psychosis_contraindicated: bool  # boxed warning: history of psychosis, screening
    start_from_screening_dose: bool  # the start is bounded by the screening trial's dose
    starting_dose_label_naive_mcg_per_day: float | None = None
    starting_dose_tolerant_mcg_per_day: tuple[float, float] | None = None
    decrease_guidance_pct: float | None = None  # a larger cut asks for a plan (baclofen)
    titration_slow_step_mcg_per_day: float | None = None  # "low and slow" (ziconotide)
    titration_slow_interval_h: float | None = None
    # the usual cerebral-origin maximum (baclofen: adult 703, child 1199 mcg/d) and the
    # age below which the child's figure is the label's (12 years)
    max_daily_dose_soft_cerebral_mcg_per_day: Mapping[str, float] | None = None
    child_below_years: float | None = None
    # data about the data: kept out of equality and out of repr (a state that holds the
    # library prints it, and a 37 kB repr slowed every property-test failure report)
    sources: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)
    limits: Mapping[str, tuple[str, Severity]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def severity(self, limit: str) -> Severity:
        """Hard or soft, as the library says of this limit (soft if unsaid)."""
        return self.limits.get(limit, ("", Severity.SOFT))[1]

    def kind(self, limit: str) -> str:
        return self.limits.get(limit, ("illustrative", ""))[0]

    def is_stock(self, concentration_mcg_per_ml: float) -> bool:
        """One of the library's stock strengths; anything else is compounded or diluted."""
        return any(same(concentration_mcg_per_ml, s) for s in self.stock_concentrations_mcg_per_ml)


def _pair(value: Any, where: str) -> tuple[float, float]:
    if not isinstance(value, list) or len(value) != 2 or not value[0] <= value[1]:
        raise CatalogueError(f"{where}: expected [low, high] with low <= high")
    return float(value[0]), float(value[1])


def _optional_pair(values: Mapping[str, Any], name: str, where: str) -> tuple[float, float] | None:
    value = values[name]
    return None if value is None else _pair(value, f"{where}.{name}")


def _optional_positive(value: Any, where: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise CatalogueError(f'{where}: expected a positive number or "none"')
    return float(value)


def _optional_table(values: Mapping[str, Any], name: str, where: str) -> dict[str, float] | None:
    """A table of positive numbers (or "none"), each checked and named on error."""
    value = values[name]
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise CatalogueError(f'{where}.{name}: expected a table or "none"')
    return {str(k): _required_positive(v, f"{where}.{name}.{k}") for k, v in value.items()}


def _required_positive(value: Any, where: str) -> float:
    number = _optional_positive(value, where)
    if number is None:
        raise CatalogueError(f"{where}: a value is required")
    return number


def _drug(name: str, table: Mapping[str, Any]) -> Drug:
    where = f"drugs.toml [drug.{name}]"
    limits: dict[str, tuple[str, Severity]] = {}
    values, sources = unwrap(table, where, meta=limits)
    require_fields(values, DRUG_FIELDS, where)
    unsaid = [f for f in LIMIT_FIELDS if f not in limits]
    if unsaid:
        raise CatalogueError(f"{where}: say the kind and strength of {', '.join(unsaid)}")
    unknown = set(values) - set(DRUG_FIELDS)
    if unknown:
        raise CatalogueError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    if values["display_unit"] not in ("mg", "mcg"):
        raise CatalogueError(f'{where}.display_unit: expected "mg" or "mcg"')
    flags = ("demand_eligible", "withdrawal_risk", "psychosis_contraindicated",
             "start_from_screening_dose")
    for flag in flags:
        if not isinstance(values[flag], bool):
            raise CatalogueError(f"{where}.{flag}: expected true or false")
    titration = values["titration_max_increase_pct_per_24h"]
    if titration is not None and not isinstance(titration, Mapping):
        raise CatalogueError(f"{where}.titration_max_increase_pct_per_24h: expected a table")
    cerebral = _optional_table(values, "max_daily_dose_soft_cerebral_mcg_per_day", where)
    if cerebral is not None and set(cerebral) != set(CEREBRAL_KEYS):
        raise CatalogueError(
            f"{where}.max_daily_dose_soft_cerebral_mcg_per_day: expected the keys "
            + " and ".join(CEREBRAL_KEYS)
        )
    max_conc = _optional_positive(values["max_concentration_mcg_per_ml"], where)
    if max_conc is None:
        raise CatalogueError(f"{where}.max_concentration_mcg_per_ml: a maximum is required")
    return Drug(
        name=name,
        display_unit=values["display_unit"],
        drug_class=str(values["drug_class"]),
        stock_concentrations_mcg_per_ml=tuple(
            float(c) for c in values["stock_concentrations_mcg_per_ml"]
        ),
        max_concentration_mcg_per_ml=max_conc,
        trial_bolus_mcg=_pair(values["trial_bolus_mcg"], f"{where}.trial_bolus_mcg"),
        starting_dose_mcg_per_day=_pair(
            values["starting_dose_mcg_per_day"], f"{where}.starting_dose_mcg_per_day"
        ),
        max_daily_dose_soft_mcg_per_day=_optional_positive(
            values["max_daily_dose_soft_mcg_per_day"], where
        ),
        max_daily_dose_hard_mcg_per_day=_optional_positive(
            values["max_daily_dose_hard_mcg_per_day"], where
        ),
        titration_max_increase_pct_per_24h=(
            {k: float(v) for k, v in titration.items()} if titration is not None else None
        ),
        titration_max_step_mcg_per_day=_optional_positive(
            values["titration_max_step_mcg_per_day"], where
        ),
        stability_days=_optional_positive(values["stability_days"], where),
        demand_eligible=values["demand_eligible"],
        withdrawal_risk=values["withdrawal_risk"],
        max_bolus_mcg=_required_positive(values["max_bolus_mcg"], f"{where}.max_bolus_mcg"),
        titration_min_interval_h=_optional_positive(values["titration_min_interval_h"], where),
        titration_max_increases_per_week=_optional_positive(
            values["titration_max_increases_per_week"], where
        ),
        granuloma_warn_concentration_mcg_per_ml=_optional_positive(
            values["granuloma_warn_concentration_mcg_per_ml"], where
        ),
        stability_days_diluted=_optional_positive(values["stability_days_diluted"], where),
        stability_days_naive_first_fill=_optional_positive(
            values["stability_days_naive_first_fill"], where
        ),
        monitor_after_start_h=_optional_pair(values, "monitor_after_start_h", where),
        monitor_signs=str(values["monitor_signs"]),
        min_age_years=_optional_positive(values["min_age_years"], where),
        brain_injury_wait_days=_optional_positive(values["brain_injury_wait_days"], where),
        titration_high_dose_mcg_per_day=_optional_positive(
            values["titration_high_dose_mcg_per_day"], where
        ),
        psychosis_contraindicated=values["psychosis_contraindicated"],
        start_from_screening_dose=values["start_from_screening_dose"],
        starting_dose_label_naive_mcg_per_day=_optional_positive(
            values["starting_dose_label_naive_mcg_per_day"], where
        ),
        starting_dose_tolerant_mcg_per_day=_optional_pair(
            values, "starting_dose_tolerant_mcg_per_day", where
        ),
        decrease_guidance_pct=_optional_positive(values["decrease_guidance_pct"], where),
        titration_slow_step_mcg_per_day=_optional_positive(
            values["titration_slow_step_mcg_per_day"], where
        ),
        titration_slow_interval_h=_optional_positive(values["titration_slow_interval_h"], where),
        max_daily_dose_soft_cerebral_mcg_per_day=cerebral,
        child_below_years=_optional_positive(values["child_below_years"], where),
        sources=sources,
        limits=limits,
    )


@dataclass(frozen=True)
class DrugLibrary:
    """The drugs, the admixtures that may be programmed, and the library's integrity:
    `digest` is the SHA-256 of the document as loaded, `approved_digest` the one its
    manifest approves (SR-01). They are compared by a safety rule, not here, so a
    tampered library can still be opened and shown as refused."""

    drugs: Mapping[str, Drug]
    admixtures: tuple[frozenset[str], ...] = ()
    admixtures_source: str = ""
    digest: str = ""
    approved_digest: str = ""

    def get(self, name: str) -> Drug | None:
        return self.drugs.get(name)

    def names(self) -> tuple[str, ...]:
        return tuple(self.drugs)

    @classmethod
    def from_mapping(cls, document: Mapping[str, Any]) -> DrugLibrary:
        tables = document.get("drug")
        if not isinstance(tables, Mapping) or not tables:
            raise CatalogueError("drugs.toml: expected one or more [drug.NAME] tables")
        drugs = {name: _drug(name, table) for name, table in tables.items()}
        admixtures, source = _admixtures(document.get("admixtures", {}), drugs)
        return cls(drugs, admixtures, source)

    def with_integrity(self, digest: str, approved_digest: str) -> DrugLibrary:
        return replace(self, digest=digest, approved_digest=approved_digest)

    def admixture_allowed(self, names: tuple[str, ...]) -> bool:
        return len(names) < 2 or frozenset(names) in self.admixtures


def _admixtures(table: Any, drugs: Mapping[str, Drug]) -> tuple[tuple[frozenset[str], ...], str]:
    if not table:
        return (), ""
    values, sources = unwrap(table, "drugs.toml [admixtures]")
    allowed = values.get("allowed") or []
    out = []
    for i, combo in enumerate(allowed):
        unknown = [name for name in combo if name not in drugs]
        if unknown or len(set(combo)) != len(combo) or len(combo) < 2:
            raise CatalogueError(
                f"drugs.toml [admixtures].allowed[{i}]: two or more different library drugs"
            )
        out.append(frozenset(combo))
    return tuple(out), sources.get("allowed", "")
