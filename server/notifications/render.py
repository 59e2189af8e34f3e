"""Messages from templates: plain text and HTML, in the member's language, with the headers
that make them behave (a stable Message-ID, RFC 8058 one-click unsubscribe).

Templates live in ``web/templates/email/<kind>.txt`` and ``.html`` and see the row's
payload as ``p``: only what was put there at enqueue (room titles, round names, times,
outcomes, links), never a statement, a dissent or a ballot, so a message carries nothing a
member could not already see in the room's public header.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, parseaddr
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_datetime as babel_datetime
from jinja2 import Environment, FileSystemLoader, select_autoescape

from server.notifications.kinds import LABELS, SUBJECTS, Kind
from server.notifications.tokens import unsubscribe_token
from server.notifications.transports import Outbound
from server.web.i18n import DEFAULT_LOCALE, available, catalogue
from server.web.views import OUTCOMES, ROLES, ROUND_LABELS


@dataclass(frozen=True, slots=True)
class Rendered:
    subject: str
    text: str
    html: str


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str
    content_type: str  # e.g. "text/calendar; method=REQUEST"
    data: bytes


@dataclass(frozen=True, slots=True)
class Job:
    """Everything one email needs, as plain data (it may be rendered in another process)."""

    notification_id: uuid.UUID
    message_id: str
    kind: str
    payload: dict[str, Any]
    locale: str
    to: str
    to_name: str = ""
    user_id: uuid.UUID | None = None
    attachments: tuple[Attachment, ...] = ()
    date: datetime | None = None


def message_id(notification_id: uuid.UUID, sender: str) -> str:
    """Fixed when the row is written, so a resend after a crash repeats it exactly."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "evenfloor.invalid"
    return f"<{notification_id.hex}@{domain}>"


class Templates:
    def __init__(self, template_dir: Path, public_url: str, sender: str, secret: str) -> None:
        self.template_dir = template_dir
        self.public_url = public_url.rstrip("/")
        self.sender = sender
        self.secret = secret

    @cache  # noqa: B019 (one per locale, for the app's lifetime)
    def environment(self, locale: str) -> Environment:
        env = Environment(
            loader=FileSystemLoader(self.template_dir),
            autoescape=select_autoescape(enabled_extensions=("html",), default=False),
            extensions=["jinja2.ext.i18n"],
            keep_trailing_newline=True,
        )
        env.install_gettext_translations(catalogue(locale), newstyle=True)  # type: ignore[attr-defined]
        env.globals.update(
            link=self.link,
            when=lambda iso, tz="UTC": self.when(iso, tz, locale),
            round_label=lambda kind: catalogue(locale).ugettext(ROUND_LABELS.get(kind) or kind),
            outcome_label=lambda o: catalogue(locale).ugettext(OUTCOMES.get(o) or o),
            role_label=lambda r: catalogue(locale).ugettext(ROLES.get(r) or r),
            kind_label=lambda k: catalogue(locale).ugettext(LABELS.get(Kind(k)) or k),
        )
        return env

    def link(self, path: str) -> str:
        return path if path.startswith(("http://", "https://")) else self.public_url + path

    @staticmethod
    def when(iso: str | None, tz: str, locale: str) -> str:
        if not iso:
            return ""
        moment = datetime.fromisoformat(iso)
        try:
            zone = ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            zone = ZoneInfo("UTC")
        return f"{babel_datetime(moment.astimezone(zone), 'medium', locale=locale)} ({tz})"

    @staticmethod
    def subject(kind: str, payload: dict[str, Any], locale: str) -> str:
        title = str(payload.get("title", ""))
        subject = catalogue(locale).ugettext(SUBJECTS[Kind(kind)]) % {"title": title}
        return " ".join(subject.split())  # one line: no header injection through a title

    def render(self, kind: str, payload: dict[str, Any], locale: str, **extra: Any) -> Rendered:
        locale = locale if locale in available() else DEFAULT_LOCALE
        env = self.environment(locale)
        context = {"p": payload, "kind": kind, "locale": locale, **extra}
        return Rendered(
            subject=self.subject(kind, payload, locale),
            text=env.get_template(f"email/{kind}.txt").render(context),
            html=env.get_template(f"email/{kind}.html").render(context),
        )

    def unsubscribe_url(self, user_id: uuid.UUID, kind: str) -> str:
        return f"{self.public_url}/unsubscribe/{unsubscribe_token(self.secret, user_id, kind)}"

    def email(
        self,
        *,
        notification_id: uuid.UUID,
        message_id: str,
        kind: str,
        payload: dict[str, Any],
        locale: str,
        to: str,
        to_name: str = "",
        user_id: uuid.UUID | None = None,
        attachments: tuple[Attachment, ...] = (),
        date: datetime | None = None,
    ) -> EmailMessage:
        unsubscribe = self.unsubscribe_url(user_id, kind) if user_id is not None else None
        rendered = self.render(
            kind,
            payload,
            locale,
            unsubscribe_url=unsubscribe,
            preferences_url=f"{self.public_url}/notifications",
        )
        message = EmailMessage()
        message["Subject"] = rendered.subject
        message["From"] = self.sender
        message["To"] = formataddr((to_name, to)) if to_name else to
        message["Message-ID"] = message_id
        message["Date"] = format_datetime(date or datetime.now(UTC))
        message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies
        message["X-Evenfloor-Notification"] = str(notification_id)
        message["X-Evenfloor-Kind"] = kind
        if unsubscribe is not None:
            # RFC 8058: a mail client may POST "List-Unsubscribe=One-Click" to this URL.
            message["List-Unsubscribe"] = f"<{unsubscribe}>"
            message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        message["Content-Language"] = locale
        message.set_content(rendered.text)
        message.add_alternative(rendered.html, subtype="html")
        for attachment in attachments:
            maintype, _, rest = attachment.content_type.partition("/")
            subtype, *params = [part.strip() for part in rest.split(";")]
            extra = dict(param.split("=", 1) for param in params if "=" in param)
            message.add_attachment(
                attachment.data,
                maintype=maintype,
                subtype=subtype,
                filename=attachment.filename,
                params=extra,
            )
        return message

    def outbound(self, job: Job) -> Outbound:
        """The job as the bytes the mail server gets (CRLF line ends, as SMTP wants)."""
        message = self.email(
            notification_id=job.notification_id,
            message_id=job.message_id,
            kind=job.kind,
            payload=job.payload,
            locale=job.locale,
            to=job.to,
            to_name=job.to_name,
            user_id=job.user_id,
            attachments=job.attachments,
            date=job.date,
        )
        return Outbound(
            sender=parseaddr(self.sender)[1],
            recipient=job.to,
            message_id=job.message_id,
            subject=str(message["Subject"]),
            data=message.as_bytes(policy=policy.SMTP),
        )
