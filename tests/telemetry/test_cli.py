"""`thecal emulator serve` and `thecal emulator campaign` as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from thecal.adapters.telemetry.crypto import LinkKey
from thecal.adapters.telemetry.process import free_udp_port, ping
from thecal.entrypoints.cli import app

pytestmark = pytest.mark.slow  # a campaign, a study or a process: the slow tier

runner = CliRunner()


def test_campaign_prints_its_counts_as_json(tmp_path) -> None:
    result = runner.invoke(
        app, ["emulator", "campaign", "--sessions", "15", "--seed", "4", "--json",
              "--workdir", str(tmp_path)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["violations"] == [] and out["counts"]["sessions"] == 15
    assert (tmp_path / "pump" / "journal.log").exists()


def test_serve_refuses_an_unknown_model_naming_the_field(tmp_path) -> None:
    result = runner.invoke(
        app, ["emulator", "serve", "--pump-id", "X", "--port", "1", "--state-dir",
              str(tmp_path), "--model", "constant-flow-20"],
    )  # fmt: skip
    assert result.exit_code == 2
    assert "--model" in result.output and "peristaltic-20" in result.output


def test_serve_answers_a_ping_and_stops_on_sigterm(tmp_path) -> None:
    port = free_udp_port()
    proc = subprocess.Popen(
        [sys.executable, "-c", "from thecal.entrypoints.cli import main; main()", "emulator",
         "serve", "--pump-id", "SN-CLI", "--port", str(port), "--state-dir", str(tmp_path)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        answer = None
        for _ in range(100):
            answer = ping("127.0.0.1", port)
            if answer is not None:
                break
        assert answer is not None
        assert (answer["serial"], answer["commissioned"]) == ("SN-CLI", False)
    finally:
        proc.terminate()
        proc.wait(10)
    assert proc.returncode == 0
    with proc.stdout:
        assert b"pump SN-CLI (peristaltic-20)" in proc.stdout.read()


def test_pairing_magnet_and_rotation_from_the_command_line(emulator_process, tmp_path) -> None:
    """The clinic loses its key: pairing stays closed until the physical step (the
    magnet: SIGUSR1 to this emulator's own PID), then one pairing, then rotation."""
    p = emulator_process
    keys = tmp_path / "keys"
    where = ["--serial", p.serial, "--address", f"{p.host}:{p.port}", "--keys", str(keys)]
    first = runner.invoke(app, ["emulator", "pair", *where])
    assert first.exit_code == 0, first.output
    assert (keys / f"{p.serial}.key").exists()
    (keys / f"{p.serial}.key").unlink()  # the clinic lost the key
    closed = runner.invoke(app, ["emulator", "pair", *where])
    assert closed.exit_code == 1 and "pairing is closed" in closed.output
    assert ping(p.host, p.port)["paired"] is True
    magnet = runner.invoke(app, ["emulator", "magnet", "--pid", str(p.pid)])
    assert magnet.exit_code == 0 and "pairing open for 60 s" in magnet.stdout
    for _ in range(50):  # the signal is handled between two datagrams
        if ping(p.host, p.port)["pairing_open"]:
            break
    again = runner.invoke(app, ["emulator", "pair", *where])
    assert again.exit_code == 0, again.output
    key_id = json.loads((keys / f"{p.serial}.key").read_text())["key_id"]
    assert key_id in again.stdout
    rotated = runner.invoke(app, ["emulator", "rotate-key", *where])
    assert rotated.exit_code == 0, rotated.output
    new_id = json.loads((keys / f"{p.serial}.key").read_text())["key_id"]
    assert new_id != key_id and f"{key_id} replaced by {new_id}" in rotated.stdout
    held = json.loads((p.state_dir / "link-key.json").read_text())
    assert LinkKey(bytes.fromhex(held["current"])).key_id == new_id  # promoted by the close
    assert held["pending"] is None and held["pairings"] == 2
