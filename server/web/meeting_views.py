"""View-models for the board and meeting pages, built from the meeting's view only.

The meeting's view is ``server.meetings.projection.meeting_view`` (the folded state as JSON,
with the quorum now, per meeting and per item): templates get these small dicts, never ORM
rows or core state. Times are shown in the meeting's own time zone, which is said once on
each page. Labels are marked with ``N_`` and translated by the templates.

``public`` models (the projector) apply the board's publication policy to names and keep a
private (Part 2) item's title only where the standing orders allow it, and never its note,
decision or actions: the projector shows the room what the public would see.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from server.web.i18n import N_

KINDS = {
    "apologies": N_("Apologies"),
    "declarations": N_("Declarations of interest"),
    "previous_minutes": N_("Minutes of the previous meeting"),
    "matters_arising": N_("Matters arising"),
    "decision": N_("For decision"),
    "discussion": N_("For discussion"),
    "noting": N_("For noting"),
    "any_other_business": N_("Any other business"),
}
# The kinds a person adds by hand; the standard items are added the same way.
ADDABLE_KINDS = tuple(KINDS)
BOARD_ROLES = {
    "chair": N_("Chair"),
    "vice_chair": N_("Vice-chair"),
    "voting_member": N_("Voting member"),
    "adviser": N_("Adviser (non-voting)"),
    "officer": N_("Officer in attendance"),
    "observer": N_("Observer"),
}
VOTING_ROLES = frozenset({"chair", "vice_chair", "voting_member"})
ATTENDANCE = {
    "present_in_room": N_("Present in the room"),
    "present_remote": N_("Present remotely"),
    "apologies": N_("Apologies"),
    "absent": N_("Absent"),
}
NOT_MARKED = N_("Not marked yet")
EXCLUDES = {
    "none": N_("Declared; takes part"),
    "vote": N_("Out of the vote"),
    "vote_and_discussion": N_("Out of the vote and the discussion"),
}
MEETING_STATUS = {
    "scheduled": N_("Scheduled"),
    "open": N_("In progress"),
    "adjourned": N_("Adjourned"),
    "closed": N_("Closed"),
}
ITEM_STATUS = {
    "pending": N_("Not taken yet"),
    "started": N_("Now"),
    "closed": N_("Done"),
    "deferred": N_("Deferred"),
}
ACTION_STATUS = {"open": N_("Open"), "done": N_("Done"), "overdue": N_("Overdue")}
MODES = {"live": N_("Live meeting"), "async": N_("Asynchronous meeting")}
PUBLICATION = {
    "names": N_("names, organisations and roles"),
    "organisations": N_("organisations and roles, no names"),
    "anonymous": N_("roles only"),
}
ROOM_KINDS = frozenset({"decision", "discussion", "previous_minutes"})
DECIDING_KINDS = frozenset({"decision", "previous_minutes"})
CHAIRING_ROLES = frozenset({"chair", "vice_chair"})
_WEB_URL = re.compile(r"https?://[^\s<>\"'`]+", re.IGNORECASE)


def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def parse(iso: Any) -> datetime | None:
    if not isinstance(iso, str) or not iso:
        return None
    try:
        moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class Clock:
    """Moments as the meeting's room reads them: in its zone."""

    def __init__(self, zone_name: str | None) -> None:
        self.zone = zone(zone_name)
        self.name = str(self.zone.key)

    def local(self, iso: Any) -> datetime | None:
        moment = parse(iso)
        return None if moment is None else moment.astimezone(self.zone)

    def time(self, iso: Any) -> str:
        moment = self.local(iso)
        return "" if moment is None else f"{moment:%H:%M}"

    def day(self, iso: Any) -> str:
        moment = self.local(iso)
        return "" if moment is None else f"{moment:%a} {moment.day} {moment:%b %Y}"

    def day_time(self, iso: Any) -> str:
        moment = self.local(iso)
        return "" if moment is None else f"{self.day(iso)}, {moment:%H:%M}"

    def input_value(self, iso: Any) -> str:
        """For a ``datetime-local`` input in the meeting's zone."""
        moment = self.local(iso)
        return "" if moment is None else f"{moment:%Y-%m-%dT%H:%M}"


def web_url(value: Any) -> str:
    text = value if isinstance(value, str) else ""
    return text if _WEB_URL.fullmatch(text) else ""


def minutes_between(start: datetime | None, end: datetime | None) -> int | None:
    if start is None or end is None:
        return None
    return max(0, round((end - start).total_seconds() / 60))


def _people(meeting: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {m["member"]: m for m in meeting["board"]["members"]}


class Names:
    """Who a member id is, as a page may say it: in full for members, by the board's
    publication policy for the public (names; organisations only; roles only)."""

    def __init__(self, view: dict[str, Any], *, public: bool) -> None:
        meeting = view["meeting"]
        self.people = _people(meeting)
        self.substitutes = view.get("substitutes") or {}
        orders = meeting["board"]["standing_orders"]
        self.policy = orders.get("publication", "names") if public else "names"

    def member(self, pid: str | None) -> dict[str, Any]:
        found = self.people.get(pid or "")
        if found is not None:
            return found
        sub = self.substitutes.get(pid or "")
        if sub is not None:
            return {
                "member": pid,
                "name": sub["name"],
                "organisation_name": sub.get("organisation_name", ""),
                "role": "",
                "sector": "",
            }
        return {"member": pid, "name": "", "organisation_name": "", "role": "", "sector": ""}

    def who(self, pid: str | None) -> str:
        person = self.member(pid)
        org = person.get("organisation_name") or ""
        if self.policy == "anonymous":
            return BOARD_ROLES.get(person.get("role") or "", N_("A member"))
        if self.policy == "organisations":
            return org or N_("A member")
        name = person.get("name") or N_("Someone not on the board")
        return f"{name} ({org})" if org else name


def viewer_roles(view: dict[str, Any], me: str | None) -> dict[str, bool]:
    """What the meeting core lets this person do (the same rules as its guards)."""
    meeting = view["meeting"]
    member = _people(meeting).get(me or "")
    drives = bool(me) and (
        me in meeting["facilitators"] or (member is not None and member["role"] in CHAIRING_ROLES)
    )
    clerks = drives or (bool(me) and me in meeting["secretaries"])
    scribes = bool(me) and (me in meeting["secretaries"] or me in meeting["facilitators"])
    return {"drives": drives, "clerks": clerks, "scribes": scribes, "member": member is not None}


def _exclusions(view: dict[str, Any], item: str, names: Names) -> list[dict[str, Any]]:
    return [
        {
            "member": d["member"],
            "who": names.who(d["member"]),
            "interest": d["interest"],
            "excludes": d["excludes"],
            "excludes_label": EXCLUDES.get(d["excludes"], d["excludes"]),
        }
        for d in view["declarations"]
        if d["item"] == item and d["withdrawn_at"] is None and d["excludes"] != "none"
    ]


def action_status(action: dict[str, Any], now: datetime) -> str:
    if action["done"]:
        return "done"
    due = parse(action.get("due"))
    if action.get("overdue_when_carried") or (due is not None and due < now):
        return "overdue"
    return "open"


def _item(
    view: dict[str, Any],
    row: dict[str, Any],
    names: Names,
    clock: Clock,
    now: datetime,
    *,
    public: bool,
) -> dict[str, Any]:
    item = view["items"][row["id"]]
    orders = view["meeting"]["board"]["standing_orders"]
    hidden = public and item["private"]
    started, ended = parse(item["started_at"]), parse(item["ended_at"])
    actual = minutes_between(started, ended or (now if started else None))
    planned = item["planned_minutes"]
    title = item["title"]
    if hidden and not orders.get("private_titles", True):
        title = ""
    kind = item["kind"]
    return {
        "id": item["item"],
        "number": row["number"],
        "title": title,
        "private": item["private"],
        "hidden": hidden,
        "kind": kind,
        "kind_label": KINDS.get(kind, kind),
        "status": item["status"],
        "status_label": ITEM_STATUS.get(item["status"], item["status"]),
        "current": view["current"] == item["item"],
        "planned_minutes": planned,
        "actual_minutes": actual,
        "over_time": bool(actual is not None and planned and actual > planned),
        "started": clock.time(item["started_at"]),
        "ended": clock.time(item["ended_at"]),
        "description": "" if hidden else item["description"],
        "note": "" if hidden else item["note"],
        "noted": item["noted"],
        "urgent_reason": None if hidden else item["urgent_reason"],
        "deferred": item["status"] == "deferred",
        "deferred_to": item["deferred_to"],
        "deferred_to_next": item["deferred_to_next"],
        "deferral_reason": "" if hidden else item["deferral_reason"],
        "room": None if hidden else item["room"],
        "has_room": kind in ROOM_KINDS and item["room"] is not None and not hidden,
        "deciding": kind in DECIDING_KINDS,
        "noting": kind == "noting",
        "quorum": row["quorum"],
        "excluded": [
            {**x, "interest": ""} if hidden else x for x in _exclusions(view, item["item"], names)
        ],
        "declared_by": sorted(
            d["member"]
            for d in view["declarations"]
            if d["item"] == item["item"] and d["withdrawn_at"] is None
        ),
    }


def _attendance(view: dict[str, Any], names: Names, clock: Clock) -> list[dict[str, Any]]:
    """Each board member, then each named substitute, with how and when they attended."""
    records = view["attendance"]
    subs_for = {s["for_member"]: s for s in (view.get("substitutes") or {}).values()}
    rows = []
    for member in view["meeting"]["board"]["members"]:
        record = records.get(member["member"])
        status = record["status"] if record else ""
        sub = subs_for.get(member["member"])
        rows.append(
            {
                "member": member["member"],
                "name": member["name"],
                "organisation": member["organisation_name"],
                "sector": member["sector"],
                "role": member["role"],
                "role_label": BOARD_ROLES.get(member["role"], member["role"]),
                "votes": member["role"] in VOTING_ROLES,
                "status": status,
                "status_label": ATTENDANCE.get(status, NOT_MARKED),
                "present": bool(
                    record and status.startswith("present") and record["left_at"] is None
                ),
                "arrived": clock.time(record["arrived_at"]) if record else "",
                "left": clock.time(record["left_at"]) if record else "",
                "substitute": names.who(sub["substitute"]) if sub else "",
                "substitute_for": "",
                "is_substitute": False,
            }
        )
    for sub in (view.get("substitutes") or {}).values():
        record = records.get(sub["substitute"])
        status = record["status"] if record else ""
        rows.append(
            {
                "member": sub["substitute"],
                "name": sub["name"],
                "organisation": sub.get("organisation_name", ""),
                "sector": "",
                "role": "",
                "role_label": N_("Named substitute"),
                "votes": True,
                "status": status,
                "status_label": ATTENDANCE.get(status, NOT_MARKED),
                "present": bool(
                    record and status.startswith("present") and record["left_at"] is None
                ),
                "arrived": clock.time(record["arrived_at"]) if record else "",
                "left": clock.time(record["left_at"]) if record else "",
                "substitute": "",
                "substitute_for": names.who(sub["for_member"]),
                "is_substitute": True,
            }
        )
    return rows


def meeting_model(
    view: dict[str, Any],
    seq: int,
    *,
    me: str | None,
    now: datetime,
    public: bool = False,
) -> dict[str, Any]:
    """The meeting as its pages show it. ``public``: as the projector (the public) sees it."""
    meeting = view["meeting"]
    clock = Clock(meeting["timezone"])
    names = Names(view, public=public)
    agenda = [_item(view, row, names, clock, now, public=public) for row in view["agenda"]]
    by_id = {i["id"]: i for i in agenda}
    current = by_id.get(view["current"] or "")
    taken = [i for i in agenda if i["status"] in ("closed", "deferred") or i["noted"]]
    actions = []
    for action in view["actions"].values():
        item = by_id.get(action["item"])
        if public and (action.get("private") or (item and item["private"])):
            continue
        status = action_status(action, now)
        actions.append(
            {
                "id": action["action"],
                "what": action["what"],
                "owner": action["owner"],
                "mine": bool(me) and action.get("owner_member") == me,
                "due": clock.day(action["due"]) if action.get("due") else "",
                "status": status,
                "status_label": ACTION_STATUS[status],
                "item": f"{item['number']}. {item['title']}" if item else "",
                "carried": action.get("carried_from") is not None,
            }
        )
    declarations = []
    for d in view["declarations"]:
        item = by_id.get(d["item"] or "")
        declarations.append(
            {
                "member": d["member"],
                "who": names.who(d["member"]),
                "item_id": d["item"],
                "item": f"{item['number']}. {item['title']}" if item else "",
                "standing": d["item"] is None,
                "interest": d["interest"],
                "excludes": d["excludes"],
                "excludes_label": EXCLUDES.get(d["excludes"], d["excludes"]),
                "withdrawn": d["withdrawn_at"] is not None,
                "mine": bool(me) and d["member"] == me,
            }
        )
    attendance = [] if public else _attendance(view, names, clock)
    if public:  # the projector shows none of these: keep them out of its model altogether
        actions = []
        declarations = [
            d
            for d in declarations
            if d["item_id"] and not by_id.get(d["item_id"], {"private": True})["private"]
        ]
    mine = next((a for a in attendance if a["member"] == me), None)
    planned_total = sum(i["planned_minutes"] or 0 for i in agenda)
    quorum = view["quorum"]
    status = view["status"]
    orders = meeting["board"]["standing_orders"]
    return {
        "id": meeting["meeting"],
        "seq": seq,
        "title": meeting["title"],
        "board": {"id": meeting["board"]["board"], "name": meeting["board"]["name"]},
        "status": status,
        "status_label": MEETING_STATUS.get(status, status),
        "open": status == "open",
        "closed": status == "closed",
        "mode": meeting["mode"],
        "mode_label": MODES.get(meeting["mode"], meeting["mode"]),
        "timezone": clock.name,
        "date": clock.day(meeting["starts_at"]),
        "starts": clock.time(meeting["starts_at"]),
        "ends": clock.time(meeting["ends_at"]),
        "starts_at": meeting["starts_at"],
        "ends_at": meeting["ends_at"],
        "starts_input": clock.input_value(meeting["starts_at"]),
        "ends_input": clock.input_value(meeting["ends_at"]),
        "place": meeting["place"],
        "video_url": web_url(meeting["video_url"]),
        "agenda": agenda,
        "agenda_version": view["agenda_version"],
        "agenda_published": view["agenda_published"],
        "order_text": " ".join(str(i["number"]) for i in agenda),
        "current": current,
        "progress": {
            "done": len(taken),
            "total": len(agenda),
            "percent": round(100 * len(taken) / len(agenda)) if agenda else 0,
            "planned_total": planned_total,
        },
        "quorum": {
            "held": quorum["held"],
            "missing": list(quorum["missing"]),
            # Lost matters once the meeting is running; before, it is what is still needed.
            "lost": not quorum["held"] and status == "open",
        },
        "attendance": attendance,
        "members": [a for a in attendance if not a["is_substitute"]],
        "voting_members": [a for a in attendance if a["votes"] and not a["is_substitute"]],
        "declarations": declarations,
        "actions": actions,
        "my_actions": [a for a in actions if a["mine"]],
        "my_attendance": mine,
        "my_declarations": [d for d in declarations if d["mine"]],
        "summary": "" if public else view["summary"],
        "approved": view["approved_at"] is not None,
        "policy": orders.get("publication", "names"),
        "conflicted_leave_discussion": orders.get("conflicted_leave_discussion", False),
        "roles": viewer_roles(view, me),
        "open_items": [i for i in agenda if i["status"] == "pending"],
    }
