"""The account of floor time at or over the speaking cap, kept as the room folds.

The fairness report must explain every share over the cap; rescanning history for it
would cost more with every event, so ``evolve`` keeps the account as it goes: each speech
that ends (``account_speech``) splits its time at or over the cap into uncontested, grace,
flagged and lifted time, and each fall of the cap in force (``cap_fell``) records the excess
it made at once. With these, an organisation's final excess over the cap in force is at
most ``(1 - cap) * (grace + uncontested + flagged + lifted) + cap_fell``: one grace per
spell over the cap, because ``grace_used_ms`` is only cleared when it is back under.
"""

from collections.abc import Mapping
from dataclasses import replace
from fractions import Fraction

from deliberation import balancing
from deliberation.ids import OrganisationId
from deliberation.records import OverCapTime
from deliberation.rules import RoomRules
from deliberation.state import FloorState, Speech


def _excess(spoken: int, cap: Fraction | None, total: int) -> Fraction:
    if cap is None:
        return Fraction(0)
    return max(Fraction(0), spoken - cap * total)


def _ceil(value: Fraction) -> int:
    return -((-value.numerator) // value.denominator)


def _add(
    ledger: Mapping[OrganisationId, OverCapTime], organisation: OrganisationId, **ms: int
) -> dict[OrganisationId, OverCapTime]:
    old = ledger.get(organisation, OverCapTime())
    new = OverCapTime(
        uncontested_ms=old.uncontested_ms + ms.get("uncontested_ms", 0),
        grace_ms=old.grace_ms + ms.get("grace_ms", 0),
        flagged_ms=old.flagged_ms + ms.get("flagged_ms", 0),
        lifted_ms=old.lifted_ms + ms.get("lifted_ms", 0),
        cap_fell_ms=old.cap_fell_ms + ms.get("cap_fell_ms", 0),
    )
    copy = dict(ledger)
    copy[organisation] = new
    return copy


def cap_fell(
    floor: FloorState, before: Fraction | None, after: Fraction | None
) -> Mapping[OrganisationId, OverCapTime]:
    """The ledger after the cap in force moved from ``before`` to ``after``: an organisation
    already past the new cap is charged the excess the fall made (nothing when it rose)."""
    if after is None or (before is not None and after >= before):
        return floor.over_cap
    ledger = floor.over_cap
    for organisation, spoken in floor.floor_ms.items():
        jump = _excess(spoken, after, floor.total_ms) - _excess(spoken, before, floor.total_ms)
        if before is None:
            jump = Fraction(0)  # a cap set where there was none is a rules change, not a fall
        if jump > 0:
            ledger = _add(ledger, organisation, cap_fell_ms=_ceil(jump))
    return ledger


def account_speech(
    floor: FloorState, rules: RoomRules, speech: Speech, duration: int
) -> FloorState:
    """Charge a speech's time at or over the cap, before its ``duration`` joins the totals.

    Time before the warning is uncontested (the warning comes the moment it is contested);
    from the warning to the end of the grace it is grace; after the grace it is flagged
    (a room that ends speeches ends it then). A lifted cap makes it all lifted time.
    """
    organisation = speech.organisation
    over_from = balancing.over_from_ms(floor, rules, organisation)
    over = 0 if over_from is None else max(0, duration - over_from)
    grace_used = floor.grace_used_ms
    ledger = floor.over_cap
    if over and organisation in floor.cap_lifted:
        ledger = _add(ledger, organisation, lifted_ms=over)
    elif over:
        grace = flagged = 0
        reached, grace_end = speech.cap_reached_ms, speech.cap_grace_end_ms
        if reached is not None and grace_end is not None:
            grace = max(0, min(duration, grace_end) - reached)
            if speech.cap_flagged:
                flagged = max(0, duration - grace_end)
        uncontested = max(0, over - grace - flagged)
        ledger = _add(
            ledger, organisation, uncontested_ms=uncontested, grace_ms=grace, flagged_ms=flagged
        )
        if grace:
            grace_used = {**grace_used, organisation: grace_used.get(organisation, 0) + grace}
    return replace(floor, grace_used_ms=grace_used, over_cap=ledger)


def clear_grace(floor: FloorState, rules: RoomRules) -> FloorState:
    """Forget the grace spent by organisations now back under the cap: their next spell
    over it earns a new grace."""
    used = floor.grace_used_ms
    if not used:
        return floor
    kept = {o: ms for o, ms in used.items() if balancing.at_or_over_cap(floor, rules, o)}
    if len(kept) == len(used):
        return floor
    return replace(floor, grace_used_ms=kept)
