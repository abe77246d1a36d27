"""The clinic commands' work (`thecal serve`, `audit`, `users`, `db`): the database,
web and PDF stacks load here, when a command runs, never for `thecal --help`
(entrypoints/cli/clinic.py registers the commands and calls in)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import Progress

from thecal.adapters.clock import ClinicClock
from thecal.adapters.db import audit, audit_anchor
from thecal.adapters.db.bootstrap import ClinicDb, bootstrap
from thecal.adapters.db.engine import database_url, make_engine, session_factory
from thecal.adapters.db.engine import downgrade as db_downgrade
from thecal.adapters.db.engine import upgrade as db_upgrade
from thecal.adapters.db.setup import holds_patients, pumped_patients, store_clock, stored_clock
from thecal.adapters.pump.links import InProcessLinks, PumpLinks, links_from_environment
from thecal.core.errors import Conflict, InputError, Problem, ThecalError

DEMO_DB = "out/thecal-demo.db"
console = Console()


def open_clinic(url: str, links: PumpLinks = InProcessLinks()) -> ClinicDb:  # noqa: B008
    return bootstrap(url, links)


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
    if holds_patients(clinic):
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


def serve(
    demo: bool,
    host: str,
    port: int,
    patients: int,
    speed: float,
    database: str | None,
    sync_every_s: float,
    workers: int,
    secure_cookies: bool | None,
) -> None:
    import threading

    import uvicorn

    from thecal.entrypoints.web import create_app
    from thecal.entrypoints.web.main import time_zone_from_environment

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
    zone = time_zone_from_environment()
    try:
        app_ = create_app(clinic, clock, speed=clock.speed, secure_cookies=secure,
                          time_zone=zone)  # fmt: skip
    except (ValueError, KeyError):
        console.print(f"[red]THECAL_TIME_ZONE: '{zone}' is not an IANA time zone name "
                      "(e.g. Europe/London)[/red]")  # fmt: skip
        raise typer.Exit(2) from None

    def keep_pumps_current() -> None:
        while True:
            time.sleep(sync_every_s)
            for pid in pumped_patients(clinic):
                try:
                    clinic.clinic.care.sync(pid, clock.now())
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


def verify(database: str | None, checkpoint: Path | None, key: Path | None) -> None:
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


def write_checkpoint(key: Path, out: Path, database: str | None) -> None:
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


def new_key(out: Path) -> None:
    try:
        audit_anchor.new_key(out)
    except InputError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    console.print(f"key written to {out}")


def users_add(username: str, name: str, role: str, database: str | None, password: str) -> None:
    if role != "admin":
        console.print("[bold red]--role: the command line creates only the first admin; "
                      "an administrator creates the other accounts[/]")  # fmt: skip
        raise typer.Exit(2)
    cdb = open_clinic(database_url(database))
    try:
        uid = cdb.clinic.user_admin.first_admin(username, name, password, time.time())
    except Conflict as exc:
        console.print(f"[bold red]{exc}[/]")
        raise typer.Exit(1) from None
    except ThecalError as exc:
        console.print(f"[bold red]{exc}[/]")
        raise typer.Exit(2) from None
    console.print(f"administrator {username} created (user {uid}); sign in at /login")


def upgrade(database: str | None, revision: str) -> None:
    db_upgrade(database_url(database), revision)


def downgrade(database: str | None, revision: str) -> None:
    db_downgrade(database_url(database), revision)
