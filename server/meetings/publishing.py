"""Publishing approved minutes as one signed meeting record (docs/spec/decision-log-v2.md
§ Meeting record): the published minutes, a link to each decided item's published decision
log, signed by the board's key, kept as issued in ``published_minutes``.

Each linked room's decision log is published (extended) first, so a link names a log that
exists; a private item's room is never published: the minutes keep only its commitment.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.db.tables import BoardSigningKey, Meeting, PublishedMinutes
from server.meetings.queries import minutes_document
from server.publication.keys import (
    SigningKey,
    generate_signing_key,
    public_key_text,
    signing_key_from_text,
    signing_key_text,
)
from server.publication.meeting_record import build_record, log_link
from server.rooms.publishing import BallotKey, publish_room


async def board_key(session: AsyncSession, board_id: uuid.UUID, now: datetime) -> SigningKey:
    """The board's current signing key, made on first use (in the caller's transaction)."""
    row = await session.scalar(
        select(BoardSigningKey).where(
            BoardSigningKey.board_id == board_id, BoardSigningKey.retired_at.is_(None)
        )
    )
    if row is not None:
        return signing_key_from_text(row.private_key)
    key = generate_signing_key()
    session.add(
        BoardSigningKey(
            board_id=board_id,
            private_key=signing_key_text(key),
            public_key=public_key_text(key),
            created_at=now,
        )
    )
    await session.flush()
    return key


async def publish_minutes(
    sessions: async_sessionmaker[AsyncSession],
    meeting_id: uuid.UUID,
    now: datetime,
    *,
    ballot_key: BallotKey | None = None,
) -> dict[str, Any]:
    """Sign and keep the meeting record of approved minutes; returns the record.

    Raises ``queries.NotApproved`` before the minutes are approved (nothing is written).
    """
    async with sessions() as session:
        minutes = await minutes_document(session, meeting_id, published=True)
    links = []
    for item in minutes["items"]:
        decision = item.get("decision")
        if item.get("private") or not isinstance(decision, dict):
            continue
        room_id = uuid.UUID(decision["log"]["room_id"])
        log = await publish_room(sessions, room_id, now, ballot_key=ballot_key)
        links.append(log_link(item["id"], log))
    async with sessions() as session, session.begin():
        meeting = await session.get(Meeting, meeting_id)
        assert meeting is not None
        key = await board_key(session, meeting.board_id, now)
        record = build_record(minutes, links, key, signed_at=now)
        text = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
        kept = await session.scalar(
            select(PublishedMinutes).where(PublishedMinutes.meeting_id == meeting_id)
        )
        if kept is None:
            session.add(PublishedMinutes(meeting_id=meeting_id, document=text, published_at=now))
        else:
            kept.document = text
            kept.published_at = now
    return record


async def published_record(session: AsyncSession, meeting_id: uuid.UUID) -> dict[str, Any] | None:
    kept = await session.scalar(
        select(PublishedMinutes).where(PublishedMinutes.meeting_id == meeting_id)
    )
    if kept is None:
        return None
    record: dict[str, Any] = json.loads(kept.document)
    return record
