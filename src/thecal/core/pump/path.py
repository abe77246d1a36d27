"""Plug flow from the pump outlet to the catheter tip (pump-behaviour.md §4).

Fluid enters the path (pump tubing + catheter, `V_path` mL) and pushes the same
volume out at the tip, first in first out, with no mixing. So the fluid arriving at
the tip when the pump has moved `O` mL in all is the fluid that left the reservoir at
outlet position `O - V_path`; positions below 0 are the catheter's initial content.

The ledger keeps, for each stretch of outlet positions, the composition of the fluid
that left the reservoir there (it changes only at refills) and the drug amounts
accumulated up to its start, so the drug that reached the tip is one lookup, never
a walk through strokes.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

from thecal.core.tolerance import same

Vector = tuple[float, ...]


def pad(vector: Vector, size: int) -> Vector:
    return vector + (0.0,) * (size - len(vector)) if len(vector) < size else vector


@dataclass(frozen=True, slots=True)
class PathLedger:
    path_ml: float
    starts_ml: tuple[float, ...]  # outlet position where each composition begins
    concs: tuple[Vector, ...]  # mcg/mL of each drug in that stretch
    drug_before: tuple[Vector, ...]  # mcg that entered the path before each start

    @classmethod
    def initial(cls, path_ml: float, catheter: Vector, reservoir: Vector) -> PathLedger:
        first = tuple(c * path_ml for c in catheter)
        return cls(path_ml, (-path_ml, 0.0), (catheter, reservoir), ((0.0,) * len(catheter), first))

    def with_new_fluid(self, outlet_ml: float, conc: Vector) -> PathLedger:
        """From outlet position `outlet_ml` on, fluid of composition `conc` enters the path."""
        size = max(len(conc), len(self.concs[-1]))
        before = self.cumulative(outlet_ml, size)
        last = pad(self.concs[-1], size)
        if all(same(a, b) for a, b in zip(pad(conc, size), last, strict=True)):
            return self  # the same fluid to rounding (a refill's mixing arithmetic): no new part
        if outlet_ml <= self.starts_ml[-1]:  # nothing left with the previous fluid: replace it
            return PathLedger(
                self.path_ml, self.starts_ml, self.concs[:-1] + (conc,), self.drug_before
            )
        return PathLedger(
            self.path_ml,
            self.starts_ml + (outlet_ml,),
            self.concs + (conc,),
            self.drug_before + (before,),
        )

    def cumulative(self, position_ml: float, size: int) -> Vector:
        """Drug (mcg per drug) in all fluid from the path's start up to `position_ml`."""
        i = bisect_right(self.starts_ml, position_ml) - 1
        if i < 0:
            return (0.0,) * size
        base = pad(self.drug_before[i], size)
        conc = pad(self.concs[i], size)
        span = position_ml - self.starts_ml[i]
        return tuple(b + c * span for b, c in zip(base, conc, strict=True))

    def tip_drug(self, outlet_ml: float, size: int) -> Vector:
        """Drug that has reached the tip when the pump has moved `outlet_ml` in all."""
        return self.cumulative(outlet_ml - self.path_ml, size)

    def in_path(self, outlet_ml: float, size: int) -> Vector:
        """Drug sitting in the path now."""
        upper = self.cumulative(outlet_ml, size)
        lower = self.cumulative(outlet_ml - self.path_ml, size)
        return tuple(u - lo for u, lo in zip(upper, lower, strict=True))
