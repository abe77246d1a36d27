"""The pump's side of its link key: kept in its state directory (owner-only, fsync'd
before any answer that depends on it), set by pairing, replaced by rotation.

Pairing is open only to a factory-new pump (never paired: in the operating theatre,
before implant) or for `PAIRING_WINDOW_S` after the physical step (the programmer
head held over the pump: the emulator's SIGUSR1). Rotation happens inside a sealed
session; the new key is kept *pending* beside the old until a frame arrives sealed
with it, so a rotation whose answer was lost leaves the clinic's old key working.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from thecal.adapters.telemetry.crypto import LinkKey, Offer
from thecal.adapters.telemetry.journal import Journal

KEY_FILE = "link-key.json"
PAIRING_WINDOW_S = 60.0  # real seconds the physical step keeps pairing open


@dataclass
class PumpKeys:
    journal: Journal
    current: LinkKey | None = None
    pending: LinkKey | None = None
    pairings: int = 0
    window_until: float = 0.0  # monotonic time the physical step's window ends
    answered: dict[str, dict[str, Any]] = field(default_factory=dict)  # offer -> answer

    @staticmethod
    def load(journal: Journal) -> PumpKeys:
        doc = journal.read_json(KEY_FILE)
        if doc is None:
            return PumpKeys(journal)
        pending = doc.get("pending")
        return PumpKeys(
            journal,
            LinkKey(bytes.fromhex(doc["current"])),
            LinkKey(bytes.fromhex(pending)) if pending else None,
            int(doc["pairings"]),
        )

    def _save(self) -> None:
        assert self.current is not None
        doc = {
            "current": self.current.secret.hex(),
            "pending": self.pending.secret.hex() if self.pending else None,
            "pairings": self.pairings,
        }
        self.journal.write_json(KEY_FILE, doc, private=True)

    def ring(self) -> tuple[LinkKey, ...]:
        """The keys a sealed frame may open with: the current one, then a pending one."""
        return tuple(k for k in (self.current, self.pending) if k is not None)

    def pairing_open(self, now_monotonic: float) -> bool:
        return self.current is None or now_monotonic < self.window_until

    def open_window(self, now_monotonic: float) -> None:
        self.window_until = now_monotonic + PAIRING_WINDOW_S

    def pair(self, serial: str, programmer_public: str) -> dict[str, Any]:
        """A new key from the programmer's offer; the old key (if any) stops working.
        The window closes: one physical step, one pairing."""
        if programmer_public in self.answered:  # a retransmitted offer: the same answer
            return self.answered[programmer_public]
        offer = Offer.new()
        key = offer.agree(programmer_public, serial, programmer_public)
        self.current, self.pending, self.pairings = key, None, self.pairings + 1
        self._save()
        self.window_until = 0.0
        return self._remember(programmer_public, offer, key)

    def rotate(self, serial: str, programmer_public: str) -> dict[str, Any]:
        if programmer_public in self.answered:
            return self.answered[programmer_public]
        offer = Offer.new()
        key = offer.agree(programmer_public, serial, programmer_public)
        self.pending = key
        self._save()
        return self._remember(programmer_public, offer, key)

    def _remember(self, programmer_public: str, offer: Offer, key: LinkKey) -> dict[str, Any]:
        answer = {"ok": True, "pump_public": offer.public_hex, "key_id": key.key_id}
        self.answered = {programmer_public: answer}  # only the newest offer is retransmitted
        return answer

    def promote(self) -> None:
        """A frame sealed with the pending key arrived: the clinic has it; the old goes."""
        if self.pending is not None:
            self.current, self.pending = self.pending, None
            self._save()
