"""The clinic's clock: real time, or real time accelerated from an anchor (the demo).

The only place the clinic reads the wall clock. Pumps are advanced to this clock;
it never runs backwards, because the anchor is stored with the clinic's data.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ClinicClock:
    anchor_clinic_s: float
    anchor_real_s: float
    speed: float = 1.0
    real: Callable[[], float] = field(default=time.time, compare=False)

    def now(self) -> float:
        return self.anchor_clinic_s + (self.real() - self.anchor_real_s) * self.speed

    @classmethod
    def real_time(cls) -> ClinicClock:
        t = time.time()
        return cls(t, t, 1.0)


@dataclass
class FixedClock:
    """A clock that moves only when told: tests and the demo seed."""

    t: float

    def now(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds
