"""Round ``record_dissent``: formal dissents and minority views. Never edited, never deleted."""

from deliberation._guards import is_facilitator, require_round, subject, text
from deliberation.commands import RecordDissent, WithdrawDissent
from deliberation.context import Context
from deliberation.errors import Reason, Rejected
from deliberation.events import DissentRecorded, DissentWithdrawn, Event
from deliberation.state import RoomState
from deliberation.vocabulary import RoundKind


def record_dissent(state: RoomState, command: RecordDissent, ctx: Context) -> list[Event]:
    require_round(state, RoundKind.RECORD_DISSENT)
    member = subject(state, ctx)
    words = text(command.text, state.rules.text_max_length, "reasons")
    if not command.dissent.strip():
        raise Rejected(Reason.INVALID, "A dissent needs an id.")
    if command.dissent in state.dissents:
        raise Rejected(Reason.CONFLICT, "A dissent with this id exists.")
    return [
        DissentRecorded(
            command.dissent,
            command.kind,
            words,
            member.participant,
            member.organisation,
            ctx.actor,
            ctx.at,
        )
    ]


def withdraw_dissent(state: RoomState, command: WithdrawDissent, ctx: Context) -> list[Event]:
    record = state.dissents.get(command.dissent)
    if record is None:
        raise Rejected(Reason.NOT_FOUND, "No such dissent.")
    own = ctx.acting_for is None and ctx.actor == record.participant
    for_author = ctx.acting_for == record.participant and is_facilitator(state, ctx.actor)
    if not (own or for_author):
        raise Rejected(Reason.FORBIDDEN, "Only its author may withdraw a dissent.")
    author = state.members.get(record.participant)
    absent = author is None or not author.present
    if for_author and state.rules.proxy_needs_presence and absent:
        raise Rejected(Reason.FORBIDDEN, "The author is not marked present in the room.")
    if record.withdrawn_at is not None:
        raise Rejected(Reason.CONFLICT, "This dissent is withdrawn already.")
    return [DissentWithdrawn(command.dissent, record.participant, ctx.actor, ctx.at)]
