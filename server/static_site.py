"""A static copy of the public decision pages, for any static host (`evenfloor publish`).

The same templates as the live pages (``web/templates/decisions``), rendered without a
request, with relative links so the folder works from any path, a ``file://`` URL included:

    index.html              the decisions list
    feed.atom               one entry per published decision
    css/evenfloor.css, css/decisions.css
    <room id>/index.html    the decision
    <room id>/log.json      the published log, byte for byte as stored (verify it offline)
    <room id>/log.md        the decision in Markdown

Only public rooms with a published log are written; a room folder left by an earlier run
whose room is no longer public is removed, so that a private room does not stay online.
"""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

from jinja2 import Environment, FileSystemLoader

from server.web.decisions import Links, index_context, newest_first, room_context
from server.web.decisions_view import DecisionView, atom_feed, decision_view, markdown
from server.web.i18n import install

STYLESHEETS = ("evenfloor.css", "decisions.css")


def template_environment(template_dir: Path) -> Environment:
    """A Jinja2 environment set up as the app's (autoescape, gettext, current_locale)."""
    environment = Environment(loader=FileSystemLoader(template_dir), autoescape=True)
    install(SimpleNamespace(engine=environment))
    return environment


def _write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def _is_room_folder(path: Path) -> bool:
    try:
        uuid.UUID(path.name)
    except ValueError:
        return False
    return path.is_dir() and (path / "log.json").exists()


def write_site(
    out: Path,
    logs: Iterable[str],
    *,
    template_dir: Path,
    static_dir: Path,
    base_url: str = "",
    now: datetime | None = None,
    progress: Callable[[DecisionView], None] | None = None,
) -> list[Path]:
    """Write the site for these published logs (their stored JSON text); returns the files."""
    environment = template_environment(template_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    views: list[DecisionView] = []
    room_page = environment.get_template("decisions/room.html")
    for text in logs:
        view = decision_view(json.loads(text))
        folder = out / view.room_id
        written.append(_write(folder / "log.json", text.encode("utf-8")))
        written.append(_write(folder / "log.md", markdown(view, log_url="log.json")))
        page = room_page.render(room_context(view, Links(static=True, depth=1)))
        written.append(_write(folder / "index.html", page))
        views.append(view)
        if progress is not None:
            progress(view)
    index = environment.get_template("decisions/index.html")
    written.append(
        _write(out / "index.html", index.render(index_context(views, Links(static=True))))
    )
    written.append(_write(out / "feed.atom", _feed(views, base_url, now)))
    for name in STYLESHEETS:
        source = static_dir / "css" / name
        if source.exists():
            written.append(_write(out / "css" / name, source.read_bytes()))
    current = {view.room_id for view in views}
    for child in out.iterdir():
        if _is_room_folder(child) and child.name not in current:
            shutil.rmtree(child)
    return written


def _feed(views: list[DecisionView], base_url: str, now: datetime | None) -> bytes:
    base = base_url.rstrip("/")
    updated = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    def link(room_id: str) -> str:
        return f"{base}/{room_id}/" if base else f"{room_id}/index.html"

    return atom_feed(
        newest_first(views),
        feed_id=f"{base}/feed.atom" if base else "urn:evenfloor:published-decisions",
        self_url=f"{base}/feed.atom" if base else "feed.atom",
        link=link,
        updated=updated,
    )
