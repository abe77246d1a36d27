"""The ports the services talk through (cosmicpython's ports and adapters).

The programmer reaches the pump only through `PumpPort`: an in-process emulator
today, a telemetry link tomorrow. Anything that crosses it can fail with
`LinkError`, and the services must treat the result as unknown until the pump is
interrogated again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from thecal.core.pump.program import DrugConcentration, Program


@dataclass(frozen=True)
class Interrogation:
    """What the pump reports about itself: its own view, never the true reservoir."""

    at_s: float
    model_id: str
    program: Program | None
    program_digest: str | None
    reservoir_estimate_ml: float | None  # None for a pump that keeps no estimate
    state: str
    active_alarms: tuple[str, ...]
    elective_replacement: bool
    battery_fraction: float = 1.0
    days_to_end_of_service: float | None = None  # at the recent average drain
    lockout_remaining_s: float = 0.0  # until the next patient bolus could be granted
    # a temporary program runs until then and the pump reverts to `base_program` (SR-36)
    temporary_until_s: float | None = None
    # each active alarm's onset on the pump's clock (SR-32); empty for a pump that
    # keeps none
    alarm_onsets: tuple[tuple[str, float], ...] = ()
    # delivery has been stopped since then (a suspension or a stopping alarm, from the
    # pump's own clock); None while it delivers (issue 24: a long stop is a new start)
    delivery_stopped_since_s: float | None = None
    # each active alarm's IEC 60601-1-8 priority now (alarms.toml; issue 26)
    alarm_priorities: tuple[tuple[str, str], ...] = ()
    base_program: Program | None = None
    # each active alarm whose tone is silenced at the pump, and until when (SR-29): so a
    # telemetry pump's silence reaches the clinic as an in-process pump's log does
    alarm_silences: tuple[tuple[str, float], ...] = ()
    # each active alarm acknowledged at the pump, and when first (SR-32)
    alarm_acknowledged: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class DemandAnswer:
    """The pump's answer to a patient's bolus request (SR-10, SR-16)."""

    request_id: str
    result: str  # granted | denied
    reason: str | None
    lockout_remaining_s: float


@dataclass(frozen=True)
class RefillResult:
    withdrawn_ml: float  # what the clinician's syringe drew out
    accepted: bool
    reason: str | None = None


class PumpPort(Protocol):
    def interrogate(self, now_s: float) -> Interrogation: ...

    def apply_program(
        self,
        program: Program,
        now_s: float,
        library_digest: str | None = None,
        temporary_s: float | None = None,
    ) -> None: ...

    def start_bolus(self, kind: str, volume_ml: float, duration_s: float, now_s: float) -> None: ...

    def request_demand(self, request_id: str, now_s: float) -> DemandAnswer: ...

    def refill(
        self, add_ml: float, drugs: tuple[DrugConcentration, ...], entered_ml: float, now_s: float
    ) -> RefillResult: ...
