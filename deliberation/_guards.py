"""The checks every command starts with: who is acting, for whom, in which round, with what text."""

from datetime import datetime, timedelta

from deliberation.context import Context
from deliberation.errors import Reason, Rejected
from deliberation.ids import ParticipantId
from deliberation.state import Member, RoomState
from deliberation.vocabulary import FACILITATING_ROLES, TAKING_PART_ROLES, RoundKind

MS = timedelta(milliseconds=1)


def elapsed_ms(start: datetime, end: datetime) -> int:
    """Whole milliseconds from ``start`` to ``end`` (never negative)."""
    return max(0, (end - start) // MS)


def active_member(state: RoomState, participant: ParticipantId) -> Member:
    member = state.members.get(participant)
    if member is None or not member.active:
        raise Rejected(Reason.NOT_FOUND, f"{participant} is not a member of this room.")
    return member


def is_facilitator(state: RoomState, participant: ParticipantId | None) -> bool:
    if participant is None:
        return True
    member = state.members.get(participant)
    return member is not None and member.active and member.role in FACILITATING_ROLES


def facilitator(state: RoomState, ctx: Context) -> ParticipantId | None:
    """The facilitator issuing this command (``None``: the system). Refuses everyone else."""
    if not is_facilitator(state, ctx.actor):
        raise Rejected(Reason.FORBIDDEN, "Only a facilitator may do this.")
    return ctx.actor


def subject(state: RoomState, ctx: Context) -> Member:
    """The member this action is for: the actor, or whom a facilitator acts for.

    Refuses observers, removed members, strangers, and proxies by non-facilitators.
    """
    if ctx.acting_for is not None and ctx.acting_for != ctx.actor:
        if not is_facilitator(state, ctx.actor):
            raise Rejected(Reason.FORBIDDEN, "Only a facilitator may act for someone else.")
        who = ctx.acting_for
    elif ctx.actor is None:
        raise Rejected(Reason.FORBIDDEN, "The system cannot act for nobody: name a participant.")
    else:
        who = ctx.actor
    member = state.members.get(who)
    if member is None or not member.active:
        raise Rejected(Reason.FORBIDDEN, f"{who} is not a member of this room.")
    if member.role not in TAKING_PART_ROLES:
        raise Rejected(Reason.FORBIDDEN, "Observers follow the room but do not take part.")
    proxied = who != ctx.actor
    if proxied and state.rules.proxy_needs_presence and not member.present:
        raise Rejected(Reason.FORBIDDEN, f"{who} is not marked present in the room.")
    return member


def require_round(state: RoomState, kind: RoundKind) -> None:
    if not (state.rounds.is_open and state.rounds.current is kind):
        raise Rejected(Reason.WRONG_ROUND, f"This belongs to the {kind.value} round, not open now.")


def text(value: str, limit: int, what: str) -> str:
    """``value`` without surrounding blanks; refuses empty or over-long text."""
    cleaned = value.strip()
    if not cleaned:
        raise Rejected(Reason.INVALID, f"The {what} cannot be empty.")
    if len(cleaned) > limit:
        raise Rejected(Reason.INVALID, f"The {what} is longer than {limit} characters.")
    return cleaned


def reason(value: str) -> str:
    return text(value, 1000, "reason")
