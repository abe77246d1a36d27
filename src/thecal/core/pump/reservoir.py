"""Refill at the pump (pump-behaviour.md §10): what the reservoir holds afterwards.

The reservoir's composition is tracked from the fluid, not from any program's
labels: a refill with the wrong drug or strength changes what reaches the patient.
"""

from __future__ import annotations

from dataclasses import dataclass

from thecal.core.pump.commands import Refill
from thecal.core.pump.events import Event, event
from thecal.core.pump.models import PumpModel
from thecal.core.pump.path import PathLedger, Vector, pad
from thecal.core.pump.program import DrugConcentration


def refill_refusal(
    model: PumpModel, true_ml: float, add_ml: float, pocket_fill_ml: float
) -> str | None:
    """Why a refill must be refused whole, or None. `add_ml` includes the pocket fill."""
    if add_ml > model.capacity_ml - min(true_ml, model.dead_volume_ml) + 1e-12:
        return "exceeds_capacity"
    if pocket_fill_ml < 0 or pocket_fill_ml > add_ml or add_ml < 0:
        return "invalid_volume"
    return None


def composition(
    names: tuple[str, ...], drugs: tuple[DrugConcentration, ...]
) -> tuple[tuple[str, ...], Vector]:
    """The drug order after adding `drugs` (new names go last) and their vector."""
    order = list(names)
    for drug in drugs:
        if drug.name not in order:
            order.append(drug.name)
    by_name = {d.name: d.concentration_mcg_per_ml for d in drugs}
    return tuple(order), tuple(by_name.get(name, 0.0) for name in order)


def mix(kept_ml: float, kept: Vector, added_ml: float, added: Vector) -> Vector:
    """Volume-weighted mean concentration; a drug missing from one fluid counts as 0."""
    total = kept_ml + added_ml
    if total <= 0.0:
        return tuple(0.0 for _ in added)
    return tuple((kept_ml * a + added_ml * b) / total for a, b in zip(kept, added, strict=True))


@dataclass(frozen=True, slots=True)
class RefilledFluid:
    """What an accepted refill leaves: the same for every kind of pump."""

    drug_names: tuple[str, ...]
    reservoir_conc: Vector
    true_ml: float
    path: PathLedger
    withdrawn_ml: float


def refill_fluid(
    model: PumpModel,
    true_ml: float,
    names: tuple[str, ...],
    conc: Vector,
    path: PathLedger,
    outlet_ml: float,
    cmd: Refill,
) -> RefilledFluid:
    """Withdraw all above the dead volume, add what did not go into the pocket, mix by
    volume, and let the new mixture enter the path from the present outlet position."""
    order, added = composition(names, cmd.drugs)
    withdrawn = max(0.0, true_ml - model.dead_volume_ml)
    kept = true_ml - withdrawn
    into = cmd.add_ml - cmd.pocket_fill_ml
    mixed = mix(kept, pad(conc, len(order)), into, added)
    return RefilledFluid(
        order, mixed, kept + into, path.with_new_fluid(outlet_ml, mixed), withdrawn
    )


def refill_event(t: float, cmd: Refill, fluid: RefilledFluid) -> Event:
    return event(
        t,
        "refill",
        withdrawn_ml=fluid.withdrawn_ml,
        pocket_fill_ml=cmd.pocket_fill_ml,
        reservoir_true_ml=fluid.true_ml,
    )
