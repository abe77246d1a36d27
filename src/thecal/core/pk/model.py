"""The compartments one drug passes through after it leaves the catheter tip.

State (canonical units):
  csf_mcg          drug in the CSF, fed by the tip, cleared into plasma
  plasma_mcg       drug in the blood, cleared from the body
  effect_mcg_per_ml  effect-site concentration, a delayed follower of the CSF level
  rostral_mcg_per_ml CSF level at the brainstem: the tip level attenuated by
                   exp(-distance / length constant), reached with a delay; this is
                   what carries the respiratory risk of hydrophilic opioids upwards
  memory_mcg_per_ml  exposure memory for tolerance, a slow follower of the effect site

The last three carry no mass, so the CSF and plasma amounts are conserved exactly
and the CSF half-life after a bolus is the published one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from thecal.core.pk.linear import Array, LinearSystem, solve
from thecal.core.pk.params import PatientKinetics

STATE_NAMES = ("csf_mcg", "plasma_mcg", "effect_mcg_per_ml", "rostral_mcg_per_ml",
               "memory_mcg_per_ml")
CSF, PLASMA, EFFECT, ROSTRAL, MEMORY = range(5)


def compartment_system(k: PatientKinetics, tolerance_rate_per_s: float) -> LinearSystem:
    m = np.zeros((5, 5))
    m[CSF, CSF] = -k.csf_rate_per_s
    m[PLASMA, CSF] = k.csf_rate_per_s
    m[PLASMA, PLASMA] = -k.plasma_rate_per_s
    m[EFFECT, CSF] = k.effect_site_rate_per_s / k.csf_volume_ml
    m[EFFECT, EFFECT] = -k.effect_site_rate_per_s
    m[ROSTRAL, CSF] = k.rostral_rate_per_s * k.rostral_fraction / k.csf_volume_ml
    m[ROSTRAL, ROSTRAL] = -k.rostral_rate_per_s
    m[MEMORY, EFFECT] = tolerance_rate_per_s
    m[MEMORY, MEMORY] = -tolerance_rate_per_s
    b = np.zeros(5)
    b[CSF] = 1.0
    return LinearSystem.build(m, b, STATE_NAMES)


@dataclass(frozen=True)
class Concentrations:
    """The curves at the requested times."""

    times_s: Array
    csf_mcg_per_ml: Array
    plasma_mcg_per_ml: Array
    effect_mcg_per_ml: Array
    rostral_mcg_per_ml: Array
    memory_mcg_per_ml: Array


@dataclass(frozen=True)
class DrugModel:
    kinetics: PatientKinetics
    system: LinearSystem

    @classmethod
    def build(cls, kinetics: PatientKinetics, tolerance_rate_per_s: float) -> DrugModel:
        return cls(kinetics, compartment_system(kinetics, tolerance_rate_per_s))

    def run(
        self,
        starts_s: Array,
        rates_mcg_per_s: Array,
        times_s: Array,
        initial: Array | None = None,
    ) -> Concentrations:
        """Exact curves for a tip input that is constant between `starts_s`."""
        x0 = np.zeros(5) if initial is None else initial
        x = solve(self.system, x0, starts_s, rates_mcg_per_s, times_s)
        k = self.kinetics
        return Concentrations(
            times_s=np.asarray(times_s, dtype=np.float64),
            csf_mcg_per_ml=x[:, CSF] / k.csf_volume_ml,
            plasma_mcg_per_ml=x[:, PLASMA] / k.plasma_volume_ml,
            effect_mcg_per_ml=x[:, EFFECT],
            rostral_mcg_per_ml=x[:, ROSTRAL],
            memory_mcg_per_ml=x[:, MEMORY],
        )
