"""The room and its members: creation, admission, roles, removal, and rule changes."""

from dataclasses import replace
from fractions import Fraction
from itertools import pairwise

from deliberation import rounds
from deliberation._guards import active_member, facilitator, is_facilitator, reason, text
from deliberation.commands import (
    AdmitMember,
    ChangeRole,
    ChangeRules,
    CreateRoom,
    MarkPresence,
    RemoveMember,
)
from deliberation.context import Context
from deliberation.errors import Reason, Rejected
from deliberation.events import (
    Event,
    MemberAdmitted,
    MemberRemoved,
    PresenceMarked,
    RoleChanged,
    RoomCreated,
    RulesChanged,
)
from deliberation.evolve import replay
from deliberation.floor import end_current, end_paused
from deliberation.ids import ParticipantId
from deliberation.rules import RoomRules, problems
from deliberation.state import RoomState
from deliberation.vocabulary import ROUND_ORDER, Mode, Role, SpeechEnding


def _usable(rules: RoomRules) -> None:
    found = problems(rules)
    if found:
        raise Rejected(Reason.INVALID, "; ".join(found) + ".")


def _check_plan(command: CreateRoom, ctx: Context) -> None:
    """Asynchronous rooms need a deadline per round, in round order, all in the future."""
    kinds = [d.round for d in command.deadlines]
    if len(set(kinds)) != len(kinds):
        raise Rejected(Reason.INVALID, "One deadline per round.")
    if any(d.closes_at.tzinfo is None or d.closes_at <= ctx.at for d in command.deadlines):
        raise Rejected(Reason.INVALID, "Deadlines must lie in the future (with a zone).")
    ordered = sorted(command.deadlines, key=lambda d: ROUND_ORDER.index(d.round))
    moments = [d.closes_at for d in ordered]
    if any(later <= earlier for earlier, later in pairwise(moments)):
        raise Rejected(Reason.INVALID, "Each round's deadline must come after the previous one.")
    if command.mode is Mode.ASYNCHRONOUS and set(kinds) != set(command.rules.rounds):
        raise Rejected(Reason.INVALID, "An asynchronous room needs a deadline for every round.")


def create_room(state: RoomState, command: CreateRoom, ctx: Context) -> list[Event]:
    if state.room is not None:
        raise Rejected(Reason.CONFLICT, "This room exists already.")
    if ctx.actor is None:
        raise Rejected(Reason.FORBIDDEN, "A room is created by the person who will own it.")
    title = text(command.title, 200, "title")
    proposal = text(command.proposal, command.rules.text_max_length * 4, "proposal")
    name = text(command.owner_name, 200, "display name")
    organisation_name = text(command.organisation_name, 200, "organisation name")
    if not command.organisation.strip() or not command.room.strip():
        raise Rejected(Reason.INVALID, "The room and the organisation need ids.")
    _usable(command.rules)
    _check_plan(command, ctx)
    events: list[Event] = [
        RoomCreated(
            room=command.room,
            title=title,
            proposal=proposal,
            mode=command.mode,
            publication=command.publication,
            rules=command.rules,
            deadlines=command.deadlines,
            owner=ctx.actor,
            at=ctx.at,
        ),
        MemberAdmitted(
            participant=ctx.actor,
            display_name=name,
            organisation=command.organisation,
            organisation_name=organisation_name,
            role=Role.OWNER,
            vote_weight=Fraction(1),
            by=ctx.actor,
            at=ctx.at,
        ),
    ]
    if command.mode is Mode.ASYNCHRONOUS:
        created = replay(events, start=state)
        first = command.rules.rounds[0]
        events.extend(rounds.opening_events(created, first, None, ctx.at))
    return events


def _owner_only(state: RoomState, ctx: Context, *roles: Role) -> None:
    if Role.OWNER in roles and ctx.actor is not None:
        actor = state.members.get(ctx.actor)
        if actor is None or actor.role is not Role.OWNER:
            raise Rejected(Reason.FORBIDDEN, "Only an owner may make or unmake an owner.")


def admit_member(state: RoomState, command: AdmitMember, ctx: Context) -> list[Event]:
    by = facilitator(state, ctx)
    _owner_only(state, ctx, command.role)
    existing = state.members.get(command.participant)
    if existing is not None and existing.active:
        raise Rejected(Reason.CONFLICT, "Already a member of this room.")
    name = text(command.display_name, 200, "display name")
    organisation_name = text(command.organisation_name, 200, "organisation name")
    if not command.participant.strip() or not command.organisation.strip():
        raise Rejected(Reason.INVALID, "A member needs a participant id and an organisation id.")
    if command.vote_weight <= 0:
        raise Rejected(Reason.INVALID, "A vote weight must be positive.")
    return [
        MemberAdmitted(
            participant=command.participant,
            display_name=name,
            organisation=command.organisation,
            organisation_name=organisation_name,
            role=command.role,
            vote_weight=command.vote_weight,
            by=by,
            at=ctx.at,
        )
    ]


def _owners(state: RoomState) -> list[ParticipantId]:
    return [m.participant for m in state.members.values() if m.active and m.role is Role.OWNER]


def change_role(state: RoomState, command: ChangeRole, ctx: Context) -> list[Event]:
    by = facilitator(state, ctx)
    member = active_member(state, command.participant)
    _owner_only(state, ctx, command.role, member.role)
    if member.role is command.role:
        raise Rejected(Reason.CONFLICT, f"{member.display_name} is {command.role.value} already.")
    if member.role is Role.OWNER and _owners(state) == [member.participant]:
        raise Rejected(Reason.CONFLICT, "A room keeps at least one owner.")
    return [
        RoleChanged(
            command.participant, command.role, member.role, command.reason.strip(), by, ctx.at
        )
    ]


def mark_presence(state: RoomState, command: MarkPresence, ctx: Context) -> list[Event]:
    member = active_member(state, command.participant)
    if ctx.actor != member.participant and not is_facilitator(state, ctx.actor):
        raise Rejected(Reason.FORBIDDEN, "Only a facilitator marks someone else present.")
    if member.present is command.present:
        raise Rejected(Reason.CONFLICT, "Already marked so.")
    return [PresenceMarked(member.participant, command.present, ctx.actor, ctx.at)]


def remove_member(state: RoomState, command: RemoveMember, ctx: Context) -> list[Event]:
    by = facilitator(state, ctx)
    why = reason(command.reason)
    member = active_member(state, command.participant)
    if member.role is Role.OWNER:
        raise Rejected(Reason.CONFLICT, "Change the owner's role before removing them.")
    events: list[Event] = []
    speech = state.floor.speech
    if speech is not None and speech.participant == member.participant:
        events.extend(end_current(state, ctx.at, SpeechEnding.MEMBER_REMOVED, by))
    events.extend(end_paused(state, member.participant, ctx.at, by))
    events.append(MemberRemoved(member.participant, why, by, ctx.at))
    return events


def change_rules(state: RoomState, command: ChangeRules, ctx: Context) -> list[Event]:
    by = facilitator(state, ctx)
    why = reason(command.reason)
    # The rounds a room runs are fixed at creation: a rules form that knows nothing of them
    # must not turn a consent-only item into four rounds.
    rules = replace(command.rules, rounds=state.rules.rounds)
    _usable(rules)
    if rules == state.rules:
        raise Rejected(Reason.CONFLICT, "These are the rules already.")
    return [RulesChanged(rules, why, by, ctx.at)]
