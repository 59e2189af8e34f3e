"""The progressive stack: who gets the floor next, and the rule that says why.

The rules, in order:

1. A point of order goes first (earliest hand first). Points of order are procedural and
   short; they are exempt from the cap and counted apart.
2. An organisation whose meeting budget is spent never gets the floor from the queue.
3. An organisation at or over the speaking cap waits while anyone from an organisation
   under the cap waits (``cap-waits`` when that changed the choice).
4. Among who may go: a direct reply (to the latest speech; a reply to an older speech
   waits like a speech) before a speech, then the organisation with the least floor time
   so far, then the earliest hand.
5. If everyone waiting is at or over the cap, the floor is not left idle: rule 4 applies
   among them (``all-at-cap``).

An organisation whose cap a facilitator lifted (``lift_cap``) is treated as under the cap
and within its budget; the grant is then named ``cap-lifted`` if it was in fact over.

The cap in force is the room's ``speaking_cap``, raised to 1/n when only n organisations
have asked to speak and n times the cap is under the whole floor (as the vote cap degrades
to equal shares): with a 3/10 cap and two organisations asking, each may hold half.

The cap also binds time, not only grants: ``contested_from_ms`` is the moment in a speech
at which its organisation is at or over the cap while someone from an organisation under
the cap waits; ``deliberation.timing`` warns then and applies the overrun action after the
rules' ``cap_grace_ms``.
"""

import math
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction

from deliberation._guards import elapsed_ms
from deliberation.ids import OrganisationId
from deliberation.rules import RoomRules
from deliberation.state import FloorState, Hand, Speech
from deliberation.vocabulary import SpeechKind


@dataclass(frozen=True, slots=True)
class Choice:
    hand: Hand
    rule: str


def share(floor: FloorState, organisation: OrganisationId) -> Fraction | None:
    """The organisation's share of floor time so far (``None`` before anyone has spoken)."""
    if floor.total_ms == 0:
        return None
    return Fraction(floor.floor_ms.get(organisation, 0), floor.total_ms)


def cap_in_force(floor: FloorState, rules: RoomRules) -> Fraction | None:
    """The speaking cap, raised to 1/n when only n organisations asked and n x cap < 1."""
    cap = rules.speaking_cap
    asked = len(floor.asked)
    if cap is None or asked == 0 or cap * asked >= 1:
        return cap
    return Fraction(1, asked)


def at_or_over_cap(floor: FloorState, rules: RoomRules, organisation: OrganisationId) -> bool:
    """Whether the organisation has reached the cap in force (ignoring any lifted cap)."""
    cap = cap_in_force(floor, rules)
    if cap is None or floor.total_ms == 0:
        return False
    spoken = floor.floor_ms.get(organisation, 0)
    return spoken * cap.denominator >= cap.numerator * floor.total_ms


def _ceil(value: Fraction) -> int:
    return -((-value.numerator) // value.denominator)


def over_from_ms(floor: FloorState, rules: RoomRules, organisation: OrganisationId) -> int | None:
    """How far into a speech of ``organisation`` it is at or over the cap in force (``None``:
    never, as with no cap or a cap of the whole floor). Its share rises as it speaks."""
    cap = cap_in_force(floor, rules)
    if cap is None or cap >= 1:
        return None
    spoken = floor.floor_ms.get(organisation, 0)
    return max(0, _ceil((cap * floor.total_ms - spoken) / (1 - cap)))


def _under_from_ms(floor: FloorState, cap: Fraction, organisation: OrganisationId) -> int:
    """How far into someone else's speech ``organisation`` is under the cap (its share falls)."""
    spoken = floor.floor_ms.get(organisation, 0)
    if organisation in floor.cap_lifted or floor.total_ms == 0:
        return 0
    if spoken * cap.denominator < cap.numerator * floor.total_ms:
        return 0
    return math.floor(Fraction(spoken) / cap - floor.total_ms) + 1


def contested_from_ms(floor: FloorState, rules: RoomRules) -> int | None:
    """The moment, in ms of the current speech's own time, from which its organisation is at
    or over the cap while someone from an organisation under the cap waits for a speech or
    a reply (within its budget); ``None`` if that does not happen with the queue as it is.
    Points of order are exempt, and so is an organisation whose cap is lifted."""
    speech = floor.speech
    if speech is None or speech.kind is SpeechKind.POINT_OF_ORDER:
        return None
    if speech.organisation in floor.cap_lifted:
        return None
    over = over_from_ms(floor, rules, speech.organisation)
    cap = cap_in_force(floor, rules)
    if over is None or cap is None:
        return None
    waits = [
        max(_under_from_ms(floor, cap, h.organisation), _waiting_since_ms(speech, h.raised_at))
        for h in floor.waiting
        if h.organisation != speech.organisation
        and h.kind is not SpeechKind.POINT_OF_ORDER
        and budget_left(floor, rules, h.organisation) != 0
    ]
    if not waits:
        return None
    return max(over, min(waits))


def cap_due_ms(floor: FloorState, rules: RoomRules) -> int | None:
    """When the speaking cap next acts on the current speech, in ms of its own time: the
    warning, then the end of the grace (or later, if only contested later)."""
    speech = floor.speech
    if speech is None or speech.cap_flagged:
        return None
    contested = contested_from_ms(floor, rules)
    if contested is None:
        return None
    if speech.cap_grace_end_ms is None:
        return contested
    return max(speech.cap_grace_end_ms, contested)


def grace_left_ms(floor: FloorState, rules: RoomRules, organisation: OrganisationId) -> int:
    """One grace per spell over the cap: what this spell has not spent yet."""
    return max(0, rules.cap_grace_ms - floor.grace_used_ms.get(organisation, 0))


def _waiting_since_ms(speech: Speech, raised_at: datetime) -> int:
    return elapsed_ms(speech.started_at, raised_at)


def budget_left(floor: FloorState, rules: RoomRules, organisation: OrganisationId) -> int | None:
    """Milliseconds left in the organisation's budget (``None``: no budget or lifted)."""
    budget = rules.budget_for(organisation)
    if budget is None or organisation in floor.cap_lifted:
        return None
    return max(0, budget - floor.floor_ms.get(organisation, 0))


def is_direct_reply(floor: FloorState, hand: Hand) -> bool:
    """A reply to the latest speech (the one in progress, or the one that just ended)."""
    return hand.kind is SpeechKind.REPLY and hand.reply_to == floor.last_speech_by


def _capped(floor: FloorState, rules: RoomRules, organisation: OrganisationId) -> bool:
    return organisation not in floor.cap_lifted and at_or_over_cap(floor, rules, organisation)


def choose(floor: FloorState, rules: RoomRules) -> Choice | None:
    """The next speaker, or ``None`` when nobody waits who may have the floor."""
    for hand in floor.waiting:
        if hand.kind is SpeechKind.POINT_OF_ORDER:
            return Choice(hand, "point-of-order-first")
    candidates = [h for h in floor.waiting if budget_left(floor, rules, h.organisation) != 0]
    if not candidates:
        return None
    order = {id(h): i for i, h in enumerate(candidates)}

    def key(hand: Hand) -> tuple[int, int, int]:
        kind_rank = 0 if is_direct_reply(floor, hand) else 1
        return (kind_rank, floor.floor_ms.get(hand.organisation, 0), order[id(hand)])

    under = [h for h in candidates if not _capped(floor, rules, h.organisation)]
    unconstrained = min(candidates, key=key)
    if not under:
        rule = "only-one-waiting" if len(candidates) == 1 else "all-at-cap"
        return Choice(unconstrained, rule)
    best = min(under, key=key)
    lifted = best.organisation in floor.cap_lifted
    if lifted and len(candidates) > 1 and at_or_over_cap(floor, rules, best.organisation):
        return Choice(best, "cap-lifted")
    if best is not unconstrained:
        return Choice(best, "cap-waits")
    return Choice(best, _rule_for(floor, best, candidates))


def _rule_for(floor: FloorState, best: Hand, candidates: list[Hand]) -> str:
    """Name the rule that made ``best`` win when the cap did not change the choice."""
    if len(candidates) == 1:
        return "only-one-waiting"
    if is_direct_reply(floor, best) and any(not is_direct_reply(floor, h) for h in candidates):
        return "reply-first"
    mine = floor.floor_ms.get(best.organisation, 0)
    others = [
        floor.floor_ms.get(h.organisation, 0)
        for h in candidates
        if h.organisation != best.organisation
        and is_direct_reply(floor, h) == is_direct_reply(floor, best)
    ]
    if others and mine < min(others):
        return "least-floor-time-org"
    return "first-come"
