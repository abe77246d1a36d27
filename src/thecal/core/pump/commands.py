"""What can be asked of the pump: imperative, immutable inputs to `step`.

Quantities are canonical (s, mL, mcg, mcg/mL); the edges parse text into them.
"""

from __future__ import annotations

from dataclasses import dataclass

from thecal.core.pump.program import Amount, DrugConcentration, Program


@dataclass(frozen=True)
class Tick:
    """Only let time pass."""


@dataclass(frozen=True)
class ApplyProgram:
    program: Program
    library_digest: str | None = None  # the library the programmer checked it with (SR-41)


@dataclass(frozen=True)
class DemandRequest:
    id: str


@dataclass(frozen=True)
class Refill:
    add_ml: float
    drugs: tuple[DrugConcentration, ...]
    entered_ml: float | None = None
    pocket_fill_ml: float = 0.0


@dataclass(frozen=True)
class StartBolus:
    kind: str  # clinician | bridge | priming
    amount: Amount
    duration_s: float


@dataclass(frozen=True)
class Suspend:
    pass


@dataclass(frozen=True)
class Resume:
    pass


@dataclass(frozen=True)
class Fault:
    fault: str  # bias | occlusion | occlusion_cleared | stall | stall_cleared
    value: float = 0.0


@dataclass(frozen=True)
class MriExposure:
    duration_s: float
    recovery_s: float = 0.0


@dataclass(frozen=True)
class ValveReset:
    pass


@dataclass(frozen=True)
class TelemetrySession:
    """A programmer (or the patient's handset) woke the pump's radio: one session's
    charge (`uah_per_telemetry_session`) leaves the battery (pump-behaviour.md §11)."""


@dataclass(frozen=True)
class Environment:
    body_temp_c: float | None = None
    ambient_kpa: float | None = None


Command = (
    Tick
    | ApplyProgram
    | DemandRequest
    | Refill
    | StartBolus
    | Suspend
    | Resume
    | Fault
    | MriExposure
    | ValveReset
    | TelemetrySession
    | Environment
)
PROGRAMMER_BOLUS_KINDS = ("clinician", "bridge", "priming")
FAULTS = ("bias", "occlusion", "occlusion_cleared", "stall", "stall_cleared")
