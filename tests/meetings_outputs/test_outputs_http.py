"""The outputs over HTTP and the CLI, on SQLite and PostgreSQL: a whole meeting, from its draft
minutes to the approved, published and verified record, and who may read what on the way."""

from __future__ import annotations

import asyncio
import io
import uuid
from pathlib import Path
from typing import Any

import pypdf
import pytest
from click.testing import CliRunner, Result
from icalendar import Calendar

from server.publication import load_json
from server.publication.meeting_record import verify_record
from server.publication.verify import verify_log
from tests.api import sign_up
from tests.server.meetings_support import (
    STANDING_ORDERS,
    add_item,
    consent_in_room,
    make_board,
    ok,
    schedule,
)

VOTERS = ("chair", "vice_chair", "Lou Member", "Nia Member", "Val Member")
SECRET = "The preferred bidder's price is 4.2 million."
CONCERN = "Val Member says why."


async def open_with_quorum(client: Any, meeting_id: str, board: Any) -> None:
    await ok(client, meeting_id, board["chair"], "publish_agenda")
    for who in VOTERS:
        await ok(
            client,
            meeting_id,
            board["officer"],
            "mark_attendance",
            {"member": board[who].id, "status": "present_in_room"},
        )
    await ok(client, meeting_id, board["chair"], "open_meeting")


async def take(client: Any, meeting_id: str, board: Any, ids: dict[str, str], **kw: Any) -> None:
    chair = board["chair"]
    await ok(client, meeting_id, chair, "start_item", {"item": ids["item"]})
    await consent_in_room(client, ids["room"], chair, [board[v] for v in VOTERS], **kw)
    await ok(client, meeting_id, chair, "close_item", {"item": ids["item"]})


async def january(client: Any, board: Any) -> tuple[str, dict[str, str]]:
    chair, officer = board["chair"], board["officer"]
    meeting_id = await schedule(client, board, "January meeting", day=10)
    fund = await add_item(client, meeting_id, chair, "Winter discharge fund", "decision")
    contract = await add_item(
        client, meeting_id, chair, "Care contract award", "decision", private=True
    )
    await open_with_quorum(client, meeting_id, board)
    await take(client, meeting_id, board, fund, positions={"Val Member": "concern"})
    await ok(
        client,
        meeting_id,
        officer,
        "add_action",
        {
            "item": fund["item"],
            "what": "Sign the lounge lease",
            "owner": "Oli Officer",
            "due": "2027-01-20T00:00:00Z",
        },
    )
    await take(client, meeting_id, board, contract)
    await ok(
        client,
        meeting_id,
        officer,
        "edit_narrative",
        {"part": "note", "item": contract["item"], "text": SECRET},
    )
    await ok(client, meeting_id, chair, "close_meeting")
    return meeting_id, fund


async def approve_in_february(client: Any, board: Any) -> str:
    chair = board["chair"]
    second = await schedule(client, board, "February meeting", day=14)
    previous = await add_item(
        client, second, chair, "Minutes of the last meeting", "previous_minutes"
    )
    await open_with_quorum(client, second, board)
    await take(client, second, board, previous)
    return second


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


async def test_a_meeting_from_draft_minutes_to_a_verified_record(client: Any) -> None:
    board = await make_board(client)
    chair, member = board["chair"], board["Lou Member"]
    first, fund = await january(client, board)
    base = f"/meetings/{first}"

    # Members read the draft in every form; the private item is only "taken in private".
    page = await client.get(f"{base}/minutes.html", headers=member.headers)
    assert page.status_code == 200, page.text
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["cache-control"] == "private, no-store"
    assert "Draft minutes" in page.text
    assert "Winter discharge fund" in page.text
    assert "Consented, with concerns" in page.text
    assert CONCERN in page.text
    assert "Sign the lounge lease" in page.text
    assert "Taken in private." in page.text
    markdown = await client.get(f"{base}/minutes.md", headers=member.headers)
    assert markdown.status_code == 200
    assert markdown.headers["content-type"].startswith("text/markdown")
    assert "**DRAFT MINUTES**" in markdown.text
    pdf = await client.get(f"{base}/minutes.pdf", headers=member.headers)
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert 'filename="minutes-2027-01-10.pdf"' in pdf.headers["content-disposition"]
    text = pdf_text(pdf.content)
    for fact in (
        "Draft minutes",
        "Winter discharge fund",
        CONCERN,
        "Cara Chair",
        "Taken in private",
    ):
        assert fact in text, fact
    for response in (page, markdown):
        assert SECRET not in response.text
    assert SECRET not in text

    # The public gets nothing before approval, with a sentence that says why.
    for suffix in ("minutes.html", "minutes.md", "minutes.pdf", "record.json"):
        refused = await client.get(f"{base}/{suffix}")
        assert refused.status_code == 404, suffix
        assert "not approved yet" in refused.json()["detail"], suffix
    assert (
        await client.get(f"{base}/minutes.html?published=true", headers=member.headers)
    ).status_code == 404

    # The next meeting approves them; the record is 404 until the secretariat publishes it.
    await approve_in_february(client, board)
    unpublished = await client.get(f"{base}/record.json")
    assert unpublished.status_code == 404
    assert "not yet published" in unpublished.json()["detail"]
    published = await client.post(f"/api/meetings/{first}/publication", headers=chair.headers)
    assert published.status_code == 200, published.text

    public = await client.get(f"{base}/minutes.html")
    assert public.status_code == 200
    assert public.headers["cache-control"].startswith("public")
    assert "Approved minutes" in public.text
    assert "Draft minutes" not in public.text
    assert CONCERN in public.text
    assert SECRET not in public.text
    preview = await client.get(f"{base}/minutes.md?published=true", headers=member.headers)
    assert "**APPROVED MINUTES**" in preview.text
    record_response = await client.get(f"{base}/record.json")
    assert record_response.status_code == 200
    assert SECRET not in record_response.text
    record = load_json(record_response.content)
    result = verify_record(record)
    assert result.ok, result.line()
    assert (result.links, result.private) == (1, 1)

    # The linked decision log is the one the room publishes, and matches the link.
    (link,) = record["links"]
    assert link["item"] == fund["item"]
    log_response = await client.get(f"/decisions/{link['room_id']}/log.json")
    assert log_response.status_code == 200, log_response.text
    log = load_json(log_response.content)
    assert verify_log(log).ok
    with_log = verify_record(record, logs=[log])
    assert with_log.ok, with_log.line()


async def test_calendar_files_of_a_meeting_and_of_the_board(client: Any) -> None:
    board = await make_board(client)
    chair = board["chair"]
    first = await schedule(client, board, "January meeting", day=10)
    await add_item(client, first, chair, "Apologies", "apologies")
    await add_item(client, first, chair, "Care contract award", "decision", private=True)
    second = await schedule(client, board, "February meeting", day=14)
    await ok(
        client,
        first,
        chair,
        "change_meeting",
        {"reason": "The chamber is booked", "place": "Committee Room 1"},
    )

    response = await client.get(f"/meetings/{first}/meeting.ics", headers=chair.headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    (event,) = calendar.walk("VEVENT")
    assert str(event["UID"]) == f"meeting-{first}@evenfloor"
    assert str(event["SUMMARY"]) == "January meeting"
    assert str(event["LOCATION"]) == "Committee Room 1"
    assert event.decoded("SEQUENCE") == 1
    assert event["DTSTART"].params["TZID"] == "Europe/London"
    assert "1. Apologies" in str(event["DESCRIPTION"])
    assert "2. Care contract award" in str(event["DESCRIPTION"])  # members see the title

    feed = await client.get(f"/boards/{board.id}/meetings.ics")  # a public board: anyone
    assert feed.status_code == 200
    uids = [str(e["UID"]) for e in Calendar.from_ical(feed.content).walk("VEVENT")]
    assert uids == [f"meeting-{first}@evenfloor", f"meeting-{second}@evenfloor"]
    assert (await client.get(f"/boards/{uuid.uuid4()}/meetings.ics")).status_code == 404
    assert (await client.get(f"/meetings/{uuid.uuid4()}/meeting.ics")).status_code == 404


async def test_outsiders_see_a_public_boards_calendar_without_private_titles(
    client: Any,
) -> None:
    board = await make_board(client, {**STANDING_ORDERS, "private_titles": False})
    meeting_id = await schedule(client, board)
    await add_item(
        client, meeting_id, board["chair"], "Care contract award", "decision", private=True
    )
    outsider = await sign_up(client, "Outsider")
    response = await client.get(f"/meetings/{meeting_id}/meeting.ics", headers=outsider.headers)
    assert response.status_code == 200
    unfolded = response.text.replace("\r\n ", "")
    assert "Care contract award" not in unfolded
    assert "1. Private item" in unfolded
    member = await client.get(f"/meetings/{meeting_id}/meeting.ics", headers=board["chair"].headers)
    assert "1. Care contract award" in member.text.replace("\r\n ", "")


async def test_a_private_boards_outputs_do_not_exist_for_outsiders(client: Any) -> None:
    chair = await sign_up(client, "Pat Chair")
    created = await client.post(
        "/api/boards",
        json={
            "name": "Private partnership",
            "organisation_name": "City Council",
            "sector": "local_authority",
            "board_role": "chair",
            "standing_orders": STANDING_ORDERS,
            "is_public": False,
        },
        headers=chair.headers,
    )
    assert created.status_code == 201, created.text
    board_id = created.json()["id"]
    scheduled = await client.post(
        f"/api/boards/{board_id}/meetings",
        json={
            "title": "Closed meeting",
            "starts_at": "2027-01-10T10:00:00Z",
            "ends_at": "2027-01-10T12:00:00Z",
            "timezone": "Europe/London",
        },
        headers=chair.headers,
    )
    assert scheduled.status_code == 201, scheduled.text
    meeting_id = scheduled.json()["id"]
    outsider = await sign_up(client, "Outsider")
    paths = [
        f"/meetings/{meeting_id}/minutes.html",
        f"/meetings/{meeting_id}/minutes.pdf",
        f"/meetings/{meeting_id}/meeting.ics",
        f"/meetings/{meeting_id}/record.json",
        f"/boards/{board_id}/meetings.ics",
    ]
    for path in paths:
        for headers in (outsider.headers, {}):
            hidden = await client.get(path, headers=headers)
            assert hidden.status_code == 404, path
            assert hidden.json()["detail"] in ("No such meeting.", "No such board."), path
    allowed = await client.get(f"/meetings/{meeting_id}/minutes.html", headers=chair.headers)
    assert allowed.status_code == 200
    assert "Closed meeting" in allowed.text
    feed = await client.get(f"/boards/{board_id}/meetings.ics", headers=chair.headers)
    assert feed.status_code == 200
    assert "Closed meeting" in feed.text


async def test_unknown_meetings_are_404_with_a_message(client: Any) -> None:
    unknown = uuid.uuid4()
    for suffix in ("minutes.html", "minutes.md", "minutes.pdf", "record.json", "meeting.ics"):
        response = await client.get(f"/meetings/{unknown}/{suffix}")
        assert response.status_code == 404
        assert response.json()["detail"] == "No such meeting."
    assert (await client.get("/meetings/not-a-uuid/minutes.html")).status_code == 404


# -- the CLI -----------------------------------------------------------------------------------


@pytest.fixture
def cli_database(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    from server.settings import get_settings

    monkeypatch.setenv("EVENFLOOR_DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield database_url
    get_settings.cache_clear()


async def run_cli(*args: str) -> Result:
    from server.cli.minutes import minutes

    # The command runs its own event loop: give it a thread without this test's loop.
    return await asyncio.to_thread(CliRunner().invoke, minutes, list(args))


async def test_evenfloor_minutes_writes_every_format(
    client: Any, cli_database: str, tmp_path: Path
) -> None:
    board = await make_board(client)
    first, _fund = await january(client, board)
    markdown = await run_cli(first, "--format", "md")
    assert markdown.exit_code == 0, markdown.output
    assert markdown.output.startswith("# January meeting")
    assert "**DRAFT MINUTES**" in markdown.output
    assert SECRET not in markdown.output
    html = await run_cli(first)
    assert html.exit_code == 0
    assert html.output.startswith("<!doctype html>")
    out = tmp_path / "minutes.pdf"
    pdf = await run_cli(first, "--format", "pdf", "--out", str(out))
    assert pdf.exit_code == 0, pdf.output
    assert "Winter discharge fund" in pdf_text(out.read_bytes())
    document = await run_cli(first, "--format", "json")
    assert document.exit_code == 0
    assert '"status": "draft"' in document.output

    refused = await run_cli(first, "--published")
    assert refused.exit_code == 1
    assert "not approved yet" in refused.output
    await approve_in_february(client, board)
    public = await run_cli(first, "--published", "--format", "md")
    assert public.exit_code == 0, public.output
    assert "**APPROVED MINUTES**" in public.output


async def test_evenfloor_minutes_names_a_bad_meeting(client: Any, cli_database: str) -> None:
    await client.get("/healthz")  # the database exists and is migrated
    unknown = str(uuid.uuid4())
    result = await run_cli(unknown)
    assert result.exit_code == 1
    assert f"no meeting {unknown}" in result.output
    result = await run_cli("January")
    assert result.exit_code == 1
    assert "'January' is not a meeting id" in result.output
    result = await run_cli(unknown, "--format", "docx")
    assert result.exit_code == 2
    assert "docx" in result.output


def test_evenfloor_minutes_pipes_a_pdf_and_writes_files(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The command's output side, with the database read replaced by a fixture."""
    from minutes_fixtures import draft

    from server.cli import minutes as command

    async def fixture(meeting: uuid.UUID, published: bool) -> dict[str, Any]:
        return draft()

    monkeypatch.setattr(command, "_document", fixture)
    meeting = str(uuid.uuid4())
    piped = CliRunner().invoke(command.minutes, [meeting, "--format", "pdf"])
    assert piped.exit_code == 0, piped.output
    assert piped.stdout_bytes.startswith(b"%PDF-")
    assert "Young carers get too little" in pdf_text(piped.stdout_bytes)
    out = tmp_path / "minutes.md"
    written = CliRunner().invoke(command.minutes, [meeting, "--format", "md", "--out", str(out)])
    assert written.exit_code == 0
    assert f"wrote {out}" in written.output
    assert out.read_text(encoding="utf-8").startswith("# Health and Wellbeing Board")


async def test_pdfs_are_kept_by_content_and_a_crowd_gets_503(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from litestar.exceptions import ServiceUnavailableException
    from minutes_fixtures import approved, draft

    from server.meetings import outputs_http

    made: list[str] = []

    def fake_render(document: dict[str, Any]) -> bytes:
        made.append(document["status"])
        return f"%PDF-{document['status']}".encode()

    monkeypatch.setattr(outputs_http, "render_pdf", fake_render)
    monkeypatch.setattr(outputs_http, "_pdf_cache", type(outputs_http._pdf_cache)())
    assert await outputs_http._pdf(draft()) == b"%PDF-draft"
    assert await outputs_http._pdf(draft()) == b"%PDF-draft"
    assert await outputs_http._pdf(approved()) == b"%PDF-approved"
    assert made == ["draft", "approved"]  # the second draft came from the cache
    changed = draft()
    changed["narrative"]["summary"] = "Edited."
    await outputs_http._pdf(changed)
    assert made == ["draft", "approved", "draft"]  # new content, new PDF
    monkeypatch.setattr(outputs_http, "_pdf_waiting", outputs_http.PDF_MAX_WAITING)
    changed["narrative"]["summary"] = "Edited again."
    with pytest.raises(ServiceUnavailableException, match="busy"):
        await outputs_http._pdf(changed)
    assert await outputs_http._pdf(draft()) == b"%PDF-draft"  # a kept one is still served
