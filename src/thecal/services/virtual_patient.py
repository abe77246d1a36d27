"""Closing the loop: pain drives the demand button, the pump's delivery drives the
spinal fluid, the spinal fluid drives pain.

The observer is called by the simulation runner at every check. It reads what
reached the catheter tip since the last check from the pump's own counters, holds
that as a constant rate over the interval (the pump's delivery at the check
resolution) and advances each drug's compartments exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from thecal.core.errors import CatalogueError
from thecal.core.pk import DrugModel, EffectLibrary, KineticsLibrary, for_patient
from thecal.core.pk import pd as effect
from thecal.core.pk.linear import Array, step_matrices
from thecal.core.pk.model import EFFECT, MEMORY, ROSTRAL
from thecal.core.pump import commands as c
from thecal.core.pump.path import pad
from thecal.core.pump.state import PumpState
from thecal.core.virtual_patient import VirtualPatient, wants_bolus


def _or_default(value: float | None, default: float) -> float:
    return default if value is None else value


@dataclass
class _Compartments:
    model: DrugModel
    phi: Array
    gamma: Array
    x: Array = field(default_factory=lambda: np.zeros(5))


@dataclass
class PatientObserver:
    patient: VirtualPatient
    kinetics: KineticsLibrary
    effects: EffectLibrary
    duration_s: float
    drugs: dict[str, _Compartments] = field(default_factory=dict)
    not_modelled: list[str] = field(default_factory=list)
    series: list[dict[str, Any]] = field(default_factory=list)
    requests: int = 0
    _last_t: float = field(default=0.0, init=False)
    _last_tip: tuple[float, ...] = field(default=(), init=False)
    _rng: np.random.Generator = field(init=False)

    def __post_init__(self) -> None:
        self._rng = np.random.default_rng(self.patient.seed)

    def times(self) -> list[float]:
        h = self.patient.check_interval_s
        n = int(self.duration_s // h)
        return [k * h for k in range(1, n + 1)]

    def _compartments(self, name: str) -> _Compartments | None:
        if name in self.drugs:
            return self.drugs[name]
        if name in self.not_modelled:
            return None
        try:
            k = for_patient(self.kinetics.get(name), self.patient.weight_kg,
                            self.patient.tip_to_brainstem_cm)
            e = self.effects.get(name)
        except CatalogueError:
            self.not_modelled.append(name)
            return None
        model = DrugModel.build(k, e.tolerance_rate_per_s)
        phi, gamma = step_matrices(model.system, self.patient.check_interval_s)
        self.drugs[name] = _Compartments(model, phi, gamma)
        return self.drugs[name]

    def observe(self, state: Any, t: float) -> list[c.Command]:
        names = state.drug_names
        tip = pad(state.tip_drug_mcg(), len(names))
        last = pad(self._last_tip, len(names))
        dt = t - self._last_t
        for name, now, before in zip(names, tip, last, strict=True):
            comp = self._compartments(name)
            if comp is not None:
                rate = (now - before) / dt
                comp.x = comp.phi @ comp.x + comp.gamma * rate
        self._last_t, self._last_tip = t, tip
        row, nrs = self._row(t)
        self.series.append(row)
        draw = float(self._rng.uniform())
        if nrs is not None and isinstance(state, PumpState) and wants_bolus(
            self.patient.habit, nrs, t, draw
        ):
            self.requests += 1
            return [c.DemandRequest(id=f"patient-{self.requests}")]
        return []

    def _row(self, t: float) -> tuple[dict[str, Any], float | None]:
        row: dict[str, Any] = {"t": t, "csf_mcg_per_ml": {}}
        nrs = None
        for name, comp in self.drugs.items():
            row["csf_mcg_per_ml"][name] = float(comp.x[0] / comp.model.kinetics.csf_volume_ml)
        primary = next(iter(self.drugs.items()), None)
        if primary is None:
            return row, None
        name, comp = primary
        e = self.effects.get(name)
        frac = float(effect.fraction_of_max(
            e, np.array([comp.x[EFFECT]]), np.array([comp.x[MEMORY]]),
            1.0 / self.patient.sensitivity)[0])
        if e.effect == "pain":
            base = _or_default(self.patient.baseline_nrs, self.effects.baseline_nrs)
            nrs = float(effect.pain_nrs(e, base, np.array([frac]))[0])
            row["nrs"] = nrs
        else:
            base = _or_default(self.patient.baseline_ashworth, self.effects.ashworth_baseline)
            row["ashworth"] = float(effect.ashworth(self.effects, e, np.array([frac]), base)[0])
        row["side_effect_signal"] = float(
            effect.side_effect_signal(e, np.array([comp.x[ROSTRAL]]))[0])
        return row, nrs

    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {"requests": self.requests, "not_modelled": self.not_modelled,
                               "checks": len(self.series)}
        for key in ("nrs", "ashworth", "side_effect_signal"):
            values = [r[key] for r in self.series if key in r]
            if values:
                out[f"mean_{key}"] = float(np.mean(values))
                out[f"max_{key}"] = float(np.max(values))
        return out
