"""`evenfloor minutes MEETING --format html|md|pdf|json [--out FILE] [--published]`.

Reads the meeting from the database the server uses (`EVENFLOOR_DATABASE_URL`), draws its
minutes from the log (`server.meetings.queries.minutes_document`) and renders them with the
same code as the pages (`server.meetings.minutes_render`). The draft is the members' copy;
`--published` gives what the public sees (approved minutes only, the board's publication
policy applied, private items reduced to the fact they were taken).
"""

from __future__ import annotations

import json
import sys
import uuid
from pathlib import Path
from typing import Any

import click

from server.cli.publication import _run, _sessions

FORMATS = ("html", "md", "pdf", "json")


@click.command()
@click.argument("meeting_id", metavar="MEETING")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(FORMATS),
    default="html",
    show_default=True,
    help="html: a standalone page; md: Markdown; pdf: a PDF; json: the minutes document.",
)
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write to this file (default: standard output).",
)
@click.option(
    "--published",
    is_flag=True,
    help="The public copy: approved minutes only, under the board's publication policy.",
)
def minutes(meeting_id: str, output_format: str, out: Path | None, published: bool) -> None:
    """Write MEETING's minutes, drawn from its log, as HTML, Markdown, PDF or JSON."""
    try:
        meeting = uuid.UUID(meeting_id)
    except ValueError:
        raise click.ClickException(f"{meeting_id!r} is not a meeting id (a UUID)") from None
    document = _run(_document(meeting, published))
    content = render(document, output_format)
    if out is not None:
        if isinstance(content, bytes):
            out.write_bytes(content)
        else:
            out.write_text(content, encoding="utf-8")
        click.echo(f"wrote {out}", err=True)
    elif isinstance(content, bytes):
        if sys.stdout.isatty():
            raise click.ClickException("a PDF is binary: give --out FILE, or redirect the output")
        sys.stdout.buffer.write(content)
        sys.stdout.buffer.flush()
    else:
        click.echo(content, nl=False)


def render(document: dict[str, Any], output_format: str) -> str | bytes:
    from server.meetings.minutes_render import render_html, render_markdown, render_pdf

    if output_format == "html":
        return render_html(document)
    if output_format == "md":
        return render_markdown(document)
    if output_format == "pdf":
        return render_pdf(document)
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


async def _document(meeting: uuid.UUID, published: bool) -> dict[str, Any]:
    from server.meetings.queries import NoSuchMeeting, NotApproved, minutes_document

    engine, sessions = await _sessions()
    try:
        async with sessions() as session:
            try:
                return await minutes_document(session, meeting, published=published)
            except NoSuchMeeting:
                raise click.ClickException(f"no meeting {meeting} in this database") from None
            except NotApproved:
                raise click.ClickException(
                    f"the minutes of meeting {meeting} are not approved yet, so there is no "
                    "published copy; leave out --published for the members' draft"
                ) from None
    finally:
        await engine.dispose()
