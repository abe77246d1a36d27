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


@pytest.fixture(autouse=True)
def closed_after_the_test(monkeypatch) -> Iterator[None]:
    """Every UDP link and journal a test opens (programmers, handsets, in-process
    emulators) is closed when it ends, as a process exiting would: no test leaves a
    socket or a file open for the garbage collector (issue 27)."""
    from thecal.adapters.telemetry.journal import Journal
    from thecal.adapters.telemetry.link import UdpLink

    opened: list[UdpLink | Journal] = []
    for cls in (UdpLink, Journal):
        original = cls.__init__

        def tracking(self, *args, _original=original, **kwargs) -> None:
            _original(self, *args, **kwargs)
            opened.append(self)

        monkeypatch.setattr(cls, "__init__", tracking)
    yield
    for thing in reversed(opened):
        thing.close()
