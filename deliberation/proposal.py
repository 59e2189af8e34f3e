"""The proposal itself: amendments (which send it back to consent) and withdrawal."""

from deliberation import floor, rounds
from deliberation._guards import facilitator, reason, text
from deliberation.commands import AmendProposal, WithdrawProposal
from deliberation.consent import BLOCKING, decision
from deliberation.context import Context
from deliberation.errors import Reason, Rejected
from deliberation.events import Event, ProposalAmended, RoundClosed, RoundOpened
from deliberation.state import RoomState
from deliberation.vocabulary import RoundKind, SpeechEnding


def _restarts_consent(state: RoomState) -> bool:
    return state.consent.number > 0


def amend_proposal(state: RoomState, command: AmendProposal, ctx: Context) -> list[Event]:
    by = facilitator(state, ctx)
    why = reason(command.reason)
    new_text = text(command.text, state.rules.text_max_length * 4, "proposal")
    if new_text == state.proposal.text:
        raise Rejected(Reason.INVALID, "The amended proposal is the same as the current one.")
    for objector in command.integrates:
        objection = state.consent.objections.get(objector)
        if objection is None or objection.status not in BLOCKING:
            raise Rejected(Reason.NOT_FOUND, f"{objector} has no objection to integrate.")
    version = state.proposal.version + 1
    amended = ProposalAmended(new_text, version, command.integrates, why, by, ctx.at)
    if not _restarts_consent(state):
        return [amended]
    deadline = rounds.checked_deadline(state, command.deadline, ctx.at)
    events: list[Event] = []
    if state.rounds.is_open:
        events.append(
            RoundClosed(
                state.rounds.current or RoundKind.CONSENT, state.rounds.number, False, by, ctx.at
            )
        )
    events.append(amended)
    events.append(
        RoundOpened(RoundKind.CONSENT, state.rounds.number + 1, True, why, deadline, by, ctx.at)
    )
    return events


def withdraw_proposal(state: RoomState, command: WithdrawProposal, ctx: Context) -> list[Event]:
    by = facilitator(state, ctx)
    why = reason(command.reason)
    return rounds.apply_all(
        state,
        lambda s: floor.end_everything(s, ctx.at, SpeechEnding.DECISION_REACHED, by),
        lambda s: rounds.close_events(s, by, ctx.at, by_deadline=False, reach_decision=False),
        lambda s: [decision(s, by, ctx.at, why, withdrawn=True)],
    )
