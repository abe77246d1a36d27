"""Telemetry: the open wire protocol to a pump process (docs/telemetry.md), the
emulator behind it, and the `PumpPort` that reaches it over a (lossy) link."""

from thecal.adapters.telemetry.link import FaultyLink, LinkFaults, UdpLink
from thecal.adapters.telemetry.process import EmulatorProcess
from thecal.adapters.telemetry.pump import TelemetryPump

__all__ = ["EmulatorProcess", "FaultyLink", "LinkFaults", "TelemetryPump", "UdpLink"]
