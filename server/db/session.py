"""One short transaction at a time.

Handlers open a transaction only around their own reads and writes and close it before
the response starts. On SQLite every transaction takes the write lock up front (BEGIN
IMMEDIATE), so two overlapping transactions in one request would wait on each other;
keeping them short and sequential also keeps PostgreSQL's pool free.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession


@asynccontextmanager
async def transaction(connection: Any) -> AsyncIterator[AsyncSession]:
    async with connection.app.state.sessions() as session, session.begin():
        yield session
