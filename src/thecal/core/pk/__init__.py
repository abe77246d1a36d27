"""What reaches the spinal fluid and what it does: exact linear PK, simple PD."""

from thecal.core.pk.linear import LinearSystem, solve
from thecal.core.pk.model import Concentrations, DrugModel, compartment_system
from thecal.core.pk.params import DrugKinetics, KineticsLibrary, PatientKinetics, for_patient
from thecal.core.pk.pd import DrugEffect, EffectLibrary

__all__ = [
    "Concentrations",
    "DrugEffect",
    "DrugKinetics",
    "DrugModel",
    "EffectLibrary",
    "KineticsLibrary",
    "LinearSystem",
    "PatientKinetics",
    "compartment_system",
    "for_patient",
    "solve",
]
