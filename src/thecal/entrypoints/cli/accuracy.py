"""`thecal accuracy MODEL [--plot FILE] [--json]`: a pump model's trumpet curves and
bolus accuracy (SR-17) as a table, the curves as a PNG."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from thecal.services.accuracy import AccuracyReport


def report_json(r: AccuracyReport) -> dict[str, object]:
    return {
        "model": r.model.id,
        "accuracy_pct": r.model.accuracy_pct,
        "runs": [
            {
                "rate_ml_per_day": run.rate_ml_per_day,
                "bias": run.bias,
                "second_hour_error_pct": run.second_hour_error_pct,
                "trumpet": [p.__dict__ for p in run.trumpet()],
            }
            for run in r.runs
        ],
        "boluses": [
            {
                "programmed_ml": b.programmed_ml,
                "bias": b.bias,
                "delivered_ml": b.delivered_ml,
                "error_pct": b.error_pct,
            }
            for b in r.boluses
        ],
    }


def _tables(r: AccuracyReport) -> list[Table]:
    flow = Table(title=f"{r.model.id}: trumpet, % error (max / min) per window, 2nd hour")
    for column in ("rate", "bias", "2 min", "5 min", "11 min", "19 min", "31 min", "hour"):
        flow.add_column(column, justify="right")
    for run in r.runs:
        cells = [f"{p.max_error_pct:+.1f} / {p.min_error_pct:+.1f}" for p in run.trumpet()]
        flow.add_row(f"{run.rate_ml_per_day:g} mL/day", f"{run.bias * 100:+g} %", *cells,
                     f"{run.second_hour_error_pct:+.2f}")  # fmt: skip
    bolus = Table(title="bolus accuracy")
    for column in ("bolus", "bias", "delivered", "error"):
        bolus.add_column(column, justify="right")
    for b in r.boluses:
        bolus.add_row(f"{b.programmed_ml:g} mL", f"{b.bias * 100:+g} %",
                      f"{b.delivered_ml:.6g} mL", f"{b.error_pct:+.2f} %")  # fmt: skip
    return [flow, bolus] if r.boluses else [flow]


def register(app: typer.Typer) -> None:
    @app.command()
    def accuracy(
        model: Annotated[str, typer.Argument(help="a pump model id of the catalogue")],
        plot: Annotated[Path | None, typer.Option(help="write the curves as a PNG")] = None,
        as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
    ) -> None:
        """Trumpet curves and bolus accuracy of a pump model, by the IEC 60601-2-24
        method (which excludes implantable pumps: a reference method here)."""
        from thecal.data import accuracy_settings, drug_library, pump_catalogue
        from thecal.services.accuracy import accuracy_report

        found = pump_catalogue().get(model)
        if found is None:
            known = ", ".join(sorted(pump_catalogue().models))
            typer.echo(f"error: model: '{model}' is not in the catalogue; one of {known}", err=True)
            raise typer.Exit(2)
        r = accuracy_report(found, drug_library(), accuracy_settings())
        if plot is not None:
            from thecal.adapters.reports.accuracy_plot import accuracy_png

            plot.parent.mkdir(parents=True, exist_ok=True)
            plot.write_bytes(accuracy_png(r))
        if as_json:
            typer.echo(json.dumps(report_json(r), indent=2))
            return
        console = Console(width=120)
        for table in _tables(r):
            console.print(table)
        console.print("IEC 60601-2-24 excludes implantable pumps; its method is used as a "
                      "reference. Not a medical device.")  # fmt: skip
        if plot is not None:
            console.print(f"curves written to {plot}")
