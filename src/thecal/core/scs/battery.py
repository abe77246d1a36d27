"""How long a stimulator's battery lasts on a program: to replacement (primary cell)
or between recharges (rechargeable).

Each active phase drives the amplitude I through the lead impedance R for the pulse
width (passive recharge after it costs the battery nothing), so the stimulation
power is I^2 R x pulse width x pulses per second x duty; the battery supplies it
through the output stage's efficiency, plus the quiescent drain.
"""

from __future__ import annotations

from dataclasses import dataclass

from thecal.core.scs.catalogue import RECHARGEABLE, ScsCatalogue, Stimulator
from thecal.core.scs.program import ScsProgram
from thecal.core.units import HOURS_PER_DAY


@dataclass(frozen=True)
class BatteryOutlook:
    drain_ma: float  # average current from the battery
    days: float  # primary: to depletion; rechargeable: until the recharge level
    recharge: bool


def pulses_per_s(p: ScsProgram, cat: ScsCatalogue) -> float:
    mode = cat.modes[p.mode]
    return p.frequency_hz * mode.pulses_per_burst


def battery_outlook(p: ScsProgram, stim: Stimulator, cat: ScsCatalogue) -> BatteryOutlook:
    amps = p.amplitude_ma / 1000.0
    power_w = amps * amps * cat.impedance_ohm * (p.pulse_width_us * 1e-6) * pulses_per_s(
        p, cat) * p.duty
    drain_ma = power_w / (stim.efficiency * stim.battery_v) * 1000.0 + stim.quiescent_ua / 1000.0
    usable = stim.battery_mah * (1.0 - stim.recharge_at_pct / 100.0)
    return BatteryOutlook(drain_ma, usable / drain_ma / HOURS_PER_DAY, stim.battery == RECHARGEABLE)
