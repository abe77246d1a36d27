"""A cyclic piecewise-constant rate, integrated and inverted in closed form.

The firmware must know how many strokes are due by time t and when stroke k falls,
without stepping through strokes or cycles: the volume over whole cycles is one
multiplication, the rest one binary search over the cycle's breakpoints. That is
what makes a year cost the same as a day (pump-behaviour.md §4).
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CycleSchedule:
    """Rates (mL/s) on [breaks[i], breaks[i+1]) within a cycle of `cycle_s` seconds."""

    cycle_s: float
    breaks_s: tuple[float, ...]  # piece starts, breaks_s[0] == 0, plus cycle_s at the end
    rates_ml_per_s: tuple[float, ...]  # one per piece
    cum_ml: tuple[float, ...]  # volume from cycle start to each break (len == len(breaks_s))

    @classmethod
    def build(cls, cycle_s: float, pieces: list[tuple[float, float]]) -> CycleSchedule:
        """`pieces` are (start_s, rate) sorted by start, first at 0, all inside the cycle."""
        breaks = [p[0] for p in pieces] + [cycle_s]
        rates = [p[1] for p in pieces]
        cum = [0.0]
        for i, rate in enumerate(rates):
            cum.append(cum[-1] + rate * (breaks[i + 1] - breaks[i]))
        return cls(cycle_s, tuple(breaks), tuple(rates), tuple(cum))

    @property
    def cycle_volume_ml(self) -> float:
        return self.cum_ml[-1]

    @property
    def max_rate_ml_per_s(self) -> float:
        return max(self.rates_ml_per_s)

    def rate_at(self, offset_s: float) -> float:
        pos = offset_s % self.cycle_s
        return self.rates_ml_per_s[bisect_right(self.breaks_s, pos) - 1]

    def volume_to(self, offset_s: float) -> float:
        """Scheduled volume from the anchor (offset 0) to `offset_s` >= 0."""
        cycles = math.floor(offset_s / self.cycle_s)
        pos = offset_s - cycles * self.cycle_s
        if pos >= self.cycle_s:  # float edge: offset_s just below a whole number of cycles
            cycles, pos = cycles + 1, 0.0
        i = bisect_right(self.breaks_s, pos) - 1
        if i >= len(self.rates_ml_per_s):
            i = len(self.rates_ml_per_s) - 1
        within = self.cum_ml[i] + self.rates_ml_per_s[i] * (pos - self.breaks_s[i])
        return cycles * self.cum_ml[-1] + within

    def offset_reaching(
        self, start_offset_s: float, volume_ml: float, extra_ml_per_s: float
    ) -> float:
        """Earliest offset x >= start where schedule volume plus `extra` x time reaches `volume_ml`.

        Returns math.inf when the rate is zero for ever. `volume_ml` must be > 0.
        """
        per_cycle = self.cum_ml[-1] + extra_ml_per_s * self.cycle_s
        if per_cycle <= 0.0:
            return math.inf
        goal = self.volume_to(start_offset_s) + extra_ml_per_s * start_offset_s + volume_ml
        cycles = math.ceil(goal / per_cycle) - 1
        rest = goal - cycles * per_cycle
        if rest <= 0.0:  # float edge
            cycles, rest = cycles - 1, rest + per_cycle
        if extra_ml_per_s == 0.0:
            i = bisect_left(self.cum_ml, rest)
            values = self.cum_ml
        else:
            breaks = self.breaks_s
            values = tuple(c + extra_ml_per_s * b for c, b in zip(self.cum_ml, breaks, strict=True))
            i = bisect_left(values, rest)
        i = min(max(i, 1), len(self.breaks_s) - 1)
        rate = self.rates_ml_per_s[i - 1] + extra_ml_per_s
        pos = self.breaks_s[i - 1] + (rest - values[i - 1]) / rate if rate > 0 else self.breaks_s[i]
        return max(start_offset_s, cycles * self.cycle_s + pos)
