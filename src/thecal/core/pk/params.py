"""Per-drug CSF and plasma kinetics, read from data with a source for every number.

A published volume or clearance is stored as the source gives it (per kg or
absolute); `for_patient` turns it into the rate constants of one person.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np

from thecal.core.errors import CatalogueError
from thecal.core.sourced import unwrap

SECONDS_PER_HOUR = 3600.0
W = TypeVar("W", float, "np.ndarray")

_SCALED = ("csf_volume", "csf_clearance", "plasma_volume", "plasma_clearance")
_UNITS = {
    "csf_volume": ("csf_volume_ml", "csf_volume_ml_per_kg"),
    "csf_clearance": ("csf_clearance_ml_per_h", "csf_clearance_ml_per_h_per_kg"),
    "plasma_volume": ("plasma_volume_ml", "plasma_volume_ml_per_kg"),
    "plasma_clearance": ("plasma_clearance_ml_per_h", "plasma_clearance_ml_per_h_per_kg"),
}
_PLAIN = ("effect_site_rate_per_h", "rostral_length_constant_cm", "rostral_rate_per_h")


@dataclass(frozen=True)
class Scaled:
    """A volume or clearance: absolute, or per kg of body weight."""

    value: float
    per_kg: bool

    def for_weight(self, weight_kg: W) -> W:
        """For one weight or an array of weights (the result has the weight's shape)."""
        return self.value * weight_kg if self.per_kg else self.value + 0.0 * weight_kg


@dataclass(frozen=True)
class DrugKinetics:
    name: str
    csf_volume: Scaled  # mL
    csf_clearance: Scaled  # mL/h
    plasma_volume: Scaled  # mL
    plasma_clearance: Scaled  # mL/h
    effect_site_rate_per_h: float
    rostral_length_constant_cm: float
    rostral_rate_per_h: float
    sources: Mapping[str, str]

    @classmethod
    def from_mapping(cls, entry: Mapping[str, Any]) -> DrugKinetics:
        name = entry.get("name")
        if not isinstance(name, str):
            raise CatalogueError("pk.toml: every [[drug]] needs a name")
        where = f"pk.toml drug {name}"
        values, sources = unwrap(entry, where, keys=("name",))
        scaled: dict[str, Scaled] = {}
        for field in _SCALED:
            absolute, per_kg = _UNITS[field]
            present = [k for k in (absolute, per_kg) if k in values]
            if len(present) != 1:
                raise CatalogueError(f"{where}: give exactly one of {absolute}, {per_kg}")
            scaled[field] = Scaled(_positive(values[present[0]], where, present[0]),
                                   present[0] == per_kg)
        plain = {}
        for field in _PLAIN:
            if field not in values:
                raise CatalogueError(f"{where}: missing field {field}")
            plain[field] = _positive(values[field], where, field)
        known = {"name", *_PLAIN, *(k for pair in _UNITS.values() for k in pair)}
        unknown = sorted(set(entry) - known)
        if unknown:
            raise CatalogueError(f"{where}: unknown field(s) {', '.join(unknown)}")
        return cls(name=name, **scaled, **plain, sources=sources)  # type: ignore[arg-type]


def _positive(value: Any, where: str, field: str) -> float:
    if not isinstance(value, int | float) or isinstance(value, bool) or value <= 0:
        raise CatalogueError(f"{where}.{field}: expected a positive number, got {value!r}")
    return float(value)


@dataclass(frozen=True)
class PatientKinetics:
    """One person's kinetics for one drug, canonical units (mL, per second)."""

    drug: str
    csf_volume_ml: float
    csf_rate_per_s: float  # CSF clearance / CSF volume
    plasma_volume_ml: float
    plasma_rate_per_s: float
    effect_site_rate_per_s: float
    rostral_fraction: float  # rostral level / tip level at steady state
    rostral_rate_per_s: float


def for_patient(k: DrugKinetics, weight_kg: float, tip_to_brainstem_cm: float) -> PatientKinetics:
    v_csf = k.csf_volume.for_weight(weight_kg)
    v_plasma = k.plasma_volume.for_weight(weight_kg)
    return PatientKinetics(
        drug=k.name,
        csf_volume_ml=v_csf,
        csf_rate_per_s=k.csf_clearance.for_weight(weight_kg) / v_csf / SECONDS_PER_HOUR,
        plasma_volume_ml=v_plasma,
        plasma_rate_per_s=k.plasma_clearance.for_weight(weight_kg) / v_plasma / SECONDS_PER_HOUR,
        effect_site_rate_per_s=k.effect_site_rate_per_h / SECONDS_PER_HOUR,
        rostral_fraction=math.exp(-tip_to_brainstem_cm / k.rostral_length_constant_cm),
        rostral_rate_per_s=k.rostral_rate_per_h / SECONDS_PER_HOUR,
    )


@dataclass(frozen=True)
class KineticsLibrary:
    drugs: Mapping[str, DrugKinetics]

    @classmethod
    def from_mapping(cls, document: Mapping[str, Any]) -> KineticsLibrary:
        entries = document.get("drug", [])
        drugs = {}
        for entry in entries:
            k = DrugKinetics.from_mapping(entry)
            drugs[k.name] = k
        return cls(drugs)

    def get(self, name: str) -> DrugKinetics:
        try:
            return self.drugs[name]
        except KeyError:
            known = ", ".join(sorted(self.drugs))
            raise CatalogueError(
                f"no CSF kinetics for drug {name!r}; the simulator knows {known}"
            ) from None
