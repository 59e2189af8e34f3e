"""The speaking cap binds time: the warning, the grace, the overrun action, and 1/n."""

from datetime import timedelta
from fractions import Fraction

from deliberation import RoomRules, fairness, next_deadline, view
from deliberation.balancing import cap_in_force, contested_from_ms
from deliberation.commands import EndSpeech, LiftCap, LowerHand, NextSpeaker, RaiseHand, Tick
from deliberation.events import SpeechCapFlagged, SpeechCapReached, SpeechEnded
from deliberation.rules import OverrunAction
from deliberation.vocabulary import SpeechEnding, SpeechKind
from tests.builders import ALICE, BOB, CAROL, T0, TRUST_A, Room, given_room, types

CAP = Fraction(3, 10)


def a_room(**rules: object) -> Room:
    return given_room(RoomRules(speaking_cap=CAP, **rules))  # type: ignore[arg-type]


def speak(room: Room, who: str, seconds: float) -> None:
    room.do(RaiseHand(), who)  # type: ignore[arg-type]
    room.do(NextSpeaker())
    room.later(seconds)
    room.do(EndSpeech(), who)  # type: ignore[arg-type]


def test_the_speaker_is_warned_when_the_cap_is_reached_and_ended_after_the_grace() -> None:
    room = a_room(cap_grace_ms=10_000)
    speak(room, BOB, 10)  # Trust B 10 s
    speak(room, CAROL, 10)  # Charity 10 s
    room.do(RaiseHand(), ALICE)  # three organisations asked: the cap in force is 1/3
    room.do(NextSpeaker())
    assert contested_from_ms(room.state.floor, room.state.rules) is None  # nobody waits
    room.do(RaiseHand(), BOB)
    # Alice reaches 1/3 after 10 s; Trust B (half the floor so far) falls under 1/3 just after.
    assert contested_from_ms(room.state.floor, room.state.rules) == 10_001
    due = next_deadline(room.state)
    assert due == room.clock + timedelta(milliseconds=10_001)
    room.later(10.001)
    [warning] = room.do(Tick(), None)
    assert isinstance(warning, SpeechCapReached)
    assert warning.cap == Fraction(1, 3)
    assert warning.grace_ends_at == due + timedelta(seconds=10)
    speech_view = view(room.state, ALICE)["floor"]["speech"]
    assert speech_view["cap_warning"]["grace_ends_at"] == warning.grace_ends_at.isoformat()
    assert next_deadline(room.state) == warning.grace_ends_at
    room.later(12)  # the clock ticks late: the speech counts only up to the grace's end
    [ended] = room.do(Tick(), None)
    assert isinstance(ended, SpeechEnded)
    assert ended.ending is SpeechEnding.CAP_GRACE_OVER
    assert ended.duration_ms == 20_001
    account = room.state.floor.over_cap[TRUST_A]
    assert account.grace_ms == 10_000
    assert account.uncontested_ms == 1  # at 1/3 from 10 s, warned at 10.001 s
    assert room.do(Tick(), None) == []


def test_a_room_that_flags_marks_the_speech_and_lets_it_go_on() -> None:
    room = a_room(cap_grace_ms=5_000, overrun=OverrunAction.FLAG)
    room.do(RaiseHand(), ALICE)
    room.do(NextSpeaker())
    room.do(RaiseHand(), BOB)  # the first speaker holds all the floor from the first moment
    assert next_deadline(room.state) == room.clock
    warning, *rest = room.do(Tick(), None)
    assert isinstance(warning, SpeechCapReached)
    assert rest == []
    room.later(5)
    assert types(room.do(Tick(), None)) == ["speech.cap_flagged"]
    assert room.state.floor.speech is not None
    assert room.state.floor.speech.cap_flagged
    room.later(5)
    room.do(EndSpeech(), ALICE)
    account = room.state.floor.over_cap[TRUST_A]
    assert (account.grace_ms, account.flagged_ms, account.uncontested_ms) == (5_000, 5_000, 0)
    assert any(isinstance(e, SpeechCapFlagged) for e in room.events)


def test_the_grace_stops_when_nobody_under_the_cap_waits_and_is_not_given_twice() -> None:
    room = a_room(cap_grace_ms=5_000)
    room.do(RaiseHand(), ALICE)
    room.do(NextSpeaker())
    room.do(RaiseHand(), BOB)
    room.do(Tick(), None)  # warned at once
    room.later(2)
    room.do(LowerHand(SpeechKind.SPEECH), BOB)
    room.later(10)  # past the grace, but nobody waits: the speech goes on
    assert room.do(Tick(), None) == []
    assert next_deadline(room.state) == T0 + timedelta(milliseconds=180_000)
    room.do(RaiseHand(), BOB)  # someone under the cap waits again: no second grace
    assert next_deadline(room.state) == room.clock
    [ended] = room.do(Tick(), None)
    assert isinstance(ended, SpeechEnded)
    assert ended.ending is SpeechEnding.CAP_GRACE_OVER
    assert ended.duration_ms == 12_000


def test_a_lifted_cap_is_never_warned_and_its_time_is_counted_as_lifted() -> None:
    room = a_room()
    room.do(LiftCap(TRUST_A, "Presenting the business case."))
    room.do(RaiseHand(), ALICE)
    room.do(NextSpeaker())
    room.do(RaiseHand(), BOB)
    assert next_deadline(room.state) == T0 + timedelta(milliseconds=180_000)
    room.later(60)
    room.do(EndSpeech(), ALICE)
    assert room.state.floor.over_cap[TRUST_A].lifted_ms == 60_000


def test_the_cap_is_raised_to_one_over_n_when_too_few_organisations_ask() -> None:
    room = a_room()
    assert cap_in_force(room.state.floor, room.state.rules) == CAP  # nobody asked yet
    room.do(RaiseHand(), ALICE)
    assert cap_in_force(room.state.floor, room.state.rules) == 1  # one asked: 1 x 3/10 < 1
    room.do(RaiseHand(), BOB)
    room.do(RaiseHand(), CAROL)
    assert cap_in_force(room.state.floor, room.state.rules) == Fraction(1, 3)
    report = fairness(room.state)
    assert report.speaking_cap_in_force == Fraction(1, 3)
    assert report.organisations_asked == 3
    assert "raised to 1/3" in report.speaking_explanation[0]
    assert view(room.state, None)["floor"]["cap_in_force"] == "1/3"


def test_one_organisation_asking_holds_the_whole_floor_uncontested() -> None:
    room = a_room()
    speak(room, ALICE, 30)
    assert cap_in_force(room.state.floor, room.state.rules) == 1
    report = fairness(room.state)
    [trust_a] = [row for row in report.organisations if row.organisation == TRUST_A]
    assert trust_a.over_cap_ms == 0


def test_a_late_clock_buys_no_floor_time_over_the_cap() -> None:
    room = a_room(cap_grace_ms=5_000)
    room.do(RaiseHand(), ALICE)
    room.do(NextSpeaker())
    room.do(RaiseHand(), BOB)  # contested from the first moment; the clock never ticks
    room.later(40)
    warning, ended = room.do(EndSpeech(), ALICE)
    assert isinstance(warning, SpeechCapReached)  # the warning it was owed, at its moment
    assert warning.reached_at == T0
    assert isinstance(ended, SpeechEnded)
    assert ended.ending is SpeechEnding.YIELDED
    assert ended.duration_ms == 5_000  # counted up to the end of the grace
    assert room.state.floor.over_cap[TRUST_A].grace_ms == 5_000


def test_a_limit_flagged_at_the_cap_s_moment_leaves_nothing_for_a_second_tick() -> None:
    room = a_room(cap_grace_ms=0, overrun=OverrunAction.FLAG, speech_limit_ms=1_000)
    room.do(RaiseHand(), ALICE)
    room.do(NextSpeaker())
    room.later(2)
    room.do(RaiseHand(), BOB)  # contested from now; the limit passed a second ago
    first = room.do(Tick(), None)
    assert types(first) == ["speech.overran", "speech.cap_reached", "speech.cap_flagged"]
    assert room.do(Tick(), None) == []
