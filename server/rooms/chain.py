"""The hash chain of a room's (or a meeting's) stored events.

Each stored event carries the SHA-256 of the previous one, over its RFC 8785 canonical
JSON, so that any edit to the table after the fact is detectable (``verify_chain``).
This is the internal chain; the published decision log has its own, per its spec.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, cast

import rfc8785

GENESIS = "0" * 64


def format_time(at: datetime) -> str:
    """RFC 3339 in UTC with microseconds, the precision both databases keep."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_hash(
    *,
    room_id: str,
    seq: int,
    type: str,
    payload: dict[str, Any],
    actor_id: str | None,
    acting_for: str | None,
    occurred_at: datetime,
    prev_hash: str,
    stream: str = "room",
) -> str:
    """``stream`` names the kind of aggregate (``room``, ``meeting``): it is the key of the
    id in the hashed document, so a room's and a meeting's events never hash alike."""
    document = {
        stream: room_id,
        "seq": seq,
        "type": type,
        "payload": payload,
        "actor": actor_id,
        "acting_for": acting_for,
        "at": format_time(occurred_at),
        "prev": prev_hash,
    }
    return hashlib.sha256(rfc8785.dumps(cast(Any, document))).hexdigest()


class ChainBroken(Exception):
    def __init__(self, seq: int, why: str) -> None:
        super().__init__(f"event {seq}: {why}")
        self.seq = seq
        self.why = why


def verify_chain(room_id: str, rows: Iterable[Any], *, stream: str = "room") -> int:
    """Check seq continuity, prev links and hashes; return the number of events checked."""
    expected_prev = GENESIS
    expected_seq = 1
    for row in rows:
        if row.seq != expected_seq:
            raise ChainBroken(row.seq, f"expected seq {expected_seq}")
        if row.prev_hash != expected_prev:
            raise ChainBroken(row.seq, "prev does not match the previous event's hash")
        actual = event_hash(
            room_id=room_id,
            seq=row.seq,
            type=row.type,
            payload=row.payload,
            actor_id=row.actor_id,
            acting_for=row.acting_for,
            occurred_at=row.occurred_at,
            prev_hash=row.prev_hash,
            stream=stream,
        )
        if actual != row.hash:
            raise ChainBroken(row.seq, "hash does not match the event's content")
        expected_prev = row.hash
        expected_seq += 1
    return expected_seq - 1
