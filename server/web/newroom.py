"""The create-a-room form: its defaults and its translation into ``POST /api/rooms``' body.

People think in minutes and percentages; the core wants milliseconds and fractions.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from server.web.forms import utc_moment
from server.web.views import ROUNDS


def DEFAULTS(now: datetime) -> dict[str, str]:  # noqa: N802 (a table computed at a moment)
    start = now.replace(second=0, microsecond=0)
    form = {
        "title": "",
        "proposal": "",
        "organisation_name": "",
        "invite": "",
        "mode": "live",
        "publication": "organisations",
        "speaking_cap": "40",
        "speech_limit_minutes": "3",
        "reply_limit_minutes": "1",
        "overrun": "end",
        "vote_mode": "capped",
        "vote_cap": "40",
        "quorum_participants": "2",
        "quorum_organisations": "2",
        "objection_rule": "facilitator_integrates_only",
        "points_budget": "10",
        "premoderate_statements": "",
        "is_public": "on",
    }
    for day, kind in enumerate(ROUNDS, start=1):
        form[f"deadline_{kind}"] = (start + timedelta(days=day)).strftime("%Y-%m-%dT%H:%M")
    return form


def _number(form: dict[str, str], name: str, label: str) -> float | None:
    raw = form.get(name, "").strip()
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError:
        raise ValueError(f"{label}: enter a number.") from None


def _share(value: float | None, label: str) -> str | None:
    if value is None or value == 0:
        return None
    if not 0 < value <= 100:
        raise ValueError(f"{label}: a percentage above 0 and at most 100.")
    return f"{round(value * 10)}/1000"


def _rules(form: dict[str, str]) -> dict[str, Any]:
    rules: dict[str, Any] = {
        "overrun": form.get("overrun") or "end",
        "vote_mode": form.get("vote_mode") or "one_person_one_vote",
        "objection_rule": form.get("objection_rule") or "facilitator_integrates_only",
        "premoderate_statements": form.get("premoderate_statements") == "on",
    }
    cap = _share(_number(form, "speaking_cap", "Speaking cap"), "Speaking cap")
    if cap:
        rules["speaking_cap"] = cap
    vote_cap = _share(_number(form, "vote_cap", "Vote cap"), "Vote cap")
    if vote_cap:
        rules["vote_cap"] = vote_cap
    for field, label in (
        ("speech_limit", "Time per speech"),
        ("reply_limit", "Time per reply"),
    ):
        minutes = _number(form, f"{field}_minutes", label)
        if minutes is not None:
            if minutes <= 0:
                raise ValueError(f"{label}: more than 0 minutes.")
            rules[f"{field}_ms"] = round(minutes * 60_000)
    quorum = {}
    for field in ("participants", "organisations"):
        value = _number(form, f"quorum_{field}", f"Quorum ({field})")
        if value is not None:
            quorum[field] = int(value)
    if quorum:
        rules["quorum"] = quorum
    points = _number(form, "points_budget", "Points per person")
    if points is not None:
        rules["points_budget"] = int(points)
    return rules


def room_from_form(form: dict[str, str], now: datetime) -> tuple[dict[str, Any], list[str]]:
    """The form -> (``RoomCreate`` fields, organisations to invite). Raises ``ValueError``."""
    rules = _rules(form)
    mode = form.get("mode") or "live"
    deadlines = []
    if mode == "asynchronous":
        for kind in ROUNDS:
            raw = form.get(f"deadline_{kind}", "").strip()
            if not raw:
                raise ValueError("Asynchronous rooms need a deadline for every round.")
            deadlines.append({"round": kind, "closes_at": utc_moment(raw)})
    invite = []
    for line in form.get("invite", "").splitlines():
        name = " ".join(line.split())
        if name and name not in invite:
            invite.append(name)
    data = {
        "title": form.get("title", "").strip(),
        "proposal": form.get("proposal", "").strip(),
        "organisation_name": form.get("organisation_name", "").strip(),
        "rules": rules,
        "mode": mode,
        "publication": form.get("publication") or "organisations",
        "deadlines": deadlines,
        "is_public": form.get("is_public") == "on",
    }
    return data, invite
