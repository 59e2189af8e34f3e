"""Actions carried over: what an earlier meeting left open becomes the next one's matters
arising, the overdue ones marked."""

from collections.abc import Iterable
from datetime import datetime

from deliberation.meetings.records import ArisingAction
from deliberation.meetings.state import Action
from deliberation.meetings.vocabulary import ActionStatus


def is_overdue(action: Action, at: datetime) -> bool:
    return not action.done and action.due is not None and action.due < at


def action_status(action: Action, at: datetime) -> ActionStatus:
    """``done``, ``overdue`` (open and due before ``at``), or ``open``."""
    if action.done:
        return ActionStatus.DONE
    return ActionStatus.OVERDUE if is_overdue(action, at) else ActionStatus.OPEN


def matters_arising(previous_actions: Iterable[Action], at: datetime) -> tuple[ArisingAction, ...]:
    """The open actions among ``previous_actions`` (e.g. ``earlier.actions.values()``), as the
    next meeting's matters-arising item carries them (``AddItem.arising``), each marked
    overdue when its due date is before ``at`` (the next meeting's start). Done actions stay
    behind; the order is by due date (undated last), then by id, so the item reads in order.
    """
    carried = [
        ArisingAction(
            action=a.action,
            what=a.what,
            owner=a.owner,
            due=a.due,
            meeting=a.meeting,
            item=a.item,
            overdue=is_overdue(a, at),
            owner_member=a.owner_member,
            private=a.private,
        )
        for a in previous_actions
        if not a.done
    ]
    carried.sort(key=lambda a: (a.due is None, a.due or at, a.action))
    return tuple(carried)
