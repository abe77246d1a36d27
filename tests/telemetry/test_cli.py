"""`thecal emulator serve` and `thecal emulator campaign` as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys

from typer.testing import CliRunner

from thecal.adapters.telemetry.process import free_udp_port, ping
from thecal.entrypoints.cli import app

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
    assert b"pump SN-CLI (peristaltic-20)" in proc.stdout.read()
