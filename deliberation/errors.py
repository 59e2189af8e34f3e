"""Domain refusals.

Hierarchy::

    DeliberationError          base class of every error the core raises on purpose
     └── Rejected              a command is not allowed in this state; nothing happened

``Rejected.reason`` is a stable code (``Reason``) that the shell maps to HTTP 409 or a
WebSocket ``rejected`` frame and that templates translate; ``Rejected.message`` is a plain
sentence for a person (English, for logs and API clients). Any other exception from the
core is a bug.
"""

from enum import StrEnum


class Reason(StrEnum):
    WRONG_ROUND = "wrong_round"  # the command belongs to another round, or no round is open
    NOT_YOUR_TURN = "not_your_turn"  # the floor is someone else's, or nobody may be granted
    OVER_CAP = "over_cap"  # the organisation is at or over its speaking cap or time budget
    OVER_BUDGET = "over_budget"  # more points than the participant's budget
    FORBIDDEN = "forbidden"  # the actor's role does not allow it
    INVALID = "invalid"  # bad input: empty or too-long text, missing reason, bad numbers
    NOT_FOUND = "not_found"  # unknown member, statement, perspective, dissent or objection
    CONFLICT = "conflict"  # already done, already exists, already decided, someone speaking
    NO_QUORUM = "no_quorum"  # the consent round cannot close: too few people or organisations


class DeliberationError(Exception):
    """Base class of the core's deliberate errors."""


class Rejected(DeliberationError):
    """A command was refused. No event was produced."""

    def __init__(self, reason: Reason, message: str) -> None:
        super().__init__(f"{reason.value}: {message}")
        self.reason = reason
        self.message = message


__all__ = ["DeliberationError", "Reason", "Rejected"]
