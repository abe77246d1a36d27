"""Telemetry frames: one datagram each, checked whole before anything in it is used.

Layout (big-endian; docs/telemetry.md):

    offset size  field
    0      2     magic b"TC"
    2      1     version (1)
    3      1     kind: 1 request, 2 response
    4      4     seq: link sequence number (a retransmission keeps it)
    8      2     payload length N (at most MAX_PAYLOAD)
    10     N     payload: one JSON object, UTF-8
    10+N   2     CRC-16/CCITT-FALSE over bytes 0 .. 10+N-1

The CRC is the standard library's `binascii.crc_hqx` (polynomial 0x1021) started at
0xFFFF, which is CRC-16/CCITT-FALSE: check value 0x29B1 for b"123456789".
"""

from __future__ import annotations

import binascii
import json
import struct
from dataclasses import dataclass
from typing import Any

from thecal.core.errors import BadFrame

MAGIC = b"TC"
VERSION = 1
REQUEST, RESPONSE = 1, 2
HEADER = struct.Struct(">2sBBIH")
CRC = struct.Struct(">H")
MAX_PAYLOAD = 60_000  # fits one UDP datagram on loopback with room to spare
CRC_INIT = 0xFFFF


def crc16_ccitt_false(data: bytes) -> int:
    return binascii.crc_hqx(data, CRC_INIT)


@dataclass(frozen=True)
class Frame:
    kind: int
    seq: int
    payload: dict[str, Any]


def encode(frame: Frame) -> bytes:
    body = json.dumps(frame.payload, sort_keys=True, separators=(",", ":")).encode()
    if len(body) > MAX_PAYLOAD:
        raise BadFrame(f"payload: {len(body)} bytes, at most {MAX_PAYLOAD} fit one frame")
    if frame.kind not in (REQUEST, RESPONSE) or not 0 <= frame.seq < 2**32:
        raise BadFrame("kind must be 1 (request) or 2 (response); seq a 32-bit unsigned number")
    head = HEADER.pack(MAGIC, VERSION, frame.kind, frame.seq, len(body)) + body
    return head + CRC.pack(crc16_ccitt_false(head))


def decode(data: bytes) -> Frame:
    """The frame in `data`, or `BadFrame` naming the first check that failed."""
    if len(data) < HEADER.size + CRC.size:
        raise BadFrame(f"length: {len(data)} bytes, a frame has at least 12")
    magic, version, kind, seq, length = HEADER.unpack_from(data)
    if magic != MAGIC:
        raise BadFrame(f"magic: {magic!r}, expected {MAGIC!r}")
    if version != VERSION:
        raise BadFrame(f"version: {version}, this end speaks {VERSION}")
    if kind not in (REQUEST, RESPONSE):
        raise BadFrame(f"kind: {kind}, expected 1 (request) or 2 (response)")
    if len(data) != HEADER.size + length + CRC.size:
        raise BadFrame(f"length: header says {length} payload bytes, datagram has {len(data)}")
    (crc,) = CRC.unpack_from(data, HEADER.size + length)
    if crc != crc16_ccitt_false(data[: HEADER.size + length]):
        raise BadFrame("crc: the frame was damaged in transit")
    try:
        payload = json.loads(data[HEADER.size : HEADER.size + length])
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadFrame(f"payload: not JSON ({exc})") from exc
    if not isinstance(payload, dict):
        raise BadFrame("payload: expected a JSON object")
    return Frame(kind, seq, payload)
