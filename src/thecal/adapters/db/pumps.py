"""A patient's pump (the `Pumps` repository): loaded from its row as an
`EmulatedPump` (or reached over telemetry as a `TelemetryPump`,
adapters/pump/links.py), and saved back with its worklist outlook, alarms and a
reading.

Saving goes through the row's version (optimistic locking): if another request saved
the same pump in between, the UPDATE matches no row, SQLAlchemy raises, and the
whole transaction, including whatever the programmer did to the in-memory pump, is
thrown away.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from thecal.adapters.db.models import AlarmRow, Implant, Pump, Reading
from thecal.adapters.pump import EmulatedPump
from thecal.adapters.pump.flow import EmulatedFlowPump, FlowRecord
from thecal.adapters.pump.links import InProcessLinks, PumpLinks, TelemetryLinks
from thecal.adapters.pump.state_blob import dump_flow, dump_state, load_flow, load_state
from thecal.adapters.telemetry import TelemetryPump
from thecal.core.drugs import DrugLibrary
from thecal.core.errors import Conflict, InvalidTransition, NotFound
from thecal.core.pump import constant_flow, firmware
from thecal.core.pump.events import ALARM_SEVERITY
from thecal.core.pump.models import PumpCatalogue, PumpModel
from thecal.core.pump.program import Program
from thecal.core.pump.state import PumpState
from thecal.services.clinic.outlook import Outlook
from thecal.services.clinic.ports import ImplantFacts, StoredPump
from thecal.services.ports import Interrogation

# what a telemetry pump's row holds instead of a firmware state: the pump owns it
TELEMETRY_STATE = (b"", "telemetry")


class SqlPumps:
    """The `Pumps` repository: a pump's row, loaded as an `EmulatedPump` from its state
    blob, or as a `TelemetryPump` reached by its implant's serial."""

    def __init__(
        self, db: Session, catalogue: PumpCatalogue, library: DrugLibrary, links: PumpLinks
    ) -> None:
        self.db, self.catalogue, self.library, self.links = db, catalogue, library, links
        self._opened: list[TelemetryPump] = []  # radio links, closed with the unit of work

    def _open(self, serial: str) -> TelemetryPump:
        assert isinstance(self.links, TelemetryLinks)
        pump = self.links.open(serial)
        self._opened.append(pump)
        return pump

    def close(self) -> None:
        """Close every telemetry link this unit of work opened (their UDP sockets)."""
        while self._opened:
            self._opened.pop().hang_up()

    def commission(
        self,
        patient_id: int,
        implant: ImplantFacts,
        model: PumpModel,
        program: Program,
        fill_ml: float,
        catheter_volume_ml: float,
        now_s: float,
    ) -> None:
        """Start the new pump: in process, its first state goes in the row; over
        telemetry the pump starts itself on its own clock and the row holds none."""
        state = None
        if not model.programmable:  # gas-driven: no telemetry, the clinic keeps a ledger
            flow = constant_flow.initial_flow_state(
                model, program, fill_ml, catheter_volume_ml, start_s=now_s
            )
            row = new_pump_row(patient_id, implant.id, model.id, None, now_s)
            row.state, row.state_sha256 = dump_flow(FlowRecord(flow, fill_ml, now_s))
            row.shown, row.last_refill_s = flow.shown, now_s
            self.db.add(row)
            self.db.flush()
            return
        if isinstance(self.links, TelemetryLinks):
            pump = self._open(implant.serial)
            if pump.key is None:  # factory-new: paired in theatre, before it is filled
                pump.pair()
            answer = pump.commission(model.id, program, fill_ml, catheter_volume_ml)
            if not answer["result"]["accepted"]:
                raise InvalidTransition(f"the pump refused the implant: {answer['result']}")
        else:
            state, _ = firmware.initial_state(
                model, self.library, program, fill_ml, None, catheter_volume_ml, start_s=now_s
            )
        row = new_pump_row(patient_id, implant.id, model.id, state, now_s)
        row.last_refill_s = now_s
        self.db.add(row)
        self.db.flush()

    def get(self, patient_id: int, expected_version: int | None = None) -> StoredPump:
        row = self.db.scalars(select(Pump).where(Pump.patient_id == patient_id)).first()
        if row is None:
            raise NotFound(f"patient {patient_id} has no pump")
        if expected_version is not None and row.therapy_version != expected_version:
            raise Conflict(
                f"the therapy was changed by someone else since this screen was drawn "
                f"(therapy version {row.therapy_version}, the screen showed "
                f"{expected_version}): review the new program before you try again"
            )
        model = self.catalogue.get(row.model_id)
        if model is None:
            raise NotFound(f"pump model {row.model_id!r} is not in the catalogue")
        pump: EmulatedPump | EmulatedFlowPump | TelemetryPump
        if not model.programmable:
            pump = EmulatedFlowPump(load_flow(row.state, row.state_sha256, model))
        elif isinstance(self.links, InProcessLinks):
            pump = EmulatedPump(load_state(row.state, row.state_sha256, model, self.library))
        else:
            serial = self.db.scalars(select(Implant.serial).where(Implant.id == row.implant_id))
            pump = self._open(serial.one())
        return StoredPump(
            patient_id, pump, model, row.as_of_s, row.last_refill_s, row.version, row,
            row.therapy_version, row.naive_fill,
        )  # fmt: skip

    def remove(self, patient_id: int) -> None:
        row = self.db.scalars(select(Pump).where(Pump.patient_id == patient_id)).first()
        if row is None:
            raise NotFound(f"patient {patient_id} has no pump")
        self.db.delete(row)
        self.db.flush()

    def save(
        self,
        stored: StoredPump,
        interrogation: Interrogation,
        outlook: Outlook,
        daily_dose_mcg: float | None,
        reading: bool,
    ) -> None:
        """Store the pump's state, its outlook, the alarms it logged, and a reading."""
        row: Pump = stored.handle
        pump = stored.pump
        if isinstance(pump, EmulatedPump):
            row.state, row.state_sha256 = dump_state(pump.state)
        elif isinstance(pump, EmulatedFlowPump):
            row.state, row.state_sha256 = dump_flow(pump.record)
        store_outlook(row, outlook)
        row.last_refill_s = stored.last_refill_s
        row.naive_fill = stored.naive_fill
        row.therapy_version = stored.therapy_version
        if isinstance(pump, EmulatedPump):
            _log_alarms(self.db, row.patient_id, pump)
        elif isinstance(pump, TelemetryPump):
            _reconcile_alarms(self.db, row.patient_id, interrogation)
        if reading:
            self.db.add(
                Reading(
                    patient_id=row.patient_id,
                    at_s=outlook.as_of_s,
                    reservoir_estimate_ml=outlook.reservoir_estimate_ml,
                    daily_dose_mcg=daily_dose_mcg,
                )
            )
        self.db.flush()


def new_pump_row(
    patient_id: int, implant_id: int, model_id: str, state: PumpState | None, epoch_s: float
) -> Pump:
    """The row of a new implant; `state` None for a pump reached over telemetry."""
    blob, digest = dump_state(state) if state is not None else TELEMETRY_STATE
    return Pump(
        patient_id=patient_id,
        implant_id=implant_id,
        model_id=model_id,
        epoch_s=epoch_s,
        state=blob,
        state_sha256=digest,
        as_of_s=epoch_s,
        shown=state.shown if state is not None else "stopped",
    )


def store_outlook(row: Pump, o: Outlook) -> None:
    """The worklist's columns, maintained on every write (never recomputed per read)."""
    row.as_of_s = o.as_of_s
    row.reservoir_estimate_ml = o.reservoir_estimate_ml
    row.shown = o.shown
    row.alarms = ",".join(o.alarms)
    row.eri = o.eri
    row.replacement_due_s = o.replacement_due_s
    row.end_of_service_s = o.end_of_service_s
    row.refill_due_s = o.refill_due_s
    row.refill_due_reason = o.refill_due_reason[:200]
    row.withdrawal_risk = o.withdrawal_risk
    row.drugs = o.drugs[:200]


def _reconcile_alarms(db: Session, patient_id: int, i: Interrogation) -> None:
    """A telemetry pump's alarms as the interrogation shows them: an active alarm
    without an open row opens one at the interrogation time, an open row whose alarm
    is no longer active is cleared then (its exact onset is in the pump's own log)."""
    db.flush()
    open_rows = list(
        db.scalars(
            select(AlarmRow).where(AlarmRow.patient_id == patient_id, AlarmRow.cleared_s.is_(None))
        )
    )
    active = set(i.active_alarms)
    onsets = dict(i.alarm_onsets)  # the pump's own log (SR-32); else the reading's time
    priorities = dict(i.alarm_priorities)
    silences = dict(i.alarm_silences)  # the tone silenced at the pump, until when
    acknowledged = dict(i.alarm_acknowledged)  # at the pump, when first (SR-32)
    for a in open_rows:
        if a.code not in active:
            a.cleared_s = i.at_s
            continue
        if a.code in silences:
            a.silenced_until_s = silences[a.code]
        if a.pump_acknowledged_s is None and a.code in acknowledged:
            a.pump_acknowledged_s = acknowledged[a.code]
    for code in sorted(active - {a.code for a in open_rows}):
        severity = ALARM_SEVERITY.get(code, "info")
        onset = onsets.get(code, i.at_s)
        db.add(AlarmRow(patient_id=patient_id, code=code, severity=severity, onset_s=onset,
                        priority=priorities.get(code),
                        silenced_until_s=silences.get(code),
                        pump_acknowledged_s=acknowledged.get(code)))  # fmt: skip


def _log_alarms(db: Session, patient_id: int, pump: EmulatedPump) -> None:
    """What the firmware logged since the pump was loaded (SR-32): onset with its
    priority, a silence at the pump (until when), an acknowledgement at the pump, and the
    clear. A clinician's acknowledgement is separate: made on the worklist, audited."""
    for e in pump.events:
        if e.kind != "alarm" or e.get("result") == "refused":
            continue
        code, phase = e.get("code"), e.get("phase")
        if phase == "onset":
            db.add(
                AlarmRow(
                    patient_id=patient_id,
                    code=code,
                    severity=ALARM_SEVERITY.get(code, "info"),
                    onset_s=e.t,
                    priority=e.get("priority"),
                )
            )
            continue
        db.flush()
        open_rows = db.scalars(
            select(AlarmRow).where(
                AlarmRow.patient_id == patient_id,
                AlarmRow.code == code,
                AlarmRow.cleared_s.is_(None),
            )
        )
        for a in open_rows:
            if phase == "clear":
                a.cleared_s = e.t
            elif phase == "silence":
                a.silenced_until_s = e.get("until")
            elif phase == "acknowledge" and a.pump_acknowledged_s is None:
                a.pump_acknowledged_s = e.t
    pump.events.clear()
