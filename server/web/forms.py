"""Form fields to command arguments, and flash messages kept in the session.

The same conventions hold in ``web/static/js/live.js``, which sends the form's fields over
the WebSocket instead of posting them: empty fields are left out (the command's default
applies); ``name[]`` fields are lists; ``points.<perspective>`` fields make the
``allocations`` of ``allocate_points``; ``deadline`` and ``closes_at`` fields written as
``YYYY-MM-DDTHH:MM`` (a ``datetime-local`` input) are read as UTC; ``*_minutes`` and
``*_seconds`` fields become ``*_ms``.
"""

from __future__ import annotations

import re
from typing import Any

from server.web.i18n import N_

LOCAL_MOMENT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?$")
SKIP = frozenset({"_csrf_token", "next", "acting_for"})

# Headings for the server's refusal codes (the server's own message follows them).
REFUSALS = {
    "not_your_turn": N_("Not your turn"),
    "over_cap": N_("Over the cap"),
    "over_budget": N_("Over your points budget"),
    "wrong_round": N_("Not in this round"),
    "no_quorum": N_("No quorum yet"),
    "conflict": N_("That cannot be done now"),
    "forbidden": N_("Not allowed"),
    "invalid": N_("Please check what you entered"),
    "not_found": N_("Not found"),
    "busy": N_("The room is busy: try again"),
    "unknown_command": N_("Unknown action"),
}


def utc_moment(value: str) -> str:
    return (
        value + ("Z" if value.count(":") == 2 else ":00Z") if LOCAL_MOMENT.match(value) else value
    )


def form_args(fields: list[tuple[str, str]]) -> dict[str, Any]:
    """``[(name, value), …]`` as a form posts them -> the command's JSON arguments."""
    args: dict[str, Any] = {}
    allocations = []
    for name, raw in fields:
        value = raw.strip() if isinstance(raw, str) else raw
        if name in SKIP:
            continue
        if name.startswith("points."):
            if value:
                allocations.append({"perspective": name[7:], "points": value})
            continue
        if name.endswith("[]"):
            args.setdefault(name[:-2], [])
            if value:
                args[name[:-2]].append(value)
            continue
        if value == "":
            continue
        if name in ("deadline", "closes_at"):
            value = utc_moment(value)
        for unit, factor in (("_minutes", 60_000), ("_seconds", 1000)):
            if name.endswith(unit):
                name = name[: -len(unit)] + "_ms"
                value = str(round(float(value) * factor))
        args[name] = value
    if allocations or any(n.startswith("points.") for n, _v in fields):
        args["allocations"] = allocations
    return args


def flash(request: Any, kind: str, text: str, **extra: Any) -> None:
    """Keep a message for the next page this browser shows (after a redirect)."""
    session = dict(request.session or {})
    session.setdefault("flash", [])
    session["flash"] = [*session["flash"], {"kind": kind, "text": text, **extra}]
    request.set_session(session)


def pop_flash(request: Any) -> list[dict[str, Any]]:
    session = dict(request.session or {})
    messages = session.pop("flash", [])
    if messages:
        request.set_session(session)
    return list(messages)


def safe_next(target: str | None, default: str) -> str:
    """Only same-site paths: no open redirects."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target
