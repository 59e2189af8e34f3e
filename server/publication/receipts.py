"""Receipts: the server's signed word that a participant's contribution is in the log.

A receipt is a small JSON document (format `evenfloor-receipt/1`):

    {"format": "evenfloor-receipt/1", "room_id": "<room id>", "seq": <int>,
     "hash": "<hex>", "public_key": "<base64url>", "signature": "<base64url>"}

`signature` is the room key's Ed25519 signature over the UTF-8 bytes of
`evenfloor-receipt/1\\n<room id>\\n<seq>\\n<hash>` (spec, "Receipts"). `public_key` is not
signed; it says which key to check with, so that a receipt holder notices at once when a
log is published under another key.

Standard library and PyNaCl only: the offline verifier imports this module.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from server.publication.encoding import b64url_decode, is_hash
from server.publication.keys import SigningKey, public_key_text, read_public_key, sign
from server.publication.keys import signature_valid as _signature_valid

RECEIPT_FORMAT = "evenfloor-receipt/1"
RECEIPT_MEMBERS = ("format", "room_id", "seq", "hash", "public_key", "signature")


def receipt_message(room_id: str, seq: int, entry_hash: str) -> bytes:
    """The exact bytes a receipt signature covers (no trailing line feed)."""
    return f"{RECEIPT_FORMAT}\n{room_id}\n{seq}\n{entry_hash}".encode()


def issue_receipt(
    room_id: str, entry: Mapping[str, Any], signing_key: SigningKey
) -> dict[str, Any]:
    """A receipt for a published entry (as `LogWriter.append` returned it) of `room_id`."""
    seq = entry["seq"]
    entry_hash = entry["hash"]
    if type(seq) is not int or seq < 1 or not is_hash(entry_hash):
        raise ValueError("a receipt needs the entry's seq (a positive integer) and hash")
    return {
        "format": RECEIPT_FORMAT,
        "room_id": room_id,
        "seq": seq,
        "hash": entry_hash,
        "public_key": public_key_text(signing_key),
        "signature": sign(signing_key, receipt_message(room_id, seq, entry_hash)),
    }


def receipt_signature_valid(receipt: Mapping[str, Any]) -> bool:
    """Whether a receipt is well formed and signed by the key it names (no log needed).

    This proves only that the holder of that key issued it; `verify_log(..., receipts=…)`
    checks it against a published log and that log's key.
    """
    if set(receipt) != set(RECEIPT_MEMBERS) or receipt["format"] != RECEIPT_FORMAT:
        return False
    seq, room_id = receipt["seq"], receipt["room_id"]
    if type(seq) is not int or seq < 1 or not isinstance(room_id, str):
        return False
    if not is_hash(receipt["hash"]) or not isinstance(receipt["public_key"], str):
        return False
    key = read_public_key(receipt["public_key"])
    signature = (
        b64url_decode(receipt["signature"], 64) if isinstance(receipt["signature"], str) else None
    )
    if key is None or signature is None:
        return False
    return _signature_valid(key, receipt_message(room_id, seq, receipt["hash"]), signature)
