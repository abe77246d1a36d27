"""The studies `thecal study NAME` runs: their variants and their tables.

Each study is variants of one drawn population (same seed, same chunks), so a
difference between rows is the policy's and not the luck of the draw.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from thecal.services.study.runner import Stats

BIASES = (-0.05, 0.0, 0.025, 0.05, 0.10, 0.145, 0.25)
THRESHOLDS_ML = (2.0, 4.0)
MAX_INTERVALS_DAYS = (30, 45, 60, 90, 120)
INDICATION_LABELS = {"non_cancer_pain": "non-cancer pain", "cancer_pain": "cancer pain",
                     "spasticity": "spasticity"}


@dataclass(frozen=True)
class Table:
    title: str
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]
    note: str = ""  # what a reader would otherwise take for a mistake


@dataclass(frozen=True)
class Study:
    name: str
    worker: str  # refill | trial: which chunk function runs it
    variants: Callable[[], dict[str, Mapping[str, Any]]]
    table: Callable[[dict[str, Stats]], Table]


DRAWN = None  # the bias each pump drew from the published figures
DRY_NOTE = (
    "A pump that delivers less than it counts (a negative bias) stops at its own count of "
    "empty, at the same moment as an accurate pump, with drug still in it: so the -5 % and "
    "0 % rows are the same. The patients who run dry there do so because a refill came late "
    "or was missed."
)


def _dry_key(threshold: float, bias: float | None) -> str:
    return f"{threshold:g} mL, " + ("drawn bias" if bias is DRAWN else f"bias {bias:+.1%}")


def _dry_variants() -> dict[str, Mapping[str, Any]]:
    out: dict[str, Mapping[str, Any]] = {}
    for threshold in THRESHOLDS_ML:
        for bias in (DRAWN, *BIASES):
            # the question is the firmware's alarm: pumps that have one (not constant-flow)
            settings = {"alarm_ml": threshold, "pumps": "programmable"} | (
                {} if bias is DRAWN else {"bias": bias})
            out[_dry_key(threshold, bias)] = settings
    return out


def per_patient_year(s: Stats, key: str) -> float:
    return s[key] / s["patient_years"] if s.get("patient_years") else 0.0


def _dry_table(t: dict[str, Stats]) -> Table:
    rows = []
    for bias in (DRAWN, *BIASES):
        row: list[Any] = ["drawn (published figures)" if bias is DRAWN else f"{bias:+.1%}"]
        for threshold in THRESHOLDS_ML:
            s = t[_dry_key(threshold, bias)]
            row += [100.0 * s["patients_dry"] / s["patients"], s["dry_days"] / s["patients"],
                    per_patient_year(s, "visits")]
        rows.append(tuple(row))
    columns = ["pump accuracy bias"]
    for threshold in THRESHOLDS_ML:
        columns += [f"{threshold:g} mL: % patients dry", f"{threshold:g} mL: dry days/pt",
                    f"{threshold:g} mL: visits/yr"]
    return Table("Running dry before the refill (programmable pumps), by low-reservoir "
                 "threshold and pump bias",
                 tuple(columns), rows, DRY_NOTE)


def _interval_variants() -> dict[str, Mapping[str, Any]]:
    out: dict[str, Mapping[str, Any]] = {
        f"book at most {d} d apart": {"max_interval_days": d} for d in MAX_INTERVALS_DAYS
    }
    out["book at the alarm date (no margin, no interval cap)"] = {"max_interval_days": 3650,
                                                         "margin_days": 0.0}
    return out


def _interval_table(t: dict[str, Stats]) -> Table:
    rows = [
        (name, per_patient_year(s, "visits"), 100.0 * s["patients_dry"] / s["patients"],
         s["dry_days"] / s["patients"], per_patient_year(s, "low_alarms"))
        for name, s in t.items()
    ]
    return Table("Refill-interval policy: clinic visits against running dry",
                 ("policy", "visits/patient-year", "% patients dry", "dry days/patient",
                  "low alarms/patient-year"), rows)


def _trial_table(t: dict[str, Stats]) -> Table:
    s = t["all"]
    groups = sorted({k.rsplit(".", 1)[0] for k in s})
    rows = []
    for g in groups:
        indication, drug = g.split(".")
        n = s[f"{g}.trialled"]
        ok = s[f"{g}.trial_success"]
        year = s[f"{g}.one_year_success"]
        rows.append((INDICATION_LABELS[indication], drug, int(n), 100.0 * ok / n,
                     100.0 * year / ok if ok else 0.0, 100.0 * year / n))
    return Table("Trial to implant to one year",
                 ("indication", "drug", "trialled", "% trial success (implanted)",
                  "% of implanted succeeding at 1 y", "% of trialled succeeding at 1 y"), rows)


STUDIES: dict[str, Study] = {
    "dry-run-risk": Study("dry-run-risk", "refill", _dry_variants, _dry_table),
    "refill-interval": Study("refill-interval", "refill", _interval_variants, _interval_table),
    "trial-outcomes": Study("trial-outcomes", "trial", lambda: {"all": {}}, _trial_table),
}
