"""Round record_dissent: dissent is recorded, withdrawn by its author, never deleted."""

import pytest

from deliberation import DissentKind, Reason, Rejected, RoundKind
from deliberation.commands import RecordDissent, WithdrawDissent
from deliberation.events import DissentRecorded, DissentWithdrawn
from deliberation.ids import DissentId
from tests.builders import ALICE, BOB, CAROL, CHARITY, FACILITATOR, at, given_room

D1 = DissentId("d1")


def test_a_dissent_is_recorded_with_reasons() -> None:
    room = given_room(round=RoundKind.RECORD_DISSENT)
    assert room.do(
        RecordDissent(D1, "Carers were not consulted.", DissentKind.MINORITY_VIEW), CAROL, at(2)
    ) == [
        DissentRecorded(
            D1,
            DissentKind.MINORITY_VIEW,
            "Carers were not consulted.",
            CAROL,
            CHARITY,
            CAROL,
            at(2),
        )
    ]


def test_dissent_belongs_to_its_round_and_needs_reasons() -> None:
    room = given_room(round=RoundKind.WEIGH_PERSPECTIVES)
    with pytest.raises(Rejected) as refused:
        room.do(RecordDissent(D1, "No."), CAROL)
    assert refused.value.reason is Reason.WRONG_ROUND
    room = given_room(round=RoundKind.RECORD_DISSENT)
    with pytest.raises(Rejected) as refused:
        room.do(RecordDissent(D1, "  "), CAROL)
    assert refused.value.reason is Reason.INVALID


def test_withdrawal_is_a_new_event_and_the_dissent_stays() -> None:
    room = given_room(round=RoundKind.RECORD_DISSENT)
    room.do(RecordDissent(D1, "Carers were not consulted."), CAROL)
    assert room.do(WithdrawDissent(D1), CAROL, at(9)) == [DissentWithdrawn(D1, CAROL, CAROL, at(9))]
    record = room.state.dissents[D1]
    assert record.text == "Carers were not consulted."
    assert record.withdrawn_at == at(9)
    with pytest.raises(Rejected) as refused:
        room.do(WithdrawDissent(D1), CAROL)
    assert refused.value.reason is Reason.CONFLICT


def test_only_the_author_withdraws_a_dissent() -> None:
    room = given_room(round=RoundKind.RECORD_DISSENT)
    room.do(RecordDissent(D1, "Carers were not consulted."), CAROL)
    for actor, acting_for in ((BOB, None), (FACILITATOR, None), (ALICE, CAROL)):
        with pytest.raises(Rejected) as refused:
            room.do(WithdrawDissent(D1), actor, acting_for=acting_for)
        assert refused.value.reason is Reason.FORBIDDEN
    [event] = room.do(WithdrawDissent(D1), FACILITATOR, acting_for=CAROL)
    assert isinstance(event, DissentWithdrawn)
    assert (event.participant, event.by) == (CAROL, FACILITATOR)


def test_withdrawing_an_unknown_dissent_is_refused() -> None:
    with pytest.raises(Rejected) as refused:
        given_room().do(WithdrawDissent(D1), CAROL)
    assert refused.value.reason is Reason.NOT_FOUND
