"""Round ``surface_conflict``: short statements, moderation, and reactions.

The reactions matrix (statement -> participant -> reaction) is kept in the state for the
opinion-group computation (``deliberation.opinion``); hidden and pending statements are
left out of what counts.
"""

from deliberation._guards import facilitator, reason, require_round, subject, text
from deliberation.commands import AcceptStatement, AddStatement, HideStatement, React
from deliberation.context import Context
from deliberation.errors import Reason, Rejected
from deliberation.events import (
    Event,
    ReactionRecorded,
    StatementAccepted,
    StatementAdded,
    StatementHidden,
)
from deliberation.ids import ParticipantId, StatementId
from deliberation.state import RoomState, Statement
from deliberation.vocabulary import Reaction, RoundKind, StatementStatus


def add_statement(state: RoomState, command: AddStatement, ctx: Context) -> list[Event]:
    require_round(state, RoundKind.SURFACE_CONFLICT)
    member = subject(state, ctx)
    words = text(command.text, state.rules.statement_max_length, "statement")
    if not command.statement.strip():
        raise Rejected(Reason.INVALID, "A statement needs an id.")
    if command.statement in state.surface.statements:
        raise Rejected(Reason.CONFLICT, "A statement with this id exists.")
    status = (
        StatementStatus.PENDING if state.rules.premoderate_statements else StatementStatus.ACCEPTED
    )
    return [
        StatementAdded(
            command.statement,
            member.participant,
            member.organisation,
            words,
            status,
            ctx.actor,
            ctx.at,
        )
    ]


def _statement(state: RoomState, statement_id: StatementId) -> Statement:
    statement = state.surface.statements.get(statement_id)
    if statement is None:
        raise Rejected(Reason.NOT_FOUND, "No such statement.")
    return statement


def accept_statement(state: RoomState, command: AcceptStatement, ctx: Context) -> list[Event]:
    by = facilitator(state, ctx)
    require_round(state, RoundKind.SURFACE_CONFLICT)
    statement = _statement(state, command.statement)
    if statement.status is StatementStatus.ACCEPTED:
        raise Rejected(Reason.CONFLICT, "This statement is accepted already.")
    return [StatementAccepted(command.statement, by, ctx.at)]


def hide_statement(state: RoomState, command: HideStatement, ctx: Context) -> list[Event]:
    by = facilitator(state, ctx)
    require_round(state, RoundKind.SURFACE_CONFLICT)
    why = reason(command.reason)
    statement = _statement(state, command.statement)
    if statement.status is StatementStatus.HIDDEN:
        raise Rejected(Reason.CONFLICT, "This statement is hidden already.")
    return [StatementHidden(command.statement, why, by, ctx.at)]


def react(state: RoomState, command: React, ctx: Context) -> list[Event]:
    require_round(state, RoundKind.SURFACE_CONFLICT)
    member = subject(state, ctx)
    statement = state.surface.statements.get(command.statement)
    if statement is None or statement.status is not StatementStatus.ACCEPTED:
        raise Rejected(Reason.NOT_FOUND, "No such statement to react to.")
    mine = state.surface.reactions.get(command.statement, {}).get(member.participant)
    if mine is command.reaction:
        raise Rejected(Reason.CONFLICT, "That is already your reaction.")
    return [
        ReactionRecorded(command.statement, member.participant, command.reaction, ctx.actor, ctx.at)
    ]


def counted_reactions(state: RoomState) -> dict[StatementId, dict[ParticipantId, Reaction]]:
    """The reactions that count: to accepted statements only, in the order statements came.

    This is what opinion groups are computed from (``deliberation.opinion``): hidden and
    pending statements are left out, and each participant's last reaction is the one kept.
    """
    reactions = state.surface.reactions
    return {
        statement_id: dict(reactions.get(statement_id, {}))
        for statement_id, statement in state.surface.statements.items()
        if statement.status is StatementStatus.ACCEPTED
    }
