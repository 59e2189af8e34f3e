"""Publishing a room's decision log: keys, the growing document, and receipts.

The pure work (projection under the policy, chaining, signing, receipts) is in
``server.publication``; this module stores what it needs between publications: the room's
Ed25519 key (created on first publication, never shown), the per-log pseudonym secret, the
last published document and how far into the room's events it reaches.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.db.tables import PublishedLog, Receipt, Room, RoomEvent, SigningKey
from server.publication import (
    generate_signing_key,
    new_pseudonym_key,
    public_key_text,
    signing_key_from_text,
    signing_key_text,
)
from server.publication.projection import publish
from server.rooms.chain import format_time

BallotKey = Callable[[uuid.UUID, str, str], str]
# Runs in the publication's transaction (the notification outbox tells members).
Within = Callable[[AsyncSession, Room], Awaitable[None]]


class NothingPublished(Exception):
    pass


async def _signing_key(session: AsyncSession, room_id: uuid.UUID, now: datetime) -> Any:
    row = await session.scalar(
        select(SigningKey).where(SigningKey.room_id == room_id, SigningKey.retired_at.is_(None))
    )
    if row is None:
        key = generate_signing_key()
        row = SigningKey(
            room_id=room_id,
            private_key=signing_key_text(key),
            public_key=public_key_text(key),
            created_at=now,
        )
        session.add(row)
        await session.flush()
        return key
    return signing_key_from_text(row.private_key)


async def _current_log(session: AsyncSession, room: Room) -> PublishedLog:
    log = await session.scalar(
        select(PublishedLog)
        .where(PublishedLog.room_id == room.id, PublishedLog.policy == room.policy)
        .order_by(PublishedLog.id.desc())
    )
    if log is None:
        log = PublishedLog(
            room_id=room.id,
            policy=room.policy,
            pseudonym_secret=new_pseudonym_key(),
            head_seq=0,
            through_event_seq=0,
            document="",
        )
        session.add(log)
        await session.flush()
    return log


def _row(event: RoomEvent) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "type": event.type,
        "payload": event.payload,
        "actor_id": event.actor_id,
        "acting_for": event.acting_for,
        "at": format_time(event.occurred_at),
    }


def _ballot_owners(room_id: uuid.UUID, events: Any, ballot_key: BallotKey | None) -> dict[str, str]:
    """Secret ballots reach the projection keyed by their opaque ballot key; the server,
    which alone holds the secret, maps each key back to its voter to hand them a receipt."""
    if ballot_key is None:
        return {}
    owners = {}
    for event in events:
        if event.type == "vote.participated":
            poll, participant = str(event.payload["poll"]), str(event.payload["participant"])
            owners[f"ballot:{ballot_key(room_id, poll, participant)}"] = participant
    return owners


async def publish_room(
    sessions: async_sessionmaker[AsyncSession],
    room_id: uuid.UUID,
    now: datetime,
    *,
    ballot_key: BallotKey | None = None,
    within: Within | None = None,
) -> dict[str, Any]:
    """Extend the room's published log with everything since the last publication."""
    async with sessions() as session, session.begin():
        query = select(Room).where(Room.id == room_id)
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update()  # one publication of a room at a time
        room = await session.scalar(query)
        if room is None:
            raise NothingPublished("No such room.")
        key = await _signing_key(session, room_id, now)
        log = await _current_log(session, room)
        events = (
            (
                await session.execute(
                    select(RoomEvent).where(RoomEvent.room_id == room_id).order_by(RoomEvent.seq)
                )
            )
            .scalars()
            .all()
        )
        previous = json.loads(log.document) if log.document else None
        publication = publish(
            {"id": str(room_id), "title": room.title},
            log.policy,  # type: ignore[arg-type]
            [_row(event) for event in events],
            key,
            log.pseudonym_secret,
            signed_at=now,
            previous=previous,
            through_event_seq=log.through_event_seq,
        )
        document = publication.document
        log.document = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
        log.head_seq = document["head"]["seq"]
        log.through_event_seq = publication.through_event_seq
        log.published_at = now
        owners = _ballot_owners(room_id, events, ballot_key)
        for holder, receipts in publication.receipts.items():
            participant = owners.get(holder, holder)
            if participant.startswith("ballot:"):
                continue  # no voter known for this key: keep no receipt rather than a wrong one
            for receipt in receipts:
                session.add(
                    Receipt(
                        room_id=room_id,
                        participant_id=participant,
                        seq=receipt["seq"],
                        document=receipt,
                    )
                )
        if within is not None:
            await within(session, room)
        return document


async def published_log(session: AsyncSession, room_id: uuid.UUID) -> dict[str, Any] | None:
    log = await session.scalar(
        select(PublishedLog)
        .where(PublishedLog.room_id == room_id, PublishedLog.document != "")
        .order_by(PublishedLog.id.desc())
    )
    return json.loads(log.document) if log is not None else None


async def receipts_for(
    session: AsyncSession, room_id: uuid.UUID, participant: str
) -> list[dict[str, Any]]:
    rows = (
        (
            await session.execute(
                select(Receipt)
                .where(Receipt.room_id == room_id, Receipt.participant_id == participant)
                .order_by(Receipt.seq)
            )
        )
        .scalars()
        .all()
    )
    return [row.document for row in rows]
