"""How the clinic reaches its patients' pumps: configuration chooses.

- `InProcessLinks` (the default): each pump's firmware state lives in the clinic's
  database row and runs in the clinic's process (`EmulatedPump`).
- `TelemetryLinks`: each pump is its own emulator process, found by its serial in a
  directory (`THECAL_TELEMETRY_PUMPS`), reached over the telemetry protocol
  (`TelemetryPump`). The database then holds what the pump last reported, never its
  state: the pump owns that, as a real implanted pump does. The link keys live in
  a key directory (`THECAL_TELEMETRY_KEYS`), never in the database.

Both hand the programmer services the same `PumpPort`; the clinic's use cases do not
know which one they talk to except where a real difference exists (an in-process
pump's state is saved back to its row; a telemetry pump is commissioned over the
link at implant).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from thecal.adapters.telemetry import TelemetryPump, UdpLink
from thecal.adapters.telemetry.keystore import KeyStore
from thecal.core.errors import InputError, NotFound, Problem

IN_PROCESS, TELEMETRY = "in-process", "telemetry"
LINK_KINDS = (IN_PROCESS, TELEMETRY)


@dataclass(frozen=True)
class InProcessLinks:
    kind: str = IN_PROCESS


@dataclass(frozen=True)
class TelemetryLinks:
    addresses: Mapping[str, tuple[str, int]]  # serial -> (host, UDP port)
    keys: KeyStore
    timeout_s: float = 0.25
    retries: int = 5
    programmer: str = "clinic"
    kind: str = field(default=TELEMETRY)

    def open(self, serial: str) -> TelemetryPump:
        address = self.addresses.get(serial)
        if address is None:
            raise NotFound(
                f"no telemetry address for pump {serial}: add '{serial}=HOST:PORT' to "
                "THECAL_TELEMETRY_PUMPS"
            )
        return TelemetryPump(
            UdpLink(*address), serial, self.programmer, key=self.keys.get(serial),
            on_new_key=lambda key: self.keys.put(serial, key), retries=self.retries,
            timeout_s=self.timeout_s,
        )  # fmt: skip


PumpLinks = InProcessLinks | TelemetryLinks


def parse_addresses(text: str) -> dict[str, tuple[str, int]]:
    """`SERIAL=HOST:PORT,SERIAL=HOST:PORT` (spaces allowed) into a directory."""
    out: dict[str, tuple[str, int]] = {}
    problems = []
    for i, item in enumerate(p.strip() for p in text.split(",") if p.strip()):
        serial, _, address = item.partition("=")
        host, _, port = address.rpartition(":")
        if not serial or not host or not port.isdigit() or not 0 < int(port) < 65536:
            problems.append(
                Problem(f"THECAL_TELEMETRY_PUMPS[{i}]", f"'{item}': expected SERIAL=HOST:PORT")
            )
            continue
        out[serial.strip()] = (host.strip(), int(port))
    if problems:
        raise InputError("telemetry pump directory refused", problems)
    return out


def links_from_environment(env: Mapping[str, str] = os.environ) -> PumpLinks:
    """`THECAL_PUMP_LINK` = in-process (default) | telemetry; with telemetry,
    `THECAL_TELEMETRY_PUMPS` = SERIAL=HOST:PORT,... and `THECAL_TELEMETRY_KEYS` = the
    directory of link keys."""
    kind = env.get("THECAL_PUMP_LINK", IN_PROCESS)
    if kind == IN_PROCESS:
        return InProcessLinks()
    if kind != TELEMETRY:
        raise InputError(
            "pump link refused",
            [Problem("THECAL_PUMP_LINK", f"'{kind}': one of {', '.join(LINK_KINDS)}")],
        )
    addresses = parse_addresses(env.get("THECAL_TELEMETRY_PUMPS", ""))
    keys = env.get("THECAL_TELEMETRY_KEYS", "").strip()
    if not keys:
        raise InputError(
            "pump link refused",
            [Problem("THECAL_TELEMETRY_KEYS", "the directory the clinic keeps link keys in")],
        )
    return TelemetryLinks(addresses, KeyStore(Path(keys)))
