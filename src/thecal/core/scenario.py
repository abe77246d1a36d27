"""A scenario: one implanted pump, its first program and what happens to it.

Pure data in canonical units; the file format lives in the adapters.
"""

from __future__ import annotations

from dataclasses import dataclass

from thecal.core.pump import commands as c
from thecal.core.pump.models import PumpModel
from thecal.core.pump.program import Program
from thecal.core.therapy.catheter import catheter_volume_ml


@dataclass(frozen=True)
class TimedCommand:
    t_s: float
    index: int  # position in the file, for ties and messages
    command: c.Command


@dataclass(frozen=True)
class Scenario:
    model: PumpModel
    catheter_length_cm: float
    catheter_ul_per_cm: float
    catheter_initial: str
    fill_ml: float
    entered_ml: float | None
    duration_s: float
    program: Program
    events: tuple[TimedCommand, ...]

    @property
    def catheter_volume_ml(self) -> float:
        return catheter_volume_ml(self.catheter_length_cm, self.catheter_ul_per_cm)
