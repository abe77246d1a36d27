"""A whole programming or refill session from a file (`thecal session run FILE`): the
pump to reach (an in-process emulator described here, or an emulator process by
address), the patient's context, what is proposed, the sign-off, and link faults to
inject - so an interrupted session, a read-back mismatch and an uncertain outcome can
be shown without the clinic (docs/formats.md)."""

from __future__ import annotations

from typing import Any

from pydantic import Field, model_validator

from thecal.adapters.schema.base import Doc
from thecal.adapters.schema.program import DrugDoc, PumpProgramDoc
from thecal.adapters.schema.programmer import CatheterDoc, HistoryDoc, PatientDoc, PumpRef
from thecal.adapters.schema.types import Duration, Text, Timestamp, VolumeMl, choice

OPERATIONS = ("interrogate", "apply_program", "start_bolus", "refill")
WHEN = ("before", "after", "ignored")


class EmulatorDoc(PumpRef):
    """A pump emulated in this process, commissioned at `since` with `program`."""

    program: PumpProgramDoc
    fill_ml: VolumeMl
    since: Timestamp


class RemoteDoc(Doc):
    """A `thecal emulator serve` process, already commissioned, reached over UDP."""

    address: str = Field(pattern=r"^[\w.-]+:\d{1,5}$", description="host:port")
    serial: Text


class FaultDoc(Doc):
    """During the commit (after the session's first interrogation), the link fails on
    the next `operation`: `before` the pump got it, `after` it applied it (the answer
    lost), or the pump acknowledged it and `ignored` it (a firmware fault that only the
    read-back can catch)."""

    operation: choice(OPERATIONS)  # type: ignore[valid-type]
    when: choice(WHEN)  # type: ignore[valid-type]

    @model_validator(mode="after")
    def _ignored_is_a_write(self) -> Any:
        if self.when == "ignored" and self.operation not in ("apply_program", "start_bolus"):
            raise ValueError("only apply_program or start_bolus can be ignored by the pump")
        return self


class SessionRefillDoc(Doc):
    add_ml: VolumeMl
    drugs: list[DrugDoc]
    lot: Text
    entered_ml: VolumeMl | None = None
    program: PumpProgramDoc | None = None  # the program for a new fluid
    bridge_duration: Duration | None = None  # at a concentration change


class SessionSignoffDoc(Doc):
    """The standalone programmer keeps no accounts: the second person is recorded by
    name (the clinic authenticates them). The confirmation names the digest of the
    review it confirms (printed by `--check`); `--confirm` confirms the review shown."""

    acknowledgements: dict[str, Text] = Field(default_factory=dict)
    verifier: Text | None = None
    reviewed_digest: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")


class SessionDoc(Doc):
    user: Text
    now: Timestamp
    emulator: EmulatorDoc | None = None
    remote: RemoteDoc | None = None
    patient: PatientDoc = PatientDoc()
    catheter: CatheterDoc = CatheterDoc()
    history: list[HistoryDoc] = Field(default_factory=list)
    program: PumpProgramDoc | None = None
    bridge_duration: Duration | None = None
    refill: SessionRefillDoc | None = None
    signoff: SessionSignoffDoc = SessionSignoffDoc()
    faults: list[FaultDoc] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_pump_and_one_change(self) -> Any:
        if (self.emulator is None) == (self.remote is None):
            raise ValueError("give exactly one pump: 'emulator' or 'remote'")
        if (self.program is None) == (self.refill is None):
            raise ValueError("give exactly one change: 'program' or 'refill'")
        if self.faults and self.emulator is None:
            raise ValueError("faults are injected into an in-process 'emulator' only")
        return self
