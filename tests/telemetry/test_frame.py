"""Framing and CRC: check values from the published CRC catalogue, round trips, and
every kind of bad frame refused with the check that failed."""

from __future__ import annotations

import pytest

from thecal.adapters.telemetry.frame import (
    REQUEST,
    RESPONSE,
    Frame,
    crc16_ccitt_false,
    decode,
    encode,
)
from thecal.core.errors import BadFrame


@pytest.mark.parametrize(
    ("data", "crc"),
    [
        # Greg Cook, "Catalogue of parametrised CRC algorithms" (reveng), CRC-16/IBM-3740
        # alias CRC-16/CCITT-FALSE: width 16, poly 0x1021, init 0xFFFF, check 0x29B1
        (b"123456789", 0x29B1),
        (b"", 0xFFFF),  # no data: the initial value comes back (refin/refout false, xorout 0)
        (b"A", 0xB915),  # the usual single-character vector for CCITT-FALSE
    ],
)
def test_crc16_ccitt_false_check_values(data: bytes, crc: int) -> None:
    assert crc16_ccitt_false(data) == crc


def test_round_trip_keeps_floats_exact() -> None:
    payload = {"op": "apply_program", "args": {"rate": 0.1 + 0.2, "n": 3, "s": "é"}}
    frame = decode(encode(Frame(REQUEST, 4_000_000_000, payload)))
    assert frame == Frame(REQUEST, 4_000_000_000, payload)
    assert frame.payload["args"]["rate"] == 0.30000000000000004


def test_layout_is_the_documented_one() -> None:
    data = encode(Frame(RESPONSE, 7, {}))
    # "TC", version 1, kind 2, seq 7, length 2 ("{}"), payload, CRC over the rest
    assert data[:10] == b"TC\x01\x02\x00\x00\x00\x07\x00\x02"
    assert data[10:12] == b"{}"
    assert int.from_bytes(data[12:], "big") == crc16_ccitt_false(data[:12])


def test_every_single_bit_flip_is_refused() -> None:
    data = encode(Frame(REQUEST, 1, {"op": "interrogate", "session": "s1"}))
    for i in range(len(data) * 8):
        damaged = bytearray(data)
        damaged[i // 8] ^= 1 << (i % 8)
        with pytest.raises(BadFrame):
            decode(bytes(damaged))


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda d: b"XX" + d[2:], "magic"),
        (lambda d: d[:2] + b"\x09" + d[3:], "version"),
        (lambda d: d[:3] + b"\x05" + d[4:], "kind"),
        (lambda d: d[:-1], "length"),
        (lambda d: d + b"\x00", "length"),
        (lambda d: d[:5], "length"),
        (lambda d: d[:-2] + bytes([d[-2] ^ 0xFF, d[-1]]), "crc"),
    ],
)
def test_bad_frames_name_the_check(mutate, field: str) -> None:
    data = encode(Frame(REQUEST, 1, {"op": "ping"}))
    with pytest.raises(BadFrame, match=rf"^{field}"):
        decode(mutate(data))


def _framed(body: bytes) -> bytes:
    head = b"TC\x01\x01\x00\x00\x00\x01" + len(body).to_bytes(2, "big") + body
    return head + crc16_ccitt_false(head).to_bytes(2, "big")


def test_a_well_framed_payload_that_is_not_a_json_object_is_refused() -> None:
    with pytest.raises(BadFrame, match=r"^payload: not JSON"):
        decode(_framed(b"{not json"))
    with pytest.raises(BadFrame, match=r"^payload: expected a JSON object"):
        decode(_framed(b"[1, 2]"))


def test_oversized_payload_is_refused_at_encoding() -> None:
    with pytest.raises(BadFrame, match=r"^payload"):
        encode(Frame(REQUEST, 1, {"x": "a" * 70_000}))
