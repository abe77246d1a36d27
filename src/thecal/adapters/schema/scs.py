"""A spinal cord stimulation program as the clinic accepts it. Its numbers carry
their units in their names (mA, us, Hz, s); the limits (SCS-01..03) are the core's
`check_scs_program`, run against the stimulator and lead implanted."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from thecal.adapters.schema.base import Doc
from thecal.adapters.schema.types import NonNegative, Whole
from thecal.core.scs.program import Electrode, ScsProgram


class ElectrodeDoc(Doc):
    contact: Whole
    polarity: Literal["-", "+"]
    share: NonNegative = 1.0


class ScsProgramDoc(Doc):
    mode: str
    amplitude_ma: NonNegative
    pulse_width_us: NonNegative
    frequency_hz: NonNegative
    electrodes: list[ElectrodeDoc] = Field(min_length=1)
    cycle_on_s: NonNegative = 0.0
    cycle_off_s: NonNegative = 0.0

    def core(self) -> ScsProgram:
        return ScsProgram(
            self.mode, self.amplitude_ma, self.pulse_width_us, self.frequency_hz,
            tuple(Electrode(e.contact, e.polarity, e.share) for e in self.electrodes),
            self.cycle_on_s, self.cycle_off_s,
        )  # fmt: skip
