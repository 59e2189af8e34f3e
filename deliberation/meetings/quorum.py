"""Quorum from the standing orders, for the meeting and for one item.

Who counts: voting members (chair, vice-chair, voting member) present now, in the room or
remotely; a named substitute who is present counts for the member they stand for (their
vote, organisation and sector) while that member is not present. An item's quorum leaves
out its conflicted members (a declaration on the item that excludes them from its vote).
Required roles count only people present in person (a substitute for the chair does not
make the chair present).
"""

from dataclasses import dataclass

from deliberation.ids import ParticipantId
from deliberation.meetings.board import BoardMember
from deliberation.meetings.ids import ItemId
from deliberation.meetings.state import MeetingState
from deliberation.meetings.vocabulary import ROLE_PHRASES, Attendance, BoardRole


@dataclass(frozen=True, slots=True)
class QuorumStatus:
    """``missing``: one sentence per shortfall ("2 more voting members", "a member from
    the NHS", "the chair or the vice-chair"); empty when ``held``."""

    held: bool
    missing: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Seat:
    """A vote that counts now: ``member``'s, cast by ``person`` (the member or a substitute)."""

    member: BoardMember
    person: ParticipantId


def conflicted(state: MeetingState, item: ItemId | None) -> dict[ParticipantId, str]:
    """Who is out of ``item``'s vote, with their declared interest (nobody for the meeting)."""
    if item is None:
        return {}
    return dict(state.conflicts.get(item, {}))


def seats(state: MeetingState, item: ItemId | None = None) -> list[Seat]:
    """The votes that count now, for the meeting or for ``item``, in board order."""
    if state.meeting is None:
        return []
    counted = _counted(state, _present(state), conflicted(state, item))
    return [Seat(member, person) for member, person in counted]


_IN_ROOM, _REMOTE = Attendance.PRESENT_IN_ROOM, Attendance.PRESENT_REMOTE


def _present(state: MeetingState) -> set[ParticipantId]:
    # identity tests on the enum members: this runs after every attendance command
    return {
        p
        for p, r in state.attendance.items()
        if r.left_at is None and (r.status is _IN_ROOM or r.status is _REMOTE)
    }


def _votes(role: BoardRole) -> bool:
    return (
        role is BoardRole.VOTING_MEMBER or role is BoardRole.CHAIR or role is BoardRole.VICE_CHAIR
    )


def _counted(
    state: MeetingState, present: set[ParticipantId], out: dict[ParticipantId, str]
) -> list[tuple[BoardMember, ParticipantId]]:
    """(member whose vote counts, the person casting it), in board order."""
    assert state.meeting is not None
    sitting_for = {s.for_member: s.substitute for s in state.substitutes.values()}
    counted = []
    for member in state.meeting.board.members:
        if not _votes(member.role):
            continue
        person = member.member
        if person not in present:
            substitute = sitting_for.get(person)
            if substitute is None or substitute not in present:
                continue
            person = substitute
        if person not in out:
            counted.append((member, person))
    return counted


def _more(count: int, noun: str) -> str:
    return f"{count} more {noun}{'' if count == 1 else 's'}"


def quorum(state: MeetingState, item: ItemId | None = None) -> QuorumStatus:
    """Whether the meeting (or ``item``) is quorate now, and what is missing if not."""
    if state.meeting is None:
        return QuorumStatus(False, ("the meeting is not scheduled",))
    rule = state.meeting.board.standing_orders.quorum
    present = _present(state)
    out = conflicted(state, item)
    counted = _counted(state, present, out)
    missing: list[str] = []
    short = rule.min_voting_members - len(counted)
    if short > 0:
        missing.append(_more(short, "voting member"))
    organisations = {member.organisation for member, _ in counted}
    short = rule.min_organisations - len(organisations)
    if short > 0:
        missing.append(_more(short, "organisation"))
    if rule.required_roles:
        in_person = {
            m.role
            for m in state.meeting.board.members
            if m.member in present and m.member not in out
        }
        missing.extend(
            " or ".join(ROLE_PHRASES[r] for r in alternatives)
            for alternatives in rule.required_roles
            if not in_person.intersection(alternatives)
        )
    for quota in rule.required_sectors:
        short = quota.count - sum(1 for member, _ in counted if member.sector == quota.sector)
        if short > 0:
            if short == 1 and quota.count == 1:
                missing.append(f"a member from {quota.phrase}")
            else:
                noun = "member" if short == 1 else "members"
                missing.append(f"{short} more {noun} from {quota.phrase}")
    return QuorumStatus(not missing, tuple(missing))


def present_members(state: MeetingState) -> tuple[ParticipantId, ...]:
    """Everyone present now (members, substitutes, others on the register), sorted."""
    return tuple(sorted(p for p, r in state.attendance.items() if r.present))
