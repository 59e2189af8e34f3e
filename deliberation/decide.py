"""decide(state, command, ctx) -> events: the room's single entry point for commands.

Dispatch is a table from command class to the module that owns the rule. ``decide`` never
looks at history, only at the folded state, so its cost does not grow with the room.
"""

from collections.abc import Callable, Mapping
from typing import Any

from deliberation import (
    consent,
    dissent,
    exclusions,
    floor,
    membership,
    perspectives,
    polls,
    proposal,
    rounds,
    surface,
    timing,
)
from deliberation.commands import (
    AcceptStatement,
    AddStatement,
    AdmitMember,
    AllocatePoints,
    AmendProposal,
    AnswerConsent,
    ChangeRole,
    ChangeRules,
    CloseRound,
    Command,
    CreateRoom,
    EndSpeech,
    ExtendSpeech,
    GiveFloor,
    HideStatement,
    JudgeObjection,
    LiftCap,
    LowerHand,
    MarkPresence,
    NextSpeaker,
    OpenRound,
    RaiseHand,
    React,
    RecordDissent,
    RemoveMember,
    RestoreCap,
    SetDeadline,
    SettleObjection,
    TablePerspective,
    Tick,
    WithdrawDissent,
    WithdrawProposal,
)
from deliberation.context import Context
from deliberation.errors import Reason, Rejected
from deliberation.events import Event
from deliberation.state import RoomState

_DECIDERS: Mapping[type[Any], Callable[[RoomState, Any, Context], list[Event]]] = {
    CreateRoom: membership.create_room,
    AdmitMember: membership.admit_member,
    ChangeRole: membership.change_role,
    MarkPresence: membership.mark_presence,
    RemoveMember: membership.remove_member,
    ChangeRules: membership.change_rules,
    OpenRound: rounds.open_round,
    CloseRound: rounds.close_round,
    SetDeadline: rounds.set_deadline,
    Tick: timing.tick,
    RaiseHand: floor.raise_hand,
    LowerHand: floor.lower_hand,
    NextSpeaker: floor.next_speaker,
    GiveFloor: floor.give_floor,
    EndSpeech: floor.end_speech,
    ExtendSpeech: floor.extend_speech,
    LiftCap: floor.lift_cap,
    RestoreCap: floor.restore_cap,
    AddStatement: surface.add_statement,
    AcceptStatement: surface.accept_statement,
    HideStatement: surface.hide_statement,
    React: surface.react,
    TablePerspective: perspectives.table_perspective,
    AllocatePoints: perspectives.allocate_points,
    RecordDissent: dissent.record_dissent,
    WithdrawDissent: dissent.withdraw_dissent,
    AnswerConsent: consent.answer_consent,
    JudgeObjection: consent.judge_objection,
    SettleObjection: consent.settle_objection,
    AmendProposal: proposal.amend_proposal,
    WithdrawProposal: proposal.withdraw_proposal,
    **polls.DECIDERS,
    **exclusions.DECIDERS,
}

_AFTER_DECISION = frozenset(
    {
        AdmitMember,
        ChangeRole,
        MarkPresence,
        RemoveMember,
        Tick,
        polls.CloseVote,
        *exclusions.DECIDERS,
    }
)


def decide(state: RoomState, command: Command, ctx: Context) -> list[Event]:
    """The events this command produces, or ``Rejected`` with the reason it may not happen."""
    if ctx.at.tzinfo is None:
        raise Rejected(Reason.INVALID, "Time must carry a zone.")
    kind = type(command)
    if state.room is None and kind is not CreateRoom:
        raise Rejected(Reason.NOT_FOUND, "There is no such room.")
    if state.decided and kind not in _AFTER_DECISION:
        raise Rejected(Reason.CONFLICT, "This room has reached its decision.")
    exclusions.check(state, command, ctx)  # a board meeting's conflicts and quorum
    return _DECIDERS[kind](state, command, ctx)
