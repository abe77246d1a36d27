"""Benchmark: one simulated pump-year through the engine and through the naive
stroke-by-stroke baseline (bench/naive_pump.py), measured in the same run.

Scenario (bench/scenarios.py): 365 days, 24-step flex schedule, 2 periodic boluses
a day, a refill every 30 days, with 0 and with 6 demand requests a day.

Prints, per case: the firmware alone stepping through the scenario's commands
(`engine`), the whole `simulate` including the 365 daily output rows (`simulate`),
the naive baseline, the ratios, both stroke counts and whether they agree at every
midnight, and the largest tracking error V_cmd/stroke - strokes over every command
time and every hour of the year (must stay in [0, 1)).

Demand requests go through `firmware.run`, which answers a run of them in one pass
where the stretch is provably quiet (core/pump/demand_run.py). The last lines print
the floor: building the returned events alone, and the ratio no engine can pass.

Targets (issue #2): engine <= 5 ms per pump-year without demand requests and
<= 100 ms with them; >= 1000x the baseline; tracking error < 1 stroke.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from naive_pump import run_naive
from scenarios import pump_year
from thecal.core.pump import commands as c
from thecal.core.pump import firmware
from thecal.core.pump.events import Event
from thecal.data import drug_library
from thecal.services.simulate import simulate, start_pump

HOUR = 3600.0


def run_engine(scenario, library):
    """The firmware folded over the scenario's commands (firmware.run: a run of demand
    requests in one pass where it is provably quiet), events kept as simulate keeps them."""
    s, _ = start_pump(scenario, library)
    commands = [(timed.t_s, timed.command) for timed in scenario.events]
    s, events = firmware.run(s, [*commands, (scenario.duration_s, c.Tick())])
    return s, events


def events_floor(events) -> None:
    """Only building the events the engine returns, one object each, the cheapest way
    there is (tuple.__new__, as demand_run builds them): no implementation in this
    Python that returns them can be faster, so naive / this is the ceiling."""
    make = tuple.__new__
    for e in events:
        make(Event, (e.t, e.kind, e.fields))


def tracking_error(scenario, library) -> tuple[float, float]:
    """(smallest, largest) of V_cmd/stroke - strokes at every command and every hour."""
    s, _ = start_pump(scenario, library)
    times = sorted(
        {e.t_s for e in scenario.events}
        | {h * HOUR for h in range(int(scenario.duration_s / HOUR) + 1)}
    )
    by_time: dict[float, list] = {}
    for e in scenario.events:
        by_time.setdefault(e.t_s, []).append(e.command)
    low, high = 0.0, 0.0
    for t in times:
        for cmd in by_time.get(t, [c.Tick()]):
            s, _ = firmware.step(s, cmd, t)
            err = s.v_cmd_ml / s.stroke_ml - s.strokes
            low, high = min(low, err), max(high, err)
    return low, high


def best_of(fn, repeat: int):
    best, value = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        value = fn()
        best = min(best, time.perf_counter() - start)
    return best, value


def main() -> None:
    library = drug_library()
    header = (
        f"{'case':<26}{'engine ms':>10}{'simulate ms':>12}{'naive ms':>10}{'naive/engine':>13}"
        f"{'naive/simulate':>15}{'strokes':>9}{'naive':>9}{'days agree':>11}"
        f"{'err range (strokes)':>22}"
    )
    print(header)
    ratios: dict[int, float] = {}
    floors: dict[int, tuple[float, int]] = {}
    naive_by_day: dict[int, float] = {}
    for label, per_day in (("no demand requests", 0), ("6 demand requests a day", 6)):
        scenario = pump_year(per_day)
        engine_s, (state, events) = best_of(lambda s=scenario: run_engine(s, library), 9)
        floor_s, _ = best_of(lambda e=events: events_floor(e), 9)
        floors[per_day] = (floor_s, len(events))
        simulate_s, result = best_of(lambda s=scenario: simulate(s, library), 5)
        naive_s, naive = best_of(lambda s=scenario: run_naive(s), 1)
        agree = [snap.strokes for snap in result.snapshots[1:]] == naive.strokes_at
        assert state.strokes == result.final.strokes
        low, high = tracking_error(scenario, library)
        print(
            f"{label:<26}{engine_s * 1e3:>10.2f}{simulate_s * 1e3:>12.2f}{naive_s * 1e3:>10.0f}"
            f"{naive_s / engine_s:>12.0f}x{naive_s / simulate_s:>14.0f}x{state.strokes:>9}"
            f"{naive.strokes:>9}{agree!s:>11}{f'{low:+.2e} .. {high:.4f}':>22}"
        )
        ratios[per_day] = naive_s / engine_s
        naive_by_day[per_day] = naive_s
    print(f"ratio naive/engine (6 demand/day): {ratios[6]:.0f}")
    print(f"ratio naive/engine (no demand): {ratios[0]:.0f}")
    for per_day, (floor_s, count) in floors.items():
        print(
            f"events floor ({per_day} demand/day): {count} events built in {floor_s * 1e3:.2f} ms;"
            f" no engine returning them beats {naive_by_day[per_day] / floor_s:.0f}x the naive pump"
        )


if __name__ == "__main__":
    main()
