"""The pump's radio: every datagram passes here before the firmware sees anything.

In the open (version 1 frames) the pump answers a ping and, while pairing is open, a
pairing; anything else gets an `unauthenticated` refusal and reaches nothing. A sealed
frame (version 2) is opened with the pump's link key before a byte of it is parsed;
one that does not open is refused the same way. Only then does the request go to
`PumpEmulator.handle`, whose sessions, sequence numbers and command ids stop a frame
recorded earlier from being applied again. Answers are sealed with the key that
opened the request and bound to its nonce.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from thecal.adapters.telemetry.crypto import RandomBytes, public_from_hex, random_nonce
from thecal.adapters.telemetry.emulator import PumpEmulator, refusal
from thecal.adapters.telemetry.frame import HEADER, REQUEST, RESPONSE, Frame, decode, encode
from thecal.adapters.telemetry.pairing import PumpKeys
from thecal.core.errors import BadFrame, Unauthentic

OPEN_OPS = ("ping", "pair")
PAIRING_HINT = (
    "pairing is closed: this pump is paired. To pair again, hold the programmer head "
    "over the pump (the physical step, docs/telemetry.md) and pair within a minute"
)


def _unauthenticated(why: str) -> dict[str, Any]:
    return refusal("unauthenticated", f"{why}: seal the frame with this pump's link key")


@dataclass
class LinkGuard:
    emulator: PumpEmulator
    keys: PumpKeys
    monotonic: Callable[[], float] = time.monotonic
    random_bytes: RandomBytes = os.urandom
    stats: Counter[str] = field(default_factory=Counter)

    def magnet(self) -> None:
        """The physical step: pairing opens for a minute."""
        self.keys.open_window(self.monotonic())
        self.stats["pairing_windows"] += 1

    def datagram(self, data: bytes) -> bytes | None:
        """The answer to one datagram, or None for one that is not a request at all."""
        try:
            frame = decode(data, self.keys.ring())
        except Unauthentic:
            self.stats["unauthentic_refused"] += 1
            seq = HEADER.unpack_from(data)[3]
            return encode(Frame(RESPONSE, seq, _unauthenticated("the frame did not open")))
        except BadFrame:
            self.stats["bad_frames_dropped"] += 1
            return None
        if frame.kind != REQUEST:
            return None
        if frame.key_index is None:
            return encode(Frame(RESPONSE, frame.seq, self._in_the_open(frame.payload)))
        key = self.keys.ring()[frame.key_index]
        if frame.key_index == 1:
            self.keys.promote()
            self.stats["keys_rotated"] += 1
        if frame.payload.get("op") == "rekey":
            answer = self._rotate(frame.payload)
        else:
            answer = self.emulator.handle(frame.payload, frame.seq)
        nonce = random_nonce(self.random_bytes)
        return encode(Frame(RESPONSE, frame.seq, answer), key, nonce, bound=frame.nonce)

    def _in_the_open(self, payload: dict[str, Any]) -> dict[str, Any]:
        op = payload.get("op")
        if op == "ping":
            return {
                **self.emulator.handle({"op": "ping"}),
                "paired": self.keys.current is not None,
                "pairing_open": self.keys.pairing_open(self.monotonic()),
            }
        if op == "pair":
            return self._pair(payload.get("args"))
        self.stats["unauthentic_refused"] += 1
        return _unauthenticated(f"op '{op}' is not answered in the open; only ping and pair are")

    def _offer(self, args: Any) -> str | dict[str, Any]:
        if not isinstance(args, dict):
            return refusal("bad_request", "args: expected an object")
        if args.get("serial") != self.emulator.serial:
            return refusal("wrong_serial", f"args.serial: this pump is {self.emulator.serial}")
        try:
            public_from_hex(args.get("programmer_public"))
        except ValueError as exc:
            return refusal("bad_request", f"args.programmer_public: {exc}")
        return str(args["programmer_public"])

    def _pair(self, args: Any) -> dict[str, Any]:
        offer = self._offer(args)
        if isinstance(offer, dict):
            return offer
        if offer not in self.keys.answered and not self.keys.pairing_open(self.monotonic()):
            self.stats["pairings_refused"] += 1
            return refusal("pairing_closed", PAIRING_HINT)
        self.emulator.session = None  # a new key: whoever held the old one is out
        self.stats["pairings"] += 1
        return self.keys.pair(self.emulator.serial, offer)

    def _rotate(self, payload: dict[str, Any]) -> dict[str, Any]:
        session = payload.get("session")
        if session is None or session != self.emulator.session:
            return refusal("no_session", "no open session: open one with this pump's serial")
        offer = self._offer(payload.get("args"))
        if isinstance(offer, dict):
            return offer
        return self.keys.rotate(self.emulator.serial, offer)
