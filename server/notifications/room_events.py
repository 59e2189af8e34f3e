"""Which room events tell whom what: the rows the write path adds beside the events.

Called inside the command's transaction, after its append (``RoomService.on_append``), so
the rows commit with the events or not at all. Only the types in ``NOTIFYING`` get here;
every other command keeps its lone-append path on PostgreSQL. Payloads hold what a
member sees in the room's header (title, round, deadline, outcome) and nothing of the
round's content.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

import deliberation
from server.notifications.kinds import Kind
from server.notifications.outbox import Outgoing
from server.notifications.tables import RoomNotificationSettings, Webhook
from server.rooms.event_store import StoredEvent

NOTIFYING = frozenset({"round.opened", "round.closed", "round.deadline_set", "decision.reached"})
DEFAULT_REMINDER_OFFSETS_S = (24 * 3600, 3600)
# The channel of a room's reminder trigger: expanded into emails when due (``Sender``).
REMINDER_TRIGGER = "reminder"
TAKING_PART = frozenset(
    role.value
    for role in (
        deliberation.Role.OWNER,
        deliberation.Role.FACILITATOR,
        deliberation.Role.PARTICIPANT,
    )
)


def _members(state: Any, *, taking_part: bool = False) -> list[uuid.UUID]:
    found = []
    for member in state.members.values():
        if not member.active or (taking_part and member.role.value not in TAKING_PART):
            continue
        try:
            found.append(uuid.UUID(str(member.participant)))
        except ValueError:
            continue  # a participant that is not an account (simulations): no address
    return found


async def room_options(
    session: AsyncSession, room_id: uuid.UUID
) -> tuple[tuple[int, ...], list[uuid.UUID]]:
    """The room's reminder offsets and its active webhooks."""
    offsets = await session.scalar(
        select(RoomNotificationSettings.reminder_offsets_s).where(
            RoomNotificationSettings.room_id == room_id
        )
    )
    hooks = (
        await session.scalars(
            select(Webhook.id).where(Webhook.room_id == room_id, Webhook.active.is_(True))
        )
    ).all()
    return tuple(offsets) if offsets is not None else DEFAULT_REMINDER_OFFSETS_S, list(hooks)


def reminder_key(room_id: uuid.UUID, number: int, closes_at: str, offset: int) -> str:
    """One reminder per room, opening of a round, deadline and offset."""
    return f"reminder:{room_id.hex}:{number}:{closes_at}:{offset}"


def reminders(
    room_id: uuid.UUID,
    state: Any,
    *,
    number: int,
    round_kind: str,
    closes_at: datetime,
    offsets: Sequence[int],
    now: datetime,
) -> list[Outgoing]:
    """One trigger row per offset, due ``offset`` before the deadline. The sender expands a
    trigger when it is due, to the members who by then still have not taken part in this
    opening of the round (members who joined after it opened included)."""
    base = _base(room_id, state)
    items = []
    for offset in sorted(set(offsets), reverse=True):
        due = closes_at - timedelta(seconds=offset)
        if due <= now:
            continue
        payload = {
            **base,
            "round": round_kind,
            "number": number,
            "closes_at": closes_at.isoformat(),
            "offset_s": offset,
        }
        key = reminder_key(room_id, number, closes_at.isoformat(), offset)
        items.append(
            Outgoing(
                channel=REMINDER_TRIGGER,
                kind=Kind.REMINDER,
                payload=payload,
                room_id=room_id,
                due_at=due,
                dedupe_key=key,
            )
        )
    return items


def _base(room_id: uuid.UUID, state: Any) -> dict[str, Any]:
    title = state.room.title if state.room is not None else ""
    return {"title": title, "room": str(room_id), "path": f"/rooms/{room_id}"}


def to_everyone(
    kind: Kind,
    room_id: uuid.UUID,
    recipients: Sequence[uuid.UUID],
    payload: dict[str, Any],
    webhooks: Sequence[uuid.UUID],
    event: StoredEvent | None = None,
) -> list[Outgoing]:
    """An email and an in-app item per member, and a POST per webhook."""
    items: list[Outgoing] = []
    for user_id in recipients:
        items.append(Outgoing("email", kind, payload, room_id=room_id, user_id=user_id))
        items.append(Outgoing("inapp", kind, payload, room_id=room_id, user_id=user_id))
    hook_payload = {
        "kind": str(kind),
        "room": str(room_id),
        "data": payload,
        **({"seq": event.seq, "event": event.type} if event is not None else {}),
    }
    items.extend(
        Outgoing("webhook", kind, hook_payload, room_id=room_id, webhook_id=webhook_id)
        for webhook_id in webhooks
    )
    return items


async def for_events(
    session: AsyncSession, room_id: uuid.UUID, state: Any, stored: Sequence[StoredEvent]
) -> list[Outgoing]:
    """The notifications of a command's events (``state``: the room after them)."""
    relevant = [s for s in stored if s.type in NOTIFYING]
    if not relevant or state.room is None:
        return []
    offsets, webhooks = await room_options(session, room_id)
    asynchronous = state.room.mode is deliberation.Mode.ASYNCHRONOUS
    base = _base(room_id, state)
    now = relevant[0].occurred_at
    items: list[Outgoing] = []
    for event in relevant:
        data = event.payload
        others = [u for u in _members(state) if str(u) != event.actor_id]
        if event.type == "round.opened":
            deadline = data.get("deadline")
            if asynchronous or deadline:
                payload = {**base, "round": data["round"], "closes_at": deadline}
                items += to_everyone(Kind.ROUND_OPENED, room_id, others, payload, webhooks, event)
            if deadline:
                items += reminders(
                    room_id,
                    state,
                    number=int(data["number"]),
                    round_kind=data["round"],
                    closes_at=datetime.fromisoformat(deadline),
                    offsets=offsets,
                    now=now,
                )
        elif event.type == "round.deadline_set":
            if state.rounds.is_open and state.rounds.current is not None:
                items += reminders(
                    room_id,
                    state,
                    number=state.rounds.number,
                    round_kind=state.rounds.current.value,
                    closes_at=datetime.fromisoformat(data["closes_at"]),
                    offsets=offsets,
                    now=now,
                )
        elif event.type == "round.closed":
            if asynchronous or data.get("by_deadline"):
                payload = {**base, "round": data["round"], "by_deadline": bool(data["by_deadline"])}
                items += to_everyone(Kind.ROUND_CLOSED, room_id, others, payload, webhooks, event)
        elif event.type == "decision.reached":
            payload = {**base, "outcome": data["outcome"]}
            everyone = _members(state)
            items += to_everyone(Kind.DECISION_REACHED, room_id, everyone, payload, webhooks, event)
    return items
