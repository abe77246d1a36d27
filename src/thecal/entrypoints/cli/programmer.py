"""The programmer's commands: each reads one input document (docs/formats.md) and
prints a Rich table, or JSON with --json. Bad input exits 2; hard findings exit 1."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from thecal.adapters.inputs import clinical_inputs as ci
from thecal.adapters.inputs import programmer_inputs as pi
from thecal.adapters.inputs.loader import iso, load_document
from thecal.core.errors import InputError
from thecal.core.pump.program import Program, Step
from thecal.core.safety import HARD, Finding, check_program
from thecal.core.therapy import (
    ConversionTable,
    concentration_mcg_per_ml,
    daily_doses,
    evaluate_candidate,
    evaluate_trial,
    plan_refill,
)
from thecal.core.units import SECONDS_PER_DAY
from thecal.data import conversions, drug_library, policy, pump_catalogue
from thecal.entrypoints.cli.output import print_error
from thecal.services.program_diff import dose_diff, settings_diff

FileArg = Annotated[Path, typer.Argument(help="input document, JSON or TOML (docs/formats.md)")]
JsonOpt = Annotated[bool, typer.Option("--json", help="print JSON instead of a table")]

refill_app = typer.Typer(help="Refill planning and reconciliation.", no_args_is_help=True)
trial_app = typer.Typer(help="Trial evaluation.", no_args_is_help=True)
candidate_app = typer.Typer(help="Candidate evaluation.", no_args_is_help=True)
program_app = typer.Typer(help="Program checks.", no_args_is_help=True)


def _run(
    file: Path, as_json: bool, build: Callable[[Any], tuple[dict[str, Any], list[Table], bool]]
) -> None:
    try:
        result, tables, hard = build(load_document(file))
    except InputError as exc:
        print_error(exc, as_json)
        raise typer.Exit(2) from None
    if as_json:
        print(json.dumps(result, indent=2, allow_nan=False))
    else:
        console = Console()
        for t in tables:
            console.print(t)
    if hard:
        raise typer.Exit(1)


def _table(title: str, columns: list[str], rows: list[list[Any]]) -> Table:
    t = Table(title=title)
    for c in columns:
        t.add_column(c)
    for row in rows:
        t.add_row(
            *["—" if v is None else (f"{v:.6g}" if isinstance(v, float) else str(v)) for v in row]
        )
    return t


def _findings_table(findings: list[Finding] | tuple[Finding, ...]) -> Table:
    """Two columns, so an 80-column terminal keeps every code whole and the message
    readable: the finding (severity, rule, code, one per line) and what it says, with
    its source under it. Text objects: a message's brackets are not markup."""
    t = Table(title="Findings", show_lines=True)
    t.add_column("finding", no_wrap=True)
    t.add_column("message (source)", ratio=1)
    for f in findings:
        message = Text(f.message)
        if f.source:
            message.append("\n" + f.source, style="dim")
        t.add_row(Text(f"{f.severity}\n{f.rule_id}\n{f.code}"), message)
    return t


def _single_step_program(d: ci.DoseInput) -> Program:
    per_s = 1.0 / SECONDS_PER_DAY
    if d.rate_ml_per_day is not None:
        step = Step(0.0, rate_ml_per_s=d.rate_ml_per_day * per_s)
    else:
        assert d.dose_mcg_per_day is not None
        step = Step(0.0, dose_mcg_per_s=d.dose_mcg_per_day * per_s)
    return Program(d.drugs, (step,))


def dose(file: FileArg, as_json: JsonOpt = False) -> None:
    """Dose <-> rate <-> concentration, and each drug's 24 h dose of an admixture or program."""

    def build(doc: Any) -> tuple[dict[str, Any], list[Table], bool]:
        d = ci.read_dose(doc)
        if d.drug is not None:
            assert d.dose_mcg_per_day is not None and d.rate_ml_per_day is not None
            conc = concentration_mcg_per_ml(d.dose_mcg_per_day, d.rate_ml_per_day)
            out = {"drug": d.drug, "concentration_mcg_per_ml": conc}
            return out, [_table("Concentration", ["drug", "mcg/mL"], [[d.drug, conc]])], False
        program = d.program or _single_step_program(d)
        doses = daily_doses(program)
        rows = [r.as_dict() for r in doses.values()]
        cols = ["drug", "mcg/mL", "basal mcg/day", "periodic", "programmed", "demand max", "max"]
        table = _table("24 h dose per drug", cols, [[*r.values()] for r in rows])
        return {"doses": rows}, [table], False

    _run(file, as_json, build)


def convert(file: FileArg, as_json: JsonOpt = False) -> None:
    """Opioid conversion between routes and drugs (ratios and sources in data)."""

    def build(doc: Any) -> tuple[dict[str, Any], list[Table], bool]:
        c = ci.read_convert(doc)
        scale = 86_400.0 if c.per_time else 1.0
        result = ConversionTable.from_mapping(conversions()).convert(
            c.amount * scale, c.start, c.end
        )
        unit = "mcg/day" if c.per_time else "mcg"
        out = {**result.as_dict(), "unit": unit}
        rows = [
            [
                f"{e.start[0]} {e.start[1]}",
                f"{e.end[0]} {e.end[1]}",
                f"{e.low:g}-{e.high:g}",
                e.source,
            ]
            for e in result.steps
        ]
        t1 = _table(
            f"{result.amount:g} {unit} {c.start[0]} {c.start[1]} -> {c.end[0]} {c.end[1]}",
            ["conservative", "aggressive", "unit"],
            [[result.conservative, result.aggressive, unit]],
        )
        return out, [t1, _table("Ratios used", ["from", "to", "ratio", "source"], rows)], False

    _run(file, as_json, build)


def refill_plan(file: FileArg, as_json: JsonOpt = False) -> None:
    """Expected withdrawal, discrepancy, volumes and the next refill date."""

    def build(doc: Any) -> tuple[dict[str, Any], list[Table], bool]:
        req = pi.read_refill_plan(doc, pump_catalogue())
        plan = plan_refill(req, drug_library(), policy())
        out = {
            "reconciliation": plan.reconciliation.as_dict(),
            "kept_ml": plan.kept_ml,
            "volume_after_ml": plan.volume_after_ml,
            "daily_use_ml": plan.daily_use_ml,
            "daily_use_with_demand_ml": plan.daily_use_with_demand_ml,
            "days_to_low_with_demand": plan.days_to_low_with_demand,
            "days_to_empty": plan.days_to_empty,
            "stability_days": plan.stability_days,
            "next_refill": iso(plan.next_refill_s),
            "next_refill_reason": plan.next_refill_reason,
            "findings": [f.as_dict() for f in plan.all_findings],
        }
        rec = plan.reconciliation
        rows: list[list[Any]] = [
            ["expected withdrawal (mL)", rec.expected_withdrawal_ml],
            ["withdrawn (mL)", rec.withdrawn_ml],
            ["discrepancy (mL)", rec.discrepancy_ml],
            ["threshold (mL)", rec.threshold_ml],
            ["delivered / programmed", rec.ratio],
            ["classification", rec.classification],
            ["volume after refill (mL)", plan.volume_after_ml],
            ["days to low alarm, all boluses", plan.days_to_low_with_demand],
            ["days to empty", plan.days_to_empty],
            ["next refill", f"{iso(plan.next_refill_s)} ({plan.next_refill_reason})"],
        ]
        return (
            out,
            [_table("Refill plan", ["", "value"], rows), _findings_table(plan.all_findings)],
            plan.refused,
        )

    _run(file, as_json, build)


def trial_evaluate(file: FileArg, as_json: JsonOpt = False) -> None:
    """Judge a trial's doses and assessments; recommend the starting pump dose."""

    def build(doc: Any) -> tuple[dict[str, Any], list[Table], bool]:
        ev = evaluate_trial(ci.read_trial(doc), drug_library(), policy())
        rows = [
            [iso(r.dose.at_s), r.dose.amount_mcg, "yes" if r.responded else "no", r.measure]
            for r in ev.results
        ]
        out = {
            "outcome": ev.outcome,
            "effective_dose_mcg": ev.effective.dose.amount_mcg if ev.effective else None,
            "recommended_start_mcg_per_day": ev.recommended_start_mcg_per_day,
            "recommendation": ev.recommendation_reason,
            "doses": [
                {"at": r[0], "amount_mcg": r[1], "responded": r[2] == "yes", "measure": r[3]}
                for r in rows
            ],
            "findings": [f.as_dict() for f in ev.findings],
        }
        summary = _table(
            f"Trial: {ev.outcome}",
            ["recommended start (mcg/day)", "why"],
            [[ev.recommended_start_mcg_per_day, ev.recommendation_reason]],
        )
        doses = _table("Doses", ["at", "mcg", "responded", "judged on"], rows)
        return (
            out,
            [summary, doses, _findings_table(ev.findings)],
            any(f.severity == HARD for f in ev.findings),
        )

    _run(file, as_json, build)


def candidate_evaluate(file: FileArg, as_json: JsonOpt = False) -> None:
    """Eligible, not yet, or not eligible, with every reason."""

    def build(doc: Any) -> tuple[dict[str, Any], list[Table], bool]:
        c = ci.read_candidate(doc)
        ev = evaluate_candidate(c.therapy, c.cancer, c.answers)
        out = {"decision": ev.decision, "reasons": [r.as_dict() for r in ev.reasons]}
        rows = [[r.status, r.message, r.source] for r in ev.reasons]
        return (
            out,
            [_table(f"Candidate: {ev.decision}", ["status", "criterion", "source"], rows)],
            False,
        )

    _run(file, as_json, build)


def program_check(file: FileArg, as_json: JsonOpt = False) -> None:
    """Every finding about a proposed program, the most allowed per drug, and the diff."""

    def build(doc: Any) -> tuple[dict[str, Any], list[Table], bool]:
        inp = pi.read_program_check(doc, pump_catalogue(), drug_library(), policy())
        ctx = inp.proposal
        review = check_program(ctx)
        diff = settings_diff(ctx.current, ctx.proposed, ctx.library)
        doses = dose_diff(ctx.current, ctx.proposed)
        out = {
            "refused": review.refused,
            "findings": [f.as_dict() for f in review.findings],
            "most_allowed": [a.as_dict() for a in review.allowed.values()],
            "diff": [r.__dict__ for r in diff],
            "doses": [r.__dict__ for r in doses],
        }
        allowed_rows = [
            [
                a.drug,
                a.hard.value if a.hard else None,
                f"{a.hard.rule_id} {a.hard.reason}" if a.hard else None,
                a.soft.value if a.soft else None,
            ]
            for a in review.allowed.values()
        ]
        tables = [
            _findings_table(review.findings),
            _table(
                "Most allowed in 24 h (mcg/day, every patient bolus taken)",
                ["drug", "hard", "set by", "soft"],
                allowed_rows,
            ),
            _table(
                "Settings",
                ["setting", "now", "proposed"],
                [[r.setting, r.before, r.after] for r in diff],
            ),
            _table(
                "24 h dose",
                ["drug", "now mcg/day", "proposed mcg/day", "change %"],
                [[r.drug, r.before_mcg_per_day, r.after_mcg_per_day, r.change_pct] for r in doses],
            ),
        ]
        return out, tables, review.refused

    _run(file, as_json, build)


def register(app: typer.Typer) -> None:
    app.command("dose")(dose)
    app.command("convert")(convert)
    refill_app.command("plan")(refill_plan)
    trial_app.command("evaluate")(trial_evaluate)
    candidate_app.command("evaluate")(candidate_evaluate)
    program_app.command("check")(program_check)
    app.add_typer(refill_app, name="refill")
    app.add_typer(trial_app, name="trial")
    app.add_typer(candidate_app, name="candidate")
    app.add_typer(program_app, name="program")
