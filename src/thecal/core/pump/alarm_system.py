"""The pump's alarm system over the firmware's level-triggered alarms (issue 26).

The firmware says which conditions hold (`PumpState.active_alarms`); this module adds
what makes them a system: a priority that depends on the drug in the reservoir, a
suspension that escalates after a drug-dependent time (SR-30), a tone that may be
silenced only for a bounded time and sounds again while its condition lasts (SR-29),
acknowledgements in the log (SR-32), the periodic self-test (SR-40) and the expiry of a
temporary program (SR-36). Every timer is a time in the state, so `advance` stops at it
exactly as it stops at a threshold stroke, and a pump with no timer running pays
nothing for them.
"""

from __future__ import annotations

import math

from thecal.core.pump.alarm_table import (
    NO_WITHDRAWAL,
    WITHDRAWAL_CRITICAL,
    WITHDRAWAL_RISK,
    AlarmTable,
)
from thecal.core.pump.path import pad
from thecal.core.pump.state import NOT_YET, PumpState


def table(s: PumpState) -> AlarmTable:
    alarms = s.model.alarms
    assert alarms is not None, "a programmable pump model carries its alarm table"
    return alarms


def fluid_class(s: PumpState) -> str:
    """What the reservoir holds, for the escalations: withdrawal-critical (baclofen,
    clonidine), a withdrawal risk (an opioid), or neither."""
    concentrations = pad(s.reservoir_conc, len(s.drug_names))
    present = [n for n, c in zip(s.drug_names, concentrations, strict=True) if c > 0.0]
    if any(name in table(s).withdrawal_critical_drugs for name in present):
        return WITHDRAWAL_CRITICAL
    risky = any((d := s.library.get(n)) is not None and d.withdrawal_risk for n in present)
    return WITHDRAWAL_RISK if risky else NO_WITHDRAWAL


def priority(s: PumpState, code: str) -> str:
    return table(s).priority(code, fluid_class(s))


def timers_running(s: PumpState) -> bool:
    return bool(
        s.silenced
        or s.corrupt
        or s.temporary_until != NOT_YET
        or (s.suspended and not s.suspension_alarm)
    )


def suspension_alarm_t(s: PumpState) -> float:
    return s.suspended_from_t + table(s).suspension_alarm_s[fluid_class(s)]


def self_test_t(s: PumpState) -> float:
    """The next periodic self-test strictly after s.t, on the clock's grid."""
    interval = table(s).self_test_interval_s
    return (math.floor(s.t / interval) + 1) * interval


def next_timer_t(s: PumpState) -> float:
    """The earliest time after s.t at which a timer fires (NOT_YET when none runs)."""
    t = s.temporary_until
    for _, until in s.silenced:
        t = min(t, until)
    if s.suspended and not s.suspension_alarm:
        t = min(t, suspension_alarm_t(s))
    if s.corrupt:
        t = min(t, self_test_t(s))
    return t


def self_test_due(s: PumpState) -> bool:
    return bool(s.corrupt) and s.t % table(s).self_test_interval_s == 0.0
