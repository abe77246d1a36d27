"""What the pump reports: past-tense, immutable log entries (scenario-format.md, Output).

One small type with ordered fields keeps the log cheap to build on the hot path and
prints exactly the JSON the format describes.
"""

from __future__ import annotations

from typing import Any, NamedTuple


class Event(NamedTuple):
    """Immutable; a NamedTuple rather than a frozen dataclass because a frozen
    dataclass costs three times as much to build, and a year of demand requests
    builds tens of thousands of these."""

    t: float
    kind: str
    fields: tuple[tuple[str, Any], ...]

    def get(self, name: str) -> Any:
        for key, value in self.fields:
            if key == name:
                return value
        return None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"t": self.t, "kind": self.kind}
        out.update(self.fields)
        return out


def event_from_dict(d: dict[str, Any]) -> Event:
    """The inverse of `Event.as_dict` (an event that crossed the telemetry link)."""
    return event(d["t"], d["kind"], **{k: v for k, v in d.items() if k not in ("t", "kind")})


def event(t: float, kind: str, **fields: Any) -> Event:
    return Event(t, kind, tuple(fields.items()))


# Alarm catalogue (pump-behaviour.md §8, and the alarms issue 26 adds): code -> the
# contract's severity. Priorities, hazards and timings are data (alarms.toml); a test
# holds the two to each other (SR-27).
ALARM_SEVERITY = {
    "LOW_RESERVOIR": "non-critical",
    "EMPTY_RESERVOIR": "critical",
    "ELECTIVE_REPLACEMENT": "non-critical",
    "END_OF_SERVICE": "critical",
    "MOTOR_STALL": "critical",
    "MOTOR_STALL_RECOVERED": "info",
    "VALVE_CLOSED": "critical",
    "SUSPENSION_PROLONGED": "critical",
    "SELF_TEST_FAILURE": "critical",
}


# the alarms during which the pump delivers nothing: their onset starts an interruption
# of therapy (issue 24: a long one makes the next program a new start)
STOPPING_ALARMS = (
    "EMPTY_RESERVOIR",
    "END_OF_SERVICE",
    "MOTOR_STALL",
    "VALVE_CLOSED",
    "SELF_TEST_FAILURE",
)
# an alarm event's phases: onset and clear bound it (SR-32); silence, resound and
# acknowledge happen in between (SR-29)
ALARM_PHASES = ("onset", "clear", "silence", "resound", "acknowledge")


def alarm(t: float, code: str, phase: str, priority: str, **more: object) -> Event:
    return event(
        t, "alarm", code=code, severity=ALARM_SEVERITY[code], phase=phase, priority=priority,
        **more,
    )  # fmt: skip
