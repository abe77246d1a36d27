"""Programmer and clinic policy limits (data/policy.toml), typed and checked once.

Each section of policy.toml is a frozen dataclass below and each limit a typed
attribute, so a code path reads `policy.trial.baclofen_start_factor`: a misspelt
name is a type error found by mypy, not a KeyError on the day that path first runs.
The file is checked whole when it is loaded (at start-up): a section or limit the
code does not know, one it needs and the file lacks, or a value of the wrong type
is refused, naming `[section].key` and what is accepted. Every value keeps its
source (`source(section, key)`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, get_type_hints

from thecal.core.errors import CatalogueError
from thecal.core.sourced import unwrap


@dataclass(frozen=True)
class PatientLimits:
    paediatric_below_years: float


@dataclass(frozen=True)
class BookingLimits:
    window_min_minutes: float
    window_max_minutes: float
    ahead_max_days: float
    reminder_hours_before: tuple[float, ...]  # the patient's calendar file's alarms


@dataclass(frozen=True)
class UnitSanityLimits:
    suspect_ratio_high: float
    suspect_ratio_low: float


@dataclass(frozen=True)
class TitrationLimits:
    window_h: float
    high_dose_warn_pct: float
    week_h: float


@dataclass(frozen=True)
class WithdrawalLimits:
    large_cut_pct: float


@dataclass(frozen=True)
class ReinitiationLimits:
    """Hours without delivery after which a drug restarts as a new start: by drug
    class (`opioid_h`) or by drug name (`ziconotide_h`)."""

    opioid_h: float
    ziconotide_h: float
    baclofen_h: float

    def threshold_h(self, drug_class: str, drug_name: str) -> float | None:
        by_key = {f.name: getattr(self, f.name) for f in fields(self)}
        for key in (f"{drug_class}_h", f"{drug_name}_h"):
            if key in by_key:
                return float(by_key[key])
        return None


@dataclass(frozen=True)
class VerificationLimits:
    large_increase_pct: float


@dataclass(frozen=True)
class RefillLimits:
    small_pump_max_capacity_ml: float
    discrepancy_small_pump_ml: float
    discrepancy_large_pump_ml: float
    margin_days: float
    pocket_fill_ratio: float
    withdrawal_risk_low_alarm_ml: float
    entered_volume_tolerance_ml: float


@dataclass(frozen=True)
class BolusLimits:
    priming_window_h: float
    volume_tolerance_ml: float


@dataclass(frozen=True)
class TrialLimits:
    success_nrs_reduction_pct: float
    opioid_observation_min_h: float
    opioid_observation_label_h: float
    opioid_start_factor: float
    baclofen_screen_doses_mcg: tuple[float, ...]
    baclofen_min_interval_h: float
    baclofen_judge_from_h: float
    baclofen_judge_to_h: float
    baclofen_response_drop: float
    baclofen_long_effect_h: float
    baclofen_start_factor: float
    baclofen_long_effect_factor: float


@dataclass(frozen=True)
class WorklistLimits:
    due_soon_days: float
    horizon_days: float
    discrepancy_lookback_days: float
    recompute_s: float
    page_items: int
    replacement_horizon_days: float


@dataclass(frozen=True)
class InputLimits:
    max_id: int
    max_body_bytes: int
    max_json_depth: int


@dataclass(frozen=True)
class LoginLimits:
    free_failures: int
    free_failures_address: int
    lock_base_s: float
    lock_max_s: float
    concurrent_hashes: int
    password_min_chars: int


@dataclass(frozen=True)
class Policy:
    patient: PatientLimits
    booking: BookingLimits
    unit_sanity: UnitSanityLimits
    titration: TitrationLimits
    withdrawal: WithdrawalLimits
    reinitiation: ReinitiationLimits
    verification: VerificationLimits
    refill: RefillLimits
    bolus: BolusLimits
    trial: TrialLimits
    worklist: WorklistLimits
    input: InputLimits
    login: LoginLimits
    sources: Mapping[tuple[str, str], str]

    def source(self, section: str, key: str) -> str:
        return self.sources[(section, key)]

    @classmethod
    def from_mapping(cls, document: Mapping[str, Any]) -> Policy:
        hints = get_type_hints(cls)
        sections = {f.name: hints[f.name] for f in fields(cls) if f.name != "sources"}
        _same_names("policy.toml", "section", set(document), set(sections))
        built: dict[str, Any] = {}
        sources: dict[tuple[str, str], str] = {}
        for name, section_type in sections.items():
            table = document[name]
            if not isinstance(table, Mapping):
                raise CatalogueError(f"policy.toml: [{name}] must be a table")
            values, said = unwrap(table, f"policy.toml [{name}]")
            built[name] = _section(name, section_type, values)
            sources.update(((name, key), text) for key, text in said.items())
        return cls(**built, sources=sources)


def _same_names(where: str, what: str, found: set[str], known: set[str]) -> None:
    unknown, missing = sorted(found - known), sorted(known - found)
    if unknown:
        raise CatalogueError(
            f"{where}: {what} {', '.join(unknown)} is not one thecal reads "
            f"(accepted: {', '.join(sorted(known))})"
        )
    if missing:
        raise CatalogueError(f"{where}: {what} {', '.join(missing)} is required")


def _section(name: str, section_type: Any, values: Mapping[str, Any]) -> Any:
    hints = get_type_hints(section_type)
    where = f"policy.toml [{name}]"
    _same_names(where, "limit", set(values), set(hints))
    typed = {key: _typed(f"{where}.{key}", hints[key], values[key]) for key in hints}
    return section_type(**typed)


def _typed(where: str, kind: Any, value: Any) -> Any:
    def number(v: Any) -> bool:
        return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)

    if kind is int:
        if not number(value) or float(value) != int(value):
            raise CatalogueError(f"{where}: a whole number is required, not {value!r}")
        return int(value)
    if kind is float:
        if not number(value):
            raise CatalogueError(f"{where}: a finite number is required, not {value!r}")
        return float(value)
    if not isinstance(value, list) or not value or not all(number(v) for v in value):
        raise CatalogueError(f"{where}: a list of numbers is required, not {value!r}")
    return tuple(float(v) for v in value)
