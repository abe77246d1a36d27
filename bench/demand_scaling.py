"""Benchmark: the engine's cost against simulated time and demand requests.

The engine's work grows with events (commands, threshold strokes, bolus ends,
midnight battery checks near ERI), never with strokes. This prints, for 1, 10 and
100 simulated years and 0, 6, 24 and 96 demand requests a day (bench/scenarios.py:
flex schedule, periodic boluses, a refill every 30 days), the firmware's time, the
commands it was given, the events it logged, and microseconds per command: the
last column must stay about flat along each row while the years grow a hundredfold.
The naive stroke-by-stroke pump is timed for the 1-year column only (at ~1 s a
year it would take minutes for the rest); its ratio is printed beside it.
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
from thecal.data import drug_library
from thecal.services.simulate import start_pump


def run_counting(scenario, library) -> tuple[float, int]:
    start = time.perf_counter()
    s, logged = start_pump(scenario, library)
    commands = [(timed.t_s, timed.command) for timed in scenario.events]
    s, out = firmware.run(s, [*commands, (scenario.duration_s, c.Tick())])
    return time.perf_counter() - start, len(logged) + len(out)


def main() -> None:
    library = drug_library()
    print(
        f"{'years':>6}{'req/day':>8}{'engine ms':>11}{'commands':>10}{'events':>9}"
        f"{'us/command':>11}{'naive ms':>10}{'naive/engine':>13}"
    )
    for years in (1, 10, 100):
        for per_day in (0, 6, 24, 96):
            scenario = pump_year(per_day, days=365 * years)
            repeat = 5 if years == 1 else 1
            elapsed, events = min(run_counting(scenario, library) for _ in range(repeat))
            commands = len(scenario.events)
            naive = ""
            if years == 1:
                start = time.perf_counter()
                run_naive(scenario)
                naive_s = time.perf_counter() - start
                naive = f"{naive_s * 1e3:>10.0f}{naive_s / elapsed:>12.0f}x"
            per_command = elapsed / max(commands, 1) * 1e6
            print(
                f"{years:>6}{per_day:>8}{elapsed * 1e3:>11.1f}{commands:>10}{events:>9}"
                f"{per_command:>11.1f}{naive}"
            )


if __name__ == "__main__":
    main()
