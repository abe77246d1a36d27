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

Version 1 frames are open: only a ping, a pairing and the pump's refusals travel in
them. Everything else is a version 2 frame, sealed with the pump's link key:

    0      10    the same header, version 2, N = sealed length
    10     12    nonce
    22     N     payload sealed with ChaCha20-Poly1305 (ciphertext and 16-byte tag),
                 associated data = header + nonce (+ the request's nonce, for a response)

The AEAD tag does the CRC's work and more: a damaged frame and a forged one fail the
same check, before any byte of the payload is parsed.
"""

from __future__ import annotations

import binascii
import json
import struct
from dataclasses import dataclass
from typing import Any

from thecal.adapters.telemetry.crypto import NONCE_BYTES, TAG_BYTES, LinkKey, seal, unseal
from thecal.core.errors import BadFrame, Unauthentic

MAGIC = b"TC"
VERSION = 1  # open frames: ping, pairing, refusals
SEALED = 2  # frames sealed with the link key
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
    nonce: bytes = b""  # a sealed frame's nonce (what a response is bound to)
    key_index: int | None = None  # which of the receiver's keys opened it; None if open


def encode(
    frame: Frame, key: LinkKey | None = None, nonce: bytes = b"", bound: bytes = b""
) -> bytes:
    """An open frame, or with `key` a sealed one (`nonce` fresh, `bound` the nonce of
    the request a response answers)."""
    body = json.dumps(frame.payload, sort_keys=True, separators=(",", ":")).encode()
    if len(body) > MAX_PAYLOAD:
        raise BadFrame(f"payload: {len(body)} bytes, at most {MAX_PAYLOAD} fit one frame")
    if frame.kind not in (REQUEST, RESPONSE) or not 0 <= frame.seq < 2**32:
        raise BadFrame("kind must be 1 (request) or 2 (response); seq a 32-bit unsigned number")
    if key is None:
        head = HEADER.pack(MAGIC, VERSION, frame.kind, frame.seq, len(body)) + body
        return head + CRC.pack(crc16_ccitt_false(head))
    if len(nonce) != NONCE_BYTES:
        raise BadFrame(f"nonce: a sealed frame needs {NONCE_BYTES} fresh bytes")
    head = HEADER.pack(MAGIC, SEALED, frame.kind, frame.seq, len(body) + TAG_BYTES) + nonce
    return head + seal(key, nonce, body, head + bound)


def decode(data: bytes, keys: tuple[LinkKey, ...] = (), bound: bytes = b"") -> Frame:
    """The frame in `data`, or `BadFrame` naming the first check that failed. A sealed
    frame opens only with one of `keys`, checked before its payload is parsed."""
    if len(data) < HEADER.size + CRC.size:
        raise BadFrame(f"length: {len(data)} bytes, a frame has at least 12")
    magic, version, kind, seq, length = HEADER.unpack_from(data)
    if magic != MAGIC:
        raise BadFrame(f"magic: {magic!r}, expected {MAGIC!r}")
    if version not in (VERSION, SEALED):
        raise BadFrame(f"version: {version}, this end speaks {VERSION} and {SEALED}")
    if kind not in (REQUEST, RESPONSE):
        raise BadFrame(f"kind: {kind}, expected 1 (request) or 2 (response)")
    if version == SEALED:
        return _opened(data, kind, seq, length, keys, bound)
    if len(data) != HEADER.size + length + CRC.size:
        raise BadFrame(f"length: header says {length} payload bytes, datagram has {len(data)}")
    (crc,) = CRC.unpack_from(data, HEADER.size + length)
    if crc != crc16_ccitt_false(data[: HEADER.size + length]):
        raise BadFrame("crc: the frame was damaged in transit")
    return Frame(kind, seq, _payload(data[HEADER.size : HEADER.size + length]))


def _opened(
    data: bytes, kind: int, seq: int, length: int, keys: tuple[LinkKey, ...], bound: bytes
) -> Frame:
    start = HEADER.size + NONCE_BYTES
    if length < TAG_BYTES or len(data) != start + length:
        raise BadFrame(f"length: header says {length} sealed bytes, datagram has {len(data)}")
    if not keys:
        raise Unauthentic("mac: a sealed frame, and no link key to open it")
    head, nonce = data[:start], data[HEADER.size : start]
    for index, key in enumerate(keys):
        try:
            body = unseal(key, nonce, data[start:], head + bound)
        except Unauthentic:
            continue
        return Frame(kind, seq, _payload(body), nonce, index)
    raise Unauthentic("mac: the frame is not sealed with this link's key")


def _payload(body: bytes) -> dict[str, Any]:
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadFrame(f"payload: not JSON ({exc})") from exc
    if not isinstance(payload, dict):
        raise BadFrame("payload: expected a JSON object")
    return payload
