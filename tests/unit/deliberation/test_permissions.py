"""Permission matrices (adhocracy4's style): each command × round state × role."""

from datetime import timedelta
from fractions import Fraction

import pytest

from deliberation import (
    DissentKind,
    PerspectiveKind,
    Position,
    Reaction,
    Reason,
    Rejected,
    Role,
    RoomRules,
    RoundKind,
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
    ExtendSpeech,
    GiveFloor,
    HideStatement,
    LiftCap,
    NextSpeaker,
    OpenRound,
    React,
    RecordDissent,
    RemoveMember,
    RestoreCap,
    SetDeadline,
    SettleObjection,
    TablePerspective,
    WithdrawProposal,
)
from deliberation.ids import DissentId, PerspectiveId, StatementId
from tests.builders import ALICE, BOB, OLIVE, STRANGER, T0, TRUST_A, given_room

ROUND_COMMANDS: list[tuple[Command, RoundKind]] = [
    (AddStatement(StatementId("s"), "A statement."), RoundKind.SURFACE_CONFLICT),
    (React(StatementId("s"), Reaction.AGREE), RoundKind.SURFACE_CONFLICT),
    (
        TablePerspective(PerspectiveId("p"), PerspectiveKind.RISK, "A risk."),
        RoundKind.WEIGH_PERSPECTIVES,
    ),
    (AllocatePoints(()), RoundKind.WEIGH_PERSPECTIVES),
    (RecordDissent(DissentId("d"), "No.", DissentKind.FORMAL_DISSENT), RoundKind.RECORD_DISSENT),
    (AnswerConsent(Position.CONSENT), RoundKind.CONSENT),
]


@pytest.mark.parametrize(("command", "home"), ROUND_COMMANDS, ids=lambda v: type(v).__name__)
@pytest.mark.parametrize("open_round", [None, *RoundKind], ids=str)
def test_round_commands_are_refused_outside_their_round(
    command: Command, home: RoundKind, open_round: RoundKind | None
) -> None:
    room = given_room(round=open_round)
    if open_round is home:
        if isinstance(command, React):
            room.do(AddStatement(StatementId("s"), "A statement."), BOB)
        assert room.do(command, ALICE)
        return
    with pytest.raises(Rejected) as refused:
        room.do(command, ALICE)
    assert refused.value.reason is Reason.WRONG_ROUND


@pytest.mark.parametrize(("command", "home"), ROUND_COMMANDS, ids=lambda v: type(v).__name__)
@pytest.mark.parametrize("who", [OLIVE, STRANGER])
def test_observers_and_strangers_take_no_part(command: Command, home: RoundKind, who: str) -> None:
    room = given_room(round=home)
    if isinstance(command, React):
        room.do(AddStatement(StatementId("s"), "A statement."), BOB)
    with pytest.raises(Rejected) as refused:
        room.do(command, who)  # type: ignore[arg-type]
    assert refused.value.reason is Reason.FORBIDDEN


FACILITATOR_COMMANDS: list[Command] = [
    OpenRound(RoundKind.SURFACE_CONFLICT),
    CloseRound(),
    SetDeadline(T0 + timedelta(days=1), "Later."),
    NextSpeaker(),
    GiveFloor(BOB, "Because."),
    ExtendSpeech(1000, "Because."),
    LiftCap(TRUST_A, "Because."),
    RestoreCap(TRUST_A),
    AcceptStatement(StatementId("s")),
    HideStatement(StatementId("s"), "Because."),
    SettleObjection(BOB),
    AmendProposal("Another text.", "Because."),
    WithdrawProposal("Because."),
    ChangeRules(RoomRules(speaking_cap=Fraction(1, 3)), "Because."),
    AdmitMember(STRANGER, "Sam", TRUST_A, "Trust A"),
    ChangeRole(BOB, Role.FACILITATOR),
    RemoveMember(BOB, "Because."),
]


@pytest.mark.parametrize("command", FACILITATOR_COMMANDS, ids=lambda c: type(c).__name__)
@pytest.mark.parametrize("who", [ALICE, OLIVE, STRANGER])
def test_facilitator_commands_are_refused_to_everyone_else(command: Command, who: str) -> None:
    room = given_room(round=RoundKind.SURFACE_CONFLICT)
    with pytest.raises(Rejected) as refused:
        room.do(command, who)  # type: ignore[arg-type]
    assert refused.value.reason is Reason.FORBIDDEN
