"""Ed25519 keys of a room's log (PyNaCl), in the text forms the format uses.

A room's signing key is a 32-byte Ed25519 seed. The server keeps it (as
`signing_key_text`, base64url of the seed) and never shows it; the log and every receipt
carry the public key as base64url without padding.
"""

from __future__ import annotations

import os

from nacl.exceptions import CryptoError
from nacl.signing import SigningKey, VerifyKey

from server.publication.encoding import b64url_decode, b64url_encode

__all__ = [
    "SigningKey",
    "VerifyKey",
    "generate_signing_key",
    "new_pseudonym_key",
    "public_key_text",
    "read_public_key",
    "sign",
    "signature_valid",
    "signing_key_from_text",
    "signing_key_text",
]


def generate_signing_key() -> SigningKey:
    """A fresh random Ed25519 signing key (from the operating system's CSPRNG)."""
    return SigningKey.generate()


def signing_key_text(key: SigningKey) -> str:
    """The key's 32-byte seed as base64url without padding: how the server stores it."""
    return b64url_encode(bytes(key))


def signing_key_from_text(text: str) -> SigningKey:
    """Inverse of `signing_key_text`; raises ValueError for anything but a 32-byte seed."""
    seed = b64url_decode(text.strip(), 32)
    if seed is None:
        raise ValueError("a signing key is 32 bytes in base64url without padding (43 characters)")
    return SigningKey(seed)


def public_key_text(key: SigningKey | VerifyKey) -> str:
    """The public key as the log writes it: 32 bytes, base64url without padding."""
    verify_key = key.verify_key if isinstance(key, SigningKey) else key
    return b64url_encode(bytes(verify_key))


def read_public_key(text: str) -> bytes | None:
    """The 32 raw bytes of a public key written as the log writes it, or None."""
    return b64url_decode(text, 32)


def sign(key: SigningKey, message: bytes) -> str:
    """A detached Ed25519 signature of `message`, base64url without padding."""
    return b64url_encode(key.sign(message).signature)


def signature_valid(public_key: bytes, message: bytes, signature: bytes) -> bool:
    """Whether `signature` (64 raw bytes) by `public_key` (32 raw bytes) signs `message`."""
    try:
        VerifyKey(public_key).verify(message, signature)
    except (CryptoError, ValueError, TypeError):
        return False
    return True


def new_pseudonym_key() -> bytes:
    """A fresh per-log secret for pseudonyms (32 random bytes); keep it beside the signing key."""
    return os.urandom(32)
