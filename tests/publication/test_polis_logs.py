"""Real conversations as published logs: the Polis open data (CC BY 4.0) in
`shared/datasets/polis/`, replayed as a room's stored events (statements, moderation,
every vote as a reaction), projected, published, and verified by both verifiers."""

from __future__ import annotations

import csv
import unicodedata
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from publication_helpers import ROOM_KEY, ROOM_PUBLIC, Case, comparable, dumps, verify_js, verify_py

from server.publication.projection import publish

DATASETS = Path(__file__).resolve().parents[1] / "data" / "polis"
SMALL = ["15-per-hour-seattle", "brexit-consensus"]
LARGE = ["canadian-electoral-reform", "scoop-hivemind.affordable-housing", "scoop-hivemind.taxes"]
ORGANISATIONS = ["Residents", "Businesses", "Council", "Unions"]


def when(milliseconds: str) -> datetime:
    return datetime.fromtimestamp(int(milliseconds) / 1000, tz=UTC)


def conversation_rows(name: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The conversation as stored events, and facts to check the log against."""
    folder = DATASETS / name
    with (folder / "comments.csv").open(encoding="utf-8") as handle:
        comments = sorted(csv.DictReader(handle), key=lambda row: int(row["timestamp"]))
    with (folder / "votes.csv").open(encoding="utf-8") as handle:
        votes = sorted(csv.DictReader(handle), key=lambda row: int(row["timestamp"]))
    people = {row["author-id"] for row in comments} | {row["voter-id"] for row in votes}
    rows: list[dict[str, Any]] = []

    def add(kind: str, payload: dict[str, Any], at: datetime) -> None:
        rows.append(
            {
                "seq": len(rows) + 1,
                "type": kind,
                "payload": {**payload, "at": at.isoformat()},
                "actor_id": payload.get("by"),
                "acting_for": None,
                "at": at,
            }
        )

    start = min(when(r["timestamp"]) for r in [*comments, *votes])
    for person in sorted(people, key=int):
        organisation = ORGANISATIONS[int(person) % len(ORGANISATIONS)]
        add(
            "member.admitted",
            {
                "participant": f"polis-{person}",
                "display_name": f"Polis Participant {person}",
                "organisation": organisation.lower(),
                "organisation_name": organisation,
                "role": "participant",
                "vote_weight": "1",
                "by": None,
            },
            start,
        )
    events = [("comment", row) for row in comments] + [("vote", row) for row in votes]
    events.sort(key=lambda item: (int(item[1]["timestamp"]), item[0] == "vote"))
    hidden = []
    for kind, row in events:
        at = when(row["timestamp"])
        if kind == "comment":
            statement = f"c{row['comment-id']}"
            author = f"polis-{row['author-id']}"
            add(
                "statement.added",
                {
                    "statement": statement,
                    "participant": author,
                    "organisation": "x",
                    "text": row["comment-body"],
                    "status": "accepted",
                    "by": author,
                },
                at,
            )
            if row["moderated"] == "-1":
                hidden.append(row["comment-body"])
                add(
                    "statement.hidden",
                    {"statement": statement, "reason": "Moderated out.", "by": None},
                    at,
                )
        else:
            reaction = {"1": "agree", "-1": "disagree", "0": "pass"}[row["vote"]]
            voter = f"polis-{row['voter-id']}"
            add(
                "reaction.recorded",
                {
                    "statement": f"c{row['comment-id']}",
                    "participant": voter,
                    "reaction": reaction,
                    "by": voter,
                },
                at,
            )
    facts = {
        "votes": len(votes),
        "comments": len(comments),
        "hidden": hidden,
        "texts": [row["comment-body"] for row in comments if row["moderated"] != "-1"],
        "people": people,
    }
    return rows, facts


def check(names: list[str], policy: str) -> None:
    cases = []
    hidden = 0
    for name in names:
        rows, facts = conversation_rows(name)
        publication = publish(
            {"id": f"polis-{name}", "title": name},
            policy,  # type: ignore[arg-type]
            rows,
            ROOM_KEY,
            b"polis" * 7,
            signed_at=rows[-1]["at"],
        )
        document = publication.document
        kinds = [entry["type"] for entry in document["entries"]]
        assert kinds.count("reaction.recorded") == facts["votes"]
        assert kinds.count("statement.added") == facts["comments"]
        text = dumps(document)
        for body in facts["hidden"]:
            if len(body) > 20:  # short ones could occur inside other statements
                assert unicodedata.normalize("NFC", body) not in text
        published = {
            e["data"].get("text") for e in document["entries"] if e["type"] == "statement.added"
        }
        for body in facts["texts"]:
            assert unicodedata.normalize("NFC", body) in published
        if policy != "names":
            assert "Polis Participant" not in text
        receipts = [r for rs in publication.receipts.values() for r in rs][:50]
        cases.append(Case(text, key=ROOM_PUBLIC, receipts=[dumps(r) for r in receipts]))
        hidden += len(facts["hidden"])
    assert hidden > 0, "the conversations have moderated-out statements to leave out"
    for case, javascript in zip(cases, verify_js(cases), strict=True):
        python = verify_py(case)
        assert comparable(python) == comparable(javascript)
        assert python["ok"], python["line"]


@pytest.mark.parametrize("policy", ["names", "anonymous"])
def test_small_polis_conversations_publish_and_verify(policy: str) -> None:
    check(SMALL, policy)


@pytest.mark.slow
def test_large_polis_conversations_publish_and_verify() -> None:
    check(LARGE, "organisations")
