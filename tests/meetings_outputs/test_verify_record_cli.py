"""`evenfloor verify RECORD.json` and `node tools/verify-js/verify.mjs RECORD.json`: same lines."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from record_helpers import BOARD_KEY, NODE, OTHER_KEY, sample_record

from server.cli.publication import verify
from server.publication.keys import public_key_text
from server.publication.log import serialize_log

REPO = Path(__file__).resolve().parents[2]
VERIFY_JS = REPO / "tools" / "verify-js" / "verify.mjs"
RECORD_JS = REPO / "tools" / "verify-js" / "record.mjs"


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    record, item_logs = sample_record()
    paths = {
        "record": tmp_path / "record.json",
        "tampered": tmp_path / "tampered.json",
        "key": tmp_path / "board.key",
        **{name: tmp_path / f"{name}.json" for name in item_logs},
    }
    paths["record"].write_text(json.dumps(record, indent=2, ensure_ascii=False), encoding="utf-8")
    paths["key"].write_text(public_key_text(BOARD_KEY) + "\n", encoding="utf-8")
    for name, log in item_logs.items():
        paths[name].write_text(serialize_log(log), encoding="utf-8")
    record["minutes"]["items"][4]["decision"]["outcome"] = "blocked"
    paths["tampered"].write_text(json.dumps(record), encoding="utf-8")
    return paths


def arguments(files: dict[str, Path], *names: str) -> list[str]:
    args: list[str] = []
    for name in names:
        if name in ("record", "tampered", "item-5"):
            args.append(str(files[name]))
        elif name == "missing":
            args.append("/nonexistent/record.json")
        elif name.startswith("log:"):
            args += ["--log", str(files[name[4:]])]
        elif name == "key":
            args += ["--key", str(files["key"])]
        elif name == "wrong-key":
            args += ["--key", public_key_text(OTHER_KEY)]
        elif name == "previous":
            args += ["--previous", str(files["item-3"])]
    return args


SCENARIOS = [
    (("record",), 0, 'OK meeting "7d5d3c1e-0b7a-4a39-9d69-3f1c2b1e0a01": 10 items (1 private)'),
    (("record", "key", "log:item-3", "log:item-5", "log:item-6"), 0, "OK meeting "),
    (("tampered",), 1, "FAIL record: hash does not match the record's contents"),
    (("record", "wrong-key"), 1, "FAIL document: public_key"),
    (("record", "log:item-5", "log:item-5"), 0, "OK meeting "),
    (("record", "previous"), 2, "ERROR --previous and --receipt go with a decision log"),
    (("item-5", "log:item-3"), 2, "ERROR --log goes with a meeting record"),
    (("missing", "log:item-3"), 2, "ERROR log /nonexistent/record.json"),
    (("item-5",), 0, 'OK "c0000000-0000-4000-8000-000000000005": 7 entries'),
]


@pytest.mark.parametrize(("names", "code", "start"), SCENARIOS)
def test_python_and_javascript_commands_agree(
    files: dict[str, Path], names: tuple[str, ...], code: int, start: str
) -> None:
    python = CliRunner().invoke(verify, arguments(files, *names))
    assert python.exit_code == code, python.output
    assert python.output.startswith(start)
    assert python.output.count("\n") == 1
    for script in (VERIFY_JS, RECORD_JS) if names[0] != "item-5" else (VERIFY_JS,):
        node = subprocess.run(
            [NODE, str(script), *arguments(files, *names)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert node.returncode == code, (script.name, node.stdout, node.stderr)
        if code == 2:
            assert node.stderr.startswith(start)
        else:
            assert node.stdout == python.output


def test_record_mjs_refuses_a_decision_log(files: dict[str, Path]) -> None:
    node = subprocess.run(
        [NODE, str(RECORD_JS), str(files["item-5"])], capture_output=True, text=True, check=False
    )
    assert node.returncode == 1
    assert node.stdout == 'FAIL document: format is not "evenfloor-meeting-record/1" [format]\n'


def test_verifying_a_record_imports_nothing_but_the_record_needs() -> None:
    probe = (
        "import sys, json, server.publication.meeting_record, server.cli.publication;"
        "heavy = [m for m in ('litestar', 'sqlalchemy', 'pydantic', 'asyncpg', 'aiosqlite',"
        " 'deliberation', 'voting', 'server.settings', 'server.db', 'jinja2', 'numpy',"
        " 'weasyprint', 'icalendar', 'server.meetings') if m in sys.modules];"
        "print(json.dumps(heavy))"
    )
    completed = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        cwd=REPO,
    )
    assert json.loads(completed.stdout) == []
