"""Plain words for the codes a clinician or a patient reads: one table, so the worklist,
the patient page and the portal never show `EMPTY_RESERVOIR` or `spasticity_spinal`
(issue 25). A code missing here is shown as itself, never hidden."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from thecal.core.safety.context import INDICATION_WORDS
from thecal.core.therapy.reconcile import FIRST_FILL, NOT_MEASURED, OK
from thecal.services.trial import SCALES as SCALE_RANGES
from thecal.services.vocabulary import StimulatorKind

ALARMS = {
    "EMPTY_RESERVOIR": "pump empty: nothing is delivered",
    "LOW_RESERVOIR": "reservoir low",
    "END_OF_SERVICE": "battery at end of service: nothing is delivered",
    "ELECTIVE_REPLACEMENT": "battery at elective replacement",
    "MOTOR_STALL": "motor stalled: nothing is delivered",
    "MOTOR_STALL_RECOVERED": "motor stall recovered",
    "VALVE_CLOSED": "valve closed: nothing is delivered",
    "SUSPENSION_PROLONGED": "suspended for too long: withdrawal risk",
    "SELF_TEST_FAILURE": "self-test failed: nothing is delivered",
}
BOLUS_REASONS = {  # why the pump denied a patient's dose request, as a clinician reads it
    "lockout": "too soon after the last dose (lockout)",
    "max_per_24h": "the 24-hour maximum was reached",
    "max_dose_24h": "another dose would pass the most drug allowed in 24 hours",
    "not_delivering": "the pump was not delivering",
    "insufficient_reservoir": "the reservoir was too low",
    "not_enabled": "no patient dose is programmed",
}
# what is still open on a refill's record, to acknowledge or finish (services/refill.py)
REFILL_CHECKS = {
    "REFILL_DISCREPANCY": "the volume withdrawn differs from the one expected",
    "DELIVERY_UNCERTAIN": "delivery since the last refill is uncertain",
    "PUMP_REFUSED_REFILL": "the pump refused the refill",
    "SESSION_INCOMPLETE": "the refill session was not finished",
}
# what a patient whose pump has stopped reads about the withdrawal of a drug whose abrupt
# stop is dangerous (data/alarms.toml withdrawal_critical_drugs), in plain words from
# drugs-and-dosing.md fact 16 (the baclofen label's boxed warning: fever, altered mental
# status, rebound spasticity, rigidity) and fact 17 (early signs: spasticity returning,
# itching without a rash, a fast heartbeat, goose bumps; clonidine: high blood pressure
# and a fast heartbeat). The label asks that patients be taught the early signs.
WITHDRAWAL_SIGNS = {
    "baclofen": "your spasms or stiffness coming back, itching without a rash, a fast "
    "heartbeat, goose bumps; later fever, confusion or seizures",
    "clonidine": "a pounding headache, a fast heartbeat, feeling agitated (high blood "
    "pressure)",
}
INDICATIONS = INDICATION_WORDS
# how a programming, device or refill session ended (vocabulary.SessionStatus), as the
# screen after it says it: "committed" alone did not say the pump read back what was
# signed, nor what to do when it did not
SESSION_ENDS = {
    "committed": "done: the pump read back what was signed",
    "incomplete": "NOT confirmed: the pump's read-back did not match what was signed; "
    "interrogate the pump",
    "uncertain": "UNCERTAIN: the link failed while writing, so what the pump holds is "
    "unknown; interrogate the pump now",
    "open": "not sent",
}


TRIAL_KINDS = {
    "baclofen_screening": "baclofen screening (bolus)",
    "opioid_single_shot": "opioid trial, single bolus",
    "opioid_escalating": "opioid trial, escalating boluses",
    "opioid_continuous": "opioid trial, continuous (temporary catheter)",
}

# the care pathway record's codes (core/therapy/pathway.py), as the pathway form offers them
PATHWAY_TREATMENTS = {
    "physical_therapy": "physical therapy",
    "medication": "pain medication",
    "injections": "injections (epidural, facet, nerve root)",
    "radiofrequency_ablation": "radiofrequency ablation",
    "revision_surgery": "revision spine surgery",
}
PATHWAY_OUTCOMES = {
    "failed": "did not help",
    "helped": "helped",
    "ongoing": "still going on",
    "not_tolerated": "not tolerated",
}
PAIN_PATTERNS = {
    "axial_back": "predominant axial back pain",
    "neuropathic_leg": "predominant neuropathic leg pain",
    "mixed": "mixed back and leg pain",
}
TRIAL_RESULTS = {"success": "succeeded", "failure": "failed"}

# the scales a trial is scored on (trial documents key each score by its scale)
SCALES = {
    "nrs": "pain NRS",
    "ashworth": "Ashworth",
    "penn": "Penn spasm frequency",
    "odi": "Oswestry disability",
}


def trial_kind(code: str) -> str:
    return TRIAL_KINDS.get(code, code)


def trial_name(kind: str, drug: str) -> str:
    """A trial's kind with its drug only where the kind does not already name it
    ("baclofen screening (bolus) of baclofen", or "· baclofen" after it, read as a slip)."""
    what = trial_kind(kind)
    return what if drug.lower() in what.lower() else f"{what} of {drug}"


def trial_under_way(kind: str, drug: str, started_s: float) -> str:
    """A running trial on the worklist and the patient list."""
    return f"{trial_name(kind, drug)}: under way since {date(started_s)}"


def stimulator(kind: str, started_s: float) -> str:
    """A patient's spinal cord stimulator where a list has one line for the therapy."""
    if kind == StimulatorKind.IMPLANT:
        return f"spinal cord stimulator implanted {date(started_s)}"
    return f"spinal cord stimulator trial (external) since {date(started_s)}"


def scs_program(program: Mapping[str, Any]) -> str:
    """A stimulation program as stored, in words: "tonic 4 mA, 300 µs, 50 Hz; cathodes
    2, 3; anode: the case" (it read "2- 3-", the programmer's polarity signs)."""
    contacts = {sign: [str(e["contact"]) for e in program.get("electrodes", ())
                       if e.get("polarity") == sign] for sign in ("-", "+")}  # fmt: skip
    cathodes = ", ".join(contacts["-"]) or "none"
    anodes = ", ".join(contacts["+"])
    anode = f"anodes {anodes}" if len(contacts["+"]) > 1 else f"anode {anodes or 'the case'}"
    cathode = "cathodes" if len(contacts["-"]) > 1 else "cathode"
    return (f"{program.get('mode')} {program.get('amplitude_ma'):g} mA, "
            f"{program.get('pulse_width_us'):g} µs, {program.get('frequency_hz'):g} Hz; "
            f"{cathode} {cathodes}; {anode}")  # fmt: skip


def alarm(code: str) -> str:
    return ALARMS.get(code, code)


def session_end(code: str) -> str:
    return SESSION_ENDS.get(code, code)


def session_result(code: str) -> str:
    """A session's end as a table cell reads it: the words before the explanation."""
    return session_end(code).split(":", 1)[0]


def session_changes(record: Mapping[str, Any]) -> str:
    """What a programming session changed, from its recorded diff ("step 1: 00:00 5 mg/day
    (0.5 mL/day) -> 00:00 5.5 mg/day (0.55 mL/day)"): the sessions table gave a time, a
    user and a status, so finding when a dose went up meant opening each printout."""
    bolus = record.get("bolus")
    if bolus:  # a programmer bolus: nothing of the program changes
        minutes = f" over {bolus['duration_s'] / 60:g} min" if bolus.get("duration_s") else ""
        return f"{bolus['kind']} bolus of {bolus['volume_ml']:g} mL{minutes}"
    rows = record.get("diff") or ()
    gives = "; ".join(row["after"] for row in rows if row["setting"] not in _FIRST_PROGRAM_LEFT_OUT)
    if rows and all(row.get("before") in (None, "-") for row in rows):  # a first program
        return f"first program: {gives}"
    changed = settings_changed(record)
    if rows and not changed and record.get("before_digest", "") is None:
        # a new pump with no pump before it in this clinic, reviewed against the program
        # the patient arrived on (a transfer in): "no setting changed" hid what it runs
        return f"new pump continuing the program the patient came on: {gives}"
    if record.get("replaced_pump"):  # its diff is against the pump it replaced
        what = "; ".join(changed) or f"same program: {gives}"
        return f"new pump in place of the old one: {what}"
    return "; ".join(changed) or "no setting changed"


def settings_changed(record: Mapping[str, Any]) -> list[str]:
    """Each setting a session or a refill changed, before and after; [] for none."""
    return [
        f"{row['setting']}: {_setting(row.get('before'))} → {_setting(row.get('after'))}"
        for row in record.get("diff") or ()
        if row.get("before") != row.get("after")
    ]


def refill_change_label(record: Mapping[str, Any]) -> str:
    """What the changed settings of a refill's row are: a program sent with the fluid,
    or, on a constant-flow pump (nothing can be sent to it), what the new fluid gives."""
    if record.get("fixed_flow"):
        return "the new fluid at the pump's fixed flow"
    return "program sent with it"


def _setting(value: str | None) -> str:
    """A setting a program does not have (program_diff writes "-"), as "none"."""
    return "none" if value in (None, "", "-") else value


# a new pump's row says what it gives: the schedule and the alarm level are on the
# program card, and listed one by one they buried the dose ("schedule: - -> ...")
_FIRST_PROGRAM_LEFT_OUT = ("schedule", "low-reservoir alarm")


def refill_check(code: str) -> str:
    return REFILL_CHECKS.get(code, code)


RECONCILIATIONS = {  # core.therapy.reconcile's classes that need more words
    FIRST_FILL: "first fill of a new pump: nothing to withdraw",
    NOT_MEASURED: "not measured: the volume withdrawn was not recorded",
}


def reconciliation_tag(classification: str, otherwise: str) -> str:
    """The colour class of a refill's reconciliation (app.css): green when it agreed,
    blue for a new pump's first fill, `otherwise` for anything to look at."""
    return {OK: "ok", FIRST_FILL: "info"}.get(classification, otherwise)


def reconciliation(classification: str, expected_ml: float | None) -> str:
    """A refill's reconciliation as read on its row: "ok" alone on a pump the estimate
    said was empty read as if all were well; the pump had delivered nothing."""
    if classification == OK and expected_ml is not None and expected_ml <= 0.0:
        return "ok: the pump had run empty, as its estimate said"
    return RECONCILIATIONS.get(classification, classification)


def bolus_reason(code: str | None) -> str:
    return "" if not code else BOLUS_REASONS.get(code, code)


def indication(code: str) -> str:
    return INDICATIONS.get(code, code)


def date(t_s: float) -> str:
    """A date with its year, as clinicians read it (UTC)."""
    return datetime.fromtimestamp(t_s, UTC).strftime("%Y-%m-%d")


def scale(code: str) -> str:
    return SCALES.get(code, code)


def scale_choices(*codes: str) -> list[tuple[str, str]]:
    """Each scale for a form's options, with the range the assessment check holds it to
    (services/trial.py SCALE_RANGES): "Ashworth, 0-4"."""
    return [(c, f"{SCALES[c]}, {SCALE_RANGES[c][0]:g}-{SCALE_RANGES[c][1]:g}") for c in codes]
