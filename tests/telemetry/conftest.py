"""An emulator process per test: started by the fixture, waited for on its port,
stopped by its own PID."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.telemetry.helpers import SERIAL
from thecal.adapters.telemetry import EmulatorProcess

T0 = 10 * 86_400.0  # the pump's clock starts at day 10, as the programmer tests' T0


@pytest.fixture
def emulator_process(tmp_path) -> Iterator[EmulatorProcess]:
    process = EmulatorProcess(tmp_path / "pump", SERIAL, speed=1.0, epoch_s=T0)
    process.start()
    try:
        yield process
    finally:
        process.stop()
        assert process.process is None
