"""`evenfloor verify`, `evenfloor export` and `evenfloor publish`.

`verify` needs nothing but its input files: it imports `server.publication.verify` and
`server.publication.meeting_record` only (standard library, rfc8785, PyNaCl). `export` and `publish` read the database, so they
import the server's storage lazily, inside the command.
"""

from __future__ import annotations

import asyncio
import sys
import uuid
from collections.abc import Coroutine
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import click

T = TypeVar("T")


@click.command()
@click.argument("log_file", metavar="FILE", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--previous",
    "previous",
    metavar="OLD",
    type=click.Path(dir_okay=False, path_type=Path),
    help="An older published copy of the same room: check that this log extends it.",
)
@click.option(
    "--key",
    "key",
    metavar="KEY",
    help="The room's (or board's) public key obtained out of band (base64url, or a file).",
)
@click.option(
    "--receipt",
    "receipts",
    metavar="RECEIPT",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="A receipt a participant was given; check the log holds its entry. Repeatable.",
)
@click.option(
    "--fairness",
    is_flag=True,
    help="Also replay the published queue (format 2) and name every grant that did not "
    "follow the progressive stack's rule.",
)
@click.option(
    "--log",
    "logs",
    metavar="LOG",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="For a meeting record: a decision log it links; check it verifies and holds the "
    "linked head. Repeatable.",
)
def verify(
    log_file: Path,
    previous: Path | None,
    key: str | None,
    receipts: tuple[Path, ...],
    fairness: bool,
    logs: tuple[Path, ...],
) -> None:
    """Verify a published decision log or a signed meeting record offline.

    FILE is a decision log (evenfloor-decision-log/1 or /2) or a meeting record
    (evenfloor-meeting-record/1); its format decides the checks. Prints one line (with
    --fairness, one per grant that broke the rule). Exit status: 0 verified; 1 a check
    failed (the line names the first failure and why, or the unfair grants); 2 an input
    could not be read.
    """
    from server.publication.meeting_record import verify_any_files
    from server.publication.verify import EXIT_UNREADABLE

    code, line = verify_any_files(
        log_file, previous=previous, key=key, receipts=receipts, logs=logs, fairness=fairness
    )
    click.echo(line, err=code == EXIT_UNREADABLE)
    sys.exit(code)


@click.command()
@click.argument("room_id", metavar="ROOM")
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Where to write the log (JSON).",
)
def export(room_id: str, out: Path) -> None:
    """Publish ROOM's decision log now and write it to a file.

    The log grows by every event since the last publication and is signed again; the file
    is the document exactly as stored and served at /decisions/ROOM/log.json.
    """
    document_text = _publication_text(room_id)
    out.write_text(document_text, encoding="utf-8")
    click.echo(f"wrote {out}")


@click.command()
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="The folder to write the site into (created if needed).",
)
@click.option(
    "--base-url",
    "base_url",
    default="",
    metavar="URL",
    help="Where the site will be served, for absolute links in feed.atom (optional).",
)
def publish(out: Path, base_url: str) -> None:
    """Write the public decisions as a static site that any static host can serve.

    One folder per public room with a published log (index.html, log.json, log.md), the
    decisions list (index.html), feed.atom and the stylesheets. Publishes nothing new: run
    `evenfloor export` or publish from the room first.
    """
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from server.settings import get_settings
    from server.static_site import write_site

    settings = get_settings()
    logs = _run(_public_logs())
    console = Console(stderr=True)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("writing decisions", total=len(logs))
        files = write_site(
            out,
            logs,
            template_dir=settings.template_dir,
            static_dir=settings.static_dir,
            base_url=base_url,
            progress=lambda _view: progress.advance(task),
        )
    click.echo(f"wrote {len(logs)} decision(s), {len(files)} files, to {out}")


def _publication_text(room_id: str) -> str:
    """Publish the room now and return its stored log text (what log.json serves)."""
    return _run(_export(room_id))


def _database_url() -> str:
    from sqlalchemy.engine import make_url

    from server.settings import get_settings

    url = get_settings().database_url
    try:
        parsed = make_url(url)
    except Exception as error:
        raise click.ClickException(
            f"EVENFLOOR_DATABASE_URL is not a database URL: {error}"
        ) from None
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database in ("", ":memory:") or not Path(database).is_file():
            raise click.ClickException(
                f"no database at {database or url!r}: set EVENFLOOR_DATABASE_URL "
                "to the server's database"
            )
    return url


def _run(work: Coroutine[Any, Any, T]) -> T:
    from sqlalchemy.exc import SQLAlchemyError

    try:
        return asyncio.run(work)
    except (SQLAlchemyError, OSError) as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        if "no such table" in reason or "does not exist" in reason:
            reason += " (is this an Evenfloor database? run `evenfloor db upgrade`)"
        raise click.ClickException(f"cannot read the database: {reason}") from None


async def _sessions() -> Any:
    from sqlalchemy.ext.asyncio import async_sessionmaker
    from sqlalchemy.pool import NullPool

    from server.db.engine import create_engine

    engine = create_engine(_database_url(), poolclass=NullPool)
    return engine, async_sessionmaker(engine, expire_on_commit=False)


async def _export(room_id: str) -> str:
    from server.rooms.publishing import NothingPublished, publish_room
    from server.web.decisions import stored_log

    try:
        room = uuid.UUID(room_id)
    except ValueError:
        raise click.ClickException(f"{room_id!r} is not a room id (a UUID)") from None
    engine, sessions = await _sessions()
    try:
        try:
            await publish_room(sessions, room, datetime.now(UTC))
        except NothingPublished:
            raise click.ClickException(f"no room {room_id} in this database") from None
        except ValueError as error:  # GrowthError, a log that no longer verifies, a policy
            raise click.ClickException(f"room {room_id} could not be published: {error}") from None
        async with sessions() as session:
            text = await stored_log(session, room)
    finally:
        await engine.dispose()
    if text is None:
        raise click.ClickException(f"room {room_id} has no published log")
    return text


async def _public_logs() -> list[str]:
    from server.web.decisions import public_logs

    engine, sessions = await _sessions()
    try:
        async with sessions() as session:
            return [published.text for published in await public_logs(session)]
    finally:
        await engine.dispose()
