"""Rooms in telling states, built over the API: for the page tests and the screenshots."""

from __future__ import annotations

import uuid

from tests.browser.harness import Api, Person


def busy_room(api: Api, people: dict[str, Person]) -> str:
    """A live room in surface_conflict with statements, reactions, a queue and a speaker."""
    fay, ben, cleo, dev = (people[k] for k in ("fay", "ben", "cleo", "dev"))
    room = api.create_room(
        fay,
        "Shared minibus",
        "Pool the three minibuses into one booking system run by the council.",
        rules={"speaking_cap": "2/5"},
    )
    for person in (ben, cleo, dev):
        api.join(fay, room, person)
    api.command(fay, room, "open_round", {"round": "surface_conflict"})
    texts = [
        (ben, "One booking system saves us two drivers."),
        (cleo, "Patients' transport must keep priority."),
        (dev, "Evening routes would be lost."),
    ]
    statements = [
        api.command(person, room, "add_statement", {"text": text, "statement": uuid.uuid4().hex})
        for person, text in texts
    ]
    assert statements
    view = api.call(fay, "GET", f"/api/rooms/{room}/view")["view"]
    ids = [s["statement"] for s in view["statements"]]
    for person, reactions in (
        (fay, ["agree", "disagree", "agree"]),
        (ben, [None, "disagree", "agree"]),
        (cleo, ["disagree", None, "disagree"]),
        (dev, ["agree", "agree", None]),
    ):
        for statement, reaction in zip(ids, reactions, strict=True):
            if reaction:
                api.command(person, room, "react", {"statement": statement, "reaction": reaction})
    api.command(ben, room, "raise_hand", {"kind": "speech"})
    api.command(cleo, room, "raise_hand", {"kind": "speech"})
    api.command(fay, room, "next_speaker")
    api.command(dev, room, "raise_hand", {"kind": "reply"})
    return room


def decided_room(api: Api, people: dict[str, Person]) -> str:
    fay, ben, cleo = people["fay"], people["ben"], people["cleo"]
    room = api.create_room(fay, "Winter hours", "Close the depot at 18:00 in winter.")
    for person in (ben, cleo):
        api.join(fay, room, person)
    api.command(fay, room, "open_round", {"round": "surface_conflict"})
    for kind in ("weigh_perspectives", "record_dissent", "consent"):
        api.command(fay, room, "close_round")
        api.command(fay, room, "open_round", {"round": kind})
        if kind == "weigh_perspectives":
            api.command(ben, room, "table_perspective", {"kind": "risk", "text": "Late buses."})
        if kind == "record_dissent":
            api.command(
                cleo, room, "record_dissent", {"kind": "formal_dissent", "text": "Too early."}
            )
    api.command(ben, room, "answer_consent", {"position": "consent"})
    api.command(cleo, room, "answer_consent", {"position": "stand_aside", "text": "Not ours."})
    api.command(fay, room, "close_round")
    return room
