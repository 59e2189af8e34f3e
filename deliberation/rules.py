"""A room's rules: set at creation, changed only by a logged facilitator command with a reason."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from fractions import Fraction

from deliberation.ids import OrganisationId
from deliberation.vocabulary import RoundKind


class VoteMode(StrEnum):
    """How the consent count and the fairness report weigh people (``voting.WeightRules.mode``)."""

    CAPPED = "capped"
    ONE_ORG_ONE_VOTE = "one_org_one_vote"
    ONE_PERSON_ONE_VOTE = "one_person_one_vote"


class ObjectionRule(StrEnum):
    """How an objection stops blocking besides withdrawal by its author."""

    FACILITATOR_INTEGRATES_ONLY = "facilitator_integrates_only"
    SUPERMAJORITY_OF_ORGANISATIONS = "supermajority_of_organisations"


class OverrunAction(StrEnum):
    """What the clock does when a speech passes its limit."""

    END = "end"
    FLAG = "flag"


@dataclass(frozen=True, slots=True)
class OrganisationBudget:
    """Speaking time an organisation may use over the whole meeting (OpenSlides' contingents)."""

    organisation: OrganisationId
    ms: int


@dataclass(frozen=True, slots=True)
class QuorumRule:
    participants: int = 1
    organisations: int = 1


@dataclass(frozen=True, slots=True)
class RoundDeadline:
    round: RoundKind
    closes_at: datetime


@dataclass(frozen=True, slots=True)
class RoomRules:
    """Every number the balancing, timing and counting rules read.

    ``speaking_cap``: no organisation may hold more than this share of the floor time before
    the queue makes it wait (``None``: no cap; the queue still favours the least floor time).
    ``objection_supermajority``: under ``supermajority_of_organisations``, the share of the
    organisations that judged an objection whose "not paramount" weight resolves it.
    ``reminder_before_ms``: in rooms with deadlines, a ``reminder.due`` event this long before.
    ``proxy_needs_presence``: a facilitator may act only for members marked present in the room.
    ``cap_grace_ms``: how long a speech may go on after its organisation reached the speaking
    cap while someone under the cap waits, before the ``overrun`` action applies.
    ``rounds``: the rounds this room runs, in order (a board's item may run consent only, or
    surface conflict and weigh perspectives for a discussion); fixed when the room is created.
    """

    speaking_cap: Fraction | None = None
    speech_limit_ms: int = 180_000
    reply_limit_ms: int = 60_000
    point_of_order_limit_ms: int = 30_000
    organisation_budgets: tuple[OrganisationBudget, ...] = ()
    overrun: OverrunAction = OverrunAction.END
    vote_mode: VoteMode = VoteMode.ONE_PERSON_ONE_VOTE
    vote_cap: Fraction | None = None
    quorum: QuorumRule = QuorumRule()
    points_budget: int = 10
    objection_rule: ObjectionRule = ObjectionRule.FACILITATOR_INTEGRATES_ONLY
    objection_supermajority: Fraction = Fraction(2, 3)
    statement_max_length: int = 280
    text_max_length: int = 4000
    premoderate_statements: bool = False
    proxy_needs_presence: bool = False
    reminder_before_ms: int = 86_400_000
    cap_grace_ms: int = 30_000
    rounds: tuple[RoundKind, ...] = tuple(RoundKind)

    def budget_for(self, organisation: OrganisationId) -> int | None:
        for budget in self.organisation_budgets:
            if budget.organisation == organisation:
                return budget.ms
        return None


def problems(rules: RoomRules) -> list[str]:
    """Why these rules cannot be used (empty when they can)."""
    found: list[str] = []
    if rules.speaking_cap is not None and not 0 < rules.speaking_cap <= 1:
        found.append("speaking_cap must be a share above 0 and at most 1")
    if rules.vote_cap is not None and not 0 < rules.vote_cap <= 1:
        found.append("vote_cap must be a share above 0 and at most 1")
    if rules.vote_mode is VoteMode.CAPPED and rules.vote_cap is None:
        found.append("the capped vote mode needs a vote_cap")
    limits = (rules.speech_limit_ms, rules.reply_limit_ms, rules.point_of_order_limit_ms)
    if min(limits) <= 0:
        found.append("speech limits must be positive")
    orgs = [b.organisation for b in rules.organisation_budgets]
    if len(set(orgs)) != len(orgs) or any(b.ms <= 0 for b in rules.organisation_budgets):
        found.append("organisation budgets must be positive and one per organisation")
    if rules.quorum.participants < 0 or rules.quorum.organisations < 0:
        found.append("quorum figures cannot be negative")
    if rules.points_budget <= 0:
        found.append("points_budget must be positive")
    if not Fraction(1, 2) < rules.objection_supermajority <= 1:
        found.append("objection_supermajority must be above 1/2 and at most 1")
    if rules.statement_max_length <= 0 or rules.text_max_length <= 0:
        found.append("text limits must be positive")
    found.extend(f"{name} cannot be negative" for name in _negative_durations(rules))
    order = list(RoundKind)
    if not rules.rounds or sorted(set(rules.rounds), key=order.index) != list(rules.rounds):
        found.append("rounds must list at least one round, each once, in the rounds' order")
    return found


def _negative_durations(rules: RoomRules) -> list[str]:
    durations = {"reminder_before_ms": rules.reminder_before_ms, "cap_grace_ms": rules.cap_grace_ms}
    return [name for name, ms in durations.items() if ms < 0]
