"""View-models for the room pages, built from ``deliberation.view`` (plain JSON) only.

Templates get these small dicts, never ORM rows or core state: everything a template shows
passed the core's visibility gate first. Labels are marked with ``N_`` and translated by
the templates.
"""

from __future__ import annotations

from datetime import datetime
from fractions import Fraction
from typing import Any

from server.web.i18n import N_

ROUNDS = ("surface_conflict", "weigh_perspectives", "record_dissent", "consent")
ROUND_LABELS = {
    "surface_conflict": N_("Surface conflict"),
    "weigh_perspectives": N_("Weigh perspectives"),
    "record_dissent": N_("Record dissent"),
    "consent": N_("Consent"),
}
SPEECH_KINDS = {
    "speech": N_("Speech"),
    "reply": N_("Reply"),
    "point_of_order": N_("Point of order"),
}
REACTIONS = {"agree": N_("Agree"), "disagree": N_("Disagree"), "pass": N_("Pass")}
PERSPECTIVE_KINDS = {
    "benefit": N_("Benefit"),
    "risk": N_("Risk"),
    "concern": N_("Concern"),
    "affected_group": N_("Affected group"),
}
DISSENT_KINDS = {"formal_dissent": N_("Formal dissent"), "minority_view": N_("Minority view")}
POSITIONS = {
    "consent": N_("Consent"),
    "concern": N_("Consent with a concern"),
    "stand_aside": N_("Stand aside"),
    "object": N_("Object"),
}
OBJECTION_STATUS = {
    "open": N_("open: blocks the proposal"),
    "integrated": N_("integrated"),
    "resolved": N_("resolved (not paramount)"),
    "upheld": N_("upheld: still blocks"),
    "withdrawn": N_("withdrawn"),
}
OUTCOMES = {
    "consented": N_("Consented"),
    "consented_with_concerns": N_("Consented, with concerns"),
    "blocked": N_("Blocked by an objection"),
    "withdrawn": N_("Withdrawn"),
}
ROLES = {
    "owner": N_("owner"),
    "facilitator": N_("facilitator"),
    "participant": N_("participant"),
    "observer": N_("observer"),
}
TAKING_PART = frozenset({"owner", "facilitator", "participant"})


def percent(fraction: str | None) -> float | None:
    """``"3/10"`` -> ``30.0`` (one decimal)."""
    if fraction is None:
        return None
    return round(float(Fraction(fraction)) * 100, 1)


def clock(ms: int) -> str:
    seconds = max(0, ms // 1000)
    return f"{seconds // 60}:{seconds % 60:02d}"


def moment(iso: str | None) -> str:
    """An ISO moment as people read it: ``27 Nov 2026, 15:05 UTC``."""
    if not iso:
        return ""
    at = datetime.fromisoformat(iso)
    return at.strftime("%-d %b %Y, %H:%M UTC")


def _people(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {m["participant"]: m for m in view["members"]}


def _who(people: dict[str, dict[str, Any]], participant: str | None) -> str:
    member = people.get(participant or "")
    if member is None:
        return ""
    return f"{member['display_name']} ({member['organisation_name']})"


def _org_names(view: dict[str, Any]) -> dict[str, str]:
    names = {m["organisation"]: m["organisation_name"] for m in view["members"]}
    names.update({s["organisation"]: s["name"] for s in view["floor"]["shares"]})
    return names


def floor_model(view: dict[str, Any], me: str | None) -> dict[str, Any]:
    people = _people(view)
    floor = view["floor"]
    cap = percent(view["rules"].get("speaking_cap"))
    queue = []
    my_position = None
    for index, hand in enumerate(floor["queue"], start=1):
        row = {
            "position": index,
            "participant": hand["participant"],
            "who": _who(people, hand["participant"]),
            "name": hand["display_name"],
            "kind": hand["kind"],
            "kind_label": SPEECH_KINDS[hand["kind"]],
            "is_me": hand["participant"] == me,
            "is_next": bool(
                floor["next"]
                and floor["next"]["participant"] == hand["participant"]
                and floor["next"]["kind"] == hand["kind"]
            ),
        }
        if row["is_me"] and my_position is None:
            my_position = index
        queue.append(row)
    speech = floor["speech"]
    speaker = None
    if speech is not None:
        speaker = {
            **speech,
            "who": _who(people, speech["participant"]),
            "kind_label": SPEECH_KINDS[speech["kind"]],
            "is_me": speech["participant"] == me,
            "limit": clock(speech["limit_ms"]),
        }
    shares = []
    for row in floor["shares"]:
        share = percent(row["share"]) or 0.0
        shares.append(
            {
                **row,
                "percent": share,
                "cap_percent": cap,
                "bar": min(share, 100.0),
                "speaking": clock(row["speaking_ms"]),
                "budget_left": clock(row["budget_left_ms"])
                if row["budget_left_ms"] is not None
                else None,
            }
        )
    next_rule = floor["next"]["rule"] if floor["next"] else None
    return {
        "queue": queue,
        "my_position": my_position,
        "my_hands": [h["kind"] for h in queue if h["is_me"]],
        "speech": speaker,
        "shares": shares,
        "cap_percent": cap,
        "next_rule": next_rule,
        "total": clock(floor["total_speaking_ms"]),
    }


def _statements(view: dict[str, Any]) -> list[dict[str, Any]]:
    people = _people(view)
    orgs = _org_names(view)
    mine = view["my_reactions"]
    me = view["viewer"]["participant"]
    return [
        {
            **s,
            "organisation_name": orgs.get(s["organisation"], ""),
            "author": people.get(s["participant"], {}).get("display_name", ""),
            "is_mine": s["participant"] == me,
            "my_reaction": mine.get(s["statement"]),
        }
        for s in view["statements"]
    ]


def _perspectives(view: dict[str, Any]) -> list[dict[str, Any]]:
    orgs = _org_names(view)
    allocated = {a["perspective"]: a["points"] for a in view["my_allocation"]}
    return [
        {
            **p,
            "kind_label": PERSPECTIVE_KINDS[p["kind"]],
            "organisation_name": orgs.get(p["organisation"], ""),
            "mine": allocated.get(p["perspective"], 0),
        }
        for p in view["perspectives"]
    ]


def _dissents(view: dict[str, Any]) -> list[dict[str, Any]]:
    people = _people(view)
    me = view["viewer"]["participant"]
    return [
        {
            **d,
            "who": _who(people, d["participant"]),
            "kind_label": DISSENT_KINDS[d["kind"]],
            "is_mine": d["participant"] == me,
        }
        for d in view["dissents"]
    ]


def _consent(view: dict[str, Any]) -> dict[str, Any]:
    people = _people(view)
    orgs = _org_names(view)
    consent = view["consent"]
    answers = [
        {
            "who": _who(people, a.get("participant"))
            if a.get("participant")
            else orgs.get(a.get("organisation", ""), ""),
            "participant": a.get("participant"),
            "position": a["position"],
            "label": POSITIONS[a["position"]],
            "text": a.get("text", ""),
        }
        for a in consent["answers"]
    ]
    objections = [
        {
            **o,
            "who": _who(people, o["objector"]),
            "status_label": OBJECTION_STATUS.get(o["status"], o["status"]),
        }
        for o in consent["objections"]
    ]
    return {
        "number": consent["number"],
        "answers": answers,
        "counts": [
            {"position": k, "label": POSITIONS[k], "count": consent["counts"].get(k, 0)}
            for k in POSITIONS
        ],
        "answered": sum(consent["counts"].values()),
        "mine": consent["mine"],
        "objections": objections,
        "open_objections": [o for o in objections if o["status"] in ("open", "upheld")],
    }


def _missing(view: dict[str, Any], consent: dict[str, Any]) -> list[dict[str, Any]]:
    """What the current round still waits for: ``{key, who | count}`` for the template."""
    round_ = view["round"]
    me = view["viewer"]["participant"]
    taking_part = [m for m in view["members"] if m["active"] and m["role"] in TAKING_PART]
    missing: list[dict[str, Any]] = []
    if not round_["open"]:
        return []
    current = round_["current"]
    if current == "surface_conflict":
        authors = {s["participant"] for s in view["statements"]}
        missing.extend(
            {"key": "no_statement", "who": m["display_name"]}
            for m in taking_part
            if m["participant"] not in authors
        )
        unreacted = [
            s
            for s in view["statements"]
            if s["status"] == "accepted"
            and s["participant"] != me
            and s["statement"] not in view["my_reactions"]
        ]
        if me and unreacted:
            missing.append({"key": "my_reactions", "count": len(unreacted)})
    elif current == "weigh_perspectives":
        orgs = _org_names(view)
        missing.extend(
            {"key": "no_perspective", "who": orgs.get(o, o)} for o in view["missing_organisations"]
        )
        if me and not view["my_allocation"] and view["perspectives"]:
            missing.append({"key": "my_points"})
    elif current == "consent":
        waiting = len(taking_part) - consent["answered"]
        if waiting > 0:
            missing.append({"key": "answers", "count": waiting})
        if me and consent["mine"] is None:
            missing.append({"key": "my_answer"})
    return missing


def _deadlines(view: dict[str, Any], planned: dict[str, str]) -> list[dict[str, Any]]:
    round_ = view["round"]
    rows = []
    current_index = ROUNDS.index(round_["current"]) if round_["current"] else -1
    for index, kind in enumerate(ROUNDS):
        closes = planned.get(kind)
        if kind == round_["current"] and round_["deadline"]:
            closes = round_["deadline"]
        if kind == round_["current"] and round_["open"]:
            status = "open"
        elif index < current_index or (index == current_index and not round_["open"]):
            status = "closed"
        else:
            status = "upcoming"
        rows.append(
            {
                "round": kind,
                "label": ROUND_LABELS[kind],
                "closes_at": closes,
                "closes": moment(closes),
                "status": status,
            }
        )
    return rows


def room_model(
    view: dict[str, Any], seq: int, *, planned: dict[str, str] | None = None
) -> dict[str, Any]:
    """Everything the room, console and projector templates show."""
    viewer = view["viewer"]
    me = viewer["participant"]
    people = _people(view)
    member = people.get(me or "")
    round_ = view["round"]
    consent = _consent(view)
    latest = view["decisions"][-1] if view["decisions"] else None
    rules = view["rules"]
    return {
        "seq": seq,
        "room": view["room"],
        "title": view["room"]["title"] if view["room"] else "",
        "mode": view["room"]["mode"] if view["room"] else "live",
        "decided": bool(view["room"] and view["room"]["decided"]),
        "proposal": view["proposal"],
        "me": {
            "participant": me,
            "name": member["display_name"] if member else "",
            "organisation": member["organisation"] if member else None,
            "organisation_name": member["organisation_name"] if member else "",
            "role": viewer["role"],
            "role_label": ROLES.get(viewer["role"] or "", ""),
            "facilitator": viewer["facilitator"],
            "takes_part": bool(member and member["active"] and member["role"] in TAKING_PART),
        },
        "round": {
            **round_,
            "label": ROUND_LABELS.get(round_["current"] or "", ""),
            "next_label": ROUND_LABELS.get(round_["next"] or "", ""),
            "deadline_text": moment(round_["deadline"]),
            "reopenable": [(k, ROUND_LABELS[k]) for k in round_["reopenable"]],
        },
        "floor": floor_model(view, me),
        "statements": _statements(view),
        "perspectives": _perspectives(view),
        "points_budget": view["points_budget"],
        "points_used": sum(a["points"] for a in view["my_allocation"]),
        "dissents": _dissents(view),
        "consent": consent,
        "missing": _missing(view, consent),
        "deadlines": _deadlines(view, planned or {}),
        "outcome": view["outcome"],
        "outcome_label": OUTCOMES.get(view["outcome"] or "", ""),
        "decision": latest,
        "rules": rules,
        "rules_text": {
            "speaking_cap": percent(rules.get("speaking_cap")),
            "vote_cap": percent(rules.get("vote_cap")),
            "speech_limit": clock(rules["speech_limit_ms"]),
            "reply_limit": clock(rules["reply_limit_ms"]),
        },
        "members": [
            {**m, "role_label": ROLES.get(m["role"], m["role"])}
            for m in view["members"]
            if m["active"]
        ],
        "participants": [m for m in view["members"] if m["active"] and m["role"] in TAKING_PART],
        "organisations": sorted(_org_names(view).items(), key=lambda kv: kv[1]),
        "fairness": view["fairness"],
        "labels": {
            "rounds": ROUND_LABELS,
            "kinds": SPEECH_KINDS,
            "reactions": REACTIONS,
            "perspectives": PERSPECTIVE_KINDS,
            "dissents": DISSENT_KINDS,
            "positions": POSITIONS,
        },
    }
