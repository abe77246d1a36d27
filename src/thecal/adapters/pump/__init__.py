"""Pump adapters: the in-process emulator behind the services' PumpPort."""

from thecal.adapters.pump.emulator import EmulatedPump

__all__ = ["EmulatedPump"]
