"""`evenfloor publish --out DIR` (a static site) and `evenfloor export ROOM --out FILE`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

import pytest
from click.testing import CliRunner

from server.publication import load_json, verify_log
from tests.publication_web.conftest import NAMES, World

REPO = Path(__file__).resolve().parents[2]
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def database_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """Point get_settings() at a database for in-process CLI runs, and forget it after."""
    from server.settings import get_settings

    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


@pytest.mark.slow
def test_publish_writes_a_static_site_whose_logs_verify(world: World, tmp_path: Path) -> None:
    out = tmp_path / "site"
    stale = out / str(uuid.uuid4())
    stale.mkdir(parents=True)
    (stale / "log.json").write_text("{}", encoding="utf-8")  # a room no longer public
    env = {**os.environ, "EVENFLOOR_DATABASE_URL": world.url}
    run = subprocess.run(
        [sys.executable, "-m", "server.cli", "publish", "--out", str(out)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert run.returncode == 0, run.stderr
    assert "3 decision(s)" in run.stdout
    assert not stale.exists()
    assert {p.name for p in out.iterdir()} == {
        "index.html",
        "feed.atom",
        "css",
        *world.rooms.values(),
    }
    assert (out / "css" / "decisions.css").is_file()
    index = (out / "index.html").read_text(encoding="utf-8")
    for policy, room_id in world.rooms.items():
        folder = out / room_id
        body = (folder / "log.json").read_bytes()
        assert body == world.get(f"/decisions/{room_id}/log.json").body
        result = verify_log(load_json(body))
        assert result.ok, result.line()
        page = (folder / "index.html").read_text(encoding="utf-8")
        assert 'href="../css/evenfloor.css"' in page
        assert 'href="log.json"' not in page
        assert f'href="../{room_id}/log.json"' in page
        assert "Verify this record" in page
        assert "A minibus serves too few." in page
        assert (folder / "log.md").read_text(encoding="utf-8").startswith("# Community")
        assert f'href="{room_id}/index.html"' in index
        if policy != "names":
            for name in NAMES:
                assert name not in page
    # The independent JavaScript verifier, with the key the page prints, as a reader would.
    node = shutil.which("node")
    if node is not None:
        room_id = world.rooms["anonymous"]
        key = world.published[room_id]["public_key"]
        checked = subprocess.run(
            [
                node,
                str(REPO / "tools/verify-js/verify.mjs"),
                str(out / room_id / "log.json"),
                "--key",
                key,
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert checked.returncode == 0, checked.stdout + checked.stderr
        assert checked.stdout.startswith(f'OK "{room_id}"')
    feed = ElementTree.parse(out / "feed.atom").getroot()
    assert len(feed.findall(f"{ATOM}entry")) == 3
    assert world.private_room not in index


def test_export_of_an_unknown_room_fails_with_a_message(
    world: World, database_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from server.cli import publication

    database_env.setenv("EVENFLOOR_DATABASE_URL", world.url)
    out = tmp_path / "log.json"
    unknown = str(uuid.uuid4())
    result = CliRunner().invoke(publication.export, [unknown, "--out", str(out)])
    assert result.exit_code == 1
    assert f"no room {unknown}" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert not out.exists()
    result = CliRunner().invoke(publication.export, ["not-a-room", "--out", str(out)])
    assert result.exit_code == 1
    assert "is not a room id" in result.output


def test_export_without_a_database_fails_with_a_message(
    database_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from server.cli import publication

    missing = tmp_path / "missing.db"
    database_env.setenv("EVENFLOOR_DATABASE_URL", f"sqlite+aiosqlite:///{missing}")
    for command, args in (
        (publication.export, [str(uuid.uuid4()), "--out", str(tmp_path / "log.json")]),
        (publication.publish, ["--out", str(tmp_path / "site")]),
    ):
        result = CliRunner().invoke(command, args)
        assert result.exit_code == 1
        assert "no database at" in result.output
        assert "Traceback" not in result.output
    assert not missing.exists()


def test_export_publishes_now_and_extends_the_published_log(
    world: World, database_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from server.cli import publication

    copy = tmp_path / "copy.db"
    shutil.copy(world.database, copy)
    database_env.setenv("EVENFLOOR_DATABASE_URL", f"sqlite+aiosqlite:///{copy}")
    room_id = world.rooms["organisations"]
    out = tmp_path / "log.json"
    result = CliRunner().invoke(publication.export, [room_id, "--out", str(out)])
    assert result.exit_code == 0, result.output
    older = world.published[room_id]
    newer = load_json(out.read_bytes())
    assert newer["head"]["signed_at"] > older["head"]["signed_at"]
    verified = verify_log(newer, previous=older, key=older["public_key"])
    assert verified.ok, verified.line()


def test_export_refuses_to_extend_a_stored_log_that_was_tampered_with(
    world: World, database_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import sqlite3

    from server.cli import publication

    copy = tmp_path / "copy.db"
    shutil.copy(world.database, copy)
    with sqlite3.connect(copy) as connection:
        connection.execute(
            "UPDATE published_logs SET document = replace(document, ?, ?)",
            ("Evening routes matter most.", "Evening routes matter least."),
        )
    database_env.setenv("EVENFLOOR_DATABASE_URL", f"sqlite+aiosqlite:///{copy}")
    room_id = world.rooms["names"]
    result = CliRunner().invoke(publication.export, [room_id, "--out", str(tmp_path / "x.json")])
    assert result.exit_code == 1
    assert f"room {room_id} could not be published" in result.output
    assert "[hash]" in result.output
