"""The demo clinic's cast: its staff, invented names, and the therapies its patients
are on (drugs, doses and pumps of the kinds the domain notes describe). Invented
people; illustrative therapies, not recommendations."""

from __future__ import annotations

from dataclasses import dataclass

from thecal.core.pump.program import Amount, DemandBolus, DrugConcentration, Program, Step
from thecal.core.units import SECONDS_PER_DAY

STAFF = [
    ("dr.adams", "Dr Ada Adams", "physician"),
    ("dr.baker", "Dr Ben Baker", "physician"),
    ("rn.clark", "Cleo Clark RN", "nurse"),
    ("ph.davis", "Dev Davis PharmD", "pharmacist"),
    ("admin", "Clinic administrator", "admin"),
]
FIRST = ["Alex", "Sam", "Jo", "Robin", "Kim", "Lee", "Noor", "Ira", "Mika", "Ari", "Eli", "Pat"]
LAST = [
    "Moreau",
    "Okafor",
    "Silva",
    "Nakamura",
    "Kowalski",
    "Haddad",
    "Berg",
    "Rossi",
    "Novak",
    "Singh",
    "Lindqvist",
    "Byrne",
    "Costa",
    "Ivanova",
]


@dataclass(frozen=True)
class Therapy:
    indication: str
    model_id: str
    drugs: tuple[tuple[str, float], ...]  # (name, mcg/mL)
    dose_mcg_per_day: float | None  # None: constant flow at the model's rate
    demand_mcg: float | None
    low_ml: float


THERAPIES = [
    Therapy("non_cancer", "peristaltic-20", (("morphine", 10000.0),), 2000.0, 100.0, 3.0),
    Therapy("non_cancer", "peristaltic-40", (("hydromorphone", 5000.0),), 800.0, 50.0, 3.0),
    Therapy(
        "cancer",
        "valve-gated-20",
        (("morphine", 20000.0), ("bupivacaine", 7500.0)),
        4000.0,
        200.0,
        3.0,
    ),
    Therapy(
        "non_cancer",
        "peristaltic-20",
        (("morphine", 10000.0), ("clonidine", 500.0)),
        1500.0,
        None,
        3.0,
    ),
    Therapy("spasticity_spinal", "peristaltic-20", (("baclofen", 2000.0),), 400.0, None, 4.0),
    Therapy("spasticity_spinal", "peristaltic-40", (("baclofen", 500.0),), 250.0, None, 4.0),
    Therapy(
        "non_cancer",
        "valve-gated-40",
        (("hydromorphone", 2000.0), ("clonidine", 200.0)),
        600.0,
        50.0,
        3.0,
    ),
    Therapy("non_cancer", "peristaltic-20", (("ziconotide", 25.0),), 2.4, None, 3.0),
]


def program_for(t: Therapy, dose: float | None) -> Program:
    drugs = tuple(DrugConcentration(n, c) for n, c in t.drugs)
    steps = () if dose is None else (Step(0.0, dose_mcg_per_s=dose / SECONDS_PER_DAY),)
    demand = None
    if t.demand_mcg is not None:
        demand = DemandBolus(Amount(mcg=t.demand_mcg), 600.0, 4 * 3600.0, 3)
    return Program(drugs, steps, demand_bolus=demand, low_reservoir_alarm_ml=t.low_ml)
