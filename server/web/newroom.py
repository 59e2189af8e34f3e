"""The create-a-room form: its defaults and its translation into ``POST /api/rooms``' body.

Its rule fields are the console's too (``server/web/rulefields.py``).

People think in minutes and percentages; the core wants milliseconds and fractions.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from server.web import rulefields
from server.web.forms import form_args, utc_moment
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
        "rules.speaking_cap_percent": "40",
        "rules.speech_limit_minutes": "3",
        "rules.reply_limit_minutes": "1",
        "rules.point_of_order_limit_seconds": "30",
        "rules.overrun": "end",
        "rules.vote_mode": "capped",
        "rules.vote_cap_percent": "40",
        "rules.quorum.participants": "2",
        "rules.quorum.organisations": "2",
        "rules.objection_rule": "facilitator_integrates_only",
        "rules.points_budget": "10",
        "rules.premoderate_statements": "",
        "rules.proxy_needs_presence": "",
        "is_public": "on",
    }
    for day, kind in enumerate(ROUNDS, start=1):
        form[f"deadline_{kind}"] = (start + timedelta(days=day)).strftime("%Y-%m-%dT%H:%M")
    return form


# Unticked boxes are not posted: when the form comes back with an error, they stay unticked.
UNTICKED = {
    "is_public": "",
    **{f.name: "" for f in rulefields.FIELDS if f.kind == "check"},
}


def _rules(form: dict[str, str]) -> dict[str, Any]:
    """The rule fields (``server/web/rulefields.py``) -> the core's ``rules`` object."""
    problems = rulefields.check(form)
    if problems:
        raise rulefields.Problems(problems)
    fields = [(k, v) for k, v in form.items() if k.startswith("rules.")]
    rules: dict[str, Any] = form_args(fields).get("rules", {})
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
