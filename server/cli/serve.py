"""`evenfloor serve` and `evenfloor seed-demo`.

`serve` checks the database's schema revision before it listens: a server on tables that
are missing or older than its code fails every request and every deadline tick, so it is
better not to start. The embedded SQLite default migrates itself (one process owns the
file, and `make run` users should not need a second command); PostgreSQL, shared by
several processes and usually by operators with their own deployment steps, is only
checked: run `evenfloor db upgrade` there.
"""

from __future__ import annotations

import asyncio
import sys

import click


def schema_revisions(database_url: str) -> tuple[set[str], set[str]]:
    """(the revisions applied to the database, the newest revisions the code has)."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from sqlalchemy.pool import NullPool

    from server.db.engine import MIGRATIONS, create_engine

    heads = set(ScriptDirectory(str(MIGRATIONS)).get_heads())

    async def applied() -> set[str]:
        engine = create_engine(database_url, poolclass=NullPool)
        try:
            async with engine.connect() as connection:
                current = await connection.run_sync(
                    lambda sync: MigrationContext.configure(
                        sync, opts={"version_table": "alembic_version"}
                    ).get_current_heads()
                )
        finally:
            await engine.dispose()
        return set(current)

    return asyncio.run(applied()), heads


def schema_problem(database_url: str) -> str | None:
    """Why the server cannot run on this database's schema (None: it is current)."""
    from sqlalchemy.exc import SQLAlchemyError

    try:
        applied, heads = schema_revisions(database_url)
    except (SQLAlchemyError, OSError) as error:
        first = str(error).splitlines()[0] if str(error) else type(error).__name__
        return f"cannot read the database: {first}"
    if applied == heads:
        return None
    if not applied:
        return "the database is not migrated: run `evenfloor db upgrade`"
    return (
        f"the database is at revision {', '.join(sorted(applied))}, this Evenfloor needs "
        f"{', '.join(sorted(heads))}: run `evenfloor db upgrade`"
    )


def _ready_database(database_url: str, is_sqlite: bool) -> None:
    """Migrate the embedded SQLite file; refuse any other database that is not current."""
    problem = schema_problem(database_url)
    if problem is None:
        return
    if is_sqlite and not problem.startswith("cannot read"):
        from server.cli.db import _commands

        _commands().upgrade(revision="head")
        click.echo(
            "evenfloor: migrated the embedded SQLite database to the newest revision", err=True
        )
        problem = schema_problem(database_url)
        if problem is None:
            return
    click.echo(f"evenfloor: {problem}", err=True)
    sys.exit(1)


@click.command()
@click.option(
    "--host", default=None, help="Interface to listen on (default: EVENFLOOR_HOST or 127.0.0.1)."
)
@click.option(
    "--port", type=int, default=None, help="Port (default: PORT, EVENFLOOR_PORT or 8000)."
)
@click.option("--workers", type=int, default=None, help="Worker processes (PostgreSQL only).")
@click.option("--log-level", default="info", show_default=True)
def serve(host: str | None, port: int | None, workers: int | None, log_level: str) -> None:
    """Run the server under uvicorn."""
    import os

    import uvicorn
    from pydantic import ValidationError

    from server.settings import describe, get_settings

    try:
        settings = get_settings()
    except ValidationError as error:
        click.echo(f"evenfloor: bad settings: {describe(error)}", err=True)
        sys.exit(2)
    host = host or settings.host
    port = port or int(os.environ.get("PORT", settings.port))
    workers = workers or settings.workers
    if settings.is_sqlite and workers > 1:
        click.echo(
            "evenfloor: the embedded SQLite database serves one process; "
            "use PostgreSQL (EVENFLOOR_DATABASE_URL) for several workers.",
            err=True,
        )
        sys.exit(2)
    _ready_database(settings.database_url, settings.is_sqlite)
    click.echo(f"Evenfloor is running at http://{host}:{port}", err=True)
    uvicorn.run(
        "server.asgi:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        ws_max_size=settings.ws_max_message_bytes,
        ws_ping_interval=settings.ws_ping_interval_s,
        ws_ping_timeout=settings.ws_ping_interval_s,
        ws_per_message_deflate=False,
        proxy_headers=True,
        lifespan="on",
    )


@click.command("seed-demo")
def seed_demo() -> None:
    """Create the demo accounts and room (idempotent)."""
    import asyncio

    from server.demo import seed

    url = asyncio.run(seed())
    click.echo(url)
