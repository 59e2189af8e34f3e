"""The fairness replay: the progressive stack run again from a published log.

A format 2 log (`spec/decision-log-v2.md`) publishes the queue: every hand raised, lowered
or withdrawn, every grant, every speech's floor time, the exact speaking cap, the budgets
and every lifted cap. That is all the rule reads, so anyone can replay it and check that
each `floor.granted` is the hand the rule picks from the queue at that moment, named by the
rule that picked it, or a logged override with a reason. This module is that replay, in
the standard library only (as the rest of `evenfloor verify`); the JavaScript verifier
carries its own, written from the spec, and the two must name the same grants.

The rule, as the spec states it (and `deliberation.balancing` implements it):

1. A point of order goes first (the earliest).
2. Hands of an organisation whose budget is spent wait (unless its cap is lifted).
3. The cap in force is the speaking cap, raised to 1/n when only n organisations have asked
   for a speech or a reply and n x cap < 1. An organisation at or over it (share of the
   floor at or above it, with floor time so far above zero) waits while anyone under it,
   or with a lifted cap, waits.
4. Among who may go: a direct reply (to the latest speech) before a speech, then the least
   floor time so far, then the earliest hand.
5. If nobody is under the cap, rule 4 among everyone within budget.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from server.publication.log import FORMAT_1

POINT_OF_ORDER = "point_of_order"


@dataclass(frozen=True, slots=True)
class Finding:
    """A grant that did not follow the rule (or why no replay was possible)."""

    location: str
    reason: str
    message: str
    entry: int | None = None

    def line(self) -> str:
        return f"FAIL {self.location}: {self.message} [{self.reason}]"


@dataclass(frozen=True, slots=True)
class FairnessResult:
    findings: tuple[Finding, ...]
    grants: int = 0
    overrides: int = 0

    @property
    def ok(self) -> bool:
        return not self.findings

    def summary(self) -> str:
        """What a clean replay adds to the verifier's OK line."""
        plural = "s" if self.grants != 1 else ""
        overrides = f", {self.overrides} of them logged overrides" if self.overrides else ""
        return f"fairness: {self.grants} grant{plural} replayed, each as the rule picks{overrides}"


@dataclass(slots=True)
class _Hand:
    key: str
    organisation: str | None
    kind: str
    reply_to: str | None


class _Floor:
    def __init__(self) -> None:
        self.cap: Fraction | None = None
        self.budgets: dict[str, int] = {}
        self.asked: set[str | None] = set()
        self.floor_ms: dict[str | None, int] = {}
        self.total = 0
        self.lifted: set[str | None] = set()
        self.waiting: list[_Hand] = []
        self.last_speech_by: str | None = None

    def cap_in_force(self) -> Fraction | None:
        n = len(self.asked)
        if self.cap is None or n == 0 or self.cap * n >= 1:
            return self.cap
        return Fraction(1, n)

    def at_or_over(self, organisation: str | None) -> bool:
        cap = self.cap_in_force()
        if cap is None or self.total == 0:
            return False
        spoken = self.floor_ms.get(organisation, 0)
        return spoken * cap.denominator >= cap.numerator * self.total

    def budget_spent(self, organisation: str | None) -> bool:
        if organisation is None or organisation not in self.budgets:
            return False
        if organisation in self.lifted:
            return False
        return self.budgets[organisation] - self.floor_ms.get(organisation, 0) <= 0

    def direct(self, hand: _Hand) -> bool:
        return hand.kind == "reply" and hand.reply_to == self.last_speech_by

    def choose(self) -> tuple[_Hand, str] | None:
        for hand in self.waiting:
            if hand.kind == POINT_OF_ORDER:
                return hand, "point-of-order-first"
        candidates = [h for h in self.waiting if not self.budget_spent(h.organisation)]
        if not candidates:
            return None
        order = {id(h): i for i, h in enumerate(candidates)}

        def key(hand: _Hand) -> tuple[int, int, int]:
            rank = 0 if self.direct(hand) else 1
            return rank, self.floor_ms.get(hand.organisation, 0), order[id(hand)]

        def capped(organisation: str | None) -> bool:
            return organisation not in self.lifted and self.at_or_over(organisation)

        under = [h for h in candidates if not capped(h.organisation)]
        unconstrained = min(candidates, key=key)
        if not under:
            return unconstrained, "only-one-waiting" if len(candidates) == 1 else "all-at-cap"
        best = min(under, key=key)
        lifted = best.organisation in self.lifted
        if lifted and len(candidates) > 1 and self.at_or_over(best.organisation):
            return best, "cap-lifted"
        if best is not unconstrained:
            return best, "cap-waits"
        return best, self._rule_for(best, candidates)

    def _rule_for(self, best: _Hand, candidates: list[_Hand]) -> str:
        if len(candidates) == 1:
            return "only-one-waiting"
        if self.direct(best) and any(not self.direct(h) for h in candidates):
            return "reply-first"
        mine = self.floor_ms.get(best.organisation, 0)
        others = [
            self.floor_ms.get(h.organisation, 0)
            for h in candidates
            if h.organisation != best.organisation and self.direct(h) == self.direct(best)
        ]
        if others and mine < min(others):
            return "least-floor-time-org"
        return "first-come"

    def take(self, key: str, kind: str) -> _Hand | None:
        for index, hand in enumerate(self.waiting):
            if hand.key == key and hand.kind == kind:
                return self.waiting.pop(index)
        return None


class _Malformed(Exception):
    pass


def _person(value: Any, what: str) -> tuple[str, str | None]:
    if not isinstance(value, Mapping) or not isinstance(value.get("pseudonym"), str):
        raise _Malformed(f"{what} has no pseudonym")
    organisation = value.get("organisation")
    return value["pseudonym"], organisation if isinstance(organisation, str) else None


def _cap(rules: Any) -> Fraction | None:
    text = rules.get("speaking_cap_fraction") if isinstance(rules, Mapping) else None
    if text is None:
        return None
    if not isinstance(text, str):
        raise _Malformed("rules.speaking_cap_fraction is not a string")
    numerator, _, denominator = text.partition("/")
    if not numerator.isdigit() or (denominator and not denominator.isdigit()):
        raise _Malformed(f"rules.speaking_cap_fraction {text!r} is not a fraction")
    if denominator and int(denominator) == 0:
        raise _Malformed(f"rules.speaking_cap_fraction {text!r} is not a fraction")
    return Fraction(int(numerator), int(denominator or 1))


def _describe(key: str, kind: str, rule: str | None = None) -> str:
    return f"{key} ({kind}{'' if rule is None else ', rule ' + rule})"


def _unreplayable(doc: Mapping[str, Any]) -> Finding | None:
    if doc.get("format") == FORMAT_1:
        return Finding(
            "fairness",
            "fairness_unavailable",
            "a format 1 log does not publish the queue, so its grants cannot be replayed",
        )
    if doc.get("policy") == "anonymous":
        return Finding(
            "fairness",
            "fairness_withheld",
            "the anonymous policy withholds organisations, so the grants cannot be replayed",
        )
    return None


def replay_fairness(doc: Mapping[str, Any]) -> FairnessResult:
    """Replay the queue of a verified log; name every grant that did not follow the rule."""
    problem = _unreplayable(doc)
    if problem is not None:
        return FairnessResult((problem,))
    floor = _Floor()
    findings: list[Finding] = []
    grants = overrides = 0
    for entry in doc["entries"]:
        seq, kind, data = entry["seq"], entry["type"], entry["data"]
        try:
            if kind == "floor.granted":
                grants += 1
                found = _grant(floor, data, seq)
                if found is not None:
                    findings.append(found)
                elif data.get("override") is True:
                    overrides += 1
            else:
                _apply(floor, kind, data)
        except _Malformed as problem:
            findings.append(Finding(f"entry {seq}", "queue_malformed", str(problem), seq))
    return FairnessResult(tuple(findings), grants, overrides)


def _apply(floor: _Floor, kind: str, data: Mapping[str, Any]) -> None:
    """Fold one entry other than a grant into the replayed floor."""
    if kind in ("rules.set", "rules.changed"):
        rules = data.get("rules") or {}
        floor.cap = _cap(rules)
        budgets = rules.get("organisation_budgets_ms") or {}
        floor.budgets = {str(k): v for k, v in budgets.items() if type(v) is int}
    elif kind == "hand.raised":
        key, organisation = _person(data.get("participant"), "participant")
        reply = data.get("reply_to")
        reply_to = None if reply is None else _person(reply, "reply_to")[0]
        hand_kind = str(data.get("kind"))
        floor.waiting.append(_Hand(key, organisation, hand_kind, reply_to))
        if hand_kind != POINT_OF_ORDER:
            floor.asked.add(organisation)
    elif kind in ("hand.lowered", "hand.withdrawn"):
        key, _ = _person(data.get("participant"), "participant")
        floor.take(key, str(data.get("kind")))
    elif kind == "speech.ended" and data.get("kind") != POINT_OF_ORDER:
        _, organisation = _person(data.get("speaker"), "speaker")
        duration = data.get("duration_ms")
        if type(duration) is not int or duration < 0:
            raise _Malformed("duration_ms is not a whole number of ms")
        floor.floor_ms[organisation] = floor.floor_ms.get(organisation, 0) + duration
        floor.total += duration
    elif kind == "cap.lifted":
        floor.lifted.add(data.get("organisation"))
    elif kind == "cap.restored":
        floor.lifted.discard(data.get("organisation"))


def _grant(floor: _Floor, data: Mapping[str, Any], seq: int) -> Finding | None:
    where = f"entry {seq}"
    key, _ = _person(data.get("speaker"), "speaker")
    kind, rule = str(data.get("kind")), str(data.get("rule"))
    expected = floor.choose()
    hand = floor.take(key, kind)
    if kind == "speech":
        floor.last_speech_by = key
    if hand is None:
        return Finding(
            where,
            "grant_not_waiting",
            f"floor.granted to {_describe(key, kind)}, who was not waiting for it",
            seq,
        )
    if data.get("override") is True:
        reason = data.get("reason")
        if rule != "override" or not isinstance(reason, str) or not reason.strip():
            return Finding(
                where,
                "override_without_reason",
                f"floor.granted to {_describe(key, kind)} overrides the rule without a reason",
                seq,
            )
        return None
    if expected is None:
        return Finding(
            where,
            "grant_unfair",
            f"floor.granted to {_describe(key, kind, rule)}, but everyone waiting is out of budget",
            seq,
        )
    chosen, chosen_rule = expected
    if chosen is not hand or chosen_rule != rule:
        return Finding(
            where,
            "grant_unfair",
            f"floor.granted to {_describe(key, kind, rule)}, but the rule picks "
            f"{_describe(chosen.key, chosen.kind, chosen_rule)}",
            seq,
        )
    return None
