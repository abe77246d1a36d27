"""The benchmark's pump-year, built in canonical units (no file parsing in the timing)."""

from __future__ import annotations

from thecal.core.pump import commands as c
from thecal.core.pump.program import (
    Amount,
    DemandBolus,
    DrugConcentration,
    PeriodicBolus,
    Program,
    Step,
)
from thecal.core.scenario import Scenario, TimedCommand
from thecal.data import pump_catalogue

DAY = 86_400.0
H = 3600.0
MORPHINE = (DrugConcentration("morphine", 10_000.0),)


def flex_program() -> Program:
    """24 hourly steps between 0.3 and 0.7 mL/day, two periodic boluses, a demand bolus."""
    steps = tuple(
        Step(h * H, rate_ml_per_s=(0.3 + 0.4 * ((h * 7) % 24) / 23 + 0.000137 * h) / DAY)
        for h in range(24)
    )
    periodic = (
        PeriodicBolus(8 * H, Amount(mcg=200.0), 30 * 60.0),
        PeriodicBolus(20 * H, Amount(mcg=200.0), 30 * 60.0),
    )
    demand = DemandBolus(Amount(mcg=100.0), 10 * 60.0, 3 * H, 4)
    return Program(MORPHINE, steps, 1, periodic, demand, 2.0)


def pump_year(
    demand_requests_per_day: int = 6, days: int = 365, model: str = "peristaltic-40"
) -> Scenario:
    events: list[TimedCommand] = []
    index = 0
    for day in range(days):
        if day and day % 30 == 0:
            # 40 mL pump: top up to full; the estimate is entered as the true volume
            events.append(
                TimedCommand(day * DAY + 9 * H, index, c.Refill(37.6, MORPHINE, entered_ml=40.0))
            )
            index += 1
        for k in range(demand_requests_per_day):
            t = day * DAY + 7 * H + k * (14 * H / max(demand_requests_per_day, 1)) + 17.0
            events.append(TimedCommand(t, index, c.DemandRequest(f"d{day}-{k}")))
            index += 1
    events.sort(key=lambda e: e.t_s)
    return Scenario(
        model=pump_catalogue().get(model),
        catheter_length_cm=100.0,
        catheter_ul_per_cm=2.6,
        catheter_initial="drug",
        fill_ml=40.0,
        entered_ml=None,
        duration_s=days * DAY,
        program=flex_program(),
        events=tuple(events),
    )
