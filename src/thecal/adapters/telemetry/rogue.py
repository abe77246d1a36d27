"""A rogue process on the same host as the pump, as the probe was: it can send any
datagram to the pump's port and has recorded every frame the clinic sent, but it
does not hold the link key. What it tries, and what must come of it:

- every op in the open (no key): only the ping is answered;
- every op sealed with a key of its own: refused, nothing parsed;
- pairing while the pump is paired and no physical step was made: refused;
- every recorded frame of the clinic's, replayed: old sessions, old sequence numbers
  and known command ids, so nothing is applied again.

The pump's own journal is the judge: `rogue_attack` returns what the rogue saw, and
the caller compares the pump's record count and program before and after.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable

from thecal.adapters.pump.program_codec import program_to_json
from thecal.adapters.telemetry.crypto import LinkKey, Offer, random_nonce
from thecal.adapters.telemetry.frame import REQUEST, Frame, decode, encode
from thecal.adapters.telemetry.link import Link
from thecal.core.errors import BadFrame
from thecal.core.pump.program import DrugConcentration, Program, Step

# the probe's 3.5x program: morphine 10 mg/mL at 3.5 mL/day
ROGUE_PROGRAM = Program((DrugConcentration("morphine", 10_000.0),), (Step(0.0, 3.5 / 86_400),))
ROGUE_OPS: tuple[tuple[str, dict[str, object]], ...] = (
    ("open", {"programmer": "rogue"}),
    ("interrogate", {"since_seq": 0}),
    ("apply_program", {"program": program_to_json(ROGUE_PROGRAM)}),
    ("suspend", {}),
    ("start_bolus", {"kind": "clinician", "volume_ml": 1.0, "duration_s": 60.0}),
    ("refill", {"add_ml": 40.0, "drugs": [{"name": "morphine", "concentration_mcg_per_ml": 1e5}]}),
    ("rekey", {"programmer_public": Offer.new().public_hex}),
    ("close", {}),
)
WRITES = ("open", "apply_program", "suspend", "start_bolus", "refill", "rekey")


def _answer(link: Link, data: bytes, keys: tuple[LinkKey, ...], bound: bytes) -> Frame | None:
    link.send(data)
    raw = link.recv(0.2)
    if raw is None:
        return None
    try:
        return decode(raw, keys, bound)
    except BadFrame:
        return None


def rogue_attack(link: Link, serial: str, recorded: Iterable[bytes] = ()) -> Counter[str]:
    """Everything the rogue tries; the counts say what it got back."""
    seen: Counter[str] = Counter()
    own = LinkKey(os.urandom(32))
    for n, (op, args) in enumerate(ROGUE_OPS, start=1):
        payload = {"op": op, "session": "s1", "command_id": f"rogue-{n}",
                   "args": {"serial": serial, **args}}  # fmt: skip
        for sealed in (False, True):
            nonce = random_nonce()
            data = encode(Frame(REQUEST, n, payload), own if sealed else None, nonce)
            frame = _answer(link, data, (own,) if sealed else (), nonce)
            seen["frames_sent"] += 1
            if frame is None:
                continue
            readable = frame.key_index is not None or not sealed
            if readable and frame.payload.get("ok"):
                seen["writes_accepted" if op in WRITES else "reads_answered"] += 1
            else:
                seen["refused"] += 1
    offer = Offer.new()
    pair = {"op": "pair", "args": {"serial": serial, "programmer_public": offer.public_hex}}
    frame = _answer(link, encode(Frame(REQUEST, 99, pair)), (), b"")
    seen["frames_sent"] += 1
    if frame is not None and frame.payload.get("ok"):
        seen["pairings_accepted"] += 1
    for data in recorded:
        link.send(data)
        seen["replays_sent"] += 1
        if link.recv(0.05) is not None:
            seen["replays_answered_sealed"] += 1  # answered, sealed: unreadable to the rogue
    return seen
