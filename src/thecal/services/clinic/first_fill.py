"""A new pump's first fill, kept as the first row of its refills.

An implant or a replacement fills the pump (through the gate: the device review checks
the fluid, the fill volume and the program, and a second person signs), but it left no
refill row. So the fill and its lot were on no list (a drug recall could not find the
patients whose pump was filled from a lot), and the pump's first refill had no last
fill to read: it was never checked as overdue (DD-09: the date booked at the last
fill) and its reconciliation had no programmed volume to compare the withdrawal with
(SR-21's delivered / programmed ratio). The row is stored with nothing to withdraw.
"""

from __future__ import annotations

from thecal.core.therapy.reconcile import FIRST_FILL
from thecal.services.clinic.gate import fluid_record
from thecal.services.clinic.outlook import Outlook
from thecal.services.clinic.ports import ImplantInput, Principal, RefillEntry
from thecal.services.vocabulary import RefillRecord, SessionRecord


def first_fill_entry(
    who: Principal, patient_id: int, i: ImplantInput, session: SessionRecord, o: Outlook,
    now_s: float,
) -> RefillEntry:  # fmt: skip
    """`session`: the device change's own record (its review, its second person and its
    status: a fill the pump did not read back is stored as what it was)."""
    record: RefillRecord = {
        "status": session["status"],
        "user": who.username,
        "verified_by": session["verified_by"],
        "started_s": now_s,
        "closed_s": now_s,
        "review_digest": session["review_digest"],
        "before_digest": None,
        "after_digest": session["after_digest"],
        "plan_findings": list(session["findings"]),
        "acknowledgements": list(session["acknowledgements"]),
        "doses": list(session["doses"]),
        "findings": [],
        "open": [],
        "acknowledged": {},
        "next_refill_s": o.refill_due_s,
        "next_refill_reason": o.refill_due_reason,
        "log": [],
        "entered_ml": i.fill_ml,  # what the new pump was told it holds
        "drugs": fluid_record(i.program.drugs),
    }
    return RefillEntry(
        patient_id=patient_id, at_s=now_s, expected_ml=None, withdrawn_ml=None,
        added_ml=i.fill_ml, lot=i.lot, classification=FIRST_FILL, status=session["status"],
        next_refill_s=o.refill_due_s, username=who.username,
        verified_by=session["verified_by"], record=record,
    )  # fmt: skip
