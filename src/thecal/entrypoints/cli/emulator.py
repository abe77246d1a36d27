"""`thecal emulator serve` (one pump process on a UDP port), `thecal emulator
campaign` (the seeded fault campaign against one, with its counts), and the link
key's life: `magnet` (the physical step), `pair` and `rotate-key`."""

from __future__ import annotations

import json
import os
import signal
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from thecal.adapters.telemetry import TelemetryPump, UdpLink
from thecal.adapters.telemetry.campaign import CampaignConfig, run_campaign
from thecal.adapters.telemetry.keystore import KeyStore
from thecal.adapters.telemetry.pairing import PAIRING_WINDOW_S
from thecal.core.errors import ThecalError
from thecal.data import drug_library, pump_catalogue

SerialOpt = Annotated[str, typer.Option(help="the pump's serial number")]
AddressOpt = Annotated[str, typer.Option(help="HOST:PORT of the emulator")]
KeysOpt = Annotated[Path, typer.Option(help="the clinic's link-key directory")]


@contextmanager
def _on_the_link(pump: TelemetryPump) -> Iterator[None]:
    """A refusal or a silent pump is the command's error (exit 1); the socket closes."""
    try:
        yield
    except ThecalError as exc:
        Console(stderr=True).print(f"[bold red]{exc}[/]")
        raise typer.Exit(1) from None
    finally:
        pump.link.close()


def register(app: typer.Typer) -> None:
    emulator_app = typer.Typer(
        help="The pump emulator process and its telemetry.", no_args_is_help=True
    )
    app.add_typer(emulator_app, name="emulator")

    @emulator_app.command("serve")
    def serve(
        pump_id: Annotated[str, typer.Option(help="the pump's serial number")],
        port: Annotated[int, typer.Option(help="UDP port to answer on")],
        state_dir: Annotated[Path, typer.Option(help="journal, snapshots and clock")],
        model: Annotated[str, typer.Option(help="pump catalogue id")] = "peristaltic-20",
        host: str = "127.0.0.1",
        speed: Annotated[float, typer.Option(help="pump seconds per real second")] = 1.0,
        epoch_s: Annotated[
            float | None, typer.Option(help="pump time at first start (Unix s; default now)")
        ] = None,
    ) -> None:
        """Run one emulated pump: firmware, journal and clock in this process."""
        from thecal.entrypoints.emulator import build
        from thecal.entrypoints.emulator import serve as serve_udp

        try:
            emulator = build(state_dir, pump_id, model, speed, epoch_s)
        except ThecalError as exc:
            Console(stderr=True).print(f"[bold red]{exc}[/]")
            raise typer.Exit(2) from None
        serve_udp(emulator, host, port)

    def _port(serial: str, address: str, keys: Path) -> tuple[TelemetryPump, KeyStore]:
        host, _, port = address.rpartition(":")
        if not host or not port.isdigit():
            Console(stderr=True).print(f"[bold red]--address: '{address}', expected HOST:PORT[/]")
            raise typer.Exit(2)
        store = KeyStore(keys)
        link = UdpLink(host, int(port))
        pump = TelemetryPump(
            link, serial, key=store.get(serial), on_new_key=lambda k: store.put(serial, k)
        )
        return pump, store

    @emulator_app.command("magnet")
    def magnet(pid: Annotated[int, typer.Option(help="the emulator process's PID")]) -> None:
        """The physical step: the programmer head over the pump opens pairing for a
        minute (SIGUSR1 to that one emulator process)."""
        os.kill(pid, signal.SIGUSR1)
        print(f"pairing open for {PAIRING_WINDOW_S:.0f} s on the emulator with PID {pid}")

    @emulator_app.command("pair")
    def pair(serial: SerialOpt, address: AddressOpt, keys: KeysOpt) -> None:
        """Agree a new link key with a factory-new pump, or one whose pairing the
        physical step has opened; the key is written to --keys before it is used."""
        pump, _ = _port(serial, address, keys)
        with _on_the_link(pump):
            key = pump.pair()
        print(f"pump {serial} paired: key {key.key_id} kept in {keys}")

    @emulator_app.command("rotate-key")
    def rotate_key(serial: SerialOpt, address: AddressOpt, keys: KeysOpt) -> None:
        """Replace the link key inside a sealed session (the old key keeps working
        until the pump first sees the new one)."""
        pump, _ = _port(serial, address, keys)
        with _on_the_link(pump):
            old = pump.key
            key = pump.rotate_key()
            pump.close()  # the first frame sealed with the new key retires the old one
        print(f"pump {serial}: key {old.key_id if old else '-'} replaced by {key.key_id}")

    @emulator_app.command("campaign")
    def campaign(
        sessions: int = 1000,
        seed: int = 1,
        kill_probability: Annotated[float, typer.Option(help="per session")] = 0.03,
        workdir: Annotated[Path | None, typer.Option(help="default: a temporary one")] = None,
        as_json: Annotated[bool, typer.Option("--json")] = False,
    ) -> None:
        """Sessions over a seeded lossy link with random kill -9 of the emulator; exit 1
        on any violation."""
        config = CampaignConfig(sessions=sessions, seed=seed, kill_probability=kill_probability)
        model = pump_catalogue().get(config.model_id)
        assert model is not None
        with tempfile.TemporaryDirectory() as tmp:
            report = run_campaign(config, workdir or Path(tmp), model, drug_library())
        if as_json:
            sys.stdout.write(
                json.dumps({"counts": report.counts, "violations": report.violations}) + "\n"
            )
        else:
            table = Table(title=f"Telemetry fault campaign: {sessions} sessions, seed {seed}")
            table.add_column("count")
            table.add_column("value", justify="right")
            for key, value in sorted(report.counts.items()):
                table.add_row(key.replace("_", " "), str(value))
            console = Console()
            console.print(table)
            for v in report.violations:
                console.print(f"[red]violation: {v}[/]")
        if report.violations:
            raise typer.Exit(1)
