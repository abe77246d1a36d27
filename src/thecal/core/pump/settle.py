"""What one instant changed, logged: alarm onsets and clears with their priority, the
state shown, and the boluses a stop interrupted (they are never resumed)."""

from __future__ import annotations

from thecal.core.pump.alarm_system import priority
from thecal.core.pump.events import ALARM_SEVERITY, Event, alarm, event
from thecal.core.pump.state import DELIVERING, NOT_YET, PumpState, RunningBolus

_ALARM_ORDER = tuple(ALARM_SEVERITY)


def settle(before: PumpState, after: PumpState) -> tuple[PumpState, list[Event]]:
    """Log what changed between two states at one instant: alarms, the state shown,
    and boluses interrupted because delivery stopped (they are never resumed)."""
    t = after.t
    out: list[Event] = []
    if after.suspended != before.suspended:  # the escalation clock runs per suspension
        after = after.changed(
            suspended_from_t=t if after.suspended else NOT_YET, suspension_alarm=False
        )
    was, now = before.active_alarms(), after.active_alarms()
    if was != now:
        for code in _ALARM_ORDER:
            if code in now and code not in was:
                out.append(alarm(t, code, "onset", priority(after, code)))
            elif code in was and code not in now:
                out.append(alarm(t, code, "clear", priority(after, code)))
                if code == "MOTOR_STALL":
                    recovered = "MOTOR_STALL_RECOVERED"
                    out.append(alarm(t, recovered, "onset", priority(after, recovered)))
        kept = tuple(x for x in after.alarm_since if x[0] in now)
        begun = tuple((code, t) for code in _ALARM_ORDER if code in now and code not in was)
        after = after.changed(alarm_since=kept + begun)
        if after.silenced:  # a silence ends with its alarm
            after = after.changed(silenced=tuple(x for x in after.silenced if x[0] in now))
        if after.acknowledged:  # and so does an acknowledgement
            after = after.changed(acknowledged=tuple(x for x in after.acknowledged if x[0] in now))
    shown_before, shown_after = before.shown, after.shown
    if shown_before != shown_after:
        out.append(event(t, "state", **{"from": shown_before, "to": shown_after}))
        if shown_before == DELIVERING and after.boluses:
            out.extend(bolus_end(b, t) for b in after.boluses)
            after = after.changed(boluses=())
    return after, out


def logged(before: PumpState, after: PumpState, out: list[Event]) -> PumpState:
    """`after`, settled against `before`, its log appended to `out`."""
    after, events = settle(before, after)
    out.extend(events)
    return after


def bolus_end(b: RunningBolus, t: float) -> Event:
    delivered = b.programmed_ml if t >= b.end_t else b.rate_ml_per_s * (t - b.start_t)
    return event(
        t, "bolus", bolus=b.kind, phase="end", programmed_ml=b.programmed_ml, delivered_ml=delivered
    )
