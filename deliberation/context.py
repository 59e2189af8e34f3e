"""Who issues a command, and when. The shell stamps both at the edge."""

from dataclasses import dataclass
from datetime import datetime

from deliberation.ids import ParticipantId


@dataclass(frozen=True, slots=True)
class Context:
    """``actor`` is ``None`` for the system (timers, deadlines, the server itself).

    ``acting_for`` is set when a facilitator acts for a participant who is in the room: the
    events then record both (``by`` = actor, ``participant`` = acting_for).
    """

    actor: ParticipantId | None
    at: datetime
    acting_for: ParticipantId | None = None
