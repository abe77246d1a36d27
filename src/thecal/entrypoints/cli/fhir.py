"""`thecal fhir export` and `thecal fhir import`: one patient as a FHIR R4 Bundle
(JSON), out of the clinic's database and back into one (docs/fhir.md)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated

import typer

from thecal.core.errors import InputError, ThecalError

DbOption = Annotated[str | None, typer.Option("--db", help="database URL (THECAL_DATABASE_URL)")]


def register(app: typer.Typer) -> None:
    fhir_app = typer.Typer(help="FHIR R4 export and import of one patient.", no_args_is_help=True)
    app.add_typer(fhir_app, name="fhir")

    @fhir_app.command("export")
    def export(
        patient: Annotated[int, typer.Option("--patient", help="patient id")],
        out: Annotated[Path, typer.Option("--out", help="the Bundle file (JSON) to write")],
        db: DbOption = None,
    ) -> None:
        """Write the patient's Bundle ($everything) as JSON."""
        from thecal.adapters.db.engine import database_url
        from thecal.adapters.fhir.export import patient_bundle
        from thecal.entrypoints.cli.clinic_impl import open_clinic

        try:
            clinic = open_clinic(database_url(db))
            with clinic.reads() as s:
                bundle = patient_bundle(s, patient, clinic.catalogue, clinic.library)
        except ThecalError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from exc
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(bundle, indent=1, sort_keys=True) + "\n")
        typer.echo(f"wrote {out} ({len(bundle['entry'])} resources)")

    @fhir_app.command("import")
    def import_(
        file: Annotated[Path, typer.Argument(help="a Bundle written by `thecal fhir export`")],
        reason: Annotated[str, typer.Option(help="why (kept in the audit trail)")],
        user: Annotated[str, typer.Option(help="who imports (audit)")] = "cli",
        db: DbOption = None,
    ) -> None:
        """Import one patient's Bundle in one transaction: all of it or nothing."""
        from thecal.adapters.db.engine import database_url
        from thecal.adapters.fhir.importer import import_bundle
        from thecal.entrypoints.cli.clinic_impl import open_clinic
        from thecal.services.clinic.ports import Principal

        try:
            doc = json.loads(file.read_text())
        except (OSError, ValueError) as exc:
            typer.echo(f"error: {file}: {exc}", err=True)
            raise typer.Exit(2) from exc
        who = Principal(0, user, user, "physician", None, "")
        try:
            clinic = open_clinic(database_url(db))
            pid = import_bundle(clinic, who, doc, reason, time.time())
        except InputError as exc:
            typer.echo(f"error: {exc.message}", err=True)
            for p in exc.problems:
                typer.echo(f"  {p.path}: {p.message}", err=True)
            raise typer.Exit(2) from exc
        except ThecalError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from exc
        typer.echo(f"imported patient {pid}")
