"""What the concentrations do: pain relief, spasticity, a side-effect signal.

Pure functions of the curves from `thecal.core.pk.model`, so the same numbers
serve one virtual patient and a population. Parameters come from data (pd.toml),
nearly all marked illustrative there: they show mechanisms, they predict nobody.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from thecal.core.errors import CatalogueError
from thecal.core.pk.linear import Array
from thecal.core.sourced import unwrap

SECONDS_PER_DAY = 86400.0
EFFECTS = ("pain", "spasticity")


@dataclass(frozen=True)
class DrugEffect:
    name: str
    effect: str  # pain | spasticity
    emax: float
    ec50_mcg_per_ml: float
    hill: float
    tolerance_rate_per_day: float
    tolerance_gain: float
    side_effect_ec50_mcg_per_ml: float | None
    sources: Mapping[str, str]

    @property
    def tolerance_rate_per_s(self) -> float:
        return self.tolerance_rate_per_day / SECONDS_PER_DAY


@dataclass(frozen=True)
class EffectLibrary:
    drugs: Mapping[str, DrugEffect]
    ashworth_baseline: float
    ashworth_floor: float
    responder_drop_points: float
    baseline_nrs: float
    sources: Mapping[str, str]

    @classmethod
    def from_mapping(cls, document: Mapping[str, Any]) -> EffectLibrary:
        drugs = {}
        for entry in document.get("drug", []):
            name = entry.get("name")
            values, sources = unwrap(entry, f"pd.toml drug {name}", keys=("name", "effect"))
            if values.get("effect") not in EFFECTS:
                raise CatalogueError(f"pd.toml drug {name}.effect: expected one of {EFFECTS}")
            try:
                drugs[name] = DrugEffect(sources=sources, **values)
            except TypeError as error:
                raise CatalogueError(f"pd.toml drug {name}: {error}") from None
        spasticity, s1 = unwrap(document["spasticity"], "pd.toml spasticity")
        pain, s2 = unwrap(document["pain"], "pd.toml pain")
        return cls(drugs, spasticity["ashworth_baseline"], spasticity["ashworth_floor"],
                   spasticity["responder_drop_points"], pain["baseline_nrs"], {**s1, **s2})

    def get(self, name: str) -> DrugEffect:
        try:
            return self.drugs[name]
        except KeyError:
            raise CatalogueError(f"no effect model for drug {name!r}") from None


def fraction_of_max(
    effect: DrugEffect, effect_site: Array, memory: Array, ec50_factor: float | Array = 1.0
) -> Array:
    """E in [0, 1): the Hill curve, its EC50 raised by tolerance (exposure memory);
    `ec50_factor` is one patient's (a number) or each patient's (broadcast)."""
    ec50 = effect.ec50_mcg_per_ml * ec50_factor
    shifted = ec50 + effect.tolerance_gain * np.maximum(memory, 0.0)
    c = np.maximum(effect_site, 0.0) ** effect.hill
    return np.asarray(c / (shifted**effect.hill + c), dtype=np.float64)


def pain_nrs(effect: DrugEffect, baseline_nrs: float, fraction: Array) -> Array:
    return np.asarray(baseline_nrs * (1.0 - effect.emax * fraction), dtype=np.float64)


def ashworth(library: EffectLibrary, effect: DrugEffect, fraction: Array, baseline: float) -> Array:
    span = baseline - library.ashworth_floor
    return np.asarray(baseline - span * effect.emax * fraction, dtype=np.float64)


def side_effect_signal(effect: DrugEffect, rostral: Array) -> Array:
    """0 (none) to 1 (certain): sedation and respiratory risk from the rostral level."""
    if effect.side_effect_ec50_mcg_per_ml is None:
        return np.zeros_like(rostral)
    r = np.maximum(rostral, 0.0)
    return np.asarray(r / (r + effect.side_effect_ec50_mcg_per_ml), dtype=np.float64)
