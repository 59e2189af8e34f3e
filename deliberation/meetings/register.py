"""The attendance register, named substitutes and declarations of interest."""

from deliberation.context import Context
from deliberation.errors import Reason, Rejected
from deliberation.ids import OrganisationId, ParticipantId
from deliberation.meetings._guards import clerk, is_clerk, item, meeting, text
from deliberation.meetings.commands import (
    DeclareInterest,
    MarkAttendance,
    NameSubstitute,
    RecordArrival,
    RecordDeparture,
    WithdrawInterest,
)
from deliberation.meetings.events import (
    AttendanceMarked,
    InterestDeclared,
    InterestWithdrawn,
    MeetingEvent,
    MemberArrived,
    MemberDeparted,
    SubstituteNamed,
)
from deliberation.meetings.state import MeetingState
from deliberation.meetings.vocabulary import (
    PRESENT,
    VOTING_ROLES,
    Attendance,
    Excludes,
    ItemStatus,
)


def _on_register(state: MeetingState, person: ParticipantId) -> str:
    """The person's name: a board member or a named substitute; refuses anyone else."""
    member = meeting(state).board.member(person)
    if member is not None:
        return member.name
    substitute = state.substitutes.get(person)
    if substitute is not None:
        return substitute.name
    raise Rejected(Reason.NOT_FOUND, f"{person} is not a member of this board.")


def mark_attendance(
    state: MeetingState, command: MarkAttendance, ctx: Context
) -> list[MeetingEvent]:
    by = ctx.actor if _own_apologies(state, command, ctx) else clerk(state, ctx)
    name = _on_register(state, command.member)
    record = state.attendance.get(command.member)
    same = record is not None and record.status is command.status
    if same and (command.status not in PRESENT or state.present(command.member)):
        raise Rejected(Reason.CONFLICT, f"{name} is marked {command.status.value} already.")
    if command.status in PRESENT and not state.present(command.member):
        _not_doubled(state, command.member)
    return [AttendanceMarked(command.member, command.status, by, ctx.at)]


def _own_apologies(state: MeetingState, command: MarkAttendance, ctx: Context) -> bool:
    """A member sends their own apologies before the meeting opens, as a board member
    emails the clerk: only apologies, only for themselves, and only while not yet present."""
    return (
        command.status is Attendance.APOLOGIES
        and ctx.actor == command.member
        and meeting(state).board.member(command.member) is not None
        and not state.present(command.member)
    )


def _not_doubled(state: MeetingState, person: ParticipantId) -> None:
    """A substitute cannot sit while the member they stand for is present (and vice versa
    is allowed: the member arriving takes the seat back)."""
    substitute = state.substitutes.get(person)
    if substitute is not None and state.present(substitute.for_member):
        member = meeting(state).board.member(substitute.for_member)
        who = member.name if member else substitute.for_member
        raise Rejected(Reason.CONFLICT, f"{who} is present: their substitute does not sit.")


def record_arrival(state: MeetingState, command: RecordArrival, ctx: Context) -> list[MeetingEvent]:
    by = clerk(state, ctx)
    name = _on_register(state, command.member)
    if state.present(command.member):
        raise Rejected(Reason.CONFLICT, f"{name} is present already.")
    _not_doubled(state, command.member)
    return [MemberArrived(command.member, command.remote, by, ctx.at)]


def record_departure(
    state: MeetingState, command: RecordDeparture, ctx: Context
) -> list[MeetingEvent]:
    by = clerk(state, ctx)
    name = _on_register(state, command.member)
    if not state.present(command.member):
        raise Rejected(Reason.CONFLICT, f"{name} is not present.")
    return [MemberDeparted(command.member, by, ctx.at)]


def name_substitute(
    state: MeetingState, command: NameSubstitute, ctx: Context
) -> list[MeetingEvent]:
    by = clerk(state, ctx)
    board = meeting(state).board
    member = board.member(command.for_member)
    if member is None:
        raise Rejected(Reason.NOT_FOUND, f"{command.for_member} is not a member of this board.")
    if member.role not in VOTING_ROLES:
        raise Rejected(Reason.INVALID, f"{member.name} has no vote for a substitute to carry.")
    name = text(command.name, 200, "substitute's name")
    if board.member(command.substitute) is not None:
        raise Rejected(Reason.INVALID, "A member of the board cannot substitute for another.")
    if state.present(member.member):
        raise Rejected(Reason.CONFLICT, f"{member.name} is present: no substitute is needed.")
    if state.substitute_for(member.member) is not None:
        raise Rejected(Reason.CONFLICT, f"{member.name} has a substitute already.")
    if command.substitute in state.substitutes:
        raise Rejected(Reason.CONFLICT, f"{name} stands for another member already.")
    organisation = command.organisation or member.organisation
    organisation_name = command.organisation_name.strip() or (
        member.organisation_name if organisation == member.organisation else organisation
    )
    return [
        SubstituteNamed(
            substitute=command.substitute,
            name=name,
            for_member=member.member,
            organisation=OrganisationId(organisation),
            organisation_name=organisation_name,
            status=command.status,
            by=by,
            at=ctx.at,
        )
    ]


def _for_self_or_clerk(state: MeetingState, member: ParticipantId, ctx: Context) -> None:
    if ctx.actor != member and not is_clerk(state, ctx.actor):
        raise Rejected(
            Reason.FORBIDDEN, "Only the member, or the facilitator, chair or secretary, may."
        )


def declare_interest(
    state: MeetingState, command: DeclareInterest, ctx: Context
) -> list[MeetingEvent]:
    _for_self_or_clerk(state, command.member, ctx)
    _on_register(state, command.member)
    interest = text(command.interest, 2000, "interest")
    orders = meeting(state).board.standing_orders
    if command.item is None:
        excludes = command.excludes or Excludes.NONE
        if excludes is not Excludes.NONE:
            raise Rejected(
                Reason.INVALID, "A standing interest excludes nobody: declare it on the item."
            )
    else:
        found = item(state, command.item)
        if found.status in (ItemStatus.CLOSED, ItemStatus.DEFERRED):
            raise Rejected(Reason.CONFLICT, f"The item is {found.status.value}.")
        default = (
            Excludes.VOTE_AND_DISCUSSION if orders.conflicted_leave_discussion else Excludes.VOTE
        )
        excludes = command.excludes or default
    for d in state.declarations:
        if d.active and not d.standing and d.member == command.member and d.item == command.item:
            raise Rejected(
                Reason.CONFLICT, "An interest is declared already here: withdraw it first."
            )
    return [InterestDeclared(command.member, interest, command.item, excludes, ctx.actor, ctx.at)]


def withdraw_interest(
    state: MeetingState, command: WithdrawInterest, ctx: Context
) -> list[MeetingEvent]:
    _for_self_or_clerk(state, command.member, ctx)
    found = [
        d
        for d in state.declarations
        if d.active and not d.standing and d.member == command.member and d.item == command.item
    ]
    if not found:
        raise Rejected(Reason.NOT_FOUND, "There is no such declaration in this meeting.")
    if command.item is not None and item(state, command.item).status is ItemStatus.CLOSED:
        raise Rejected(Reason.CONFLICT, "The item is closed: its declarations stand.")
    return [InterestWithdrawn(command.member, command.item, ctx.actor, ctx.at)]
