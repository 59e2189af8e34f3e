"""`evenfloor verify` and `node tools/verify-js/verify.mjs`: same lines, same exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from publication_helpers import (
    NODE,
    OTHER_KEY,
    REPO,
    ROOM_KEY,
    ROOM_PUBLIC,
    VERIFY_JS,
    dumps,
    public_key_text,
    rechain,
    sample_log,
)

from server.cli.publication import verify


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    document, receipts = sample_log()
    older, _ = sample_log()
    older["entries"] = older["entries"][:5]
    rechain(older, ROOM_KEY)
    paths = {
        "log": tmp_path / "log.json",
        "older": tmp_path / "older.json",
        "receipt": tmp_path / "receipt.json",
        "key": tmp_path / "room.key",
        "tampered": tmp_path / "tampered.json",
        "garbage": tmp_path / "garbage.json",
    }
    paths["log"].write_text(dumps(document), encoding="utf-8")
    paths["older"].write_text(dumps(older), encoding="utf-8")
    paths["receipt"].write_text(dumps(receipts[2]), encoding="utf-8")
    paths["key"].write_text(ROOM_PUBLIC + "\n", encoding="utf-8")
    document["entries"][6]["data"]["text"] = "changed"
    paths["tampered"].write_text(dumps(document), encoding="utf-8")
    paths["garbage"].write_bytes(b"\xff\xfe not json")
    return paths


def arguments(files: dict[str, Path], *names: str) -> list[str]:
    args: list[str] = []
    for name in names:
        if name in ("log", "tampered", "garbage", "missing"):
            args.append(str(files.get(name, Path("/nonexistent/log.json"))))
        elif name == "older":
            args += ["--previous", str(files["older"])]
        elif name == "receipt":
            args += ["--receipt", str(files["receipt"])]
        elif name == "key-file":
            args += ["--key", str(files["key"])]
        elif name == "key-text":
            args += ["--key", ROOM_PUBLIC]
        elif name == "wrong-key":
            args += ["--key", public_key_text(OTHER_KEY)]
        elif name == "bad-key":
            args += ["--key", "not-a-key"]
    return args


SCENARIOS = [
    (("log",), 0, "OK "),
    (("log", "older", "receipt", "key-file"), 0, "OK "),
    (("log", "key-text"), 0, "OK "),
    (("tampered",), 1, "FAIL entry 7: hash does not match"),
    (("log", "wrong-key"), 1, "FAIL document: public_key"),
    (("tampered", "receipt"), 1, "FAIL entry 7: hash does not match"),
    (("garbage",), 2, "ERROR log "),
    (("missing",), 2, "ERROR log "),
    (("log", "bad-key"), 2, "ERROR key not-a-key"),
]


@pytest.mark.parametrize(("names", "code", "start"), SCENARIOS)
def test_python_command(
    files: dict[str, Path], names: tuple[str, ...], code: int, start: str
) -> None:
    result = CliRunner().invoke(verify, arguments(files, *names))
    assert result.exit_code == code, result.output
    assert result.output.startswith(start)
    assert result.output.count("\n") == 1


@pytest.mark.parametrize(("names", "code", "start"), SCENARIOS)
def test_javascript_command_prints_the_same(
    files: dict[str, Path], names: tuple[str, ...], code: int, start: str
) -> None:
    python = CliRunner().invoke(verify, arguments(files, *names))
    node = subprocess.run(
        [NODE, str(VERIFY_JS), *arguments(files, *names)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert node.returncode == code
    if code == 2:
        assert node.stderr.startswith(start)
    else:
        assert node.stdout == python.output


def test_the_installed_command_runs_in_a_fresh_interpreter(files: dict[str, Path]) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "server.cli", "verify", str(files["tampered"])],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=REPO,
    )
    assert completed.returncode == 1
    assert completed.stdout.startswith("FAIL entry 7:")


def test_verify_imports_nothing_but_the_log_needs() -> None:
    probe = (
        "import sys, server.publication.verify, server.cli.publication, server.publication;"
        "heavy = [m for m in ('litestar', 'sqlalchemy', 'pydantic', 'asyncpg', 'aiosqlite',"
        " 'deliberation', 'voting', 'server.settings', 'server.db', 'jinja2', 'numpy')"
        " if m in sys.modules];"
        "print(json.dumps(heavy))"
    )
    completed = subprocess.run(
        [sys.executable, "-c", "import json;" + probe],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        cwd=REPO,
    )
    assert json.loads(completed.stdout) == []
