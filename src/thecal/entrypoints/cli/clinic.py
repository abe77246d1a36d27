"""`thecal serve`, `thecal audit verify`, `thecal db upgrade|downgrade`, `thecal users
add`: the clinic's command line. Only the commands are declared here; their work (the
composition root: the database, the clock, the pumps' data) is in clinic_impl.py and
loads when a command runs, so `thecal --help` answers at once (issue 27)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

KeyOpt = Annotated[Path, typer.Option(help="the checkpoint key file (outside the database)")]
PointsOpt = Annotated[Path | None, typer.Option(help="the checkpoint file")]


def register(app: typer.Typer) -> None:
    @app.command()
    def serve(
        demo: Annotated[bool, typer.Option(help="seed a demo clinic first (SQLite file)")] = False,
        host: str = "127.0.0.1",
        port: int = 8000,
        patients: Annotated[int, typer.Option(help="demo patients")] = 45,
        speed: Annotated[float, typer.Option(help="demo clock: clinic seconds per second")] = 60.0,
        database: Annotated[str | None, typer.Option(help="database URL")] = None,
        sync_every_s: float = 30.0,
        workers: Annotated[int, typer.Option(help="uvicorn worker processes")] = 1,
        secure_cookies: Annotated[
            bool | None,
            typer.Option(help="mark the session cookie Secure (default: on, off for --demo)"),
        ] = None,
    ) -> None:
        """Serve the clinic (web UI and REST API; OpenAPI at /docs)."""
        from thecal.entrypoints.cli import clinic_impl

        clinic_impl.serve(
            demo, host, port, patients, speed, database, sync_every_s, workers, secure_cookies
        )

    audit_app = typer.Typer(help="The audit trail.", no_args_is_help=True)
    app.add_typer(audit_app, name="audit")

    @audit_app.command("verify")
    def verify(
        database: Annotated[str | None, typer.Option(help="database URL")] = None,
        checkpoint: PointsOpt = None,
        key: Annotated[Path | None, typer.Option(help="the checkpoint key file")] = None,
    ) -> None:
        """Recompute the audit hash chain, and check it against every checkpoint in
        --checkpoint (with --key); exit 1 and name what was edited or deleted."""
        from thecal.entrypoints.cli import clinic_impl

        clinic_impl.verify(database, checkpoint, key)

    @audit_app.command("checkpoint")
    def write_checkpoint(
        key: KeyOpt,
        out: Annotated[Path, typer.Option(help="the checkpoint file (appended to)")],
        database: Annotated[str | None, typer.Option(help="database URL")] = None,
    ) -> None:
        """Append the chain's length and head, MAC'd with --key, to --out: outside the
        database, so deleting, truncating or recomputing the trail is caught later."""
        from thecal.entrypoints.cli import clinic_impl

        clinic_impl.write_checkpoint(key, out, database)

    @audit_app.command("new-key")
    def new_key(out: Annotated[Path, typer.Option(help="where to write the key")]) -> None:
        """A fresh random checkpoint key (mode 600); keep it off the database server."""
        from thecal.entrypoints.cli import clinic_impl

        clinic_impl.new_key(out)

    db_app = typer.Typer(help="The database schema (Alembic).", no_args_is_help=True)
    app.add_typer(db_app, name="db")

    users_app = typer.Typer(help="Clinic accounts from the command line.", no_args_is_help=True)
    app.add_typer(users_app, name="users")

    @users_app.command("add")
    def users_add(
        username: Annotated[str, typer.Option(help="the sign-in name")],
        name: Annotated[str, typer.Option(help="the person's full name")],
        role: Annotated[str, typer.Option(help="only admin: the first account")] = "admin",
        database: Annotated[str | None, typer.Option()] = None,
        password: Annotated[
            str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)
        ] = "",
    ) -> None:
        """Create the first administrator of a fresh clinic (nobody can sign in to create
        one). Every later account is made by an administrator on the Users screen, so
        that it is audited under a person; the command refuses once an admin exists."""
        from thecal.entrypoints.cli import clinic_impl

        clinic_impl.users_add(username, name, role, database, password)

    @db_app.command("upgrade")
    def upgrade(
        database: Annotated[str | None, typer.Option()] = None, revision: str = "head"
    ) -> None:
        from thecal.entrypoints.cli import clinic_impl

        clinic_impl.upgrade(database, revision)

    @db_app.command("downgrade")
    def downgrade(
        database: Annotated[str | None, typer.Option()] = None, revision: str = "base"
    ) -> None:
        from thecal.entrypoints.cli import clinic_impl

        clinic_impl.downgrade(database, revision)
