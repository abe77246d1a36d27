"""Builders for programmer tests: programs in clinical units, written out by hand."""

from __future__ import annotations

from thecal.core.pump.program import (
    Amount,
    DemandBolus,
    DrugConcentration,
    PeriodicBolus,
    Program,
    Step,
)
from thecal.core.safety import Catheter, Patient, ProgramProposal
from thecal.data import drug_library, policy, pump_catalogue

DAY = 86_400.0
NO_FLAGS = Patient()
CATHETER_90CM = Catheter(90.0, 2.6)
HOUR = 3_600.0
MG = 1000.0  # mcg


def model(model_id: str = "peristaltic-20"):
    return pump_catalogue().get(model_id)


def program(
    drugs,
    dose_mcg_per_day=None,
    rate_ml_per_day=None,
    demand=None,
    periodic=(),
    low_ml=2.0,
    steps=None,
) -> Program:
    """`drugs` = [(name, mcg/mL)]; one basal step from 00:00 unless `steps` is given."""
    if steps is None:
        if dose_mcg_per_day is not None:
            steps = (Step(0.0, dose_mcg_per_s=dose_mcg_per_day / DAY),)
        else:
            steps = (Step(0.0, rate_ml_per_s=rate_ml_per_day / DAY),)
    return Program(
        tuple(DrugConcentration(n, c) for n, c in drugs),
        tuple(steps),
        periodic_boluses=tuple(periodic),
        demand_bolus=demand,
        low_reservoir_alarm_ml=low_ml,
    )


def demand(mcg, lockout_h=3.0, count=4, minutes=10.0) -> DemandBolus:
    return DemandBolus(Amount(mcg=mcg), minutes * 60.0, lockout_h * HOUR, count)


def periodic(at_h, mcg, minutes=30.0) -> PeriodicBolus:
    return PeriodicBolus(at_h * HOUR, Amount(mcg=mcg), minutes * 60.0)


def proposal(
    proposed,
    current=None,
    model_id="peristaltic-20",
    patient=NO_FLAGS,
    catheter=CATHETER_90CM,
    now_s=100 * DAY,
    **kw,
) -> ProgramProposal:
    return ProgramProposal(
        proposed, current, model(model_id), drug_library(), policy(), patient, catheter, now_s, **kw
    )


def codes(findings) -> set[tuple[str, str, str]]:
    """(rule_id, severity, code) of each finding: tests assert all three."""
    return {(f.rule_id, f.severity, f.code) for f in findings}
