"""Round ``weigh_perspectives``: perspectives on behalf of organisations, and points."""

from deliberation._guards import require_round, subject, text
from deliberation.commands import AllocatePoints, TablePerspective
from deliberation.context import Context
from deliberation.errors import Reason, Rejected
from deliberation.events import Event, PerspectiveTabled, PointsAllocated
from deliberation.ids import OrganisationId
from deliberation.state import RoomState
from deliberation.vocabulary import TAKING_PART_ROLES, RoundKind


def table_perspective(state: RoomState, command: TablePerspective, ctx: Context) -> list[Event]:
    require_round(state, RoundKind.WEIGH_PERSPECTIVES)
    member = subject(state, ctx)
    words = text(command.text, state.rules.text_max_length, "perspective")
    if not command.perspective.strip():
        raise Rejected(Reason.INVALID, "A perspective needs an id.")
    if command.perspective in state.weighing.perspectives:
        raise Rejected(Reason.CONFLICT, "A perspective with this id exists.")
    return [
        PerspectiveTabled(
            command.perspective,
            command.kind,
            words,
            member.organisation,
            member.participant,
            ctx.actor,
            ctx.at,
        )
    ]


def allocate_points(state: RoomState, command: AllocatePoints, ctx: Context) -> list[Event]:
    require_round(state, RoundKind.WEIGH_PERSPECTIVES)
    member = subject(state, ctx)
    seen = set()
    for allocation in command.allocations:
        if allocation.perspective not in state.weighing.perspectives:
            raise Rejected(Reason.NOT_FOUND, f"No perspective {allocation.perspective}.")
        if allocation.points < 0:
            raise Rejected(Reason.INVALID, "Points cannot be negative.")
        if allocation.perspective in seen:
            raise Rejected(Reason.INVALID, "Each perspective once per allocation.")
        seen.add(allocation.perspective)
    total = sum(a.points for a in command.allocations)
    budget = state.rules.points_budget
    if total > budget:
        raise Rejected(Reason.OVER_BUDGET, f"{total} points given; the budget is {budget}.")
    kept = tuple(a for a in command.allocations if a.points > 0)
    return [PointsAllocated(member.participant, kept, ctx.actor, ctx.at)]


def missing_organisations(state: RoomState) -> list[OrganisationId]:
    """Organisations taking part that have tabled no perspective yet (sorted by id)."""
    present = {
        m.organisation for m in state.members.values() if m.active and m.role in TAKING_PART_ROLES
    }
    tabled = state.weighing.per_organisation
    return sorted(o for o in present if tabled.get(o, 0) == 0)
