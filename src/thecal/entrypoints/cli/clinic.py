"""`thecal serve`, `thecal audit verify`, `thecal db upgrade|downgrade`: the clinic's
command line. The composition root: the database, the clock, the pumps' data."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress
from sqlalchemy import func, select

from thecal.adapters.clock import ClinicClock
from thecal.adapters.db import audit, audit_anchor
from thecal.adapters.db.bootstrap import ClinicDb, bootstrap
from thecal.adapters.db.engine import database_url, make_engine, session_factory
from thecal.adapters.db.engine import downgrade as db_downgrade
from thecal.adapters.db.engine import upgrade as db_upgrade
from thecal.adapters.db.models import Patient, Setting, User
from thecal.adapters.pump.links import InProcessLinks, PumpLinks, links_from_environment
from thecal.core.errors import InputError, Problem, ThecalError

DEMO_DB = "out/thecal-demo.db"
KeyOpt = Annotated[Path, typer.Option(help="the checkpoint key file (outside the database)")]
PointsOpt = Annotated[Path | None, typer.Option(help="the checkpoint file")]
console = Console()


def open_clinic(url: str, links: PumpLinks = InProcessLinks()) -> ClinicDb:  # noqa: B008
    return bootstrap(url, links)


def stored_clock(cdb: ClinicDb) -> ClinicClock | None:
    with cdb.reads() as db:
        row = db.scalars(select(Setting).where(Setting.key == "clock")).first()
    if row is None:
        return None
    c = json.loads(row.value)
    return ClinicClock(c["anchor_clinic_s"], c["anchor_real_s"], c["speed"])


def store_clock(cdb: ClinicDb, clock: ClinicClock) -> None:
    with cdb.unit_of_work() as uow:
        db = uow.db
        row = db.get(Setting, "clock")
        value = json.dumps(
            {
                "anchor_clinic_s": clock.anchor_clinic_s,
                "anchor_real_s": clock.anchor_real_s,
                "speed": clock.speed,
            }
        )
        if row is None:
            db.add(Setting(key="clock", value=value))
        else:
            row.value = value
        uow.commit()


def seed_demo(url: str, patients: int, speed: float) -> tuple[ClinicDb, ClinicClock]:
    from thecal.adapters.db.demo import seed

    path = Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else None
    if path is not None and path.exists():
        if path.resolve() != Path(DEMO_DB).resolve():  # never delete what the demo did not make
            raise InputError(
                "demo refused",
                [Problem("--database", f"{path} exists: the demo seeds a new file or its own "
                         f"{DEMO_DB}; choose another path or remove it yourself")],
            )  # fmt: skip
        path.unlink()
    clinic = open_clinic(url)
    with clinic.reads() as db:
        if db.scalar(select(func.count()).select_from(Patient)):
            raise InputError(
                "demo refused",
                [Problem("--database", "the database already holds patients: the demo seeds "
                         "only an empty clinic")],
            )  # fmt: skip
    end = time.time()
    with Progress(console=console, transient=True) as bar:
        task = bar.add_task(f"seeding {patients} demo patients", total=patients)
        logins = seed(clinic, patients, end, progress=lambda n: bar.update(task, completed=n))
    clock = ClinicClock(end, time.time(), speed)
    store_clock(clinic, clock)
    console.print(f"[bold]Demo logins[/bold] (password for all: [bold]{logins['password']}[/bold])")
    for username, role in logins["staff"]:
        console.print(f"  {username:<10} {role}")
    for username, name in logins["patients"]:
        console.print(f"  {username:<10} patient ({name})")
    return clinic, clock


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
        import threading

        import uvicorn

        from thecal.entrypoints.web import create_app

        if demo:
            Path("out").mkdir(exist_ok=True)
            url = database or f"sqlite:///{DEMO_DB}"
            try:
                clinic, clock = seed_demo(url, patients, speed)
            except InputError as exc:
                console.print(f"[bold red]{exc}[/]")
                raise typer.Exit(2) from None
        else:
            try:
                links = links_from_environment()
            except InputError as exc:
                console.print(f"[red]{exc}[/red]")
                raise typer.Exit(2) from None
            url = database_url(database)
            clinic = open_clinic(url, links)
            clock = stored_clock(clinic) or ClinicClock.real_time()
            store_clock(clinic, clock)
        secure = (not demo) if secure_cookies is None else secure_cookies
        app_ = create_app(clinic, clock, speed=clock.speed, secure_cookies=secure)

        def keep_pumps_current() -> None:
            from thecal.adapters.db.models import Pump

            while True:
                time.sleep(sync_every_s)
                with clinic.reads() as db:
                    ids = list(db.scalars(select(Pump.patient_id)))
                for pid in ids:
                    try:
                        clinic.clinic.sync(pid, clock.now())
                    except Exception as exc:
                        console.print(f"[red]sync of patient {pid} failed: {exc}[/red]")

        # A pump behind telemetry is read only when someone interrogates it, as a real
        # implanted pump is: polling it would spend its battery on radio sessions.
        if isinstance(clinic.links, InProcessLinks):
            threading.Thread(target=keep_pumps_current, daemon=True).start()
        console.print(
            f"thecal clinic on [bold]http://{host}:{port}[/bold] "
            f"(database {url.split('@')[-1]}, clock x{clock.speed:g}, pumps "
            f"{clinic.links.kind}); Ctrl-C stops"
        )
        if workers == 1:
            uvicorn.run(app_, host=host, port=port, log_level="warning")
            return
        os.environ["THECAL_DATABASE_URL"] = url  # each worker builds its own app from it
        os.environ["THECAL_SECURE_COOKIES"] = "1" if secure else "0"
        uvicorn.run(
            "thecal.entrypoints.web.main:app_from_environment",
            factory=True,
            workers=workers,
            host=host,
            port=port,
            log_level="warning",
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
        if (checkpoint is None) != (key is None):
            console.print("[red]give --checkpoint and --key together[/red]")
            raise typer.Exit(2)
        engine = make_engine(database_url(database))
        try:
            with session_factory(engine)() as db:
                v = audit.verify(db)
                problems = list(v.problems)
                if checkpoint is not None and key is not None:
                    problems += audit_anchor.check(db, checkpoint, audit_anchor.read_key(key))
        except InputError as exc:
            console.print(f"[red]{exc}[/red]")
            raise typer.Exit(2) from None
        finally:
            engine.dispose()
        if not problems:
            console.print(f"audit chain intact: {v.rows} rows, head {v.head}")
            return
        for p in problems:
            console.print(f"[red]{p}[/red]")
        raise typer.Exit(1)

    @audit_app.command("checkpoint")
    def write_checkpoint(
        key: KeyOpt,
        out: Annotated[Path, typer.Option(help="the checkpoint file (appended to)")],
        database: Annotated[str | None, typer.Option(help="database URL")] = None,
    ) -> None:
        """Append the chain's length and head, MAC'd with --key, to --out: outside the
        database, so deleting, truncating or recomputing the trail is caught later."""
        engine = make_engine(database_url(database))
        try:
            with session_factory(engine)() as db:
                cp = audit_anchor.checkpoint(db, audit_anchor.read_key(key), time.time())
        except InputError as exc:
            console.print(f"[red]{exc}[/red]")
            for p in exc.problems:
                console.print(f"  {p.message}")
            raise typer.Exit(1) from None
        finally:
            engine.dispose()
        audit_anchor.append_checkpoint(out, cp)
        console.print(f"checkpoint: {cp['count']} rows, head {cp['hash']}")

    @audit_app.command("new-key")
    def new_key(out: Annotated[Path, typer.Option(help="where to write the key")]) -> None:
        """A fresh random checkpoint key (mode 600); keep it off the database server."""
        try:
            audit_anchor.new_key(out)
        except InputError as exc:
            console.print(f"[red]{exc}[/red]")
            raise typer.Exit(2) from None
        console.print(f"key written to {out}")

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
        from thecal.services.clinic import Principal

        if role != "admin":
            console.print("[bold red]--role: the command line creates only the first admin; "
                          "an administrator creates the other accounts[/]")  # fmt: skip
            raise typer.Exit(2)
        cdb = open_clinic(database_url(database))
        with cdb.reads() as db:
            admins = db.scalar(
                select(func.count()).select_from(User).where(User.role == "admin")
            )
        if admins:
            console.print(f"[bold red]this clinic has {admins} administrator(s): sign in as one "
                          "and create the account on the Users screen[/]")  # fmt: skip
            raise typer.Exit(1)
        setup = Principal(0, "command-line", "thecal users add", "admin", None, "")
        try:
            uid = cdb.clinic.add_user(setup, username, name, password, "admin", None, time.time())
        except ThecalError as exc:
            console.print(f"[bold red]{exc}[/]")
            raise typer.Exit(2) from None
        console.print(f"administrator {username} created (user {uid}); sign in at /login")

    @db_app.command("upgrade")
    def upgrade(
        database: Annotated[str | None, typer.Option()] = None, revision: str = "head"
    ) -> None:
        db_upgrade(database_url(database), revision)

    @db_app.command("downgrade")
    def downgrade(
        database: Annotated[str | None, typer.Option()] = None, revision: str = "base"
    ) -> None:
        db_downgrade(database_url(database), revision)
