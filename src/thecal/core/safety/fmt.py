"""Doses in the unit the drug library shows them in (mg for morphine, mcg for baclofen),
in figures a clinician reads: four significant figures, never scientific notation (a
stored program summary read "morphine 1e+04 mcg/mL", a finding "1.32e+05 mcg/day")."""

from __future__ import annotations

from thecal.core.drugs import Drug


def figure(value: float) -> str:
    """`value` to four significant figures, written out: 10000, 132000, 0.00001."""
    text = f"{value:.4g}"
    if "e" not in text:
        return text
    rounded = float(text)
    if abs(rounded) >= 1:
        return f"{rounded:.0f}"
    return f"{rounded:.12f}".rstrip("0").rstrip(".")


def dose_text(drug: Drug | None, mcg: float, per: str = "/day") -> str:
    if drug is not None and drug.display_unit == "mg":
        return f"{figure(mcg / 1000.0)} mg{per}"
    return f"{figure(mcg)} mcg{per}"


def conc_text(drug: Drug | None, mcg_per_ml: float) -> str:
    return dose_text(drug, mcg_per_ml, per="/mL")
