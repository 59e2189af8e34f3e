"""From a room's stored events to published entries, under the room's publication policy.

A pure function over plain dicts, so that it does not depend on the server's database:
each stored event is `{"seq", "type", "payload", "actor_id", "acting_for", "at"}` with the
payload as the core's event dumped to JSON (`deliberation.EVENTS`), plus an optional
members directory `{participant_id: {"name", "organisation"}}`.

The policy is applied before anything is hashed (spec, "Publication policy"):

- `names`: a person is `{"name", "organisation"}`.
- `organisations`: a person is `{"organisation", "pseudonym"}`; no names anywhere.
- `anonymous`: a person is `{"pseudonym"}`; organisation names appear only in the
  fairness report of `decision.reached`.

People appear as `actor` (whoever did it: the author of a contribution, the facilitator of
a facilitation, null for the system) and inside `data` (a member admitted, a speaker, an
objector) in the same shape. When a facilitator acted for someone in the room, the entry's
actor is that someone and `data.recorded_by` is the facilitator.

Pseudonyms are `p-` and 12 hex digits of HMAC-SHA-256(per-log secret, participant id):
stable within a log, unlinkable across logs (each room's log has its own secret). Participant
and organisation ids never appear.

Format 2 (`spec/decision-log-v2.md`) also publishes the queue, so that anyone can replay
the progressive stack from the log: `hand.raised`, `hand.lowered`, `hand.withdrawn` (a
removed member's or a new observer's hands, which leave the queue without a command of
their own), the cap's warnings (`speech.cap_reached`, `speech.cap_flagged`), the exact
speaking cap and the grace in the rules. In the queue's entries and `floor.granted` a
person carries a pseudonym under every policy (under `names` beside the name), because a
replay must tell two people apart and names need not be unique.

Left out: reminders and speech starts (`floor.granted` and `speech.ended` carry what they
would), in format 1 also hands and the cap's warnings, the text of a statement hidden by moderation before
its entry is published (pending statements enter the log only when accepted), the voters
of secret ballots (their ballots are published when the vote closes, in an order and at a
time that say nothing about who cast them), and unknown event types (unless they override a
rule: every override is published, since `decision.reached` cites it by `seq`).

Entries are final once published. `publish` therefore projects only the events after the
last publication (`through_event_seq`) and appends them to the published log; it looks at
every event it is given (a statement hidden later in the same batch is published without
its text).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction
from typing import Any

from server.publication.canonical import decimal_string
from server.publication.encoding import format_time
from server.publication.keys import SigningKey
from server.publication.log import FORMAT, FORMAT_1, POLICIES, Draft, LogWriter, Policy
from server.publication.receipts import issue_receipt

Row = Mapping[str, Any]
Person = dict[str, Any]

CONTRIBUTIONS = frozenset(
    {"statement.added", "perspective.tabled", "dissent.recorded", "consent.answered", "ballot.cast"}
)
"""Entry types that carry a participant's own contribution: each earns them a receipt."""


class ProjectionError(ValueError):
    """The events cannot be projected (for example, out of order)."""


@dataclass(frozen=True, slots=True)
class Projected:
    """One published entry-to-be: the draft, the event it came from, and whose it is."""

    event_seq: int
    draft: Draft
    contributor: str | None = None


def pseudonym(pseudonym_key: bytes, participant_id: str) -> str:
    """A participant's pseudonym in one log: `p-` and 12 hex digits of an HMAC."""
    digest = hmac.new(
        pseudonym_key, b"evenfloor-pseudonym/1\n" + participant_id.encode(), hashlib.sha256
    )
    return "p-" + digest.hexdigest()[:12]


def _fraction(value: Any) -> Fraction:
    if isinstance(value, Fraction | int) and not isinstance(value, bool):
        return Fraction(value)
    if isinstance(value, str):
        return Fraction(value)
    if isinstance(value, float):
        return Fraction(str(value))
    raise ProjectionError(f"{value!r} is not a number")


def _decimal(value: Any) -> str | None:
    return None if value is None else decimal_string(_fraction(value))


def _time(value: Any) -> str:
    if isinstance(value, datetime):
        return format_time(value)
    if isinstance(value, str):
        return format_time(datetime.fromisoformat(value.replace("z", "Z")))
    raise ProjectionError(f"{value!r} is not a time")


@dataclass
class _Context:
    policy: str
    pseudonym_key: bytes
    directory: dict[str, dict[str, Any]]
    organisations: dict[str, str] = field(default_factory=dict)
    statements: dict[str, dict[str, Any]] = field(default_factory=dict)
    hidden_later: dict[str, int] = field(default_factory=dict)
    overrides: list[int] = field(default_factory=list)
    pseudonyms: dict[str, str] = field(default_factory=dict)
    secret_ballots: dict[str, dict[str, Mapping[str, Any]]] = field(default_factory=dict)
    floor_ms: dict[str, int] = field(default_factory=dict)
    speaking_cap: Any = None
    next_seq: int = 2
    format: str = FORMAT
    waiting: dict[str, list[str]] = field(default_factory=dict)  # participant -> hand kinds

    @property
    def queue_published(self) -> bool:
        return self.format != FORMAT_1

    def speaker(self, participant_id: str | None) -> Person | None:
        """A person in the queue's entries: with a pseudonym under every policy in format 2
        (the replay tells people apart by it)."""
        person = self.person(participant_id)
        if person is not None and participant_id is not None and self.queue_published:
            person.setdefault("pseudonym", self._pseudonym(participant_id))
        return person

    def person(self, participant_id: str | None) -> Person | None:
        if participant_id is None:
            return None
        alias = self._pseudonym(participant_id)
        known = self.directory.get(participant_id)
        if known is None:
            return {"pseudonym": alias}
        if self.policy == "names":
            return {"name": known.get("name"), "organisation": known.get("organisation")}
        if self.policy == "organisations":
            return {"organisation": known.get("organisation"), "pseudonym": alias}
        return {"pseudonym": alias}

    def _pseudonym(self, participant_id: str) -> str:
        alias = pseudonym(self.pseudonym_key, participant_id)
        owner = self.pseudonyms.setdefault(alias, participant_id)
        if owner != participant_id:  # 2**-48 per pair: never in practice, but never silently
            raise ProjectionError(f"two participants share the pseudonym {alias}")
        return alias

    def organisation(self, organisation_id: str | None) -> dict[str, Any]:
        """`{"organisation": name}` where the policy shows organisations, else nothing."""
        if self.policy == "anonymous" or organisation_id is None:
            return {}
        # An unknown organisation shows as null: its id could link logs.
        return {"organisation": self.organisations.get(organisation_id)}


def _rules(rules: Mapping[str, Any], context: _Context) -> dict[str, Any]:
    quorum = rules.get("quorum") or {}
    published: dict[str, Any] = {
        "speaking_cap": _decimal(rules.get("speaking_cap")),
        "vote_cap": _decimal(rules.get("vote_cap")),
        "vote_mode": rules.get("vote_mode"),
        "quorum": {
            "participants": quorum.get("participants"),
            "organisations": quorum.get("organisations"),
        },
        "speech_limit_ms": rules.get("speech_limit_ms"),
        "reply_limit_ms": rules.get("reply_limit_ms"),
        "point_of_order_limit_ms": rules.get("point_of_order_limit_ms"),
        "objection_rule": rules.get("objection_rule"),
        "objection_supermajority": _decimal(rules.get("objection_supermajority")),
        "premoderate_statements": rules.get("premoderate_statements"),
    }
    if context.queue_published:
        cap = rules.get("speaking_cap")
        published["speaking_cap_fraction"] = None if cap is None else _fraction_text(cap)
        published["cap_grace_ms"] = rules.get("cap_grace_ms", 30_000)
    if context.policy != "anonymous":
        published["organisation_budgets_ms"] = {
            context.organisations[b["organisation"]]: b["ms"]
            for b in rules.get("organisation_budgets") or ()
            if b["organisation"] in context.organisations  # ids never: they could link logs
        }
    return published


def _fraction_text(value: Any) -> str:
    """An exact share as `numerator/denominator` (`"3/10"`, `"1"`): the replay needs the
    cap itself, not its six-place decimal."""
    fraction = _fraction(value)
    if fraction.denominator == 1:
        return str(fraction.numerator)
    return f"{fraction.numerator}/{fraction.denominator}"


_OVER_CAP_FIELDS = ("uncontested_ms", "grace_ms", "flagged_ms", "lifted_ms", "cap_fell_ms")


def _fairness(report: Mapping[str, Any], detailed: bool = False) -> dict[str, dict[str, Any]]:
    result: dict[str, dict[str, Any]] = {}
    for row in report.get("organisations") or ():
        name = str(row["name"])
        key, copy = name, 2
        while key in result:  # two organisations with one name stay two rows
            key, copy = f"{name} ({copy})", copy + 1
        result[key] = {
            "speaking_ms": int(row["speaking_ms"]),
            "speaking_share": decimal_string(_fraction(row["speaking_share"])),
            "vote_weight_raw": decimal_string(_fraction(row["vote_weight_raw"])),
            "vote_weight_counted": decimal_string(_fraction(row["vote_weight_counted"])),
        }
        if detailed:  # format 2: why its floor time is over the cap in force
            over = row.get("over_cap") or {}
            result[key]["over_cap_ms"] = int(row.get("over_cap_ms") or 0)
            result[key].update({name: int(over.get(name) or 0) for name in _OVER_CAP_FIELDS})
    return result


Handler = Callable[[_Context, Mapping[str, Any]], Iterable[tuple[Any, ...]]]
# A handler yields (entry type, data, actor participant id or None) for one event's payload,
# and a fourth element when the entry's contributor is not its actor (a secret ballot).


def _by(payload: Mapping[str, Any]) -> str | None:
    by = payload.get("by")
    return None if by is None else str(by)


def _room_created(
    c: _Context, p: Mapping[str, Any]
) -> Iterable[tuple[str, dict[str, Any], str | None]]:
    owner = p.get("owner")
    yield (
        "proposal.tabled",
        {"title": p.get("title"), "text": p.get("proposal"), "version": 1, "mode": p.get("mode")},
        owner,
    )
    yield "rules.set", {"rules": _rules(p.get("rules") or {}, c)}, owner


def _member(kind: str, *fields: str) -> Handler:
    def handler(
        c: _Context, p: Mapping[str, Any]
    ) -> Iterable[tuple[str, dict[str, Any], str | None]]:
        data: dict[str, Any] = {"member": c.person(p["participant"])}
        data.update({name: p.get(name) for name in fields})
        if "vote_weight" in data:
            data["vote_weight"] = _decimal(data["vote_weight"])
        yield kind, data, _by(p)

    return handler


def _rules_changed(
    c: _Context, p: Mapping[str, Any]
) -> Iterable[tuple[str, dict[str, Any], str | None]]:
    yield (
        "rules.changed",
        {"rules": _rules(p.get("rules") or {}, c), "reason": p.get("reason"), "override": True},
        _by(p),
    )


def _plain(kind: str, *fields: str, times: Sequence[str] = ()) -> Handler:
    def handler(
        c: _Context, p: Mapping[str, Any]
    ) -> Iterable[tuple[str, dict[str, Any], str | None]]:
        data = {name: p.get(name) for name in fields}
        for name in times:
            data[name] = None if p.get(name) is None else _time(p[name])
        yield kind, data, _by(p)

    return handler


def _speech(
    kind: str, *fields: str, times: Sequence[str] = (), decimals: Sequence[str] = ()
) -> Handler:
    def handler(
        c: _Context, p: Mapping[str, Any]
    ) -> Iterable[tuple[str, dict[str, Any], str | None]]:
        data: dict[str, Any] = {"speaker": c.speaker(p["participant"])}
        data.update({name: p.get(name) for name in fields})
        for name in times:
            data[name] = _time(p[name])
        for name in decimals:
            data[name] = _decimal(p.get(name))
        if "is_override" in p:
            data["override"] = bool(p["is_override"])
        yield kind, data, _by(p)

    return handler


def _cap(kind: str) -> Handler:
    def handler(
        c: _Context, p: Mapping[str, Any]
    ) -> Iterable[tuple[str, dict[str, Any], str | None]]:
        data = {**c.organisation(p.get("organisation")), "reason": p.get("reason")}
        if p.get("is_override"):
            data["override"] = True
        yield kind, data, _by(p)

    return handler


def _statement_data(c: _Context, statement: str, text: str) -> dict[str, Any]:
    if statement in c.hidden_later:
        return {"statement": statement, "text": None, "hidden": True}
    return {"statement": statement, "text": text}


def _statement_added(
    c: _Context, p: Mapping[str, Any]
) -> Iterable[tuple[str, dict[str, Any], str | None]]:
    statement = str(p["statement"])
    c.statements[statement] = {"author": p["participant"], "text": p.get("text"), "by": _by(p)}
    if p.get("status") != "accepted":
        return  # pending (premoderation) or hidden: it enters the log when accepted
    data = _statement_data(c, statement, p.get("text", ""))
    yield "statement.added", _recorded_by(c, data, p["participant"], _by(p)), p["participant"]


def _statement_accepted(
    c: _Context, p: Mapping[str, Any]
) -> Iterable[tuple[str, dict[str, Any], str | None]]:
    statement = str(p["statement"])
    known = c.statements.get(statement)
    if known is None:
        return
    data = _statement_data(c, statement, known["text"])
    data["accepted_by"] = c.person(_by(p))
    yield "statement.added", _recorded_by(c, data, known["author"], known["by"]), known["author"]


def _recorded_by(
    c: _Context, data: dict[str, Any], participant: str, by: str | None
) -> dict[str, Any]:
    if by is not None and by != participant:
        data["recorded_by"] = c.person(by)
    return data


def _contribution(kind: str, *fields: str, organisation: bool = False) -> Handler:
    def handler(
        c: _Context, p: Mapping[str, Any]
    ) -> Iterable[tuple[str, dict[str, Any], str | None]]:
        participant = p["participant"]
        data = {name: p.get(name) for name in fields}
        if organisation:
            data.update(c.organisation(p.get("organisation")))
        yield kind, _recorded_by(c, data, participant, _by(p)), participant

    return handler


def _objection_judged(
    c: _Context, p: Mapping[str, Any]
) -> Iterable[tuple[str, dict[str, Any], str | None]]:
    data = {"objector": c.person(p["objector"]), "paramount": p.get("paramount")}
    yield "objection.judged", _recorded_by(c, data, p["participant"], _by(p)), p["participant"]


def _objection_settled(
    c: _Context, p: Mapping[str, Any]
) -> Iterable[tuple[str, dict[str, Any], str | None]]:
    data: dict[str, Any] = {
        "objector": c.person(p["objector"]),
        "paramount": p.get("paramount"),
        "not_paramount_share": _decimal(p.get("not_paramount_share")),
        "threshold": _decimal(p.get("threshold")),
        "organisations": p.get("organisations"),
    }
    if c.policy == "names":  # the explanation names organisations and people
        data["explanation"] = list(p.get("explanation") or ())
    yield "objection.settled", data, _by(p)


def _proposal_amended(
    c: _Context, p: Mapping[str, Any]
) -> Iterable[tuple[str, dict[str, Any], str | None]]:
    data = {
        "text": p.get("text"),
        "version": p.get("version"),
        "integrates": [c.person(who) for who in p.get("integrates") or ()],
        "reason": p.get("reason"),
    }
    yield "proposal.amended", data, _by(p)


def _decision_reached(
    c: _Context, p: Mapping[str, Any]
) -> Iterable[tuple[str, dict[str, Any], str | None]]:
    data = {
        "outcome": p.get("outcome"),
        "rules": {
            "speaking_cap": _decimal(p.get("speaking_cap")),
            "vote_cap": _decimal(p.get("vote_cap")),
        },
        "fairness": _fairness(p.get("fairness") or {}, detailed=c.queue_published),
        "overrides": list(c.overrides),
        "consent_round": p.get("consent_round"),
        "proposal_version": p.get("proposal_version"),
        "proposal": p.get("proposal"),
        "quorum_met": p.get("quorum_met"),
        "tally": [
            {
                "position": row.get("position"),
                "participants": row.get("participants"),
                "organisations": row.get("organisations"),
                "weight": _decimal(row.get("weight")),
            }
            for row in p.get("tally") or ()
        ],
        "reason": p.get("reason"),
    }
    if c.queue_published:  # format 2: the cap in force, and why shares are over it
        report = p.get("fairness") or {}
        data["speaking_cap_in_force"] = _decimal(report.get("speaking_cap_in_force"))
        data["organisations_asked"] = int(report.get("organisations_asked") or 0)
        if c.policy != "anonymous":  # the sentences name organisations
            data["speaking_explanation"] = list(report.get("speaking_explanation") or ())
    yield "decision.reached", data, _by(p)


def _vote_opened(c: _Context, p: Mapping[str, Any]) -> Iterable[tuple[Any, ...]]:
    quorum = p.get("quorum") or {}
    data = {
        "poll": p.get("poll"),
        "question": p.get("question"),
        "method": p.get("method"),
        "options": list(p.get("options") or ()),
        "secret": bool(p.get("secret")),
        "closes_at": None if p.get("closes_at") is None else _time(p["closes_at"]),
        "vote_mode": p.get("vote_mode"),
        "vote_cap": _decimal(p.get("vote_cap")),
        "quorum": {
            "participants": quorum.get("participants"),
            "organisations": quorum.get("organisations"),
        },
        "threshold": p.get("threshold"),
        "count_over": p.get("count_over"),
    }
    yield "vote.opened", data, _by(p)


def _ballot(c: _Context, p: Mapping[str, Any], secret: bool) -> dict[str, Any]:
    scores = p.get("scores")
    return {
        "poll": p.get("poll"),
        "secret": secret,
        **c.organisation(p.get("organisation")),
        "weight": _decimal(p.get("weight")),
        "delegated_weights": [_decimal(w) for w in p.get("delegated_weights") or ()],
        "approve": None if p.get("approve") is None else list(p["approve"]),
        "scores": None
        if scores is None
        else [{"option": s["option"], "score": s["score"]} for s in scores],
        "choice": p.get("choice"),
        "ranking": None if p.get("ranking") is None else list(p["ranking"]),
    }


def _ballot_cast(c: _Context, p: Mapping[str, Any]) -> Iterable[tuple[Any, ...]]:
    if p.get("secret"):
        # Published when the vote closes, the last ballot per voter, in an order that says
        # nothing about who cast which (next to `vote.participated` it would).
        c.secret_ballots.setdefault(str(p["poll"]), {})[str(p["ballot_key"])] = p
        return
    voter = str(p["participant"])
    yield "ballot.cast", _recorded_by(c, _ballot(c, p, False), voter, _by(p)), voter


def _vote_participated(c: _Context, p: Mapping[str, Any]) -> Iterable[tuple[Any, ...]]:
    yield "vote.participated", {"poll": p.get("poll")}, p["participant"]


def _vote_delegated(c: _Context, p: Mapping[str, Any]) -> Iterable[tuple[Any, ...]]:
    data = {"poll": p.get("poll"), "delegate": c.person(p["delegate"])}
    yield "vote.delegated", _recorded_by(c, data, p["participant"], _by(p)), p["participant"]


def _vote_closed(c: _Context, p: Mapping[str, Any]) -> Iterable[tuple[Any, ...]]:
    poll = str(p["poll"])
    ballots = c.secret_ballots.pop(poll, {})

    def shuffled(key: str) -> str:
        return hmac.new(
            c.pseudonym_key, b"evenfloor-ballot/1\n" + key.encode(), "sha256"
        ).hexdigest()

    for key in sorted(ballots, key=shuffled):
        # The voter is known to the server only by the ballot key: it maps the receipt.
        yield "ballot.cast", _ballot(c, ballots[key], True), None, f"ballot:{key}"
    result = p.get("result") or {}
    published = {
        "method": result.get("method"),
        "quorum_met": result.get("quorum_met"),
        "participants": result.get("participants"),
        "cap_applied": _decimal(result.get("cap_applied")),
        "cap_raised_to_equal_shares": result.get("cap_raised_to_equal_shares"),
        "organisations": {
            str(row["name"]): {
                "voters": row.get("voters"),
                "raw_weight": _decimal(row.get("raw_weight")),
                "counted_weight": _decimal(row.get("counted_weight")),
                "share": _decimal(row.get("share")),
            }
            for row in result.get("organisations") or ()
        },
        "totals": [
            {
                "option": t.get("option"),
                "weight": _decimal(t.get("weight")),
                "count": t.get("count"),
            }
            for t in result.get("totals") or ()
        ],
        "winner": result.get("winner"),
        "outcome": result.get("outcome"),
        "threshold": _decimal(result.get("threshold")),
        "count_over": result.get("count_over"),
        "ranking": list(result.get("ranking") or ()),
    }
    if c.policy == "names":  # the explanation names organisations and people
        published["explanation"] = list(result.get("explanation") or ())
    yield (
        "vote.closed",
        {"poll": poll, "by_deadline": p.get("by_deadline"), "result": published},
        _by(p),
    )
    if result.get("method") == "majority":
        yield "decision.reached", _vote_decision(c, poll, result), _by(p)


def _vote_decision(c: _Context, poll: str, result: Mapping[str, Any]) -> dict[str, Any]:
    """A majority vote decides: `passed` when the motion carried, else `failed` (also
    without quorum). Floor time comes from the published `speech.ended` entries (points
    of order apart, as in the core's fairness report); vote weight from the tally."""
    total = sum(c.floor_ms.values())
    weights = {row["organisation"]: row for row in result.get("organisations") or ()}
    fairness: dict[str, dict[str, Any]] = {}
    for organisation in sorted(set(c.floor_ms) | set(weights), key=str):
        row = weights.get(organisation, {})
        name = str(row.get("name") or c.organisations.get(organisation) or "")
        spoken = c.floor_ms.get(organisation, 0)
        fairness[name] = {
            "speaking_ms": spoken,
            "speaking_share": decimal_string(Fraction(spoken, total) if total else Fraction(0)),
            "vote_weight_raw": decimal_string(_fraction(row.get("raw_weight", 0))),
            "vote_weight_counted": decimal_string(_fraction(row.get("counted_weight", 0))),
        }
    return {
        "outcome": "passed" if result.get("outcome") == "carried" else "failed",
        "rules": {
            "speaking_cap": _decimal(c.speaking_cap),
            "vote_cap": _decimal(result.get("cap_applied")),
        },
        "fairness": fairness,
        "overrides": list(c.overrides),
        "poll": poll,
        "quorum_met": result.get("quorum_met"),
    }


def _hand_raised(c: _Context, p: Mapping[str, Any]) -> Iterable[tuple[Any, ...]]:
    participant, kind = str(p["participant"]), str(p.get("kind"))
    c.waiting.setdefault(participant, []).append(kind)
    if not c.queue_published:
        return
    reply_to = p.get("reply_to")
    data = {
        "participant": c.speaker(participant),
        "kind": kind,
        "reply_to": None if reply_to is None else c.speaker(str(reply_to)),
    }
    yield "hand.raised", _recorded_by(c, data, participant, _by(p)), participant


def _leaves_queue(c: _Context, participant: str, kind: str) -> bool:
    kinds = c.waiting.get(participant, [])
    if kind not in kinds:
        return False
    kinds.remove(kind)
    return True


def _hand_lowered(c: _Context, p: Mapping[str, Any]) -> Iterable[tuple[Any, ...]]:
    participant, kind = str(p["participant"]), str(p.get("kind"))
    if not _leaves_queue(c, participant, kind) or not c.queue_published:
        return
    data = {"participant": c.speaker(participant), "kind": kind}
    yield "hand.lowered", _recorded_by(c, data, participant, _by(p)), participant


def _withdrawn(c: _Context, participant: str, because: str) -> Iterable[tuple[Any, ...]]:
    """Hands that leave the queue with their owner (removed, or now an observer)."""
    kinds = c.waiting.pop(participant, [])
    if not c.queue_published:
        return
    for kind in kinds:
        data = {"participant": c.speaker(participant), "kind": kind, "because": because}
        yield "hand.withdrawn", data, None


def _with_withdrawals(handler: Handler, because: str, observer_only: bool) -> Handler:
    def wrapped(c: _Context, p: Mapping[str, Any]) -> Iterable[tuple[Any, ...]]:
        yield from handler(c, p)
        if not observer_only or p.get("role") == "observer":
            yield from _withdrawn(c, str(p["participant"]), because)

    return wrapped


def _floor_granted(c: _Context, p: Mapping[str, Any]) -> Iterable[tuple[Any, ...]]:
    _leaves_queue(c, str(p["participant"]), str(p.get("kind")))
    data: dict[str, Any] = {
        "speaker": c.speaker(p["participant"]),
        "kind": p.get("kind"),
        "rule": p.get("rule"),
        "reason": p.get("reason"),
        "share": _decimal(p.get("share")),
    }
    if "is_override" in p:
        data["override"] = bool(p["is_override"])
    yield "floor.granted", data, _by(p)


def _cap_reached(c: _Context, p: Mapping[str, Any]) -> Iterable[tuple[Any, ...]]:
    if not c.queue_published:
        return
    data = {
        "speaker": c.speaker(p["participant"]),
        "cap": _decimal(p.get("cap")),
        "reached_at": _time(p["reached_at"]),
        "grace_ends_at": _time(p["grace_ends_at"]),
    }
    yield "speech.cap_reached", data, None


def _cap_flagged(c: _Context, p: Mapping[str, Any]) -> Iterable[tuple[Any, ...]]:
    if not c.queue_published:
        return
    yield "speech.cap_flagged", {"speaker": c.speaker(p["participant"])}, None


def _unknown_override(kind: str) -> Handler:
    """An event type this module does not know, which set a rule aside: published with
    its reason only, so that `decision.reached` can cite it."""

    def handler(
        c: _Context, p: Mapping[str, Any]
    ) -> Iterable[tuple[str, dict[str, Any], str | None]]:
        yield kind, {"reason": p.get("reason"), "override": True}, _by(p)

    return handler


HANDLERS: dict[str, Handler] = {
    "room.created": _room_created,
    "member.admitted": _with_withdrawals(
        _member("member.admitted", "role", "vote_weight"), "observer", observer_only=True
    ),
    "member.role_changed": _with_withdrawals(
        _member("member.role_changed", "role", "previous_role", "reason"),
        "observer",
        observer_only=True,
    ),
    "member.removed": _with_withdrawals(
        _member("member.removed", "reason"), "member_removed", observer_only=False
    ),
    "rules.changed": _rules_changed,
    "round.opened": _plain(
        "round.opened", "round", "number", "reopened", "reason", "deadline", times=("deadline",)
    ),
    "round.closed": _plain("round.closed", "round", "number", "by_deadline"),
    "round.deadline_set": _plain(
        "round.deadline_set", "round", "closes_at", "reason", times=("closes_at",)
    ),
    "floor.granted": _floor_granted,
    "hand.raised": _hand_raised,
    "hand.lowered": _hand_lowered,
    "speech.cap_reached": _cap_reached,
    "speech.cap_flagged": _cap_flagged,
    "speech.extended": _speech("speech.extended", "extra_ms", "limit_ms", "reason"),
    "speech.overran": _speech("speech.overran", "limit_ms"),
    "speech.ended": _speech(
        "speech.ended", "kind", "started_at", "duration_ms", "ending", times=("started_at",)
    ),
    "cap.lifted": _cap("cap.lifted"),
    "cap.restored": _cap("cap.restored"),
    "statement.added": _statement_added,
    "statement.accepted": _statement_accepted,
    "statement.hidden": _plain("statement.hidden", "statement", "reason"),
    "reaction.recorded": _contribution("reaction.recorded", "statement", "reaction"),
    "perspective.tabled": _contribution(
        "perspective.tabled", "perspective", "kind", "text", organisation=True
    ),
    "points.allocated": _contribution("points.allocated", "allocations"),
    "dissent.recorded": _contribution("dissent.recorded", "dissent", "kind", "text"),
    "dissent.withdrawn": _contribution("dissent.withdrawn", "dissent"),
    "consent.answered": _contribution("consent.answered", "position", "text", "consent_round"),
    "objection.judged": _objection_judged,
    "objection.settled": _objection_settled,
    "proposal.amended": _proposal_amended,
    "decision.reached": _decision_reached,
    "vote.opened": _vote_opened,
    "vote.participated": _vote_participated,
    "ballot.cast": _ballot_cast,
    "vote.delegated": _vote_delegated,
    "vote.closed": _vote_closed,
    "member.presence_marked": _member("member.presence_marked", "present"),
    "speech.paused": _speech("speech.paused", "elapsed_ms"),
    "speech.resumed": _speech("speech.resumed", "kind", "limit_ms", "elapsed_ms"),
}
"""Event type -> handler. Types not listed (reminders, speech starts) are left out, and in
format 1 so are hands and the cap's warnings (their handlers publish nothing there)."""


def _learn(
    context: _Context, kind: str, payload: Mapping[str, Any], directory: Mapping[str, Any]
) -> None:
    """Keep what later events need: members' names and organisations."""
    if kind == "member.admitted":
        organisation = payload.get("organisation")
        name = payload.get("organisation_name") or organisation
        if organisation is not None:
            context.organisations[str(organisation)] = str(name)
        participant = str(payload["participant"])
        if participant not in directory:
            context.directory[participant] = {
                "name": payload.get("display_name"),
                "organisation": name,
            }


def _track(context: _Context, kind: str, payload: Mapping[str, Any]) -> None:
    """Keep the running figures a vote's decision reports: floor time and the speaking cap."""
    if kind == "speech.ended" and payload.get("kind") != "point_of_order":
        organisation = str(payload.get("organisation"))
        context.floor_ms[organisation] = context.floor_ms.get(organisation, 0) + int(
            payload.get("duration_ms") or 0
        )
    elif kind in ("room.created", "rules.changed"):
        context.speaking_cap = (payload.get("rules") or {}).get("speaking_cap")


def _prepare(
    context: _Context, rows: Sequence[Row], after_seq: int, members: Mapping[str, Any]
) -> None:
    """What every entry may need to know first: who people are, what gets hidden."""
    for row in rows:
        kind, payload = str(row["type"]), row["payload"]
        promised = payload.get("publication") if kind == "room.created" else None
        if promised in POLICIES and POLICIES.index(context.policy) < POLICIES.index(promised):
            raise ProjectionError(
                f"the room's members were promised {promised!r} publication: "
                f"a {context.policy!r} log would show more of them"
            )
        _learn(context, kind, payload, members)
        if kind == "statement.hidden" and int(row["seq"]) > after_seq:
            context.hidden_later.setdefault(str(payload["statement"]), int(row["seq"]))


def project(
    events: Iterable[Row],
    policy: Policy,
    pseudonym_key: bytes,
    *,
    members: Mapping[str, Mapping[str, Any]] | None = None,
    after_seq: int = 0,
    first_seq: int = 2,
    overrides: Sequence[int] = (),
    format: str = FORMAT,
) -> list[Projected]:
    """The entries the events after `after_seq` add to the published log, in order.

    `events` is the room's whole stream so far (earlier events give names, organisations
    and moderation context). `first_seq` is the published `seq` the first new entry will
    get, and `overrides` the published `seq`s of earlier override entries, so that
    `decision.reached` can cite every override (see `publish`, which fills both in).
    """
    if policy not in POLICIES:
        raise ProjectionError(f"policy {policy!r} is not one of {', '.join(POLICIES)}")
    rows = sorted(events, key=lambda row: int(row["seq"]))
    directory = {str(pid): dict(entry) for pid, entry in (members or {}).items()}
    context = _Context(
        policy=policy,
        pseudonym_key=pseudonym_key,
        directory=directory,
        overrides=list(overrides),
        next_seq=first_seq,
        format=format,
    )
    _prepare(context, rows, after_seq, members or {})
    projected: list[Projected] = []
    previous_seq = None
    for row in rows:
        seq, kind, payload = int(row["seq"]), str(row["type"]), row["payload"]
        if previous_seq is not None and seq == previous_seq:
            raise ProjectionError(f"event {seq} appears twice")
        previous_seq = seq
        _track(context, kind, payload)
        handler = HANDLERS.get(kind)
        if handler is None and payload.get("is_override"):
            handler = _unknown_override(kind)
        if handler is None:
            continue
        produced = list(handler(context, payload))
        if seq <= after_seq:
            continue  # already published; it only taught us context
        at = _time(row["at"] if row.get("at") is not None else payload["at"])
        for entry_type, data, actor, *given in produced:
            if data.get("override") is True:
                context.overrides.append(context.next_seq)
            contributor = given[0] if given else actor if entry_type in CONTRIBUTIONS else None
            draft = Draft(at=at, type=entry_type, data=data, actor=context.person(actor))
            projected.append(Projected(event_seq=seq, draft=draft, contributor=contributor))
            context.next_seq += 1
    return projected


@dataclass(frozen=True, slots=True)
class Publication:
    """A new publication: the signed document, receipts per participant, and its horizon."""

    document: dict[str, Any]
    receipts: dict[str, list[dict[str, Any]]]
    through_event_seq: int


def publish(
    room: Mapping[str, str],
    policy: Policy,
    events: Sequence[Row],
    signing_key: SigningKey,
    pseudonym_key: bytes,
    *,
    signed_at: datetime | str,
    members: Mapping[str, Mapping[str, Any]] | None = None,
    previous: Mapping[str, Any] | None = None,
    through_event_seq: int = 0,
) -> Publication:
    """Publish a room: extend `previous` (the last published copy, or start a new log)
    with the entries of the events after `through_event_seq`; sign; issue receipts.

    Store the returned `through_event_seq` with the document and pass both back next time.
    """
    if previous is None:
        opened_at = _time(events[0]["at"]) if events else signed_at
        writer = LogWriter(room["id"], room["title"], policy, signing_key, opened_at=opened_at)
    else:
        writer = LogWriter.resume(previous, signing_key)
        if writer.policy != policy:
            raise ProjectionError("a room's publication policy cannot change between publications")
    earlier_overrides = [
        entry["seq"] for entry in writer.entries if entry["data"].get("override") is True
    ]
    drafts = project(
        events,
        policy,
        pseudonym_key,
        members=members,
        after_seq=through_event_seq,
        first_seq=writer.head_seq + 1,
        overrides=earlier_overrides,
        format=writer.format,
    )
    receipts: dict[str, list[dict[str, Any]]] = {}
    for item in drafts:
        entry = writer.append(
            item.draft.type, item.draft.data, at=item.draft.at, actor=item.draft.actor
        )
        if item.contributor is not None:
            receipts.setdefault(item.contributor, []).append(
                issue_receipt(writer.room_id, entry, signing_key)
            )
    horizon = max([through_event_seq, *(int(row["seq"]) for row in events)])
    return Publication(writer.publish(signed_at), receipts, horizon)
