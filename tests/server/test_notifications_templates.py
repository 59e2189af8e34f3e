"""Messages as people get them: every kind's subject, text and HTML; meeting messages
with their .ics; signed unsubscribe tokens; and mail settings that are refused at start."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from server.notifications.ics import event_ics
from server.notifications.kinds import MEETING_KINDS, Kind
from server.notifications.meetings import Meeting, NotAMeetingKind, meeting_items
from server.notifications.render import Attachment, Templates
from server.notifications.tokens import read_unsubscribe_token, unsubscribe_token
from server.settings import Settings, describe

ROOT = Path(__file__).resolve().parents[2]
SECRET = "test-secret-key-0123456789abcdef"
AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def templates() -> Templates:
    return Templates(
        ROOT / "web" / "templates", "https://evenfloor.test", "Evenfloor <n@evenfloor.test>", SECRET
    )


ROOM = {"title": "Valley <minibus>", "room": "r1", "path": "/rooms/r1"}
MEETING = {
    "title": "Board <meeting>",
    "meeting": "m1",
    "start": AT.isoformat(),
    "end": (AT + timedelta(hours=2)).isoformat(),
    "tz": "Europe/London",
    "location": "Town hall",
    "path": "/boards/b/meetings/m1",
    "action": "Call the operator",
    "due": (AT + timedelta(days=7)).isoformat(),
}
PAYLOADS: dict[Kind, dict[str, Any]] = {
    Kind.INVITATION: {
        "title": "Valley <minibus>",
        "link": "https://evenfloor.test/invitations/tok",
        "role": "participant",
        "inviter": "Ada",
        "expires_at": AT.isoformat(),
    },
    Kind.ROUND_OPENED: {**ROOM, "round": "weigh_perspectives", "closes_at": AT.isoformat()},
    Kind.REMINDER: {**ROOM, "round": "consent", "number": 4, "closes_at": AT.isoformat()},
    Kind.ROUND_CLOSED: {**ROOM, "round": "surface_conflict", "by_deadline": True},
    Kind.DECISION_REACHED: {**ROOM, "outcome": "consented_with_concerns"},
    Kind.DECISION_PUBLISHED: {**ROOM, "path": "/decisions/r1"},
    Kind.DIGEST: {
        "title": "2 updates",
        "items": [{"subject": "A round closed in X", "path": "/rooms/x"}],
    },
    **{kind: MEETING for kind in MEETING_KINDS},
}
SENTENCES = {
    Kind.INVITATION: "Ada invites you to take part",
    Kind.ROUND_OPENED: "Weigh perspectives",
    Kind.REMINDER: "you have not taken part yet",
    Kind.ROUND_CLOSED: "closed at its deadline",
    Kind.DECISION_REACHED: "Consented, with concerns",
    Kind.DECISION_PUBLISHED: "was published and signed",
    Kind.DIGEST: "A round closed in X",
    Kind.MEETING_SCHEDULED: "was scheduled",
    Kind.MEETING_CHANGED: "changed",
    Kind.AGENDA_PUBLISHED: "agenda",
    Kind.ACTION_ASSIGNED: "Call the operator",
    Kind.ACTION_OVERDUE: "is overdue",
    Kind.MINUTES_APPROVED: "minutes",
}


@pytest.mark.parametrize("kind", list(Kind))
def test_every_kind_renders_a_subject_text_and_html(kind: Kind) -> None:
    rendered = templates().render(
        kind, PAYLOADS[kind], "en", unsubscribe_url="https://u", preferences_url="https://p"
    )
    assert "\n" not in rendered.subject
    assert rendered.subject
    assert SENTENCES[kind] in rendered.text
    assert SENTENCES[kind] in rendered.html
    assert "https://u" in rendered.text  # the way out is in every message
    assert "https://p" in rendered.html
    # Titles are people's text: escaped in HTML, plain in the text part.
    title = str(PAYLOADS[kind]["title"])
    if "<" in title:
        assert title not in rendered.html
        assert title.replace("<", "&lt;").replace(">", "&gt;") in rendered.html
    path = PAYLOADS[kind].get("path")
    if path and kind is not Kind.DIGEST:
        assert f"https://evenfloor.test{path}" in rendered.text


def test_meeting_times_are_shown_in_the_meetings_zone() -> None:
    rendered = templates().render(
        Kind.MEETING_SCHEDULED, MEETING, "en", unsubscribe_url=None, preferences_url="p"
    )
    assert "9:00:00" in rendered.text  # 09:00 UTC is 09:00 in London in March
    assert "(Europe/London)" in rendered.text
    assert "Town hall" in rendered.text


def test_a_title_cannot_add_headers_to_a_message() -> None:
    message = templates().email(
        notification_id=uuid.uuid4(),
        message_id="<x@evenfloor.test>",
        kind=Kind.ROUND_OPENED,
        payload={**PAYLOADS[Kind.ROUND_OPENED], "title": "Hi\r\nBcc: everyone@example.org"},
        locale="en",
        to="ben@example.org",
        user_id=uuid.uuid4(),
    )
    parsed = message_from_bytes(bytes(message), policy=policy.default)
    assert parsed["Bcc"] is None
    assert parsed["Subject"] == "A round opened in Hi Bcc: everyone@example.org"


def test_a_meeting_scheduled_carries_an_ics_and_a_repeat_queues_nothing_new() -> None:
    meeting = Meeting(
        id="meeting-7",
        title="Board meeting",
        start=AT,
        end=AT + timedelta(hours=2),
        tz="Europe/London",
        location="Town hall",
        path="/boards/b/meetings/7",
        sequence=2,
    )
    ben, cy = uuid.uuid4(), uuid.uuid4()
    items = meeting_items(meeting, "meeting_scheduled", [ben, cy], now=AT, organizer="n@e.test")
    emails = [i for i in items if i.channel == "email"]
    assert sorted(i.user_id for i in emails) == sorted([ben, cy])  # type: ignore[type-var]
    assert len([i for i in items if i.channel == "inapp"]) == 2
    again = meeting_items(meeting, "meeting_scheduled", [ben, cy], now=AT)
    assert [i.dedupe_key for i in again] == [i.dedupe_key for i in items]
    changed = meeting_items(_with(meeting, sequence=3), "meeting_changed", [ben], now=AT)
    assert changed[0].dedupe_key != items[0].dedupe_key
    [attachment] = emails[0].payload["attachments"]
    message = templates().email(
        notification_id=emails[0].id,
        message_id="<m@evenfloor.test>",
        kind=emails[0].kind,
        payload=emails[0].payload,
        locale="en",
        to="ben@example.org",
        user_id=ben,
        attachments=(
            Attachment(
                attachment["filename"], attachment["content_type"], bytes.fromhex(attachment["hex"])
            ),
        ),
    )
    parsed = message_from_bytes(bytes(message), policy=policy.default)
    [calendar] = [p for p in parsed.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert calendar.get_param("method") == "REQUEST"
    ics = calendar.get_content()
    ics = ics if isinstance(ics, str) else ics.decode()
    assert "UID:meeting-7" in ics
    assert "SEQUENCE:2" in ics
    assert "DTSTART:20260302T090000Z" in ics
    assert "DTEND:20260302T110000Z" in ics
    assert "ORGANIZER:mailto:n@e.test" in ics
    # The text and HTML parts are still there beside it.
    assert parsed.get_body(preferencelist=("plain",)) is not None
    assert parsed.get_body(preferencelist=("html",)) is not None


def _with(meeting: Meeting, **changes: Any) -> Meeting:
    import dataclasses

    return dataclasses.replace(meeting, **changes)


def test_the_callers_own_ics_is_attached_as_given_and_other_kinds_have_none() -> None:
    meeting = Meeting(
        id="m",
        title="Board",
        start=AT,
        end=AT + timedelta(hours=1),
        ics=b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
    )
    [email, _inapp] = meeting_items(meeting, Kind.MEETING_CHANGED, [uuid.uuid4()], now=AT)
    assert bytes.fromhex(email.payload["attachments"][0]["hex"]) == meeting.ics
    [email, _inapp] = meeting_items(meeting, Kind.MINUTES_APPROVED, [uuid.uuid4()], now=AT)
    assert email.payload["attachments"] == []
    [email, _inapp] = meeting_items(
        meeting, Kind.ACTION_ASSIGNED, [uuid.uuid4()], now=AT, action="Call", due=AT, key="a1"
    )
    assert email.payload["action"] == "Call"
    assert email.dedupe_key is not None
    assert ":a1:" in email.dedupe_key
    with pytest.raises(NotAMeetingKind):
        meeting_items(meeting, Kind.ROUND_OPENED, [uuid.uuid4()], now=AT)


def _unfold(ics: bytes) -> list[str]:
    return ics.decode().replace("\r\n ", "").split("\r\n")


def _unescape(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            out.append({"n": "\n"}.get(text[i + 1], text[i + 1]))
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


@given(st.text(min_size=1, max_size=300).filter(lambda t: "\r" not in t))
def test_any_title_survives_the_ics_escaping_and_folding(title: str) -> None:
    ics = event_ics(uid="u", title=title, start=AT, end=AT + timedelta(hours=1), stamp=AT)
    assert all(len(line.encode()) <= 75 for line in ics.decode().split("\r\n"))
    [summary] = [line for line in _unfold(ics) if line.startswith("SUMMARY:")]
    assert _unescape(summary.removeprefix("SUMMARY:")) == title


def test_an_ics_needs_aware_times_in_order() -> None:
    with pytest.raises(ValueError, match="end after"):
        event_ics(uid="u", title="t", start=AT, end=AT, stamp=AT)
    with pytest.raises(ValueError, match="timezone"):
        event_ics(
            uid="u", title="t", start=AT.replace(tzinfo=None), end=AT + timedelta(1), stamp=AT
        )


def test_an_unsubscribe_token_names_one_account_and_kind_and_cannot_be_altered() -> None:
    user = uuid.uuid4()
    token = unsubscribe_token(SECRET, user, "reminder")
    assert read_unsubscribe_token(SECRET, token) == (user, "reminder")
    assert read_unsubscribe_token("another-secret", token) is None
    user_hex, kind, mac = token.split(".")
    assert read_unsubscribe_token(SECRET, f"{uuid.uuid4().hex}.{kind}.{mac}") is None
    assert read_unsubscribe_token(SECRET, f"{user_hex}.*.{mac}") is None
    assert read_unsubscribe_token(SECRET, "garbage") is None


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"smtp_from": "not an address"}, "EVENFLOOR_SMTP_FROM"),
        ({"smtp_tls": "sometimes"}, "EVENFLOOR_SMTP_TLS"),
        ({"smtp_port": 70000}, "EVENFLOOR_SMTP_PORT"),
        ({"smtp_user": "mailer"}, "go together"),
        (
            {
                "smtp_host": "mail.example.org",
                "smtp_tls": "none",
                "smtp_user": "u",
                "smtp_password": "p",
            },
            "in clear",
        ),
        ({"smtp_host": "mail example.org"}, "not a host name"),
    ],
)
def test_bad_mail_settings_are_refused_in_one_sentence(fields: dict[str, Any], says: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Settings(secret_key=SECRET, **fields)
    assert says in describe(caught.value)
    assert "\n" not in describe(caught.value)


def test_good_mail_settings_pick_the_usual_ports() -> None:
    assert Settings(secret_key=SECRET, smtp_host="m", smtp_tls="tls").resolved_smtp_port == 465
    assert Settings(secret_key=SECRET, smtp_host="m").resolved_smtp_port == 587
    assert Settings(secret_key=SECRET, smtp_host="m", smtp_tls="none").resolved_smtp_port == 25
    assert Settings(secret_key=SECRET, smtp_host="m", smtp_port=2525).resolved_smtp_port == 2525


def test_serve_refuses_to_start_with_bad_mail_settings(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "EVENFLOOR_SECRET_KEY": SECRET,
        "EVENFLOOR_SMTP_HOST": "mail.example.org",
        "EVENFLOOR_SMTP_TLS": "starttls",
        "EVENFLOOR_SMTP_FROM": "nobody",
    }
    done = subprocess.run(
        [sys.executable, "-m", "server.cli", "serve", "--port", "1"],
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert (
        done.stderr.strip()
        == "evenfloor: bad settings: EVENFLOOR_SMTP_FROM 'nobody' is not an address"
    )


async def test_a_message_rendered_in_the_render_process_is_the_one_rendered_here() -> None:
    from server.notifications.render import Job
    from server.notifications.rendering import Renderer

    job = Job(
        notification_id=uuid.uuid4(),
        message_id="<j@evenfloor.test>",
        kind=Kind.REMINDER,
        payload=PAYLOADS[Kind.REMINDER],
        locale="en",
        to="ben@example.org",
        to_name="Ben",
        user_id=uuid.uuid4(),
        date=AT,
    )
    here = await Renderer(templates(), 0).render(job)
    pool = Renderer(templates(), 1)
    try:
        there = await pool.render(job)
    finally:
        pool.close()
    assert (there.sender, there.recipient, there.message_id, there.subject) == (
        "n@evenfloor.test",
        "ben@example.org",
        "<j@evenfloor.test>",
        here.subject,
    )
    assert b"\r\n" in there.data
    parsed = [message_from_bytes(m.data, policy=policy.default) for m in (here, there)]
    for part in ("plain", "html"):
        bodies = [p.get_body(preferencelist=(part,)).get_content() for p in parsed]  # type: ignore[union-attr]
        assert bodies[0] == bodies[1]
    assert parsed[1]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
