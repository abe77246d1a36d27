"""Sealed telemetry: pairing, keys, rotation, and a process without the key, which can
read nothing beyond the ping and write nothing (issue 23). The pump here is the
emulator behind its `LinkGuard`, in process, reached through a link that hands each
datagram straight to the guard; the same guard answers on UDP in the emulator."""

from __future__ import annotations

import os
import stat
from collections import deque

import pytest

from tests.telemetry.helpers import SERIAL, Clock, emulator, program
from thecal.adapters.telemetry.crypto import LinkKey, random_nonce
from thecal.adapters.telemetry.frame import REQUEST, RESPONSE, SEALED, Frame, decode, encode
from thecal.adapters.telemetry.guard import LinkGuard
from thecal.adapters.telemetry.keystore import KeyStore
from thecal.adapters.telemetry.link import RecordingLink
from thecal.adapters.telemetry.pairing import KEY_FILE, PAIRING_WINDOW_S, PumpKeys
from thecal.adapters.telemetry.pump import TelemetryPump
from thecal.adapters.telemetry.rogue import rogue_attack
from thecal.core.errors import BadFrame, InvalidTransition, NotPaired, Unauthentic
from thecal.core.pump.commands import Suspend
from thecal.core.pump.program import program_digest


class GuardLink:
    """A link whose far end is the pump's guard, in process: answers arrive at once."""

    def __init__(self, guard: LinkGuard) -> None:
        self.guard, self.inbox = guard, deque[bytes]()

    def send(self, data: bytes) -> None:
        answer = self.guard.datagram(data)
        if answer is not None:
            self.inbox.append(answer)

    def recv(self, timeout_s: float) -> bytes | None:
        return self.inbox.popleft() if self.inbox else None

    def close(self) -> None:
        pass


class Monotonic:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def pump(tmp_path):
    e = emulator(tmp_path / "pump", Clock(0.0))
    yield LinkGuard(e, PumpKeys.load(e.journal), monotonic=Monotonic())
    e.journal.close()


def programmer(guard: LinkGuard, key: LinkKey | None = None, **kw) -> TelemetryPump:
    return TelemetryPump(GuardLink(guard), SERIAL, key=key, retries=1, timeout_s=0.01, **kw)


def commissioned(port: TelemetryPump) -> dict:
    return port.commission("peristaltic-20", program(1.0), 20.0, 0.26)


def implanted(guard: LinkGuard) -> TelemetryPump:
    port = programmer(guard)
    port.pair()
    assert commissioned(port)["result"]["accepted"]
    return port


def test_a_sealed_frame_opens_only_whole_and_only_with_its_key() -> None:
    key, other = LinkKey(os.urandom(32)), LinkKey(os.urandom(32))
    nonce = random_nonce()
    data = encode(Frame(REQUEST, 7, {"op": "interrogate"}), key, nonce)
    assert data[2] == SEALED
    assert b"interrogate" not in data  # the payload is not readable on the link
    assert decode(data, (key,)).payload == {"op": "interrogate"}
    for i in range(len(data)):  # any one byte changed, header included
        damaged = data[:i] + bytes([data[i] ^ 0x01]) + data[i + 1 :]
        with pytest.raises(BadFrame):
            decode(damaged, (key,))
    with pytest.raises(Unauthentic):
        decode(data, (other,))
    with pytest.raises(Unauthentic):
        decode(data, ())
    answer = encode(Frame(RESPONSE, 7, {"ok": True}), key, random_nonce(), bound=nonce)
    assert decode(answer, (key,), bound=nonce).payload == {"ok": True}
    with pytest.raises(Unauthentic):  # an answer to another request does not open
        decode(answer, (key,), bound=random_nonce())


def test_pairing_agrees_one_key_kept_owner_only_and_closes(pump, tmp_path) -> None:
    store = KeyStore(tmp_path / "clinic-keys")
    port = programmer(pump, on_new_key=lambda k: store.put(SERIAL, k))
    key = port.pair()
    assert pump.keys.current == key  # both ends hold the same 32 bytes
    assert store.get(SERIAL) == key
    key_file = pump.emulator.journal.directory / KEY_FILE
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "clinic-keys" / f"{SERIAL}.key").stat().st_mode) == 0o600
    with pytest.raises(InvalidTransition, match="pairing is closed"):
        programmer(pump).pair()
    assert pump.keys.current == key


def test_without_the_key_only_the_ping_is_answered(pump) -> None:
    port = implanted(pump)
    digest = port.interrogate(0.0).program_digest
    stranger = programmer(pump)
    with pytest.raises(NotPaired, match="no link key"):
        stranger.interrogate(0.0)
    wrong = programmer(pump, key=LinkKey(os.urandom(32)))
    with pytest.raises(NotPaired, match="does not take this programmer's link key"):
        wrong.interrogate(0.0)
    with pytest.raises(NotPaired):
        wrong.apply_program(program(3.5), 0.0)
    link = GuardLink(pump)
    link.send(encode(Frame(REQUEST, 1, {"op": "interrogate", "args": {}})))
    refused = decode(link.recv(0.0))
    assert refused.payload["error"] == "unauthenticated"
    link.send(encode(Frame(REQUEST, 2, {"op": "ping"})))
    ping = decode(link.recv(0.0)).payload
    assert (ping["serial"], ping["paired"], ping["pairing_open"]) == (SERIAL, True, False)
    assert "report" not in ping and "program" not in ping
    assert port.interrogate(0.0).program_digest == digest
    assert [r["op"] for r in port.history] == ["open", "commission"]  # nothing of theirs


def test_the_physical_step_reopens_pairing_for_a_minute_and_the_old_key_stops(pump) -> None:
    port = implanted(pump)
    old = port.key
    pump.magnet()
    pump.monotonic.t += PAIRING_WINDOW_S + 1  # too late: the window closed
    with pytest.raises(InvalidTransition, match="pairing is closed"):
        programmer(pump).pair()
    pump.magnet()
    pump.monotonic.t += PAIRING_WINDOW_S - 1
    again = programmer(pump)
    new = again.pair()
    assert new != old and pump.keys.current == new
    assert again.interrogate(0.0).program_digest == program_digest(program(1.0))
    with pytest.raises(NotPaired):
        port.interrogate(0.0)  # the lost key is worthless now
    with pytest.raises(InvalidTransition, match="pairing is closed"):
        programmer(pump).pair()  # one physical step, one pairing


def test_rotation_keeps_the_old_key_until_the_new_one_is_used(pump, tmp_path) -> None:
    store = KeyStore(tmp_path / "keys")
    port = programmer(pump, on_new_key=lambda k: store.put(SERIAL, k))
    old = port.pair()
    commissioned(port)
    new = port.rotate_key()
    assert store.get(SERIAL) == new and pump.keys.pending == new
    # the answer might have been lost: the old key still opens a session
    assert programmer(pump, key=old).interrogate(0.0).model_id == "peristaltic-20"
    assert pump.keys.current == old
    port.interrogate(0.0)  # the first frame sealed with the new key promotes it
    assert (pump.keys.current, pump.keys.pending) == (new, None)
    with pytest.raises(NotPaired):
        programmer(pump, key=old).interrogate(0.0)
    restarted = PumpKeys.load(pump.emulator.journal)
    assert (restarted.current, restarted.pending) == (new, None)


def test_a_rogue_with_every_recorded_frame_changes_nothing(pump) -> None:
    recorder = RecordingLink(GuardLink(pump))
    port = TelemetryPump(recorder, SERIAL, retries=1, timeout_s=0.01)
    port.pair()
    commissioned(port)
    port.apply_program(program(2.0), 0.0)
    port.send(Suspend())
    port.close()
    records, state = pump.emulator.seq, pump.emulator.state
    seen = rogue_attack(GuardLink(pump), SERIAL, list(recorder.sent))
    assert seen["writes_accepted"] == seen["reads_answered"] == seen["pairings_accepted"] == 0
    assert seen["replays_sent"] == len(recorder.sent) > 0
    assert pump.emulator.seq == records  # not one record added to the journal
    assert pump.emulator.state == state
    held = port.interrogate(0.0)
    assert held.program_digest == program_digest(program(2.0))
    assert held.state == "suspended"
