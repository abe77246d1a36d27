"""Doses in the unit the drug library shows them in (mg for morphine, mcg for baclofen)."""

from __future__ import annotations

from thecal.core.drugs import Drug


def dose_text(drug: Drug | None, mcg: float, per: str = "/day") -> str:
    if drug is not None and drug.display_unit == "mg":
        return f"{mcg / 1000.0:.4g} mg{per}"
    return f"{mcg:.4g} mcg{per}"


def conc_text(drug: Drug | None, mcg_per_ml: float) -> str:
    return dose_text(drug, mcg_per_ml, per="/mL")
