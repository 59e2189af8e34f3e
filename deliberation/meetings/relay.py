"""What a meeting tells each item's room: the room core's ``set_exclusions`` and ``set_quorum``.

The shell relays these after every meeting event that may change them (both emit nothing
when nothing changed), so an item's room refuses a conflicted member's vote and waits for
the meeting's quorum without ever reading the meeting.
"""

from deliberation.exclusions import Exclusion, SetExclusions, SetQuorum
from deliberation.meetings.ids import ItemId
from deliberation.meetings.quorum import present_members, quorum
from deliberation.meetings.state import MeetingState
from deliberation.meetings.vocabulary import Excludes


def exclusions(state: MeetingState, item: ItemId) -> tuple[Exclusion, ...]:
    """The item's conflicted members, by id, each with the interest they declared."""
    found = {
        d.member: Exclusion(
            d.member,
            f"declared an interest: {d.interest}",
            discussion=d.excludes is Excludes.VOTE_AND_DISCUSSION,
        )
        for d in state.declarations
        if d.active and d.item == item and d.excludes is not Excludes.NONE
    }
    return tuple(found[member] for member in sorted(found))


def item_relay(state: MeetingState, item: ItemId) -> tuple[SetExclusions, SetQuorum]:
    """The two system commands that bring ``item``'s room up to date with the meeting."""
    status = quorum(state, item)
    return (
        SetExclusions(exclusions(state, item)),
        SetQuorum(status.held, status.missing, present_members(state)),
    )
