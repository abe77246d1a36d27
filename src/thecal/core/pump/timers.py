"""The alarm system's timers firing at an instant (see alarm_system.py for why they
exist). Order at one instant: the self-test first (a failed check stops delivery before
anything else is decided), then a temporary program's expiry, then a suspension's
escalation, then silences ending; all after the strokes, bolus ends and stall
recoveries due at the same instant (pump-behaviour.md §13)."""

from __future__ import annotations

from thecal.core.pump.alarm_system import (
    priority,
    self_test_due,
    suspension_alarm_t,
    table,
)
from thecal.core.pump.events import Event, alarm, event
from thecal.core.pump.settle import logged
from thecal.core.pump.state import NOT_YET, PumpState
from thecal.core.units import SECONDS_PER_DAY


def anchor(t: float) -> float:
    """The program cycle's anchor: the midnight at or before t."""
    return (t // SECONDS_PER_DAY) * SECONDS_PER_DAY


def run_self_test(s: PumpState) -> PumpState:
    """Every check at once: each corruption present is found and stops delivery."""
    return s.changed(self_test_failed=s.self_test_failed | s.corrupt, corrupt=frozenset())


def revert_temporary(s: PumpState) -> PumpState:
    """The base program again, where the clock now is; the lockout is not restarted."""
    return s.changed(
        program=s.base_program, base_program=None, temporary_until=NOT_YET, anchor_s=anchor(s.t)
    )


def fire_timers(s: PumpState, out: list[Event]) -> PumpState:
    t = s.t
    if self_test_due(s):
        s = logged(s, run_self_test(s), out)
    if s.temporary_until <= t:
        reverted = revert_temporary(s)
        out.append(event(t, "program", result="reverted", reason="temporary_expired"))
        s = logged(s, reverted, out)
    if s.suspended and not s.suspension_alarm and suspension_alarm_t(s) <= t:
        s = logged(s, s.changed(suspension_alarm=True), out)
    if s.silenced and any(until <= t for _, until in s.silenced):
        active = s.active_alarms()
        for code, until in s.silenced:
            if until <= t and code in active:  # the condition lasts: it sounds again (SR-29)
                out.append(alarm(t, code, "resound", priority(s, code)))
        s = s.changed(silenced=tuple(x for x in s.silenced if x[1] > t))
    return s


def silence(s: PumpState, code: str, duration_s: float) -> tuple[PumpState, list[Event]]:
    """Silence an active alarm's tone for at most its priority's bound (SR-29)."""
    level = priority(s, code) if code in s.active_alarms() else None
    bound = table(s).silence_max_s.get(level or "", 0.0)
    reason = (
        "not_active" if level is None
        else "no_tone" if level == "information"
        else "not_positive" if not duration_s > 0.0
        else "above_bound" if duration_s > bound
        else None
    )  # fmt: skip
    if reason is not None:
        refused = event(s.t, "alarm", code=code, phase="silence", result="refused",
                        reason=reason, bound_s=bound)  # fmt: skip
        return s, [refused]
    assert level is not None
    until = s.t + duration_s
    kept = tuple(x for x in s.silenced if x[0] != code) + ((code, until),)
    return s.changed(silenced=kept), [alarm(s.t, code, "silence", level, until=until)]


def acknowledge(s: PumpState, code: str) -> tuple[PumpState, list[Event]]:
    """Logged with its time (SR-32); it neither clears the alarm nor silences it."""
    if code not in s.active_alarms():
        return s, [event(s.t, "alarm", code=code, phase="acknowledge", result="refused",
                         reason="not_active")]  # fmt: skip
    first = s if any(c == code for c, _ in s.acknowledged) else s.changed(
        acknowledged=(*s.acknowledged, (code, s.t)))  # fmt: skip
    return first, [alarm(s.t, code, "acknowledge", priority(s, code))]
