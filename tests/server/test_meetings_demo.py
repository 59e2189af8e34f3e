"""`evenfloor seed-demo` seeds a board with a realistic upcoming meeting, once."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from server.db.tables import Board, Meeting, MeetingItemRoom
from server.meetings.queries import meeting_state


async def test_the_demo_board_has_last_months_minutes_and_next_weeks_agenda(
    database_url: str, db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from server.demo import seed
    from server.settings import get_settings

    monkeypatch.setenv("EVENFLOOR_DATABASE_URL", database_url)
    get_settings.cache_clear()
    try:
        first = await seed()
        again = await seed()
    finally:
        get_settings.cache_clear()
    assert first == again  # idempotent: the same room and meeting, nothing added
    async with db() as session:
        assert await session.scalar(select(func.count()).select_from(Board)) == 1
        meetings = (await session.scalars(select(Meeting).order_by(Meeting.starts_at))).all()
        assert len(meetings) == 2
        last, upcoming = meetings
        assert str(upcoming.id) in first
        done = await meeting_state(session, last.id)
        state = await meeting_state(session, upcoming.id)
        rooms = await session.scalar(
            select(func.count())
            .select_from(MeetingItemRoom)
            .where(MeetingItemRoom.meeting_id == upcoming.id)
        )
    assert done.status.value == "closed"
    kinds = [item.kind.value for _n, item in state.numbered()]
    assert kinds == [
        "apologies",
        "declarations",
        "previous_minutes",
        "matters_arising",
        "decision",
        "decision",
        "noting",
        "decision",
        "any_other_business",
    ]
    assert rooms == 4  # the previous minutes and the three items for decision
    assert sum(1 for item in state.items.values() if item.private) == 1
    assert state.agenda_published
    assert [a.what for a in state.actions.values()] == [
        "Circulate the Better Care Fund spending plan to all partners"
    ]
    assert [r.status.value for r in state.attendance.values()] == ["apologies"]
