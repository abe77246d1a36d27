"""What the pump answers about one command, read from the events the firmware logged.

One mapping for both emulators: the in-process `EmulatedPump` turns it into the
port's return values (or `InvalidTransition`), the telemetry emulator sends it as
the answer's `result`, and `TelemetryPump` turns it back into the same values.
"""

from __future__ import annotations

from typing import Any

from thecal.core.pump.events import Event
from thecal.core.pump.state import PumpState

REFUSABLE = {"apply_program": "program", "start_bolus": "bolus"}  # op -> event kind


def outcome(op: str, out: list[Event], after: PumpState) -> dict[str, Any]:
    if op == "demand":
        e = next(e for e in out if e.kind == "demand")
        return {
            "result": e.get("result"),
            "reason": e.get("reason"),
            "lockout_remaining_s": after.lockout_remaining_s,
        }
    if op == "refill":
        e = next(e for e in out if e.kind == "refill")
        refused = e.get("result") == "refused"
        return {
            "accepted": not refused,
            "reason": e.get("reason"),
            "withdrawn_ml": 0.0 if refused else e.get("withdrawn_ml"),
        }
    kind = REFUSABLE.get(op)
    refused = [e for e in out if kind and e.kind == kind and e.get("result") == "refused"]
    if refused:
        return {"accepted": False, "reason": refused[0].get("reason") or refused[0].get("reasons")}
    return {"accepted": True, "reason": None}
