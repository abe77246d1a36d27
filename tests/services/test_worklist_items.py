"""The worklist's rules on plain rows, worked by hand without a database (issue 25:
the items are built in the service layer from rows a port returns). The words and
ranks are those the clinic's list showed when they were built in the SQL adapter."""

from __future__ import annotations

from thecal.data import alarm_table, policy
from thecal.services.clinic import worklist_items as wi

DAY = 86_400.0
NOW = 1_796_601_600.0  # 2026-12-07 00:00 UTC (20,794 days after 1970-01-01)
TABLE = alarm_table()
POLICY = policy()  # due soon within 7 days (policy.toml [worklist])


def test_an_empty_baclofen_pump_ranks_first_and_says_since_when():
    r = wi.DueRefill(2, "Sam Okafor", "100001", NOW - 21.2 * DAY, "low-reservoir alarm",
                     True, "baclofen 2000 mcg/mL", True, NOW - 34 * DAY)  # fmt: skip
    item = wi.refill_item(r, NOW, POLICY)
    # overdue (urgent) raised one level for a withdrawal-risk drug: critical
    assert (item.kind, item.urgency, item.withdrawal_risk) == ("refill", "critical", True)
    assert item.detail == (
        "pump empty since 2026-11-03 (34 days), nothing delivered; "
        "21.2 d overdue: low-reservoir alarm (baclofen 2000 mcg/mL)"
    )


def test_a_refill_is_due_soon_within_the_policys_week_and_upcoming_after_it():
    def due_in(days: float, risk: bool = False) -> str:
        r = wi.DueRefill(1, "A", "1", NOW + days * DAY, "stability", risk, "morphine", False,
                         None)  # fmt: skip
        return wi.refill_item(r, NOW, POLICY).urgency

    assert [due_in(6.9), due_in(7.0), due_in(7.1)] == ["due soon", "due soon", "upcoming"]
    assert [due_in(-0.1), due_in(6.9, True), due_in(7.1, True)] == ["urgent", "urgent",
                                                                    "due soon"]  # fmt: skip
    r = wi.DueRefill(1, "A", "1", NOW + 3.25 * DAY, "stability", False, "morphine", False, None)
    assert wi.refill_item(r, NOW, POLICY).detail == "due in 3.2 d: stability (morphine)"


def test_a_replacement_at_eri_is_urgent_and_one_ahead_is_upcoming():
    eri = wi.DueReplacement(1, "Alex", "100000", NOW, True, NOW + 43 * DAY, True)
    item = wi.replacement_item(eri, NOW)
    assert (item.urgency, item.detail) == ("urgent", (
        "elective replacement indicator on: schedule replacement; end of service about "
        "2027-01-19 on the current program, when the pump stops"))  # fmt: skip
    ahead = wi.replacement_item(wi.DueReplacement(1, "B", "2", NOW + 30 * DAY, False, None,
                                                  False), NOW)  # fmt: skip
    assert (ahead.urgency, ahead.detail) == (
        "upcoming",
        "elective replacement indicator expected in 30 d",
    )


def test_alarms_rank_by_the_priority_they_sounded_with():
    def item(code: str, recorded: str | None = None, cleared_s: float | None = None):
        a = wi.OpenAlarm(3, "Jo", "100002", 7, code, recorded, NOW - 67 * DAY, cleared_s)
        return wi.alarm_item(a, NOW, TABLE)

    empty = item("EMPTY_RESERVOIR")  # no priority recorded: the table's own, high
    assert empty is not None and (empty.urgency, empty.ref_id) == ("critical", 7)
    assert empty.detail == ("pump empty: nothing is delivered, since 2026-10-01 (67 days); "
                            "high priority")  # fmt: skip
    # a suspension: medium (urgent), high for a withdrawal-critical drug as logged
    assert item("SUSPENSION_PROLONGED").urgency == "urgent"  # type: ignore[union-attr]
    assert item("SUSPENSION_PROLONGED", "high").urgency == "critical"  # type: ignore[union-attr]
    cleared = item("VALVE_CLOSED", cleared_s=NOW - DAY)
    assert cleared is not None and cleared.detail.endswith(
        ": cleared 2026-12-06, not acknowledged; high priority"
    )
    # information is not listed; a low reservoir is listed as its refill, even raised
    assert item("MOTOR_STALL_RECOVERED") is None
    assert item("LOW_RESERVOIR", "medium") is None and item("ELECTIVE_REPLACEMENT") is None
    assert wi.sounding_priority(TABLE, "NO_SUCH_CODE", None) == "information"


def test_a_refill_with_checks_to_acknowledge_is_listed_until_they_are():
    r = wi.RefillWithChecks(5, "Kim", "100004", 90, NOW - 2 * DAY, "possible overinfusion",
                            ("REFILL_DISCREPANCY",))  # fmt: skip
    item = wi.discrepancy_item(r)
    assert item is not None and (item.urgency, item.ref_id) == ("urgent", 90)
    assert item.detail == ("refill of 2026-12-05: possible overinfusion; to acknowledge: "
                           "the volume withdrawn differs from the one expected")  # fmt: skip
    done = wi.RefillWithChecks(5, "Kim", "100004", 90, NOW - 2 * DAY, "possible overinfusion",
                               ())  # fmt: skip
    assert wi.discrepancy_item(done) is None


def test_a_missed_appointment_a_trial_and_the_pathway():
    b = wi.MissedAppointment(4, "Robin", "100003", 12, NOW - 3 * DAY, "rn.clark")
    missed = wi.appointment_item(b, NOW)
    assert (missed.urgency, missed.ref_id) == ("urgent", 12)
    assert missed.detail == ("refill appointment on 2026-12-04 with rn.clark (3 days ago), "
                             "no refill recorded: rebook, or record the refill")  # fmt: skip
    t = wi.trial_item(wi.RunningTrial(6, "Lee", "100005", "baclofen_screening", "baclofen",
                                      NOW - 2 * DAY))  # fmt: skip
    assert (t.urgency, t.detail) == (
        "upcoming",
        "baclofen screening (bolus): under way since 2026-12-05",
    )

    def on(stage: str, busy: bool = False):
        return wi.pathway_item(wi.OnPathway(7, "Noor", "100006", stage, "axial back pain",
                                            NOW, busy))  # fmt: skip

    trial = on("trial")
    assert trial is not None and (trial.urgency, trial.detail) == (
        "due soon",
        "awaiting a trial: axial back pain",
    )
    assert on("evaluation").urgency == "upcoming"  # type: ignore[union-attr]
    assert on("implant").detail == "ready for implant: axial back pain"  # type: ignore[union-attr]
    # a device in or a trial running: the pathway's next step is under way
    assert on("trial", busy=True) is None and on("not a candidate") is None


def test_a_pathway_item_links_the_screen_its_next_step_is_taken_on():
    """It linked the patient page ("Open the record") whatever the stage: the step is
    on the trials, stimulation or device screen, or in the record itself."""

    def action(stage: str, favoured: str | None):
        item = wi.pathway_item(wi.OnPathway(7, "Noor", "100006", stage, "why", NOW, False,
                                            favoured))  # fmt: skip
        assert item is not None
        return item.action

    assert action("trial", "idds") == ("trials", "Start the pump trial")
    assert action("trial", "scs") == ("scs", "Start the stimulator trial")
    assert action("implant", "idds") == ("device", "Implant the pump")
    assert action("implant", "scs") == ("scs", "Implant the stimulator")
    assert action("evaluation", None) == ("pathway", "Complete the pathway record")
    assert action("trial", None) == ("pathway", "Complete the pathway record")


class FakeRows:
    """The worklist port in memory: the rows a store would return."""

    def __init__(self, **rows):
        self.rows = rows
        self.asked_since = None

    def open_alarms(self):
        return self.rows.get("alarms", [])

    def refills_with_checks(self, since_s):
        self.asked_since = since_s
        return self.rows.get("refills", [])

    def missed_appointments(self, now_s):
        return self.rows.get("appointments", [])

    def running_trials(self):
        return self.rows.get("trials", [])

    def on_pathway(self):
        return self.rows.get("pathway", [])


def test_the_items_from_the_port_leave_out_what_is_not_listed():
    rows = FakeRows(
        alarms=[wi.OpenAlarm(3, "Jo", "2", 7, "EMPTY_RESERVOIR", None, NOW - DAY, None),
                wi.OpenAlarm(3, "Jo", "2", 8, "MOTOR_STALL_RECOVERED", None, NOW, None)],
        refills=[wi.RefillWithChecks(5, "Kim", "4", 90, NOW, "possible overinfusion", ())],
        trials=[wi.RunningTrial(6, "Lee", "5", "baclofen_screening", "baclofen", NOW)],
        pathway=[wi.OnPathway(7, "Noor", "6", "trial", "axial", NOW, True)],
    )  # fmt: skip
    items = wi.other_items(rows, NOW, POLICY, TABLE)
    # the information alarm, the acknowledged refill and the busy pathway patient drop out
    assert [(i.kind, i.patient_id) for i in items] == [("alarm", 3), ("trial", 6)]
    # the discrepancies are asked for within the policy's look-back (60 days)
    assert rows.asked_since == NOW - 60 * DAY
