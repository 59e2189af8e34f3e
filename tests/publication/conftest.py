"""Every document the writer publishes during the test session is recorded; when the
session ends, the JavaScript verifier checks all of them and must agree with the Python
verifier on each (`_js_agrees_on_every_log_built`).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from publication_helpers import Case, comparable, verify_js, verify_py

from server.publication import log as log_module
from server.publication.log import serialize_log

BUILT: list[str] = []
CHECKED: list[int] = []
LARGE = 5_000
"""Logs longer than this (the Polis replays) are checked by both verifiers in their own
tests; re-checking them here would only double the time."""


@pytest.fixture(scope="session", autouse=True)
def _js_agrees_on_every_log_built() -> Iterator[None]:
    """Record every document the writer publishes; at the end both verifiers check each."""
    original = log_module.LogWriter.publish

    def recording_publish(self: log_module.LogWriter, signed_at: Any) -> dict[str, Any]:
        document = original(self, signed_at)
        if len(document["entries"]) <= LARGE:
            BUILT.append(serialize_log(document))
        return document

    log_module.LogWriter.publish = recording_publish  # type: ignore[method-assign]
    try:
        yield
    finally:
        log_module.LogWriter.publish = original  # type: ignore[method-assign]
    if not BUILT:
        return
    cases = [Case(text) for text in dict.fromkeys(BUILT)]
    javascript = verify_js(cases)
    disagreements = [
        (case.log[:200], comparable(py), comparable(js))
        for case, py, js in zip(cases, map(verify_py, cases), javascript, strict=True)
        if comparable(py) != comparable(js)
    ]
    assert not disagreements, f"{len(disagreements)} of {len(cases)} logs: {disagreements[:3]}"
    CHECKED.append(len(cases))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if CHECKED:
        terminalreporter.write_line(
            f"publication: both verifiers gave the same answer on all {CHECKED[0]} logs "
            "the writer built in this run"
        )
