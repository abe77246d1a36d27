"""The link's cryptography: pairing by X25519 key agreement, frames sealed with
ChaCha20-Poly1305, all from the `cryptography` package (never hand-written).

Why these: X25519 lets the programmer and the pump agree a key that never crosses
the radio, so a listener during pairing learns nothing; an AEAD both hides the
payload (a process without the key reads nothing beyond the ping) and
authenticates it with the header as associated data, so a changed byte anywhere,
including the sequence number, fails the whole frame. A response is bound to the
request it answers by that request's nonce, so an old answer cannot be replayed to
a programmer as the answer to a new question (docs/telemetry.md).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from thecal.core.errors import Unauthentic

KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
PUBLIC_BYTES = 32
KDF_LABEL = b"thecal telemetry link key v1"

RandomBytes = Callable[[int], bytes]


@dataclass(frozen=True)
class LinkKey:
    """A per-pump key shared by the clinic and the pump; `key_id` names it in logs and
    files without revealing it."""

    secret: bytes

    def __post_init__(self) -> None:
        if len(self.secret) != KEY_BYTES:
            raise ValueError(f"a link key is {KEY_BYTES} bytes, got {len(self.secret)}")

    @property
    def key_id(self) -> str:
        return hashlib.sha256(b"key id|" + self.secret).hexdigest()[:16]

    def __repr__(self) -> str:  # never print the secret
        return f"LinkKey({self.key_id})"


@dataclass(frozen=True)
class Offer:
    """One side's half of a key agreement: its private key and the public half sent."""

    private: X25519PrivateKey

    @staticmethod
    def new() -> Offer:
        return Offer(X25519PrivateKey.generate())

    @property
    def public_hex(self) -> str:
        return self.private.public_key().public_bytes_raw().hex()

    def agree(self, peer_public_hex: str, serial: str, programmer_public_hex: str) -> LinkKey:
        """The shared key: X25519, then HKDF-SHA-256 bound to the pump's serial and the
        programmer's public half (so a key agreed for one pump is useless on another)."""
        peer = public_from_hex(peer_public_hex)
        shared = self.private.exchange(peer)
        info = KDF_LABEL + b"|" + serial.encode() + b"|" + bytes.fromhex(programmer_public_hex)
        hkdf = HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=info)
        return LinkKey(hkdf.derive(shared))


def public_from_hex(text: object) -> X25519PublicKey:
    if not isinstance(text, str) or len(text) != 2 * PUBLIC_BYTES:
        raise ValueError(f"a public key is {PUBLIC_BYTES} bytes as {2 * PUBLIC_BYTES} hex digits")
    try:
        return X25519PublicKey.from_public_bytes(bytes.fromhex(text))
    except ValueError as exc:
        raise ValueError(f"not a public key: {exc}") from exc


def seal(key: LinkKey, nonce: bytes, plaintext: bytes, associated: bytes) -> bytes:
    return ChaCha20Poly1305(key.secret).encrypt(nonce, plaintext, associated)


def unseal(key: LinkKey, nonce: bytes, sealed: bytes, associated: bytes) -> bytes:
    try:
        return ChaCha20Poly1305(key.secret).decrypt(nonce, sealed, associated)
    except InvalidTag as exc:
        raise Unauthentic("mac: the frame is not sealed with this link's key") from exc


def random_nonce(random_bytes: RandomBytes = os.urandom) -> bytes:
    """A fresh 96-bit nonce: random nonces stay unique for far more frames than a pump
    sends in its life under one key (2^32 would be the bound)."""
    return random_bytes(NONCE_BYTES)
