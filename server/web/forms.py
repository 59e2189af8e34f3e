"""Form fields to command arguments, and flash messages kept in the session.

The same conventions hold in ``web/static/js/live.js``, which sends the form's fields over
the WebSocket instead of posting them: empty fields are left out (the command's default
applies); ``name[]`` fields are lists; ``points.<perspective>`` fields make the
``allocations`` of ``allocate_points``; ``deadline`` and ``closes_at`` fields written as
``YYYY-MM-DDTHH:MM`` (a ``datetime-local`` input) are read as UTC; ``*_minutes`` and
``*_seconds`` fields become ``*_ms``; ``*_percent`` fields become a share written as a
fraction (``"40"`` -> ``"40/100"``; ``0`` is left out: no cap); dotted names nest
(``rules.quorum.participants``); ``budget.<organisation>`` fields (minutes) make the
``rules``' ``organisation_budgets``. A value that is not a number where one is needed raises
``BadField``, naming the field.
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Any

from server.web.i18n import N_

LOCAL_MOMENT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?$")
SKIP = frozenset({"_csrf_token", "next", "acting_for"})
DECIMAL = re.compile(r"^(\d*)(?:\.(\d+))?$")

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


class BadField(ValueError):
    """A field whose value cannot be converted; the message names the field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


def share(value: str) -> str:
    """A percentage as an exact fraction of one: ``"33.5"`` -> ``"335/1000"``."""
    match = DECIMAL.match(value)
    if not match or not (match.group(1) or match.group(2)):
        raise ValueError(value)
    whole, places = match.group(1) or "", match.group(2) or ""
    return f"{int(whole + places)}/{100 * 10 ** len(places)}"


def _nest(args: dict[str, Any], name: str, value: Any) -> None:
    *path, last = name.split(".")
    for part in path:
        args = args.setdefault(part, {})
    args[last] = value


def _number(name: str, value: str, factor: float) -> int:
    try:
        return round(float(value) * factor)
    except ValueError:
        raise BadField(name, "enter a number.") from None


def _convert(name: str, value: str) -> tuple[str, str] | None:
    """One plain field -> ``(argument path, value)``; ``None`` to leave it out."""
    if name in ("deadline", "closes_at"):
        value = utc_moment(value)
    for unit, factor in (("_minutes", 60_000), ("_seconds", 1000)):
        if name.endswith(unit):
            value = str(_number(name, value, factor))
            name = name[: -len(unit)] + "_ms"
    if name.endswith("_percent"):
        try:
            value = share(value)
        except ValueError:
            raise BadField(name, "enter a number.") from None
        if Fraction(value) == 0:
            return None
        name = name[: -len("_percent")]
    return name, value


# Fields named ``<prefix><id>`` that together make one list argument.
LISTS = {"points.": "allocations", "budget.": "rules.organisation_budgets"}


def _row(prefix: str, name: str, value: str) -> dict[str, Any]:
    key = name[len(prefix) :]
    if prefix == "points.":
        return {"perspective": key, "points": value}
    return {"organisation": key, "ms": _number(name, value, 60_000)}


def form_args(fields: list[tuple[str, str]]) -> dict[str, Any]:
    """``[(name, value), …]`` as a form posts them -> the command's JSON arguments."""
    args: dict[str, Any] = {}
    rows: dict[str, list[dict[str, Any]]] = {}
    for name, raw in fields:
        value = raw.strip() if isinstance(raw, str) else raw
        prefix = name[: name.find(".") + 1]
        if name in SKIP:
            continue
        if prefix in LISTS:
            rows.setdefault(prefix, [])
            if value:
                rows[prefix].append(_row(prefix, name, value))
        elif name.endswith("[]"):
            args.setdefault(name[:-2], [])
            if value:
                args[name[:-2]].append(value)
        elif value != "":
            converted = _convert(name, value)
            if converted is not None:
                _nest(args, *converted)
    for prefix, found in rows.items():
        _nest(args, LISTS[prefix], found)
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
