"""The clinic's printouts, built from what the database recorded: a programming
session, a refill, and a patient's therapy summary.

A printout states only what was recorded at the time (the session's own record of
its diff, doses, findings and read-back), never a recomputation from today's rules,
so a printed session is the session as it happened.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from thecal.adapters.db.models import Implant, Patient, ProgrammingSessionRow, RefillRow
from thecal.adapters.db.queries import PatientRecord, patient_record
from thecal.adapters.pump.program_codec import program_from_json
from thecal.adapters.reports.document import (
    Document,
    Facts,
    Picture,
    Section,
    Table,
    Text,
    day,
    ml,
    utc,
)
from thecal.adapters.reports.therapy_chart import therapy_chart_png
from thecal.adapters.reports.timeline_window import DEFAULT, cut_at, window
from thecal.core.drugs import DrugLibrary
from thecal.core.errors import NotFound
from thecal.core.safety.fmt import conc_text, dose_text
from thecal.core.therapy.dosing import daily_doses
from thecal.services.clinic import words
from thecal.services.program_diff import program_summary
from thecal.services.vocabulary import StimulatorKind, TrialStatus


def _alarm_words(codes: str | None) -> str:
    """The pump's active alarm codes (comma separated) in plain words (issue 25)."""
    found = [words.alarm(c) for c in (codes or "").split(",") if c]
    return "; ".join(found) or "none"


def _patient_facts(p: Patient, implant: Implant | None) -> Facts:
    pairs = [("Patient", f"{p.name} (MRN {p.mrn}, born {p.birth_year})"),
             ("Indication", words.indication(p.indication))]
    if implant is not None:
        pairs.append(("Pump", f"{implant.model_id}, serial {implant.serial}"))
        pairs.append(
            ("Catheter", f"{implant.catheter_type}, {implant.catheter_length_cm:g} cm, "
             f"tip at {implant.tip_level}")
        )
    return Facts(tuple(pairs))


def _implant(db: Session, patient_id: int) -> Implant | None:
    return db.scalars(
        select(Implant).where(Implant.patient_id == patient_id, Implant.active.is_(True))
    ).first()


def _findings(findings: list[dict[str, Any]]) -> Table:
    return Table(
        ("rule", "code", "severity", "message"),
        tuple((f["rule_id"], f["code"], f["severity"], f["message"]) for f in findings),
        widths=(0.1, 0.32, 0.12, 0.46),
    )


def _pct(v: float | None) -> str:
    return "new" if v is None else f"{v:+.1f} %"


def _owned(db: Session, model: Any, row_id: int, patient_id: int, what: str) -> tuple[Any, Patient]:
    """The row and its patient; a row of another patient is as absent as a missing one."""
    row = db.get(model, row_id)
    patient = db.get(Patient, patient_id)
    if row is None or patient is None or row.patient_id != patient_id:
        raise NotFound(f"{what} {row_id} of patient {patient_id} does not exist")
    return row, patient


def session_document(
    db: Session, patient_id: int, session_id: int, library: DrugLibrary
) -> Document:
    """`library`: the recorded 24 h doses (mcg) in each drug's own unit (3.3 mg/day)."""
    row, patient = _owned(db, ProgrammingSessionRow, session_id, patient_id,
                          "programming session")
    r = row.record
    diff = r.get("diff", [])
    changed = tuple(i for i, d in enumerate(diff) if d["before"] != d["after"])
    readback = [e for e in r.get("log", []) if e.get("event") == "read back"]
    acks = r.get("acknowledgements") or []
    sections = [
        Section("Patient and device", (_patient_facts(patient, _implant(db, patient_id)),)),
        Section(
            "Session",
            (
                Facts(
                    (
                        ("Status", r["status"]),
                        ("Started", utc(r["started_s"])),
                        ("Closed", utc(r["closed_s"])),
                        ("Confirmed by", r["user"]),
                        ("Verified by (second person)", r.get("verified_by") or "none required"),
                        ("Program before (SHA-256)", r.get("before_digest") or "-"),
                        ("Program sent (SHA-256)", r.get("proposed_digest") or "-"),
                        (
                            "Read-back",
                            (f"{readback[-1]['digest']}: "
                             + ("matches" if readback[-1].get("verified") else "DOES NOT MATCH"))
                            if readback else "no read-back (nothing was sent)",
                        ),
                    )
                ),
            ),
        ),
        Section(
            "Program: before and after (changed settings in bold)",
            (Table(("setting", "before", "after"),
                   tuple((d["setting"], d["before"], d["after"]) for d in diff), changed),),
        ),
        _doses_section(r.get("doses", []), library),
        Section("Findings", (_findings(r.get("findings", [])),)),
        Section(
            "Acknowledgements",
            (Table(("code", "by", "reason"),
                   tuple((a["code"], a.get("user", ""), a.get("reason", "")) for a in acks)),)
            if acks else (Text("none"),),
        ),
    ]
    return Document(
        f"Programming session #{row.id}",
        f"{patient.name} - {utc(row.started_s)} - {r['status']}",
        tuple(sections),
    )


def _doses_section(doses: list[dict[str, Any]], library: DrugLibrary) -> Section:
    return Section(
        "24-hour dose per drug (programmed plus the most demand boluses can add)",
        (
            Table(
                ("drug", "before", "after", "change"),
                tuple(
                    (d["drug"],
                     dose_text(library.get(d["drug"]), d["before_mcg_per_day"] or 0.0),
                     dose_text(library.get(d["drug"]), d["after_mcg_per_day"] or 0.0),
                     _pct(d["change_pct"]))
                    for d in doses
                ),
            ),
        ),
    )  # fmt: skip


def refill_document(
    db: Session, patient_id: int, refill_id: int, library: DrugLibrary
) -> Document:
    """`library`: each strength in its drug's own unit ("20 mg/mL", not "2e+04 mcg/mL")."""
    row, patient = _owned(db, RefillRow, refill_id, patient_id, "refill")
    r = row.record
    drugs = r.get("drugs")
    fluid = (", ".join(f"{d['name']} "
                       f"{conc_text(library.get(d['name']), d['concentration_mcg_per_ml'])}"
                       for d in drugs) if drugs else "not recorded")  # fmt: skip
    difference = (
        # rounded first: a difference of -0.001 mL printed "-0.00 mL"
        f"{round(row.withdrawn_ml - row.expected_ml, 2) + 0.0:+.2f} mL"
        if row.withdrawn_ml is not None and row.expected_ml is not None else "-"
    )
    acknowledged = r.get("acknowledged") or {}
    reconciled = words.reconciliation(row.classification, row.expected_ml)
    changed = words.settings_changed(r)
    sections = [
        Section("Patient and device", (_patient_facts(patient, _implant(db, patient_id)),)),
        Section(
            "Refill",
            (
                Facts(
                    (
                        ("Status", row.status),
                        ("Done", utc(row.at_s)),
                        ("By", row.username),
                        ("Verified by (second person)", row.verified_by or "-"),
                        ("Expected withdrawal", ml(row.expected_ml)),
                        ("Withdrawn", ml(row.withdrawn_ml)),
                        ("Difference", difference),
                        ("Reconciliation", reconciled),
                        ("Added", ml(row.added_ml)),
                        ("Fluid", fluid),
                        ("Lot", row.lot or "not recorded"),
                        ("Volume entered in the pump", ml(r.get("entered_ml"))),
                        ("Next refill", day(row.next_refill_s)),
                        ("Why then", r.get("next_refill_reason") or "not recorded"),
                    )
                ),
            ),
        ),
        # what the refill changed in what the pump gives (a new concentration or dose):
        # the printout showed the fluid and the volumes only
        *((Section(words.refill_change_label(r).capitalize(),
                   (Text("; ".join(changed)),)),
           _doses_section(r.get("doses", []), library)) if changed else ()),
        Section("Findings", (_findings(r.get("plan_findings", []) + r.get("findings", [])),)),
        Section(
            "Open and acknowledged",
            (Facts(
                tuple((code, "OPEN: to be acknowledged") for code in r.get("open", []))
                + tuple((k, f"acknowledged by {v['user']}: {v['reason']}")
                        for k, v in acknowledged.items())
            ),) if r.get("open") or acknowledged else (Text("nothing open"),),
        ),
    ]
    return Document(
        f"Refill #{row.id}", f"{patient.name} - {utc(row.at_s)} - {row.classification}",
        tuple(sections),
    )


def _timeline_title(rec: PatientRecord) -> str:
    drawn = window(DEFAULT)
    start = cut_at(rec, drawn)
    if start is None:
        return "Timeline"
    return f"Timeline: the {drawn.label}, from {day(start)} (the tables list everything)"


def _pump_sections(
    rec: PatientRecord,
    current: Sequence[tuple[str, ...]],
    summary: Callable[[Any], str],
    now_s: float,
    library: DrugLibrary,
) -> list[Section]:
    """The pump now, its chart and its history (an explanted pump's history too)."""
    pump = rec.pump
    return [
        Section(
            "Now",
            (
                Facts(
                    (
                        ("As of", utc(pump.as_of_s) if pump else "-"),
                        ("Pump state", pump.shown if pump else "no pump"),
                        ("Reservoir (pump estimate)",
                         ml(pump.reservoir_estimate_ml) if pump else "-"),
                        ("Active alarms", _alarm_words(pump.alarms) if pump else "-"),
                        ("Next refill", f"{day(pump.refill_due_s)} ({pump.refill_due_reason})"
                         if pump else "-"),
                        ("Program", f"version {rec.program.version_no}: {summary(rec.program)}"
                         if rec.program else "none"),
                    )
                ),
                Table(("drug", "strength", "programmed per day", "patient doses per day, "
                       "at most", "24 h maximum"), tuple(current)),
            ),
        ),
        Section(_timeline_title(rec), (Picture(therapy_chart_png(rec, now_s, library), 17.0,
                                               11.7),)),
        Section(
            "Program history",
            (Table(("version", "from", "by", "summary", "reason"),
                   tuple((str(v.version_no), utc(v.created_s), v.created_by, summary(v), v.reason)
                         for v in rec.programs), widths=(0.1, 0.16, 0.12, 0.44, 0.18)),),
        ),
        Section(
            "Refills",
            (Table(("date", "expected", "withdrawn", "class", "added", "next"),
                   tuple((utc(r.at_s), ml(r.expected_ml), ml(r.withdrawn_ml), r.classification,
                          ml(r.added_ml), day(r.next_refill_s)) for r in rec.refills)),),
        ),
        Section(
            "Alarms",
            (Table(("code", "severity", "onset", "cleared", "acknowledged by"),
                   tuple((words.alarm(a.code), a.severity, utc(a.onset_s), utc(a.cleared_s),
                          a.acknowledged_by or "-") for a in rec.alarms)),),
        ),
    ]  # fmt: skip


def _stimulator_section(rec: PatientRecord) -> Section:
    d = rec.stimulator
    assert d is not None
    running = words.scs_program(rec.stimulation.program) if rec.stimulation else "-"
    return Section("Spinal cord stimulator", (Facts((
        ("Device", f"{d.stimulator_id}, lead {d.lead_id}"
                   + (f", serial {d.serial}" if d.serial else "")),
        ("In use since", ("trial from " if d.kind == StimulatorKind.TRIAL else "implanted ")
         + day(d.started_s)),
        ("Running", running),
    )),))  # fmt: skip


def _trials_section(rec: PatientRecord) -> Section:
    rows = []
    for t in sorted(rec.trials, key=lambda t: -t.started_s):
        state = "under way" if t.status == TrialStatus.OPEN else (t.evaluation or {}).get("outcome")
        rows.append((words.trial_name(t.kind, t.drug), day(t.started_s),
                     str(len(t.document.get("doses", ()))), state or t.status))  # fmt: skip
    return Section("Trials", (Table(("trial", "started", "doses given", "state"), tuple(rows)),))


def summary_document(
    db: Session, patient_id: int, now_s: float, library: DrugLibrary
) -> Document:
    """The programs and doses in each drug's own unit (morphine 4.4 mg, 20 mg/mL), as
    the screens show them: the stored summaries printed "2e+04 mcg/mL" and "4400 mcg"."""
    rec: PatientRecord = patient_record(db, patient_id)
    p = rec.patient
    current = []
    if rec.program is not None:
        for d in daily_doses(program_from_json(rec.program.program)).values():
            drug = library.get(d.name)
            current.append((d.name, conc_text(drug, d.concentration_mcg_per_ml),
                            dose_text(drug, d.programmed_mcg, per=""),
                            dose_text(drug, d.demand_max_mcg, per=""),
                            dose_text(drug, d.max_mcg, per="")))  # fmt: skip

    def summary(row: Any) -> str:
        return program_summary(program_from_json(row.program), library)

    pump = rec.pump
    scores = [d.pain_nrs for d in rec.diary if d.pain_nrs is not None]
    spasms = [d.spasm for d in rec.diary if d.spasm is not None]
    sections = [Section("Patient and device", (_patient_facts(p, rec.implant),))]
    if pump or rec.programs or rec.refills or rec.alarms or rec.readings:
        sections += _pump_sections(rec, current, summary, now_s, library)
    else:  # a chart of nothing drew axes from 1970 and a reservoir of -0.04 mL
        sections.append(Section("Pump", (Text(
            "No pump yet: no program, refill or alarm to print."),)))  # fmt: skip
    if rec.stimulator is not None:
        sections.append(_stimulator_section(rec))
    if rec.trials:
        sections.append(_trials_section(rec))
    sections.append(
        Section(
            "Pain diary",
            (Text(f"{len(scores)} scores, mean {sum(scores) / len(scores):.1f}, "
                  f"last {scores[0]} (NRS 0-10)") if scores else Text("no pain scores"),),
        )
    )
    if spasms:  # a baclofen patient's spasm scores from the portal (0 none - 10 worst)
        sections.append(Section("Spasm diary", (Text(
            f"{len(spasms)} scores, mean {sum(spasms) / len(spasms):.1f}, last {spasms[0]} "
            "(0 none - 10 worst)"),)))  # fmt: skip
    return Document("Therapy summary", f"{p.name} - printed {utc(now_s)}", tuple(sections))
