"""The minutes of a meeting as people read them: an HTML page, Markdown and a PDF.

Every renderer takes the minutes document (``docs/meetings.md``, "The minutes document")
and nothing else, so what a page or a PDF says is exactly what the log says: the facts come
from the document, and the only prose is the secretary's narrative in it. ``minutes_view``
turns the document into what the templates show (names for member ids, local times in the
meeting's zone, labels); the HTML page (``web/templates/minutes/``) and the Markdown are
drawn from that one view, and the PDF is WeasyPrint's rendering of the same HTML.

A private (Part 2) item is shown as "taken in private" with its title if the document has
one, whatever else the document holds: a renderer never prints a private item's note,
decision or actions, so even a members' copy printed for the public gallery leaks nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from fractions import Fraction
from functools import cache
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from jinja2 import Environment, FileSystemLoader, select_autoescape

from server.publication.canonical import decimal_string
from server.web.i18n import N_, install
from server.web.views import DISSENT_KINDS, OBJECTION_STATUS, OUTCOMES, POSITIONS

TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "web" / "templates"
PDF_MEDIA_TYPE = "application/pdf"
MARKDOWN_MEDIA_TYPE = "text/markdown"

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
ATTENDANCE = {
    "present_in_room": N_("Present in the room"),
    "present_remote": N_("Present remotely"),
    "apologies": N_("Apologies"),
    "absent": N_("Absent"),
}
BOARD_ROLES = {
    "chair": N_("Chair"),
    "vice_chair": N_("Vice-chair"),
    "voting_member": N_("Voting member"),
    "adviser": N_("Adviser (non-voting)"),
    "officer": N_("Officer in attendance"),
    "observer": N_("Observer"),
}
VOTING_ROLES = frozenset({"chair", "vice_chair", "voting_member"})
EXCLUDES = {
    "none": N_("declared; takes part"),
    "vote": N_("excluded from the vote and consent"),
    "vote_and_discussion": N_("excluded from the discussion, the vote and consent"),
}
DECISION_OUTCOMES = {
    **OUTCOMES,
    "passed": N_("Passed"),
    "failed": N_("Not passed"),
    "noted": N_("Noted"),
}
ACTION_STATUS = {"open": N_("Open"), "done": N_("Done"), "overdue": N_("Overdue")}
STATUS = {"draft": N_("Draft minutes"), "approved": N_("Approved minutes")}
_WEB_URL = re.compile(r"https?://[^\s<>\"'`]+", re.IGNORECASE)


# -- reading the document ---------------------------------------------------------------


def _zone(name: Any) -> ZoneInfo | None:
    if not isinstance(name, str) or not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _moment(text: Any) -> datetime | None:
    if not isinstance(text, str) or not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _day(moment: datetime) -> str:
    return f"{moment.day} {moment:%B %Y}"


class _Clock:
    """Times as the meeting's room reads them: in its zone, with the zone said once."""

    def __init__(self, zone_name: Any) -> None:
        self.zone = _zone(zone_name) or UTC
        self.zone_name = zone_name if _zone(zone_name) is not None else "UTC"

    def local(self, text: Any) -> datetime | None:
        moment = _moment(text)
        return None if moment is None else moment.astimezone(self.zone)

    def time(self, text: Any) -> str:
        moment = self.local(text)
        return "" if moment is None else f"{moment:%H:%M}"

    def day(self, text: Any) -> str:
        moment = self.local(text)
        return "" if moment is None else _day(moment)

    def day_time(self, text: Any) -> str:
        moment = self.local(text)
        return "" if moment is None else f"{_day(moment)}, {moment:%H:%M}"


def _web_url(value: Any) -> str:
    """A link only to the web: an http(s) URL without spaces or markup, else nothing."""
    text = _text(value)
    if _WEB_URL.fullmatch(text) is None:
        return ""
    return text


def _due(text: Any) -> str:
    if not isinstance(text, str) or not text:
        return ""
    try:
        return _day(datetime.combine(date.fromisoformat(text[:10]), datetime.min.time()))
    except ValueError:
        return text


class _People:
    """Member references as the document holds them (an id, or an object) turned into names.

    Under the `organisations` and `anonymous` policies a member object may hold a pseudonym
    and no name; the minutes then show what the policy let through, never an id.
    """

    def __init__(self, attendance: Sequence[Any]) -> None:
        self.by_id: dict[str, Mapping[str, Any]] = {}
        for record in attendance:
            person = record.get("member") if isinstance(record, Mapping) else None
            if isinstance(person, Mapping) and isinstance(person.get("id"), str):
                self.by_id[person["id"]] = person

    def person(self, ref: Any) -> Mapping[str, Any]:
        if isinstance(ref, Mapping):
            found = self.by_id.get(ref["id"]) if isinstance(ref.get("id"), str) else None
            return {**(found or {}), **ref}
        if isinstance(ref, str):
            return self.by_id.get(ref, {"name": ref})
        return {}

    def name(self, ref: Any) -> str:
        person = self.person(ref)
        for field in ("name", "pseudonym", "organisation"):
            value = person.get(field)
            if isinstance(value, str) and value:
                return value
        return str(ref) if isinstance(ref, str) else "?"

    def organisation(self, ref: Any) -> str:
        value = self.person(ref).get("organisation")
        return value if isinstance(value, str) else ""

    def full(self, ref: Any) -> str:
        """`Name (Organisation)`, or just what is known."""
        name, organisation = self.name(ref), self.organisation(ref)
        return f"{name} ({organisation})" if organisation and organisation != name else name


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _weight(text: Any) -> Fraction | None:
    try:
        return Fraction(text) if isinstance(text, str | int) else None
    except (ValueError, ZeroDivisionError):
        return None


def _weight_text(value: Fraction) -> str:
    """A total as the logs write weights: exact, then rounded to six places, ties to even."""
    return decimal_string(value)


def _raised(entries: Any, people: _People, label: str) -> list[dict[str, Any]]:
    """Dissents, concerns, stand-asides and objections: who, what kind, and their words."""
    shown = []
    for entry in entries or []:
        if isinstance(entry, Mapping):
            who = entry.get("member", entry.get("objector", entry.get("participant")))
            kind = entry.get("kind")
            shown.append(
                {
                    "who": people.full(who) if who is not None else "",
                    "label": DISSENT_KINDS.get(kind, label) if isinstance(kind, str) else label,
                    "text": _text(entry.get("text") or entry.get("reason")),
                    "status": OBJECTION_STATUS.get(
                        _text(entry.get("status")), _text(entry.get("status"))
                    ),
                    "withdrawn": entry.get("withdrawn") is True,
                }
            )
        else:
            shown.append(
                {"who": "", "label": label, "text": _text(entry), "status": "", "withdrawn": False}
            )
    return shown


def _votes(votes: Any, people: _People) -> dict[str, Any] | None:
    rows = []
    totals: dict[str, list[Fraction]] = {}
    for vote in votes or []:
        if not isinstance(vote, Mapping):
            continue
        organisation = _text(vote.get("organisation")) or people.organisation(vote.get("member"))
        raw, counted = _weight(vote.get("raw")), _weight(vote.get("counted"))
        rows.append(
            {
                "who": people.name(vote.get("member")),
                "organisation": organisation,
                "raw": _text(vote.get("raw")) or str(vote.get("raw", "")),
                "counted": _text(vote.get("counted")) or str(vote.get("counted", "")),
                "capped": raw is not None and counted is not None and counted < raw,
                "position": POSITIONS.get(_text(vote.get("position")), _text(vote.get("position"))),
            }
        )
        sums = totals.setdefault(organisation, [Fraction(0), Fraction(0)])
        sums[0] += raw or 0
        sums[1] += counted or 0
    if not rows:
        return None
    return {
        "rows": rows,
        "positions": any(row["position"] for row in rows),
        "organisations": [
            {"organisation": name, "raw": _weight_text(raw), "counted": _weight_text(counted)}
            for name, (raw, counted) in totals.items()
        ],
        "raw_total": _weight_text(sum((t[0] for t in totals.values()), Fraction(0))),
        "counted_total": _weight_text(sum((t[1] for t in totals.values()), Fraction(0))),
    }


def _decision(decision: Any, people: _People) -> dict[str, Any] | None:
    if not isinstance(decision, Mapping):
        return None
    outcome = _text(decision.get("outcome"))
    log = decision.get("log") if isinstance(decision.get("log"), Mapping) else None
    return {
        "outcome": outcome,
        "outcome_label": DECISION_OUTCOMES.get(outcome, outcome or N_("No outcome recorded")),
        "present": [people.name(ref) for ref in decision.get("present") or []],
        "excluded": [
            {
                "who": people.full(e.get("member")),
                "reason": _text(e.get("reason")),
                "discussion": e.get("discussion") is True,
            }
            if isinstance(e, Mapping)
            else {"who": people.full(e), "reason": "", "discussion": False}
            for e in decision.get("excluded") or []
        ],
        "dissents": _raised(decision.get("dissents"), people, N_("Dissent")),
        "concerns": _raised(decision.get("concerns"), people, N_("Concern")),
        "stand_asides": _raised(decision.get("stand_asides"), people, N_("Stand aside")),
        "objections": _raised(decision.get("objections"), people, N_("Objection")),
        "votes": _votes(decision.get("votes"), people),
        "log": dict(log) if log is not None else None,
    }


def _actions(actions: Any, people: _People) -> list[dict[str, Any]]:
    """The actions to show: those agreed on a private item (carried as matters arising)
    stay out, as the private item's content does; `_item` counts them."""
    return [
        {
            "what": _text(action.get("what")),
            "owner": _owner(action, people),
            "due": _due(action.get("due")),
            "due_iso": _text(action.get("due"))[:10],
            "status": _text(action.get("status")) or "open",
            "status_label": ACTION_STATUS.get(
                _text(action.get("status")), _text(action.get("status"))
            ),
            "overdue": action.get("status") == "overdue",
        }
        for action in actions or []
        if isinstance(action, Mapping) and action.get("private") is not True
    ]


def _owner(action: Mapping[str, Any], people: _People) -> str:
    member = action.get("owner_member")
    if member and (isinstance(member, Mapping) or member in people.by_id):
        return people.name(member)
    owner = action.get("owner") or member
    return people.name(owner) if owner else ""


def _minutes_between(start: datetime | None, end: datetime | None) -> int | None:
    if start is None or end is None:
        return None
    return max(0, round((end - start).total_seconds() / 60))


def _item(item: Mapping[str, Any], people: _People, clock: _Clock) -> dict[str, Any]:
    private = item.get("private") is True
    kind = _text(item.get("kind"))
    shown: dict[str, Any] = {
        "id": _text(item.get("id")),
        "number": item.get("number"),
        "title": _text(item.get("title")),
        "kind": kind,
        "kind_label": KINDS.get(kind, kind),
        "private": private,
    }
    if private:  # the title (where the document has one) and the fact it was taken: no more
        return shown
    started, ended = clock.local(item.get("started_at")), clock.local(item.get("ended_at"))
    planned = item.get("planned_minutes")
    shown.update(
        {
            "planned_minutes": planned if isinstance(planned, int) else None,
            "actual_minutes": _minutes_between(started, ended),
            "started": clock.time(item.get("started_at")),
            "ended": clock.time(item.get("ended_at")),
            "note": _text(item.get("note")),
            "noted": item.get("noted") is True,
            "deferred_to": _text(item.get("deferred_to")),
            "urgent_reason": _text(item.get("urgent_reason")),
            "decision": _decision(item.get("decision"), people),
            "actions": _actions(item.get("actions"), people),
            "private_actions": sum(
                1
                for action in item.get("actions") or []
                if isinstance(action, Mapping) and action.get("private") is True
            ),
        }
    )
    return shown


def _attendance(
    records: Sequence[Any], people: _People, clock: _Clock
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(members of the board, others in attendance), each with how and when they attended."""
    members: list[dict[str, Any]] = []
    others: list[dict[str, Any]] = []
    for record in records:
        if not isinstance(record, Mapping):
            continue
        person = people.person(record.get("member"))
        role = _text(person.get("board_role"))
        substitute_for = record.get("substitute_for")
        status = _text(record.get("status"))
        row = {
            "name": people.name(record.get("member")),
            "organisation": _text(person.get("organisation")),
            "role": role,
            "role_label": BOARD_ROLES.get(role, role),
            "status": status,
            "status_label": ATTENDANCE.get(status, status),
            "present": status in ("present_in_room", "present_remote"),
            "arrived": clock.time(record.get("arrived_at")),
            "left": clock.time(record.get("left_at")),
            "substitute_for": people.name(substitute_for) if substitute_for else "",
        }
        (members if role in VOTING_ROLES or not role else others).append(row)
    return members, others


def minutes_view(minutes: Mapping[str, Any]) -> dict[str, Any]:
    """What the templates show, drawn from the minutes document only."""
    meeting = minutes.get("meeting") or {}
    clock = _Clock(meeting.get("timezone"))
    people = _People(minutes.get("attendance") or [])
    members, others = _attendance(minutes.get("attendance") or [], people, clock)
    items = [_item(i, people, clock) for i in minutes.get("items") or [] if isinstance(i, Mapping)]
    titles = {item["id"]: item for item in items}
    board = meeting.get("board") or {}
    status = "approved" if minutes.get("status") == "approved" else "draft"
    narrative = minutes.get("narrative") or {}
    return {
        "meeting_id": _text(meeting.get("id")),
        "title": _text(meeting.get("title")),
        "board": _text(board.get("name")) if isinstance(board, Mapping) else "",
        "date": clock.day(meeting.get("starts_at")),
        "starts": clock.time(meeting.get("starts_at")),
        "ends": clock.time(meeting.get("ends_at")),
        "starts_at": _text(meeting.get("starts_at")),
        "timezone": clock.zone_name,
        "place": _text(meeting.get("place")),
        "video_url": _web_url(meeting.get("video_url")),
        "mode": _text(meeting.get("mode")),
        "status": status,
        "status_label": STATUS[status],
        "approved_at": clock.day(minutes.get("approved_at")),
        "approved_in": _text(minutes.get("approved_in")),
        "members": members,
        "others": others,
        "present": [m for m in members if m["present"]],
        "apologies": [m for m in members + others if m["status"] == "apologies"],
        "absent": [m for m in members + others if m["status"] == "absent"],
        "quorum": [
            {
                "at": clock.time(q.get("at")),
                "at_iso": _text(q.get("at")),
                "held": q.get("held") is True,
                "missing": [m for m in q.get("missing") or [] if isinstance(m, str)],
            }
            for q in minutes.get("quorum") or []
            if isinstance(q, Mapping)
        ],
        "declarations": [
            {
                "who": people.full(d.get("member")),
                "item": (
                    f"{titles[d['item']]['number']}. {titles[d['item']]['title']}"
                    if d.get("item") in titles
                    else ""
                ),
                "standing": not d.get("item"),
                "interest": _text(d.get("interest")),
                "excludes": _text(d.get("excludes")),
                "excludes_label": EXCLUDES.get(_text(d.get("excludes")), _text(d.get("excludes"))),
            }
            for d in minutes.get("declarations") or []
            if isinstance(d, Mapping)
        ],
        "items": items,
        "summary": _text(narrative.get("summary")) if isinstance(narrative, Mapping) else "",
        "open_actions": sum(
            1 for item in items for action in item.get("actions", []) if action["status"] != "done"
        ),
    }


# -- HTML and PDF ------------------------------------------------------------------------


@cache
def environment(template_dir: Path = TEMPLATE_DIR) -> Environment:
    """The Jinja2 environment of the minutes: autoescaped, with the app's gettext."""
    env = Environment(
        loader=FileSystemLoader(template_dir),
        autoescape=select_autoescape(default_for_string=True, default=True),
    )
    install(SimpleNamespace(engine=env))
    return env


def render_html(
    minutes: Mapping[str, Any],
    *,
    template_dir: Path = TEMPLATE_DIR,
    links: Mapping[str, str] | None = None,
    for_print: bool = False,
) -> str:
    """The minutes as one standalone, accessible HTML page (styles inline, no script).

    `links` may hold `record` and `ics` (where the signed record and the calendar file
    are served), shown under the minutes when given; `for_print` drops the screen-only
    parts (the PDF uses it).
    """
    template = environment(template_dir).get_template("minutes/minutes.html")
    return template.render(minutes=minutes_view(minutes), links=links or {}, for_print=for_print)


def render_pdf(minutes: Mapping[str, Any], *, template_dir: Path = TEMPLATE_DIR) -> bytes:
    """The minutes as a PDF: WeasyPrint's rendering of the print form of the HTML page."""
    from weasyprint import HTML  # heavy (Pango through cffi): only when a PDF is asked for

    html = render_html(minutes, template_dir=template_dir, for_print=True)
    view = minutes_view(minutes)
    document = HTML(string=html, base_url=str(template_dir))
    pdf: bytes = document.write_pdf(
        pdf_identifier=view["meeting_id"].encode() or None,
        custom_metadata=True,
    )
    return pdf


# -- Markdown ------------------------------------------------------------------------------


_MARKUP = re.compile(r"([\\<>|*_\[\]`])")
_BLOCK_START = re.compile(r"^(\s*)([#>+-])")
_ORDERED_START = re.compile(r"^(\s*\d+)([.)])")


def _inert(text: str) -> str:
    """Free text that Markdown shows as written: no raw HTML, links, emphasis or table breaks."""
    return _MARKUP.sub(r"\\\1", text)


def _line(text: str) -> str:
    """Free text on one line (a list item or a table cell)."""
    return " ".join(_inert(text).split())


def _para(text: str) -> list[str]:
    """A narrative paragraph, line by line; no line may start a heading, quote or list."""
    lines = []
    for line in text.splitlines():
        line = _ORDERED_START.sub(r"\1\\\2", _BLOCK_START.sub(r"\1\\\2", _inert(line)))
        lines.append(line)
    return [*lines, ""]


def _md_attendee(row: dict[str, Any]) -> str:
    facts = [_line(row["role_label"]), _line(row["status_label"]).lower()]
    if row["substitute_for"]:
        facts.append(f"substitute for {_line(row['substitute_for'])}")
    if row["arrived"]:
        facts.append(f"arrived {row['arrived']}")
    if row["left"]:
        facts.append(f"left {row['left']}")
    organisation = f", {_line(row['organisation'])}" if row["organisation"] else ""
    return f"- {_line(row['name'])}{organisation} ({'; '.join(facts)})"


def _md_people(view: dict[str, Any]) -> list[str]:
    out = ["## Attendance", ""]
    out += [_md_attendee(row) for row in view["members"] + view["others"] if row["present"]]
    for title, rows in (("Apologies", view["apologies"]), ("Absent", view["absent"])):
        if rows:
            out += ["", f"**{title}:** " + "; ".join(_line(r["name"]) for r in rows)]
    out.append("")
    if view["quorum"]:
        out += ["### Quorum", ""]
        for q in view["quorum"]:
            state = "held" if q["held"] else "lost: " + "; ".join(_line(m) for m in q["missing"])
            out.append(f"- {q['at']}: quorum {state}")
        out.append("")
    if view["declarations"]:
        out += ["## Declarations of interest", ""]
        for d in view["declarations"]:
            where = f"item {_line(d['item'])}" if d["item"] else "standing interest"
            out.append(
                f"- {_line(d['who'])}, {where}: {_line(d['interest'])} ({_line(d['excludes_label'])})"
            )
        out.append("")
    return out


def _md_decision(decision: dict[str, Any]) -> list[str]:
    out = [f"**Decision:** {_line(decision['outcome_label'])}", ""]
    if decision["present"]:
        out += ["Present for the decision: " + ", ".join(_line(p) for p in decision["present"]), ""]
    for e in decision["excluded"]:
        out_of = (
            "the discussion, the vote and consent" if e["discussion"] else "the vote and consent"
        )
        reason = f": {_line(e['reason'])}" if e["reason"] else ""
        out.append(f"- Excluded from {out_of}: {_line(e['who'])}{reason}")

    for group in ("dissents", "concerns", "stand_asides", "objections"):
        for r in decision[group]:
            said = f": {_line(r['text'])}" if r["text"] else ""
            status = f" ({_line(r['status'])})" if r["status"] else ""
            withdrawn = " (withdrawn)" if r["withdrawn"] else ""
            out.append(f"- {_line(r['label'])}{withdrawn}, {_line(r['who'])}{said}{status}")
    if out[-1] != "":
        out.append("")
    votes = decision["votes"]
    if votes:
        out += [
            "| Member | Organisation | Raw weight | Counted weight |",
            "| --- | --- | --- | --- |",
        ]
        out += [
            f"| {_line(r['who'])} | {_line(r['organisation'])} | {r['raw']} | {r['counted']} |"
            for r in votes["rows"]
        ]
        out += [f"| Total | | {votes['raw_total']} | {votes['counted_total']} |", ""]
    log = decision["log"]
    if log:
        seq, digest = log.get("seq"), _text(log.get("hash"))
        out += [
            f"The room's log when the minutes were drawn: room "
            f"`{_line(_text(log.get('room_id')))}`, event {seq}, hash `{digest}`",
            "",
        ]
    return out


def _md_item(item: dict[str, Any]) -> list[str]:
    title = _line(item["title"]) if item["title"] else "Private item"
    out = [f"### {item['number']}. {title}", ""]
    if item["private"]:
        return [*out, "*Taken in private.* Its content is not published.", ""]
    facts = [f"*{_line(item['kind_label'])}*"]
    if item["started"] or item["planned_minutes"] is not None:
        when = f"{item['started']}–{item['ended']}" if item["started"] else ""
        planned = (
            f"planned {item['planned_minutes']} min" if item["planned_minutes"] is not None else ""
        )
        actual = f"took {item['actual_minutes']} min" if item["actual_minutes"] is not None else ""
        facts.append(", ".join(p for p in (when, planned, actual) if p))
    out += [" · ".join(f for f in facts if f), ""]
    if item["urgent_reason"]:
        out += [f"Urgent item: {_line(item['urgent_reason'])}", ""]
    if item["deferred_to"]:
        out += [
            "Deferred to the next meeting."
            if item["deferred_to"] == "next"
            else "Deferred to a later meeting.",
            "",
        ]
    if item["noted"]:
        out += ["The board noted the item.", ""]
    if item["note"]:
        out += _para(item["note"])
    if item["decision"]:
        out += _md_decision(item["decision"])
    if item["actions"]:
        out += ["Actions:", ""]
        for a in item["actions"]:
            mark = " **(overdue)**" if a["overdue"] else ""
            owner = f", {_line(a['owner'])}" if a["owner"] else ""
            due = f", due {a['due']}" if a["due"] else ""
            out.append(f"- {_line(a['what'])}{owner}{due}: {_line(a['status_label'])}{mark}")
        out.append("")
    if item["private_actions"]:
        out += [f"{item['private_actions']} action(s) from a private item are not shown.", ""]
    return out


def render_markdown(minutes: Mapping[str, Any]) -> str:
    """The minutes as a Markdown document: the same facts as the page, in plain text."""
    view = minutes_view(minutes)
    out = [f"# {_line(view['title'])}", ""]
    status = f"**{view['status_label'].upper()}**"
    if view["status"] == "approved" and view["approved_at"]:
        status += f", approved on {view['approved_at']}"
    elif view["status"] == "draft":
        status += ": not yet approved by the board"
    out += [status, ""]
    if view["board"]:
        out.append(f"**Board:** {_line(view['board'])}  ")
    out.append(f"**Date:** {view['date']}, {view['starts']}–{view['ends']} ({view['timezone']})  ")
    if view["place"]:
        out.append(f"**Place:** {_line(view['place'])}  ")
    if view["video_url"]:
        out.append(f"**Video call:** <{view['video_url']}>  ")
    out.append("")
    if view["summary"]:
        out += ["## Summary", "", *_para(view["summary"])]
    out += _md_people(view)
    out += ["## Items", ""]
    for item in view["items"]:
        out += _md_item(item)
    return "\n".join(out).rstrip("\n") + "\n"
