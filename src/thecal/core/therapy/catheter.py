"""Volumes in the fluid path, and the boluses that depend on them.

Drug already in the pump tubing and catheter keeps arriving at the *old*
concentration until the pump has pushed the whole path volume out. A bridge bolus
pushes that volume out at a known time; a priming bolus fills an empty path at
implant or after a revision. Both are computed from the recorded catheter, and
from this pump model's own tubing volume (devices.md F18: a wrong tubing volume
over-delivered drug).
"""

from __future__ import annotations

from dataclasses import dataclass

from thecal.core.errors import InputError, Problem
from thecal.core.pump.models import PumpModel
from thecal.core.pump.program import Program
from thecal.core.therapy.dosing import daily_volumes


def catheter_ul_per_cm(model: PumpModel, recorded: float | None) -> float:
    """The catheter's own volume per cm where it was recorded; else the figure
    pumps.toml gives for the catheter sold with this pump (limits-audit.md §3: one
    default for every catheter was the Prometra figure, wrong for the others)."""
    return model.catheter_ul_per_cm if recorded is None else recorded


def catheter_figure_sourced(model: PumpModel) -> bool:
    """Whether this pump's catheter figure comes from a manual, not a stand-in."""
    return not model.sources.get("catheter_ul_per_cm", "").lower().startswith("illustrative")


def catheter_volume_ml(length_cm: float, ul_per_cm: float) -> float:
    problems = [
        Problem(f"catheter.{name}", "must not be negative")
        for name, value in (("length_cm", length_cm), ("ul_per_cm", ul_per_cm))
        if value < 0
    ]
    if problems:
        raise InputError("invalid catheter", problems)
    return length_cm * ul_per_cm / 1000.0


def path_volume_ml(model: PumpModel, length_cm: float, ul_per_cm: float) -> float:
    """Pump outlet tubing plus catheter: what sits between reservoir and tip."""
    return model.pump_tubing_ml + catheter_volume_ml(length_cm, ul_per_cm)


def priming_volume_ml(
    model: PumpModel, length_cm: float, ul_per_cm: float, extra_ml: float = 0.0
) -> float:
    return path_volume_ml(model, length_cm, ul_per_cm) + extra_ml


@dataclass(frozen=True)
class BridgePlan:
    volume_ml: float  # the path volume, pushed at the old concentration
    old_drug_mcg: dict[str, float]  # what the bridge delivers of each old drug
    clear_without_bridge_days: float | None  # None when the new basal rate is 0
    # over this long the bridge gives the old fluid at the old program's dose rate, so
    # the patient's dose does not jump while the path clears; None at an old rate of 0
    at_old_rate_days: float | None = None


def bridge_plan(
    model: PumpModel, length_cm: float, ul_per_cm: float, old: Program, new: Program
) -> BridgePlan:
    """The bridge bolus for a change from `old` to `new` fluid: its volume, the old drug it
    delivers, and how long the old fluid would take to clear at the new basal rate."""
    volume = path_volume_ml(model, length_cm, ul_per_cm)
    rate = daily_volumes(new).mean_basal_ml_per_day
    old_rate = daily_volumes(old).mean_basal_ml_per_day
    return BridgePlan(
        volume_ml=volume,
        old_drug_mcg={d.name: volume * d.concentration_mcg_per_ml for d in old.drugs},
        clear_without_bridge_days=volume / rate if rate > 0 else None,
        at_old_rate_days=volume / old_rate if old_rate > 0 else None,
    )
