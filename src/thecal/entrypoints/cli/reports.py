"""`thecal report session|refill|summary`: the clinic's printouts as PDF files, the
same bytes the web service serves for the same record."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from thecal.core.errors import ThecalError

if TYPE_CHECKING:  # the PDF and database stack load when a report is written, not for --help
    from sqlalchemy.orm import Session

    from thecal.adapters.reports.document import Document

DbOption = Annotated[str | None, typer.Option("--db", help="database URL (THECAL_DATABASE_URL)")]
PatientOption = Annotated[int, typer.Option("--patient", help="patient id")]
OutOption = Annotated[Path, typer.Option("--out", help="the PDF file to write")]
AtOption = Annotated[
    float | None, typer.Option("--at", help="clinic time (Unix s); default: the clinic's clock")
]


def _write(db_url: str | None, out: Path, build: Callable[[Session, float], Document],
           at: float | None) -> None:
    from thecal.adapters.db.engine import database_url
    from thecal.adapters.db.setup import stored_clock
    from thecal.adapters.reports.pdf import render_pdf
    from thecal.entrypoints.cli.clinic_impl import open_clinic

    try:
        clinic = open_clinic(database_url(db_url))
        clock = stored_clock(clinic)
        now_s = at if at is not None else (clock.now() if clock else time.time())
        with clinic.reads() as db:
            doc = build(db, now_s)
    except ThecalError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(render_pdf(doc))
    typer.echo(f"wrote {out} ({doc.title})")


def register(app: typer.Typer) -> None:
    report_app = typer.Typer(help="Printable reports (PDF).", no_args_is_help=True)
    app.add_typer(report_app, name="report")

    @report_app.command("session")
    def session(
        patient: PatientOption, out: OutOption,
        session_id: Annotated[int, typer.Option("--session", help="programming session id")],
        db: DbOption = None, at: AtOption = None,
    ) -> None:
        """A programming session: old and new program, doses, findings, read-back."""
        from thecal.adapters.reports.clinic_reports import session_document
        from thecal.data import drug_library

        _write(db, out, lambda s, _: session_document(s, patient, session_id, drug_library()),
               at)

    @report_app.command("refill")
    def refill(
        patient: PatientOption, out: OutOption,
        refill_id: Annotated[int, typer.Option("--refill", help="refill id")],
        db: DbOption = None, at: AtOption = None,
    ) -> None:
        """A refill: expected and withdrawn, reconciliation, fluid, next date and why."""
        from thecal.adapters.reports.clinic_reports import refill_document
        from thecal.data import drug_library

        _write(db, out, lambda s, _: refill_document(s, patient, refill_id, drug_library()), at)

    @report_app.command("summary")
    def summary(
        patient: PatientOption, out: OutOption, db: DbOption = None, at: AtOption = None
    ) -> None:
        """A patient's therapy summary with the timeline chart."""
        from thecal.adapters.reports.clinic_reports import summary_document
        from thecal.data import drug_library

        _write(db, out, lambda s, now_s: summary_document(s, patient, now_s, drug_library()),
               at)
