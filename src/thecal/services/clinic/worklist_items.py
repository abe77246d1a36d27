"""The worklist's items, built from plain rows: what each row means, how urgent it
is and what it says. The store only selects the rows (the `WorklistRows` port below,
adapters/db/worklist_rows.py on SQL, and the pumps' refill and replacement columns in
queries.py); every rule of the list lives here, so it is tested on hand-worked rows
and an in-memory port without a database (issue 25: "build the items in the service
layer from plain rows a port returns")."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from thecal.core.pump.alarm_table import AlarmTable
from thecal.core.safety import Policy
from thecal.core.therapy.pathway import EVALUATION, IDDS, IMPLANT, SCS, TRIAL, Device, Stage
from thecal.core.therapy.reconcile import FIRST_FILL, OK
from thecal.core.units import SECONDS_PER_DAY
from thecal.services.clinic import words
from thecal.services.clinic.worklist import (
    DUE_SOON,
    OVERDUE,
    SHOWN_AS_ANOTHER_ITEM,
    UPCOMING,
    WorkItem,
    alarm_rank,
    refill_detail,
    refill_rank,
    worklist_alarm_codes,
)


@dataclass(frozen=True)
class Listed:
    """Who a row is about, as the list names them."""

    patient_id: int
    name: str
    mrn: str


@dataclass(frozen=True)
class DueRefill(Listed):
    due_s: float
    reason: str
    withdrawal_risk: bool
    drugs: str
    empty: bool  # the pump shows empty now
    empty_since_s: float | None  # its open empty-reservoir alarm's onset, if the clinic has it


@dataclass(frozen=True)
class DueReplacement(Listed):
    due_s: float
    eri: bool  # the elective replacement indicator is on
    end_of_service_s: float | None
    withdrawal_risk: bool


@dataclass(frozen=True)
class OpenAlarm(Listed):
    alarm_id: int
    code: str
    recorded_priority: str | None  # as the pump logged it at onset (None: older rows)
    onset_s: float
    cleared_s: float | None


@dataclass(frozen=True)
class RefillWithChecks(Listed):
    refill_id: int
    at_s: float
    classification: str
    open_checks: tuple[str, ...]  # codes still to acknowledge


@dataclass(frozen=True)
class MissedAppointment(Listed):
    appointment_id: int
    start_s: float
    clinician: str


@dataclass(frozen=True)
class RunningTrial(Listed):
    kind: str
    drug: str
    started_s: float


@dataclass(frozen=True)
class OnPathway(Listed):
    stage: str
    why: str
    updated_s: float
    has_device_or_trial: bool  # an active pump or stimulator, or a trial running
    favoured: str | None = None  # "scs" or "idds", as the record's decision stored it


# refill classes whose record never holds a check to acknowledge: a first fill's row is
# written with none (first_fill.py). Every implant has one, so reading them all took
# the worklist's recompute from a few ms to 100-270 ms at 10,000 patients.
NEVER_CHECKED = (OK, FIRST_FILL)


class WorklistRows(Protocol):
    """The port: the rows the worklist reads whole (few at any time). The SQL adapter
    (adapters/db/worklist_rows.py) and the tests' fakes implement it."""

    def open_alarms(self) -> list[OpenAlarm]: ...  # worklist codes, not acknowledged
    # refills since `since_s` whose class is not one of NEVER_CHECKED
    def refills_with_checks(self, since_s: float) -> list[RefillWithChecks]: ...
    def missed_appointments(self, now_s: float) -> list[MissedAppointment]: ...
    def running_trials(self) -> list[RunningTrial]: ...
    def on_pathway(self) -> list[OnPathway]: ...  # at a stage that awaits a step


def other_items(
    rows: WorklistRows, now_s: float, policy: Policy, table: AlarmTable
) -> list[WorkItem]:
    """Alarms, discrepancies, missed appointments, trials and the care pathway: every
    item the pumps' refill and replacement columns do not give."""
    since = now_s - policy.worklist.discrepancy_lookback_days * SECONDS_PER_DAY
    found = (
        [alarm_item(a, now_s, table) for a in rows.open_alarms()]
        + [discrepancy_item(r) for r in rows.refills_with_checks(since)]
        + [appointment_item(b, now_s) for b in rows.missed_appointments(now_s)]
        + [trial_item(t) for t in rows.running_trials()]
        + [pathway_item(p) for p in rows.on_pathway()]
    )
    return [item for item in found if item is not None]


def alarm_priorities(table: AlarmTable) -> dict[str, tuple[str, str]]:
    """Each code's possible priorities: its own, and the one raised for a
    withdrawal-critical drug."""
    return {c: (a.priority, a.withdrawal_critical_priority) for c, a in table.alarms.items()}


def worklist_alarms(table: AlarmTable) -> tuple[str, ...]:
    """The alarm codes that can reach the list (what the store selects by)."""
    return worklist_alarm_codes(alarm_priorities(table))


def sounding_priority(table: AlarmTable, code: str, recorded: str | None) -> str:
    """The priority an alarm sounded with: the one the pump logged at onset (raised for a
    withdrawal-critical drug), or for rows from before priorities were kept (migration
    0013) the code's own. A code the table does not know is information, not hidden."""
    if recorded:
        return recorded
    return table.alarms[code].priority if code in table.alarms else "information"


def refill_item(r: DueRefill, now_s: float, policy: Policy) -> WorkItem:
    rank = refill_rank(r.due_s, now_s, r.withdrawal_risk, policy)
    detail = refill_detail(r.due_s, now_s, r.reason, r.drugs, r.empty, r.empty_since_s)
    return WorkItem(r.patient_id, r.name, r.mrn, "refill", rank, r.due_s, detail,
                    r.withdrawal_risk)  # fmt: skip


def replacement_item(r: DueReplacement, now_s: float) -> WorkItem:
    days = (r.due_s - now_s) / SECONDS_PER_DAY
    detail = (
        "elective replacement indicator on: schedule replacement"
        if r.eri
        else f"elective replacement indicator expected in {days:.0f} d"
    )
    if r.end_of_service_s is not None:
        detail += (
            f"; end of service about {words.date(r.end_of_service_s)} on the current "
            "program, when the pump stops"
        )
    return WorkItem(r.patient_id, r.name, r.mrn, "replacement", OVERDUE if r.eri else UPCOMING,
                    r.due_s, detail, r.withdrawal_risk)  # fmt: skip


def alarm_item(a: OpenAlarm, now_s: float, table: AlarmTable) -> WorkItem | None:
    """An alarm not yet acknowledged, ranked by the priority it sounded with; one below
    the list's priorities (or shown as a refill or replacement) is not listed."""
    if a.code in SHOWN_AS_ANOTHER_ITEM:
        return None
    priority = sounding_priority(table, a.code, a.recorded_priority)
    rank = alarm_rank(priority)
    if rank is None:
        return None
    if a.cleared_s is None:
        days = max(0.0, now_s - a.onset_s) / SECONDS_PER_DAY
        what = f"{words.alarm(a.code)}, since {words.date(a.onset_s)} ({days:.0f} days)"
    else:
        what = f"{words.alarm(a.code)}: cleared {words.date(a.cleared_s)}, not acknowledged"
    return WorkItem(a.patient_id, a.name, a.mrn, "alarm", rank, a.onset_s,
                    f"{what}; {priority} priority", ref_id=a.alarm_id)  # fmt: skip


def discrepancy_item(r: RefillWithChecks) -> WorkItem | None:
    """A refill whose checks are still to acknowledge; none once they are."""
    if not r.open_checks:
        return None
    detail = (f"refill of {words.date(r.at_s)}: {r.classification}; to acknowledge: "
              + "; ".join(words.refill_check(c) for c in r.open_checks))  # fmt: skip
    return WorkItem(r.patient_id, r.name, r.mrn, "discrepancy", OVERDUE, r.at_s, detail,
                    ref_id=r.refill_id)  # fmt: skip


def appointment_item(b: MissedAppointment, now_s: float) -> WorkItem:
    days = (now_s - b.start_s) / SECONDS_PER_DAY
    detail = (
        f"refill appointment on {words.date(b.start_s)} with {b.clinician} "
        f"({days:.0f} days ago), no refill recorded: rebook, or record the refill"
    )
    return WorkItem(b.patient_id, b.name, b.mrn, "appointment", OVERDUE, b.start_s, detail,
                    ref_id=b.appointment_id)  # fmt: skip


def trial_item(t: RunningTrial) -> WorkItem:
    return WorkItem(t.patient_id, t.name, t.mrn, "trial", UPCOMING, t.started_s,
                    words.trial_under_way(t.kind, t.drug, t.started_s))  # fmt: skip


PATHWAY_RANKS = {TRIAL: DUE_SOON, IMPLANT: DUE_SOON, EVALUATION: UPCOMING}
PATHWAY_WORDS = {TRIAL: "awaiting a trial", IMPLANT: "ready for implant", EVALUATION: "pathway"}
PATHWAY_STAGES = tuple(s.value for s in PATHWAY_RANKS)  # what the store selects by


def pathway_item(r: OnPathway) -> WorkItem | None:
    """A patient on the care pathway awaiting an evaluation, a trial or the implant (the
    stage their record's decision stored); not once a device is in or a trial runs."""
    stage = Stage(r.stage)
    if r.has_device_or_trial or stage not in PATHWAY_RANKS:
        return None
    return WorkItem(r.patient_id, r.name, r.mrn, "pathway", PATHWAY_RANKS[stage], r.updated_s,
                    f"{PATHWAY_WORDS[stage]}: {r.why}",
                    action=pathway_action(stage, r.favoured))  # fmt: skip


# the screen each stage's next step is taken on, for the favoured device
PATHWAY_ACTIONS: dict[tuple[Stage, Device | None], tuple[str, str]] = {
    (TRIAL, IDDS): ("trials", "Start the pump trial"),
    (TRIAL, SCS): ("scs", "Start the stimulator trial"),
    (IMPLANT, IDDS): ("device", "Implant the pump"),
    (IMPLANT, SCS): ("scs", "Implant the stimulator"),
}


def pathway_action(stage: Stage, favoured: str | None) -> tuple[str, str]:
    """Where the step the stage awaits is taken: an evaluation still incomplete (or a
    stage without a favoured device) is completed in the pathway record itself."""
    device = Device(favoured) if favoured in (SCS, IDDS) else None
    return PATHWAY_ACTIONS.get((stage, device), ("pathway", "Complete the pathway record"))
