"""The board and meeting pages without a browser, on SQLite and PostgreSQL: who sees which
page, the forms that run meeting commands (the no-JavaScript path), and refusals that come
back as the page with the core's message, the form as typed and a 4xx status."""

from __future__ import annotations

import html
import re
import uuid
from typing import Any

from tests.api import sign_up
from tests.browser.test_page_handlers import signed_in
from tests.server.meetings_support import (
    add_item,
    make_board,
    ok,
    schedule,
    view,
)


def text_of(page: Any) -> str:
    """The page's visible words, tags dropped and entities decoded, for plain assertions."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page.text)).split())


async def a_meeting(client: Any) -> tuple[Any, str, dict[str, str]]:
    board = await make_board(client)
    meeting = await schedule(client, board)
    chair = board["chair"]
    items = {
        "apologies": (
            await add_item(client, meeting, chair, "Apologies", "apologies", planned_minutes=2)
        )["item"],
        "fund": (
            await add_item(
                client, meeting, chair, "Pooled winter fund", "decision", planned_minutes=30
            )
        )["item"],
        "report": (
            await add_item(client, meeting, chair, "Quarterly report", "noting", planned_minutes=5)
        )["item"],
        "contract": (
            await add_item(
                client,
                meeting,
                chair,
                "Care home contract",
                "decision",
                planned_minutes=15,
                private=True,
            )
        )["item"],
    }
    return board, meeting, items


def form(csrf: str, back: str, **fields: str) -> dict[str, str]:
    return {"_csrf_token": csrf, "next": back, **fields}


async def test_pages_by_role_and_unknown_meetings(client: Any) -> None:
    client.follow_redirects = False
    board, meeting, items = await a_meeting(client)
    stranger = await sign_up(client, "Sam Stranger")

    response = await client.get(f"/meetings/{meeting}")
    assert response.status_code == 303
    assert response.headers["location"] == f"/login?next=/meetings/{meeting}"

    await signed_in(client, board["voting_member"])
    page = await client.get(f"/meetings/{meeting}")
    assert page.status_code == 200
    assert "Pooled winter fund" in page.text
    assert f'data-meeting="{meeting}"' in page.text
    assert "times in Europe/London" in text_of(page)
    assert "Council Chamber" in page.text
    assert (await client.get(f"/meetings/{meeting}/projector")).status_code == 200
    console = await client.get(f"/meetings/{meeting}/console")
    assert console.status_code == 403
    assert "Not allowed" in console.text
    home = await client.get("/")
    assert f'href="/boards/{board.id}"' in home.text
    assert f'href="/meetings/{meeting}"' in home.text
    board_page = await client.get(f"/boards/{board.id}")
    assert board_page.status_code == 200
    assert "Cara Chair" in board_page.text
    assert "Northgate NHS Trust" in board_page.text
    assert "Schedule a meeting" not in board_page.text  # not the secretariat
    fund_room = (await view(client, meeting, board["chair"]))["items"][items["fund"]]["room"]
    room_page = await client.get(f"/rooms/{fund_room}")
    assert room_page.status_code == 200
    assert f'href="/meetings/{meeting}"' in room_page.text  # the item's room links back

    client.cookies.clear()
    await signed_in(client, board["chair"])
    console = await client.get(f"/meetings/{meeting}/console")
    assert console.status_code == 200
    assert "Running order" in console.text
    assert "Attendance register" in console.text
    assert "Schedule a meeting" in (await client.get(f"/boards/{board.id}")).text

    client.cookies.clear()
    await signed_in(client, stranger)
    for path in (f"/meetings/{meeting}", f"/meetings/{meeting}/console", f"/boards/{board.id}"):
        response = await client.get(path)
        assert response.status_code == 404, path
    missing = await client.get(f"/meetings/{uuid.uuid4()}")
    assert missing.status_code == 404
    assert "No such meeting" in missing.text
    posted = await client.post(
        f"/meetings/{uuid.uuid4()}/commands/open_meeting",
        data=form(str(client.cookies.get("csrftoken")), "/"),
    )
    assert posted.status_code == 404


async def test_running_a_meeting_from_the_console_forms(client: Any) -> None:
    client.follow_redirects = False
    board, meeting, items = await a_meeting(client)
    chair = board["chair"]
    csrf = await signed_in(client, chair)
    back = f"/meetings/{meeting}/console"

    async def post(name: str, **fields: str) -> Any:
        return await client.post(
            f"/meetings/{meeting}/commands/{name}", data=form(csrf, back, **fields)
        )

    response = await post("open_meeting")
    assert response.status_code == 303
    assert response.headers["location"] == back
    page = await client.get(back)
    assert "<p>Done.</p>" in page.text
    assert "Quorum lost." in page.text  # open, and nobody is marked present yet
    assert "3 more voting members" in text_of(page)

    members = board.people
    for name in ("Cara Chair", "Vic Vice", "Lou Member", "Nia Member"):
        response = await post(
            "mark_attendance", member=members[name].id, status="present_in_room", form="mark-1"
        )
        assert response.status_code == 303, response.text
    response = await post("record_arrival", member=members["Val Member"].id, remote="on")
    assert response.status_code == 303
    state = await view(client, meeting, chair)
    assert state["quorum"]["held"] is True
    assert state["attendance"][members["Val Member"].id]["status"] == "present_remote"
    page = await client.get(back)
    assert "Quorate." in page.text

    # A member declares an interest on the decision item: shown, and out of its vote.
    client.cookies.clear()
    lou_csrf = await signed_in(client, members["Lou Member"])
    response = await client.post(
        f"/meetings/{meeting}/commands/declare_interest",
        data=form(
            lou_csrf,
            f"/meetings/{meeting}",
            member=members["Lou Member"].id,
            item=items["fund"],
            interest="Trustee of a bidder",
            form=f"declare-{items['fund']}",
        ),
    )
    assert response.status_code == 303, response.text
    mine = await client.get(f"/meetings/{meeting}")
    words = text_of(mine)
    assert "Trustee of a bidder" in words
    assert "Out of the vote" in words
    client.cookies.clear()
    csrf = await signed_in(client, chair)

    # Start and close items; planned against actual; add an action with a due date.
    assert (await post("start_item", item=items["apologies"])).status_code == 303
    response = await post(
        "add_action",
        item=items["apologies"],
        what="Circulate the report",
        owner="Lou Member",
        owner_member=members["Lou Member"].id,
        due="2027-01-20",
        form="add-action",
    )
    assert response.status_code == 303, response.text
    assert (await post("close_item", item=items["apologies"])).status_code == 303
    state = await view(client, meeting, chair)
    action = next(iter(state["actions"].values()))
    assert action["due"].startswith("2027-01-20T23:59:59")
    assert action["owner_member"] == members["Lou Member"].id
    assert state["items"][items["apologies"]]["status"] == "closed"
    console = await client.get(back)
    assert "Circulate the report" in console.text
    assert "Out of the vote" in text_of(console)

    # The member sees the action assigned to them.
    client.cookies.clear()
    await signed_in(client, members["Lou Member"])
    assert "Circulate the report" in (await client.get(f"/meetings/{meeting}")).text
    client.cookies.clear()
    csrf = await signed_in(client, chair)

    # Quorum lost when two leave: the console names what is missing, and a decision item
    # cannot close: the refusal comes back as the console with a 409 and the reason.
    assert (await post("start_item", item=items["fund"])).status_code == 303
    for name in ("Nia Member", "Vic Vice"):
        assert (await post("record_departure", member=members[name].id)).status_code == 303
    page = await client.get(back)
    assert "Quorum lost." in page.text
    assert "a member from the NHS" in text_of(page)
    refused = await post("close_item", item=items["fund"], form=f"close-{items['fund']}")
    assert refused.status_code == 409
    words = text_of(refused)
    assert "No quorum yet" in words
    assert "the NHS" in words
    assert f'id="close-{items["fund"]}-errors"' in refused.text
    state = await view(client, meeting, chair)
    assert state["items"][items["fund"]]["status"] == "started"  # nothing half-written

    # Projector: the current item, progress, quorum lost with what is missing.
    projector = await client.get(f"/meetings/{meeting}/projector")
    words = text_of(projector)
    assert "Pooled winter fund" in words
    assert "Quorum lost." in words
    assert "1 of 4 items taken" in words
    assert "Lou Member" in words  # the exclusion on the current item is shown to all

    # Narrative: the secretary's words, not the facts; the chair is not the secretary.
    refused = await post("edit_narrative", part="summary", text="A full agenda.", form="summary")
    assert refused.status_code == 403
    assert "Only the meeting's secretary or facilitator edits the minutes." in text_of(refused)
    client.cookies.clear()
    csrf = await signed_in(client, board["officer"])
    console = await client.get(back)
    assert console.status_code == 200
    assert 'id="summary-text"' in console.text
    response = await post("edit_narrative", part="summary", text="A full agenda.", form="summary")
    assert response.status_code == 303
    assert (await view(client, meeting, chair))["summary"] == "A full agenda."


async def test_refusals_keep_the_form_as_typed(client: Any) -> None:
    client.follow_redirects = False
    board, meeting, items = await a_meeting(client)
    chair = board["chair"]
    csrf = await signed_in(client, chair)
    back = f"/meetings/{meeting}/console"
    version = (await view(client, meeting, chair))["agenda_version"]
    order = list(items.values())

    # A reorder made from an agenda that changed since: refused, nothing moved, the
    # positions typed are still there.
    await ok(
        client,
        meeting,
        chair,
        "add_item",
        {"title": "Any other business", "kind": "any_other_business"},
    )
    fields = form(csrf, back, expected_version=str(version), form="reorder")
    positions = {
        items["contract"]: "1",
        items["apologies"]: "2",
        items["fund"]: "3",
        items["report"]: "4",
    }
    for item, position in positions.items():
        fields[f"position.{item}"] = position
    refused = await client.post(f"/meetings/{meeting}/commands/reorder_items", data=fields)
    assert refused.status_code == 409, refused.text
    assert "That cannot be done now" in text_of(refused)
    assert re.search(rf'name="position\.{items["contract"]}"[^>]*value="1"', refused.text)
    assert (await view(client, meeting, chair))["order"][: len(order)] == order

    # The same reorder on the current version goes through.
    current = await view(client, meeting, chair)
    fields["expected_version"] = str(current["agenda_version"])
    for item in current["order"]:
        fields.setdefault(f"position.{item}", "5")
    done = await client.post(f"/meetings/{meeting}/commands/reorder_items", data=fields)
    assert done.status_code == 303, done.text
    assert (await view(client, meeting, chair))["order"][0] == items["contract"]

    # An item with no title: 422, the rest as typed.
    refused = await client.post(
        f"/meetings/{meeting}/commands/add_item",
        data=form(
            csrf,
            back,
            title="  ",
            kind="noting",
            planned_minutes="7",
            description="Kept.",
            form="add-item",
        ),
    )
    assert refused.status_code == 422
    assert "Kept." in refused.text
    assert 'value="7"' in refused.text
    # A number that is not one: named, 422.
    refused = await client.post(
        f"/meetings/{meeting}/commands/add_item",
        data=form(
            csrf, back, title="Budget", kind="noting", planned_minutes="lots", form="add-item"
        ),
    )
    assert refused.status_code == 422
    assert "planned_minutes: enter a whole number." in text_of(refused)

    # A voting member may not drive: the core's refusal on the member page.
    client.cookies.clear()
    lou_csrf = await signed_in(client, board["voting_member"])
    refused = await client.post(
        f"/meetings/{meeting}/commands/open_meeting",
        data=form(lou_csrf, f"/meetings/{meeting}"),
    )
    assert refused.status_code == 403
    assert "Only the meeting's facilitator or the chair may do this." in text_of(refused)
    assert "Pooled winter fund" in refused.text  # the member's page itself, not an error page
    # An observer-level refusal for a whole page (the console) is a 403 page, not a 500.
    assert (await client.get(f"/meetings/{meeting}/console")).status_code == 403


async def test_board_forms_create_invite_schedule_and_register(client: Any) -> None:
    client.follow_redirects = False
    fay = await sign_up(client, "Fay Founder")
    ben = await sign_up(client, "Ben Newcomer")
    csrf = await signed_in(client, fay)

    page = await client.get("/boards/new")
    assert page.status_code == 200
    refused = await client.post(
        "/boards/new",
        data={
            "_csrf_token": csrf,
            "name": "Alliance board",
            "organisation_name": "",
            "min_voting_members": "2",
        },
    )
    assert refused.status_code == 422
    assert "Your organisation" in text_of(refused)
    assert 'value="Alliance board"' in refused.text
    refused = await client.post(
        "/boards/new",
        data={
            "_csrf_token": csrf,
            "name": "Alliance board",
            "organisation_name": "Carers' Charity",
            "min_voting_members": "-1",
        },
    )
    assert refused.status_code == 422
    assert "cannot be negative" in refused.text
    created = await client.post(
        "/boards/new",
        data={
            "_csrf_token": csrf,
            "name": "Alliance board",
            "organisation_name": "Carers' Charity",
            "sector": "voluntary",
            "board_role": "chair",
            "publication": "organisations",
            "min_voting_members": "2",
            "min_organisations": "2",
            "chair_or_vice": "on",
            "is_public": "on",
        },
    )
    assert created.status_code == 303
    board_path = created.headers["location"]
    board_id = board_path.rsplit("/", 1)[1]
    shown = await client.get(f"/api/boards/{board_id}")
    orders = shown.json()["standing_orders"]
    assert orders["quorum"]["min_voting_members"] == 2
    assert orders["quorum"]["required_roles"] == [["chair", "vice_chair"]]
    assert orders["publication"] == "organisations"
    assert orders["private_titles"] is False

    invited = await client.post(
        f"{board_path}/invitations",
        data={
            "_csrf_token": csrf,
            "board_role": "voting_member",
            "organisation_name": "Health Trust",
            "sector": "nhs",
            "single_use": "on",
        },
    )
    assert invited.status_code == 303
    page = await client.get(board_path)
    link = re.search(r'value="(http[^"]+/board-invitations/[^"]+)"', page.text)
    assert link is not None, page.text
    token = link.group(1).rsplit("/", 1)[1]

    # Scheduling: times are read in the meeting's zone (14:00 London in July is 13:00Z).
    refused = await client.post(
        f"{board_path}/meetings",
        data={
            "_csrf_token": csrf,
            "title": "Summer meeting",
            "timezone": "Europe/London",
            "starts_at": "2027-07-01T14:00",
            "ends_at": "2027-07-01T13:00",
        },
    )
    assert refused.status_code == 422
    assert 'value="Summer meeting"' in refused.text
    scheduled = await client.post(
        f"{board_path}/meetings",
        data={
            "_csrf_token": csrf,
            "title": "Summer meeting",
            "timezone": "Europe/London",
            "starts_at": "2027-07-01T14:00",
            "ends_at": "2027-07-01T16:00",
            "place": "Hall",
        },
    )
    assert scheduled.status_code == 303, scheduled.text
    meeting_id = scheduled.headers["location"].split("/")[2]
    meeting = (await client.get(f"/api/meetings/{meeting_id}/view")).json()["view"]["meeting"]
    assert meeting["starts_at"] == "2027-07-01T13:00:00Z"
    assert meeting["timezone"] == "Europe/London"

    entered = await client.post(
        f"{board_path}/interests",
        data={"_csrf_token": csrf, "interest": "Trustee, Carers' Charity"},
    )
    assert entered.status_code == 303
    assert "Trustee, Carers&#39; Charity" in (await client.get(board_path)).text

    # Joining by invitation, then the board shows the new member.
    client.cookies.clear()
    ben_csrf = await signed_in(client, ben)
    page = await client.get(f"/board-invitations/{token}")
    assert page.status_code == 200
    assert "Alliance board" in page.text
    joined = await client.post(f"/board-invitations/{token}", data={"_csrf_token": ben_csrf})
    assert joined.status_code == 303
    assert joined.headers["location"] == board_path
    page = await client.get(board_path)
    assert "Ben Newcomer" in page.text
    assert "Health Trust" in page.text
    # A voting member cannot invite: a 403 page.
    forbidden = await client.post(
        f"{board_path}/invitations", data={"_csrf_token": ben_csrf, "board_role": "chair"}
    )
    assert forbidden.status_code == 403
    used = await client.get(f"/board-invitations/{token}")
    assert used.status_code == 404  # single use

    # The public page follows the publication policy (organisations: no names).
    client.cookies.clear()
    public = await client.get(f"/public/boards/{board_id}")
    assert public.status_code == 200
    assert "Health Trust" in public.text
    assert "Ben Newcomer" not in public.text
    assert "Summer meeting" in public.text
    assert (await client.get(f"/public/meetings/{meeting_id}")).status_code == 404
    assert (await client.get(f"/public/boards/{uuid.uuid4()}")).status_code == 404


async def test_the_public_meeting_page_shows_approved_minutes_and_nothing_private(
    client: Any,
) -> None:
    from tests.server.test_meetings_minutes import SECRET, first_meeting, open_with_quorum, take

    client.follow_redirects = False
    board = await make_board(client)
    chair = board["chair"]
    first, fund, contract = await first_meeting(client, board)
    board_id = board.id
    assert (await client.get(f"/public/meetings/{first}")).status_code == 404  # not approved
    second = await schedule(client, board, "February meeting", day=14)
    previous = await add_item(
        client, second, chair, "Minutes of the last meeting", "previous_minutes"
    )
    await open_with_quorum(client, second, board)
    await take(client, second, board, previous)

    client.cookies.clear()
    page = await client.get(f"/public/meetings/{first}")
    assert page.status_code == 200, page.text
    words = text_of(page)
    assert "Approved minutes" in words
    assert "Winter discharge fund" in words
    assert "Taken in private." in words
    assert "Care contract award" in words  # the policy publishes private titles
    assert SECRET not in page.text
    assert f'href="/decisions/{fund["room"]}"' in page.text
    assert f"/decisions/{contract['room']}" not in page.text
    assert f'href="/meetings/{first}/record.json"' in page.text
    assert f'href="/meetings/{first}/meeting.ics"' in page.text
    archive = await client.get(f"/public/boards/{board_id}")
    assert f'href="/public/meetings/{first}"' in archive.text
    assert f'href="/public/meetings/{second}"' not in archive.text  # not approved yet

    # Members see the whole draft on their pages, private item included.
    await signed_in(client, board["officer"])
    console = await client.get(f"/meetings/{first}/console")
    assert "Care contract award" in console.text
    assert "These minutes are approved: the narrative is final." in console.text


# Every board and meeting page, and who may use it (the API's matrix is
# tests/server/test_meetings_authorization.py): "member" (any board member), "console" (the
# meeting's facilitators, the chair and vice-chair, its secretaries), "secretariat" (chair,
# vice-chair, officers), "participant" (members who take part: not observers),
# "signed_in", "token" (an invitation token), "public" (anyone, for a public board).
PAGE_ROUTES = {
    ("GET", "/boards/new"): "signed_in",
    ("POST", "/boards/new"): "signed_in",
    ("GET", "/boards/{board_id:uuid}"): "member",
    ("POST", "/boards/{board_id:uuid}/invitations"): "secretariat",
    ("POST", "/boards/{board_id:uuid}/meetings"): "secretariat",
    ("POST", "/boards/{board_id:uuid}/interests"): "participant",
    ("POST", "/boards/{board_id:uuid}/interests/{interest_id:uuid}/withdraw"): "participant",
    ("GET", "/board-invitations/{token:str}"): "token",
    ("POST", "/board-invitations/{token:str}"): "token",
    ("GET", "/meetings/{meeting_id:uuid}"): "member",
    ("GET", "/meetings/{meeting_id:uuid}/console"): "console",
    ("GET", "/meetings/{meeting_id:uuid}/projector"): "member",
    ("POST", "/meetings/{meeting_id:uuid}/commands/{name:str}"): "participant",
    ("GET", "/public/boards/{board_id:uuid}"): "public",
    ("GET", "/public/meetings/{meeting_id:uuid}"): "public",
}
OUTPUT_SUFFIXES = (".html", ".md", ".pdf", ".json", ".ics")


async def test_every_page_route_is_listed_and_gated(client: Any, app: Any, db: Any) -> None:
    from sqlalchemy import func, select

    from server.db.tables import BoardInvitation, MeetingEvent, StandingInterest

    found = {
        (method, route.path)
        for route in app.routes
        if route.path.startswith(("/boards", "/board-invitations", "/meetings", "/public"))
        and not route.path.endswith(OUTPUT_SUFFIXES)
        for method in getattr(route, "methods", ())
        if method not in ("HEAD", "OPTIONS")
    }
    assert found == set(PAGE_ROUTES), sorted(found ^ set(PAGE_ROUTES))

    client.follow_redirects = False
    board, meeting, _items = await a_meeting(client)
    eve = await sign_up(client, "Eve Stranger")
    obs = await sign_up(client, "Obi Observer")
    invitation = await client.post(
        f"/api/boards/{board.id}/invitations",
        json={"board_role": "observer"},
        headers=board["chair"].headers,
    )
    accepted = await client.post(
        f"/api/board-invitations/{invitation.json()['token']}/accept", json={}, headers=obs.headers
    )
    assert accepted.status_code == 200
    interest = uuid.uuid4()

    def concrete(path: str) -> str:
        return (
            path.replace("{board_id:uuid}", board.id)
            .replace("{meeting_id:uuid}", meeting)
            .replace("{interest_id:uuid}", str(interest))
            .replace("{name:str}", "open_meeting")
        )

    async def counts() -> tuple[int, ...]:
        async with db() as session:
            return tuple(
                [
                    int(await session.scalar(select(func.count()).select_from(t)) or 0)
                    for t in (MeetingEvent, BoardInvitation, StandingInterest)
                ]
            )

    gated = {
        k: v
        for k, v in PAGE_ROUTES.items()
        if v in ("member", "console", "secretariat", "participant")
    }
    before = await counts()
    for (method, path), _who in gated.items():
        url = concrete(path)
        if method == "GET":
            anonymous = await client.get(url)
            assert anonymous.status_code == 303, url
            assert anonymous.headers["location"].startswith("/login?next=")
    csrf = await signed_in(client, eve)
    for (method, path), _who in gated.items():
        url = concrete(path)
        data = {"_csrf_token": csrf, "interest": "x", "title": "x", "board_role": "chair"}
        response = await (client.get(url) if method == "GET" else client.post(url, data=data))
        assert response.status_code == 404, (method, url, response.status_code)
        assert "text/html" in response.headers["content-type"]
    client.cookies.clear()
    csrf = await signed_in(client, obs)
    for (method, path), who in gated.items():
        url = concrete(path)
        data = {"_csrf_token": csrf, "interest": "x", "title": "x", "board_role": "chair"}
        response = await (client.get(url) if method == "GET" else client.post(url, data=data))
        expected = 200 if who == "member" else 403
        if path.endswith("/withdraw"):
            expected = 403  # an observer takes no part, before the entry is even looked up
        assert response.status_code == expected, (method, url, response.status_code)
    assert await counts() == before


async def test_deferring_an_item_to_a_named_later_meeting(client: Any) -> None:
    client.follow_redirects = False
    board, meeting, items = await a_meeting(client)
    chair = board["chair"]
    later = await schedule(client, board, "March meeting", day=24)
    csrf = await signed_in(client, chair)
    console = await client.get(f"/meetings/{meeting}/console")
    assert f'<option value="{later}">March meeting' in console.text
    refused = await client.post(
        f"/meetings/{meeting}/commands/defer_item",
        data=form(
            csrf,
            f"/meetings/{meeting}/console",
            item=items["report"],
            reason=" ",
            to=later,
            form=f"defer-{items['report']}",
        ),
    )
    assert refused.status_code == 422
    assert re.search(rf'<option value="{later}" selected>', refused.text)  # as chosen
    done = await client.post(
        f"/meetings/{meeting}/commands/defer_item",
        data=form(
            csrf,
            f"/meetings/{meeting}/console",
            item=items["report"],
            reason="Figures late",
            to=later,
        ),
    )
    assert done.status_code == 303, done.text
    assert (await view(client, meeting, chair))["items"][items["report"]]["status"] == "deferred"
    carried = [i["title"] for i in (await view(client, later, chair))["agenda"]]
    assert "Quarterly report" in carried
    page = await client.get(f"/meetings/{meeting}")
    assert "Deferred: Figures late" in text_of(page)


async def test_substitutes_and_apologies_from_the_pages(client: Any) -> None:
    client.follow_redirects = False
    board, meeting, _items = await a_meeting(client)
    nia, officer = board.people["Nia Member"], board["officer"]

    # A member without the register's pen may still send their own apologies (the core
    # accepts them from the member, so the button shows; the hint to ask the secretary does not).
    await signed_in(client, nia)
    page = await client.get(f"/meetings/{meeting}")
    assert "Send my apologies" in page.text
    assert "tell the secretary" not in page.text

    # The secretary keeps the register: names Nia's substitute, and sends their own apologies.
    client.cookies.clear()
    csrf = await signed_in(client, officer)
    console = await client.get(f"/meetings/{meeting}/console")
    substitute = re.search(r'name="substitute" value="(sub-[0-9a-f]+)"', console.text)
    assert substitute is not None
    response = await client.post(
        f"/meetings/{meeting}/commands/name_substitute",
        data=form(
            csrf,
            f"/meetings/{meeting}/console",
            substitute=substitute.group(1),
            for_member=nia.id,
            name="Sue Stand-in",
            status="present_remote",
            form="substitute",
        ),
    )
    assert response.status_code == 303, response.text
    words = text_of(await client.get(f"/meetings/{meeting}/console"))
    assert "Sue Stand-in" in words
    assert "substitute for Nia Member (Northgate NHS Trust)" in words
    assert "substitute: Sue Stand-in" in words
    page = await client.get(f"/meetings/{meeting}")
    assert "Send my apologies" in page.text
    response = await client.post(
        f"/meetings/{meeting}/commands/mark_attendance",
        data=form(csrf, f"/meetings/{meeting}", member=officer.id, status="apologies"),
    )
    assert response.status_code == 303
    state = await view(client, meeting, officer)
    assert state["attendance"][officer.id]["status"] == "apologies"
    assert state["substitutes"][substitute.group(1)]["for_member"] == nia.id
    mine = text_of(await client.get(f"/meetings/{meeting}"))
    assert "Your attendance: Apologies" in mine


async def test_moving_the_meeting_reads_times_in_its_zone(client: Any) -> None:
    client.follow_redirects = False
    board, meeting, _items = await a_meeting(client)
    csrf = await signed_in(client, board["chair"])
    back = f"/meetings/{meeting}/console"
    console = await client.get(back)
    # Shown in the meeting's zone: 10:00Z on 10 January is 10:00 in London.
    assert 'name="starts_at" type="datetime-local" value="2027-01-10T10:00"' in console.text
    fields = {
        "starts_at": "2027-01-10T11:30",
        "ends_at": "2027-01-10T13:00",
        "form": "change-meeting",
    }
    refused = await client.post(
        f"{back[: -len('/console')]}/commands/change_meeting", data=form(csrf, back, **fields)
    )
    assert refused.status_code == 422  # no reason given
    assert 'value="2027-01-10T11:30"' in refused.text
    done = await client.post(
        f"/meetings/{meeting}/commands/change_meeting",
        data=form(csrf, back, reason="The chamber is booked until 11.", **fields),
    )
    assert done.status_code == 303, done.text
    moved = (await view(client, meeting, board["chair"]))["meeting"]
    assert moved["starts_at"] == "2027-01-10T11:30:00Z"
    assert moved["ends_at"] == "2027-01-10T13:00:00Z"
    assert "11:30–13:00" in text_of(await client.get(f"/meetings/{meeting}"))
