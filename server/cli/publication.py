"""`evenfloor verify`, `evenfloor export` and `evenfloor publish`.

`verify` needs nothing but its input files: it imports `server.publication.verify` only
(standard library, rfc8785, PyNaCl). `export` and `publish` read the database, so they
import the server's storage lazily, inside the command.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import sys
from collections.abc import Awaitable
from pathlib import Path

import click


@click.command()
@click.argument("log_file", metavar="LOG", type=click.Path(dir_okay=False, path_type=Path))
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
    help="The room's public key obtained out of band (base64url, or a file holding it).",
)
@click.option(
    "--receipt",
    "receipts",
    metavar="RECEIPT",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="A receipt a participant was given; check the log holds its entry. Repeatable.",
)
def verify(
    log_file: Path, previous: Path | None, key: str | None, receipts: tuple[Path, ...]
) -> None:
    """Verify a published decision log offline, with nothing but the log.

    Prints one line. Exit status: 0 verified; 1 a check failed (the line names the first
    failing entry and why); 2 an input could not be read.
    """
    from server.publication.verify import EXIT_UNREADABLE, verify_files

    code, line = verify_files(log_file, previous, key, receipts)
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
    """Write ROOM's published decision log to a file (it is signed, and it only grows)."""
    document_text = _publication_text(room_id)
    out.write_text(document_text, encoding="utf-8")
    click.echo(f"wrote {out}")


@click.command()
@click.argument("room_id", metavar="ROOM")
@click.option(
    "--dir",
    "directory",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder of the static publication; the log goes to ROOM/decision-log.json.",
)
def publish(room_id: str, directory: Path) -> None:
    """Publish ROOM's decision log as a static file that anyone can download and verify."""
    target = directory / room_id / "decision-log.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(_publication_text(room_id), encoding="utf-8")
    click.echo(f"published {target}")


def _publication_text(room_id: str) -> str:
    """The serialised, signed log of a room, from the server's storage.

    Wired by the server: `server.rooms.publication.publish_room(room_id) -> str` (or a
    coroutine of it) loads the
    room's events, members, key and pseudonym secret, runs `server.publication.publish`
    against the last published copy and stores the result.
    """
    try:
        storage = importlib.import_module("server.rooms.publication")
        publish_room = storage.publish_room
    except (ImportError, AttributeError) as error:
        raise click.ClickException(
            "publishing needs the server's storage (server.rooms.publication.publish_room), "
            f"which is not available here: {error}"
        ) from None
    result = publish_room(room_id)
    if inspect.isawaitable(result):
        result = asyncio.run(_wait(result))
    return str(result)


async def _wait(pending: Awaitable[object]) -> object:
    return await pending
