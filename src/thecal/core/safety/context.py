"""What the safety rules look at: the proposal, what runs now, the patient, the device.

All facts are explicit parameters (no clock, no database): `now_s` and the dose
history come from the caller, so a check can be replayed from its record.
"""

from __future__ import annotations

from dataclasses import dataclass

from thecal.core.drugs import Drug, DrugLibrary
from thecal.core.pump.models import PumpModel
from thecal.core.pump.program import DrugConcentration, Program
from thecal.core.safety.policy import Policy

# each indication and titration row in the words a clinician reads (the clinic's
# screens and the findings' messages share this one table)
INDICATION_WORDS = {
    "non_cancer": "non-cancer pain",
    "cancer": "cancer pain",
    "spasticity_spinal": "spasticity of spinal origin",
    "spasticity_cerebral": "spasticity of cerebral origin",
}
INDICATIONS = tuple(INDICATION_WORDS)
TITRATION_ROW_WORDS = {
    "non_cancer": INDICATION_WORDS["non_cancer"],
    "cancer": INDICATION_WORDS["cancer"],
    "spinal": INDICATION_WORDS["spasticity_spinal"],
    "cerebral": "spasticity of cerebral origin or a child",
}
COMEDICATIONS = ("benzodiazepine", "systemic_opioid", "gabapentinoid", "other_sedative")


@dataclass(frozen=True)
class Patient:
    indication: str = "non_cancer"
    paediatric: bool = False
    # None: not stated (a programmer document that leaves it out): checked as naive
    opioid_naive: bool | None = False
    spinal_cord_injury_t6_or_above: bool = False
    communication_deficit: bool = False
    history_of_psychosis: bool = False
    psychiatric_screening_done: bool = False
    sedative_comedication: tuple[str, ...] = ()
    systemic_dose_reduction_planned: bool = False
    effective_screening_dose_mcg: float | None = None  # baclofen screening result
    # the youngest the patient can be (the clinic holds a year of birth): age-limited
    # labels (baclofen under 4) and the paediatric flag are read from it; None: unknown
    age_years: float | None = None
    # the oldest the patient can be (None: age_years is exact): a label's children's
    # range, looser than the adult one, is used only when even this is below its age
    oldest_age_years: float | None = None
    # when a traumatic brain injury the spasticity follows happened (clinic: the date
    # recorded; None when none is): baclofen's label asks long-term therapy to wait
    brain_injury_s: float | None = None

    def titration_key(self, drug: Drug) -> str:
        """Which row of the drug's titration table applies to this patient."""
        table = drug.titration_max_increase_pct_per_24h or {}
        if "spinal" in table:
            cerebral = self.indication == "spasticity_cerebral" or self.paediatric
            return "cerebral" if cerebral else "spinal"
        return "cancer" if self.indication == "cancer" else "non_cancer"

    def surely_younger_than(self, years: float) -> bool:
        """Below `years` however the record is read (False when the age is unknown)."""
        oldest = self.oldest_age_years if self.oldest_age_years is not None else self.age_years
        return oldest is not None and oldest < years

    @property
    def withdrawal_high_risk(self) -> bool:
        return self.spinal_cord_injury_t6_or_above or self.communication_deficit


@dataclass(frozen=True)
class Catheter:
    length_cm: float | None
    ul_per_cm: float | None

    @property
    def recorded(self) -> bool:
        return self.length_cm is not None and self.ul_per_cm is not None


@dataclass(frozen=True)
class DoseChange:
    """A daily dose of one drug that took effect at `at_s` (mcg/day, programmed)."""

    at_s: float
    drug: str
    daily_mcg: float


@dataclass(frozen=True)
class ProgramProposal:
    proposed: Program
    current: Program | None
    model: PumpModel
    library: DrugLibrary
    policy: Policy
    patient: Patient
    catheter: Catheter
    now_s: float
    first_fill: bool = False
    history: tuple[DoseChange, ...] = ()
    bridge_planned: bool = False
    reservoir_drugs: tuple[DrugConcentration, ...] | None = None
    # how long the pump has not delivered (empty, suspended, stopped, end of service),
    # from its own log, at `now_s`; None when it is delivering (issue 24)
    interruption_h: float | None = None
    # the battery's charge left, from the interrogation (SR-31: end of service projected)
    battery_uah_left: float | None = None

    def drug(self, name: str) -> Drug | None:
        return self.library.get(name)

    def interrupted(self, drug: Drug) -> bool:
        """Delivery stopped long enough that `drug` restarts as a new start: the
        threshold for its class (opioids) or for it by name, policy.toml [reinitiation]."""
        if self.interruption_h is None:
            return False
        threshold_h = self.policy.reinitiation.threshold_h(drug.drug_class, drug.name)
        return threshold_h is not None and self.interruption_h >= threshold_h

    def current_concentrations(self) -> dict[str, float]:
        if self.current is None:
            return {}
        return {d.name: d.concentration_mcg_per_ml for d in self.current.drugs}
