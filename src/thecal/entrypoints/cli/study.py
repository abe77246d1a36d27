"""`thecal study NAME`: a population study, in this process or on Dask."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table as RichTable

from thecal.adapters import population_worker
from thecal.services.study.runner import Backend, InProcess, chunk_tasks, totals
from thecal.services.study.studies import STUDIES, Table

WORKERS = {"refill": population_worker.refill_stats, "trial": population_worker.trial_stats}


def _cell(value: Any) -> str:
    return f"{value:,.2f}" if isinstance(value, float) else str(value)


def _rich(table: Table) -> RichTable:
    out = RichTable(title=table.title)
    for i, column in enumerate(table.columns):
        out.add_column(column, justify="left" if i == 0 else "right")
    for row in table.rows:
        out.add_row(*(_cell(v) for v in row))
    return out


def run_study(
    name: str, patients: int, seed: int, chunk_size: int, backend: Backend,
    horizon_days: int = 365, quiet: bool = False,
) -> Table:
    study = STUDIES[name]
    tasks = chunk_tasks(study.variants(), patients, chunk_size, seed, horizon_days)
    with Progress(disable=quiet, transient=True) as progress:
        bar = progress.add_task(f"{name}: {len(tasks)} chunks", total=len(tasks))
        results = backend.map(WORKERS[study.worker], tasks, lambda: progress.advance(bar))
    return study.table(totals(tasks, results))


def register(app: typer.Typer) -> None:
    @app.command("study")
    def study_command(
        name: Annotated[str, typer.Argument(help=f"one of: {', '.join(STUDIES)}")],
        patients: Annotated[int, typer.Option(min=1, help="virtual patients per variant")] = 4000,
        seed: Annotated[int, typer.Option(min=0)] = 2026,
        chunk: Annotated[int, typer.Option(min=1, help="patients per task")] = 2000,
        dask: Annotated[
            str | None,
            typer.Option("--dask", help="scheduler ADDRESS, or 'local' for a LocalCluster"),
        ] = None,
        workers: Annotated[int, typer.Option(min=1, help="LocalCluster workers")] = 2,
        plot_dir: Annotated[Path, typer.Option(help="where the plot is written")] = Path("out"),
        as_json: Annotated[bool, typer.Option("--json")] = False,
    ) -> None:
        """Run a population study: print its table and write its plot."""
        if name not in STUDIES:
            Console(stderr=True).print(
                f"[red]unknown study {name!r}[/red]; accepted: {', '.join(STUDIES)}")
            raise typer.Exit(2)
        if dask is None:
            table = run_study(name, patients, seed, chunk, InProcess(), quiet=as_json)
        else:
            from thecal.adapters.dask import DaskBackend

            address = None if dask == "local" else dask
            with DaskBackend(address, workers) as backend:
                table = run_study(name, patients, seed, chunk, backend, quiet=as_json)
        from thecal.adapters.reports.study_plots import plot_study  # matplotlib: when asked

        plot = plot_study(name, table, plot_dir / f"study-{name}.png")
        if as_json:
            doc = {"study": name, "title": table.title, "columns": list(table.columns),
                   "rows": [list(r) for r in table.rows], "note": table.note,
                   "plot": str(plot)}
            sys.stdout.write(json.dumps(doc) + "\n")
            return
        console = Console()
        console.print(_rich(table))
        if table.note:
            console.print(table.note)
        console.print(f"{patients} virtual patients per variant, seed {seed}, one year each "
                      "(illustrative inputs: docs/simulator.md). Plot written to " + str(plot))
