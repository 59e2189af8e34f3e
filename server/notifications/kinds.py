"""What Evenfloor tells people, and how each kind is named in email subjects.

Room kinds come from room events (``server.notifications.room_events``); meeting kinds from
the boards-and-meetings feature (``server.notifications.meetings``); ``invitation`` from an
invitation created with an address; ``digest`` is a member's daily summary of held kinds.
"""

from __future__ import annotations

from enum import StrEnum

from server.web.i18n import N_


class Kind(StrEnum):
    INVITATION = "invitation"
    ROUND_OPENED = "round_opened"
    REMINDER = "reminder"
    ROUND_CLOSED = "round_closed"
    DECISION_REACHED = "decision_reached"
    DECISION_PUBLISHED = "decision_published"
    MEETING_SCHEDULED = "meeting_scheduled"
    MEETING_CHANGED = "meeting_changed"
    AGENDA_PUBLISHED = "agenda_published"
    ACTION_ASSIGNED = "action_assigned"
    ACTION_OVERDUE = "action_overdue"
    MINUTES_APPROVED = "minutes_approved"
    DIGEST = "digest"


# Kinds a member can turn off or fold into the daily digest (an invitation goes to an
# address that has no preferences yet; a digest is the digest).
CHOOSABLE = tuple(kind for kind in Kind if kind not in (Kind.INVITATION, Kind.DIGEST))
MEETING_KINDS = frozenset(
    {
        Kind.MEETING_SCHEDULED,
        Kind.MEETING_CHANGED,
        Kind.AGENDA_PUBLISHED,
        Kind.ACTION_ASSIGNED,
        Kind.ACTION_OVERDUE,
        Kind.MINUTES_APPROVED,
    }
)
# The preference kind of the one-click "unsubscribe from everything".
EVERYTHING = "*"
MODES = ("instant", "digest", "off")

LABELS: dict[Kind, str] = {
    Kind.INVITATION: N_("Invitations"),
    Kind.ROUND_OPENED: N_("A round opened"),
    Kind.REMINDER: N_("Reminders before a deadline"),
    Kind.ROUND_CLOSED: N_("A round closed"),
    Kind.DECISION_REACHED: N_("A decision was reached"),
    Kind.DECISION_PUBLISHED: N_("A decision log was published"),
    Kind.MEETING_SCHEDULED: N_("A meeting was scheduled"),
    Kind.MEETING_CHANGED: N_("A meeting changed"),
    Kind.AGENDA_PUBLISHED: N_("An agenda was published"),
    Kind.ACTION_ASSIGNED: N_("An action was assigned to you"),
    Kind.ACTION_OVERDUE: N_("An action is overdue"),
    Kind.MINUTES_APPROVED: N_("Minutes were approved"),
    Kind.DIGEST: N_("Daily digest"),
}

# Subjects take %(title)s (the room's or the meeting's) and nothing private.
SUBJECTS: dict[Kind, str] = {
    Kind.INVITATION: N_("You are invited to %(title)s"),
    Kind.ROUND_OPENED: N_("A round opened in %(title)s"),
    Kind.REMINDER: N_("Reminder: %(title)s closes soon"),
    Kind.ROUND_CLOSED: N_("A round closed in %(title)s"),
    Kind.DECISION_REACHED: N_("A decision was reached in %(title)s"),
    Kind.DECISION_PUBLISHED: N_("The decision log of %(title)s was published"),
    Kind.MEETING_SCHEDULED: N_("Meeting scheduled: %(title)s"),
    Kind.MEETING_CHANGED: N_("Meeting changed: %(title)s"),
    Kind.AGENDA_PUBLISHED: N_("Agenda published: %(title)s"),
    Kind.ACTION_ASSIGNED: N_("An action for you: %(title)s"),
    Kind.ACTION_OVERDUE: N_("Overdue action: %(title)s"),
    Kind.MINUTES_APPROVED: N_("Minutes approved: %(title)s"),
    Kind.DIGEST: N_("Your Evenfloor digest: %(title)s"),
}
