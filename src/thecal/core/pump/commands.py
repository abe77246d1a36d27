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
    # a temporary program: the pump reverts to the program it replaces after this many
    # seconds, on its own (SR-36); None for a base program
    temporary_s: float | None = None


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
    fault: str  # one of FAULTS
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
class SilenceAlarm:
    """Silence an active alarm's tone; it sounds again after `duration_s` if its
    condition lasts. The pump refuses a silence longer than its priority allows (SR-29)."""

    code: str
    duration_s: float


@dataclass(frozen=True)
class AcknowledgeAlarm:
    """A person has seen the alarm: logged with its time (SR-32), nothing else."""

    code: str


@dataclass(frozen=True)
class SelfTest:
    """Run every self-test check now, as at power-on (SR-40)."""


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
    | SilenceAlarm
    | AcknowledgeAlarm
    | SelfTest
    | Environment
)
PROGRAMMER_BOLUS_KINDS = ("clinician", "bridge", "priming")
# memory, clock and firmware faults a self-test finds (SR-40): injected, they are found
# by the next periodic check (or a SelfTest), and delivery stops
SELF_TEST_FAULTS = ("program_crc", "library_crc", "clock", "watchdog")
# a valve that opens and stays open (SR-20): the free-flow hazard of a valve-gated pump
VALVE_FAULTS = ("valve_open",)
FAULTS = (
    ("bias", "occlusion", "occlusion_cleared", "stall", "stall_cleared")
    + SELF_TEST_FAULTS
    + VALVE_FAULTS
)
