"""The radio link, as datagrams: a plain UDP link, and a seeded lossy one in front of
it that drops, duplicates, reorders, corrupts and delays frames in both directions
and can cut a session off mid-way (the field failures of devices.md F19, SR-34).

Faults live on the programmer's side of the link, so the emulator process stays
the faithful pump: everything it sees is something a real radio could deliver.
"""

from __future__ import annotations

import contextlib
import random
import socket
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Protocol

FAULT_KINDS = ("drop", "duplicate", "reorder", "corrupt", "delay")


class Link(Protocol):
    def send(self, data: bytes) -> None: ...

    def recv(self, timeout_s: float) -> bytes | None: ...

    def close(self) -> None: ...


class UdpLink:
    """One programmer's end of the link to one emulator (host, port)."""

    def __init__(self, host: str, port: int) -> None:
        self.address = (host, port)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1" if host in ("127.0.0.1", "localhost") else "", 0))

    def send(self, data: bytes) -> None:
        with contextlib.suppress(OSError):  # nobody listening: as lost as a dropped frame
            self.sock.sendto(data, self.address)

    def recv(self, timeout_s: float) -> bytes | None:
        self.sock.settimeout(max(timeout_s, 1e-4))
        try:
            data, _ = self.sock.recvfrom(65536)
        except (TimeoutError, ConnectionRefusedError, OSError):
            return None
        return data

    def close(self) -> None:
        self.sock.close()


@dataclass
class RecordingLink:
    """A link that keeps the last frames sent through it: what a listener on the radio
    would have recorded (the fault campaign replays them as a rogue client)."""

    inner: Link
    sent: deque[bytes] = field(default_factory=lambda: deque(maxlen=512))

    def send(self, data: bytes) -> None:
        self.sent.append(data)
        self.inner.send(data)

    def recv(self, timeout_s: float) -> bytes | None:
        return self.inner.recv(timeout_s)

    def close(self) -> None:
        self.inner.close()


@dataclass(frozen=True)
class LinkFaults:
    """Probabilities per frame and direction; `cut` is per session (once cut, nothing
    more gets through until the next session)."""

    drop: float = 0.0
    duplicate: float = 0.0
    reorder: float = 0.0
    corrupt: float = 0.0
    delay: float = 0.0
    delay_s: tuple[float, float] = (0.005, 0.08)
    cut: float = 0.0


@dataclass
class FaultyLink:
    inner: Link
    faults: LinkFaults
    rng: random.Random
    injected: Counter[str] = field(default_factory=Counter)
    cut_now: bool = False
    _cut_after: int | None = None  # frames left before this session is cut
    _held_out: bytes | None = None  # an outgoing frame held back to be sent out of order
    _held_in: list[bytes] = field(default_factory=list)  # incoming frames delivered later
    _late: list[tuple[float, bytes]] = field(default_factory=list)  # delayed incoming

    def new_session(self) -> None:
        """A new radio session: the link is whole again, and may be cut during it."""
        self.cut_now = False
        self._cut_after = self.rng.randint(0, 6) if self.rng.random() < self.faults.cut else None

    def _maybe_cut(self) -> bool:
        if self.cut_now:
            return True
        if self._cut_after is None:
            return False
        if self._cut_after <= 0:
            self.cut_now, self._cut_after = True, None
            self.injected["cut"] += 1
            return True
        self._cut_after -= 1
        return False

    def _damage(self, data: bytes) -> bytes:
        i = self.rng.randrange(len(data))
        return data[:i] + bytes([data[i] ^ (1 << self.rng.randrange(8))]) + data[i + 1 :]

    def _fault(self) -> str | None:
        r, f = self.rng.random(), self.faults
        for kind in FAULT_KINDS:
            p = getattr(f, kind)
            if r < p:
                self.injected[kind] += 1
                return kind
            r -= p
        return None

    def send(self, data: bytes) -> None:
        if self._maybe_cut():
            return
        kind = self._fault()
        if kind == "drop":
            return
        if kind == "corrupt":
            data = self._damage(data)
        if kind == "delay":
            time.sleep(self.rng.uniform(*self.faults.delay_s))
        if kind == "reorder" and self._held_out is None:
            self._held_out = data  # goes out after the next frame
            return
        self.inner.send(data)
        if kind == "duplicate":
            self.inner.send(data)
        if self._held_out is not None and kind != "reorder":
            held, self._held_out = self._held_out, None
            self.inner.send(held)

    def recv(self, timeout_s: float) -> bytes | None:
        deadline = time.monotonic() + timeout_s
        while True:
            now = time.monotonic()
            due = [d for d in self._late if d[0] <= now]
            if due:
                self._late.remove(due[0])
                return due[0][1]
            remaining = deadline - now
            if remaining <= 0:
                return None
            data = self.inner.recv(remaining)
            if data is None:
                continue
            if self.cut_now:
                continue
            kind = self._fault()
            if kind == "drop":
                continue
            if kind == "corrupt":
                return self._damage(data)
            if kind == "delay":
                self._late.append((time.monotonic() + self.rng.uniform(*self.faults.delay_s), data))
                continue
            if kind == "duplicate":
                self._held_in.append(data)
                return data
            if kind == "reorder":
                self._held_in.append(data)  # arrives after the next one
                continue
            if self._held_in:
                self._late.extend((0.0, d) for d in self._held_in)
                self._held_in.clear()
            return data

    def close(self) -> None:
        self.inner.close()
