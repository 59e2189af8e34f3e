"""Evenfloor's deliberation core: rooms as folds over events. No I/O, no clock, no framework.

See ``docs/architecture.md`` (the contract the server relies on) and ``docs/rules.md``.
"""

from deliberation.balancing import Choice, choose
from deliberation.commands import COMMANDS, Command
from deliberation.context import Context
from deliberation.decide import decide
from deliberation.errors import DeliberationError, Reason, Rejected
from deliberation.events import EVENTS, Event, event_type, is_override
from deliberation.evolve import evolve, replay
from deliberation.exclusions import Exclusion, MeetingQuorum
from deliberation.fairness import fairness
from deliberation.ids import (
    DissentId,
    OrganisationId,
    ParticipantId,
    PerspectiveId,
    RoomId,
    StatementId,
)
from deliberation.polls import is_secret
from deliberation.projection import event_view, to_json, view
from deliberation.records import FairnessReport, OrganisationFairness, OverrideRecord
from deliberation.rules import (
    ObjectionRule,
    OrganisationBudget,
    OverrunAction,
    QuorumRule,
    RoomRules,
    RoundDeadline,
    VoteMode,
)
from deliberation.state import INITIAL, RoomState
from deliberation.surface import counted_reactions
from deliberation.timing import next_deadline
from deliberation.vocabulary import (
    DissentKind,
    Mode,
    Outcome,
    PerspectiveKind,
    Position,
    PublicationPolicy,
    Reaction,
    Role,
    RoundKind,
    SpeechKind,
)

view_for = view

__all__ = [
    "COMMANDS",
    "EVENTS",
    "INITIAL",
    "Choice",
    "Command",
    "Context",
    "DeliberationError",
    "DissentId",
    "DissentKind",
    "Event",
    "Exclusion",
    "FairnessReport",
    "MeetingQuorum",
    "Mode",
    "ObjectionRule",
    "OrganisationBudget",
    "OrganisationFairness",
    "OrganisationId",
    "Outcome",
    "OverrideRecord",
    "OverrunAction",
    "ParticipantId",
    "PerspectiveId",
    "PerspectiveKind",
    "Position",
    "PublicationPolicy",
    "QuorumRule",
    "Reaction",
    "Reason",
    "Rejected",
    "Role",
    "RoomId",
    "RoomRules",
    "RoomState",
    "RoundDeadline",
    "RoundKind",
    "SpeechKind",
    "StatementId",
    "VoteMode",
    "choose",
    "counted_reactions",
    "decide",
    "event_type",
    "event_view",
    "evolve",
    "fairness",
    "is_override",
    "is_secret",
    "next_deadline",
    "replay",
    "to_json",
    "view",
    "view_for",
]
