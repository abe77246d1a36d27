"""`thecal` command line: thin shells over the services, JSON or a Rich table."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from thecal import scenario as scenario_file
from thecal.adapters.scenario.patient_reader import load_patient
from thecal.core.errors import InputError, MissingExtra
from thecal.core.virtual_patient import VirtualPatient
from thecal.data import drug_library, effects, kinetics
from thecal.entrypoints.cli import accuracy as accuracy_cli
from thecal.entrypoints.cli import clinic as clinic_cli
from thecal.entrypoints.cli import emulator as emulator_cli
from thecal.entrypoints.cli import fhir as fhir_cli
from thecal.entrypoints.cli import reports as reports_cli
from thecal.entrypoints.cli import schema as schema_cli
from thecal.entrypoints.cli import session as session_cli
from thecal.entrypoints.cli import study as study_cli
from thecal.entrypoints.cli.output import print_error
from thecal.entrypoints.cli.programmer import register
from thecal.services.simulate import SimulationResult, simulate
from thecal.services.virtual_patient import PatientObserver

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="thecal: reference intrathecal drug delivery software (not a medical device).",
)


@app.callback()
def _root() -> None:
    """thecal: reference and teaching software for intrathecal drug delivery."""


def _fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.4f}".rstrip("0").rstrip(".")
    return str(value)


def _summary_table(result: SimulationResult) -> Table:
    s = result.summary()
    table = Table(title=f"Simulation: {s['pump_model']}, {s['duration_s'] / 86400:g} days")
    table.add_column("quantity")
    table.add_column("value", justify="right")
    table.add_row("state at the end", s["state"])
    table.add_row("strokes", _fmt(s["strokes"]))
    table.add_row("firmware-counted volume (mL)", _fmt(s["firmware_volume_ml"]))
    table.add_row("outlet volume (mL)", _fmt(s["outlet_volume_ml"]))
    for name, mcg in s["tip_drug_mcg"].items():
        table.add_row(f"{name} reaching the tip (mcg)", _fmt(mcg))
    table.add_row("reservoir, firmware estimate (mL)", _fmt(s["reservoir_estimated_ml"]))
    table.add_row("reservoir, true (mL)", _fmt(s["reservoir_true_ml"]))
    table.add_row(
        "battery left", "—" if s["battery_fraction"] is None else f"{s['battery_fraction']:.2%}"
    )
    counts: dict[str, int] = {}
    answered: set[str] = set()
    for e in result.events:
        key = e["kind"] if e["kind"] != "demand" else f"demand {e['result']}"
        if e["kind"] == "demand":
            # a request sent again under its id gets the first answer, not a second dose:
            # counted apart, so "granted" is the number of doses
            if e["id"] in answered:
                key = "demand repeated id (no new dose)"
            answered.add(e["id"])
        if e["kind"] == "alarm":
            key = f"alarm {e['code']} {e['phase']}"
        counts[key] = counts.get(key, 0) + 1
    for key, n in sorted(counts.items()):
        table.add_row(f"events: {key}", str(n))
    return table


def _patient_table(summary: dict[str, Any]) -> Table:
    table = Table(title="Virtual patient")
    table.add_column("quantity")
    table.add_column("value", justify="right")
    for key, value in summary.items():
        table.add_row(key.replace("_", " "), _fmt(value if value != [] else None))
    return table


def patient_observer(patient: VirtualPatient, duration_s: float) -> PatientObserver:
    return PatientObserver(patient, kinetics(), effects(), duration_s)


@app.command("simulate")
def simulate_command(
    file: Annotated[Path, typer.Argument(help="scenario JSON file (docs/formats.md)")],
    as_json: Annotated[bool, typer.Option("--json", help="print the full result as JSON")] = False,
    plot: Annotated[Path | None, typer.Option("--plot", help="write a timeline PNG here")] = None,
    patient: Annotated[
        Path | None,
        typer.Option("--patient", help="attach a virtual patient (JSON, docs/formats.md)"),
    ] = None,
) -> None:
    """Run a scenario through the pump engine; with --patient, through a patient too."""
    observer = None
    try:
        scenario = scenario_file.load(file)
        if patient is not None:
            observer = patient_observer(load_patient(patient), scenario.duration_s)
        result = simulate(scenario, drug_library(), observer)
    except InputError as exc:
        print_error(exc, as_json)
        raise typer.Exit(2) from None
    output = result.as_dict()
    if observer is not None:
        output["patient"] = {"summary": observer.summary(), "series": observer.series}
    if plot is not None:
        from thecal.adapters.reports.timeline import plot_timeline

        plot_timeline(result, plot)
    if as_json:
        sys.stdout.write(json.dumps(output, allow_nan=False) + "\n")
        return
    console = Console()
    console.print(_summary_table(result))
    if observer is not None:
        console.print(_patient_table(observer.summary()))
    if plot is not None:
        console.print(f"timeline written to {plot}")


def main() -> None:
    try:
        app()
    except MissingExtra as missing:  # an optional part asked for and not installed
        Console(stderr=True).print(str(missing), style="red", markup=False)
        sys.exit(2)


register(app)
clinic_cli.register(app)
emulator_cli.register(app)
reports_cli.register(app)
fhir_cli.register(app)
study_cli.register(app)
schema_cli.register(app)
session_cli.register(app)
accuracy_cli.register(app)
