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
from thecal.core.errors import InputError
from thecal.data import drug_library
from thecal.entrypoints.cli import clinic as clinic_cli
from thecal.entrypoints.cli.output import print_error
from thecal.entrypoints.cli.programmer import register
from thecal.services.simulate import SimulationResult, simulate

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
    for e in result.events:
        key = e["kind"] if e["kind"] != "demand" else f"demand {e['result']}"
        if e["kind"] == "alarm":
            key = f"alarm {e['code']} {e['phase']}"
        counts[key] = counts.get(key, 0) + 1
    for key, n in sorted(counts.items()):
        table.add_row(f"events: {key}", str(n))
    return table


@app.command("simulate")
def simulate_command(
    file: Annotated[Path, typer.Argument(help="scenario JSON file (docs/formats.md)")],
    as_json: Annotated[bool, typer.Option("--json", help="print the full result as JSON")] = False,
    plot: Annotated[Path | None, typer.Option("--plot", help="write a timeline PNG here")] = None,
) -> None:
    """Run a scenario through the pump engine."""
    try:
        result = simulate(scenario_file.load(file), drug_library())
    except InputError as exc:
        print_error(exc, as_json)
        raise typer.Exit(2) from None
    if plot is not None:
        from thecal.adapters.reports.timeline import plot_timeline

        plot_timeline(result, plot)
    if as_json:
        sys.stdout.write(json.dumps(result.as_dict(), allow_nan=False) + "\n")
        return
    console = Console()
    console.print(_summary_table(result))
    if plot is not None:
        console.print(f"timeline written to {plot}")


def main() -> None:
    app()


register(app)
clinic_cli.register(app)
