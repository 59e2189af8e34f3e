"""Notifications that reach people: email, in-app items and webhooks from one outbox.

See docs/notifications.md. ``Notifications`` (``service``) is the entry point.
"""

from server.notifications.kinds import Kind
from server.notifications.meetings import Meeting
from server.notifications.service import Notifications

__all__ = ["Kind", "Meeting", "Notifications"]
