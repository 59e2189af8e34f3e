"""The console's Rules and Members sections as plain form posts (the no-JavaScript path):
each form changes the room, other roles get 403, and a refused form comes back as the
console with a 4xx status, the reason beside the form and everything as it was typed."""

from __future__ import annotations

import html
from typing import Any

from tests.api import join, open_room, sign_up
from tests.browser.test_page_handlers import signed_in

RULES = {
    "rules.speaking_cap_percent": "30",
    "rules.speech_limit_minutes": "2",
    "rules.reply_limit_minutes": "1",
    "rules.point_of_order_limit_seconds": "20",
    "rules.overrun": "flag",
    "rules.vote_mode": "capped",
    "rules.vote_cap_percent": "35",
    "rules.quorum.participants": "3",
    "rules.quorum.organisations": "2",
    "rules.objection_rule": "supermajority_of_organisations",
    "rules.points_budget": "12",
    "rules.premoderate_statements": "on",
    "rules.statement_max_length": "300",
    "rules.text_max_length": "4000",
    "rules.objection_supermajority": "2/3",
    "rules.reminder_before_ms": "86400000",
}


async def view(client: Any, room: str) -> dict[str, Any]:
    response = await client.get(f"/api/rooms/{room}/view")
    assert response.status_code == 200, response.text
    return dict(response.json()["view"])


async def events(client: Any, room: str) -> list[dict[str, Any]]:
    response = await client.get(f"/api/rooms/{room}/events")
    assert response.status_code == 200, response.text
    return list(response.json())


async def test_changing_the_rules_from_the_console(client: Any) -> None:
    client.follow_redirects = False
    fay = await sign_up(client, "Fay")
    ben = await sign_up(client, "Ben")
    room = await open_room(client, fay, rules={"speaking_cap": "2/5"})
    await join(client, room, fay, ben, "Charity Alliance")
    csrf = await signed_in(client, fay)

    console = await client.get(f"/rooms/{room}/console")
    assert 'id="rules-h"' in console.text
    assert 'data-command="change_rules"' in console.text
    assert "A change of the rules is logged" in console.text
    assert 'name="rules.speaking_cap_percent"' in console.text
    assert 'value="40"' in console.text  # the cap in force, as a percentage
    state = await view(client, room)
    charity = next(m["organisation"] for m in state["members"] if m["display_name"] == "Ben")

    form = {
        "_csrf_token": csrf,
        "next": f"/rooms/{room}/console",
        **RULES,
        f"budget.{charity}": "5",
        "reason": "Fewer voices dominate this way.",
    }
    response = await client.post(f"/rooms/{room}/commands/change_rules", data=form)
    assert response.status_code == 303, response.text
    assert response.headers["location"] == f"/rooms/{room}/console#rules"
    rules = (await view(client, room))["rules"]
    assert rules["speaking_cap"] == "3/10"
    assert rules["vote_cap"] == "7/20"
    assert rules["speech_limit_ms"] == 120_000
    assert rules["point_of_order_limit_ms"] == 20_000
    assert rules["overrun"] == "flag"
    assert rules["quorum"] == {"participants": 3, "organisations": 2}
    assert rules["points_budget"] == 12
    assert rules["premoderate_statements"] is True
    assert rules["statement_max_length"] == 300
    assert rules["organisation_budgets"] == [{"organisation": charity, "ms": 300_000}]
    changed = [e for e in await events(client, room) if e["event"] == "rules.changed"]
    assert len(changed) == 1
    assert changed[0]["data"]["reason"] == "Fewer voices dominate this way."
    assert changed[0]["data"]["is_override"] is True
    page = await client.get(f"/rooms/{room}/console")
    assert "<p>Done.</p>" in page.text
    assert "35%" in page.text  # the vote cap in force

    # A cap of 0 is no cap; an unticked box is off; the other rules stay as they are.
    calmer = {**form, "rules.speaking_cap_percent": "0", "reason": "Let it flow."}
    del calmer["rules.premoderate_statements"]
    response = await client.post(f"/rooms/{room}/commands/change_rules", data=calmer)
    assert response.status_code == 303
    rules = (await view(client, room))["rules"]
    assert rules["speaking_cap"] is None
    assert rules["premoderate_statements"] is False
    assert rules["vote_cap"] == "7/20"


async def test_bad_rules_come_back_as_typed_with_the_field_named(client: Any) -> None:
    client.follow_redirects = False
    fay = await sign_up(client, "Fay")
    room = await open_room(client, fay)
    csrf = await signed_in(client, fay)
    base = {"_csrf_token": csrf, "next": f"/rooms/{room}/console", **RULES}

    for field, value, message in (
        (
            "rules.speaking_cap_percent",
            "140",
            "Speaking cap: a percentage above 0 and at most 100.",
        ),
        ("rules.vote_cap_percent", "lots", "Vote cap: enter a number."),
        ("rules.speech_limit_minutes", "0", "Time per speech: more than 0 minutes."),
        ("rules.quorum.participants", "2.5", "Quorum: people: enter a whole number."),
        ("rules.overrun", "shout", "When a speech runs over: choose one of the options."),
        ("budget.no-such-organisation", "5", "is not an organisation here."),
    ):
        form = {**base, field: value, "reason": "A typo to keep."}
        response = await client.post(f"/rooms/{room}/commands/change_rules", data=form)
        assert response.status_code == 422, (field, response.text)
        text = html.unescape(response.text)
        assert message in text, field
        assert 'id="rules-errors"' in response.text
        # Nothing is lost: the typed values and the reason are in the form again.
        assert 'value="A typo to keep."' in response.text
        assert 'value="12"' in response.text  # the points budget as typed, not as in force
        if field not in ("rules.overrun", "budget.no-such-organisation"):
            assert f'name="{field}"' in response.text
            assert f'value="{value}"' in response.text

    # The core refuses what only it knows: no reason, or the capped mode without a cap.
    response = await client.post(
        f"/rooms/{room}/commands/change_rules", data={**base, "reason": ""}
    )
    assert response.status_code == 422
    assert "Please check what you entered." in html.unescape(response.text)
    response = await client.post(
        f"/rooms/{room}/commands/change_rules",
        data={**base, "rules.vote_cap_percent": "", "reason": "No cap."},
    )
    assert response.status_code == 422
    assert "the capped vote mode needs a vote_cap" in response.text
    assert 'value="No cap."' in response.text
    assert not [e for e in await events(client, room) if e["event"] == "rules.changed"]


async def test_changing_a_role_from_the_console(client: Any) -> None:
    client.follow_redirects = False
    fay = await sign_up(client, "Fay")
    ben = await sign_up(client, "Ben")
    room = await open_room(client, fay)
    await join(client, room, fay, ben, "Charity Alliance")
    csrf = await signed_in(client, fay)

    console = await client.get(f"/rooms/{room}/console")
    assert 'id="members-h"' in console.text
    assert "Charity Alliance" in console.text
    assert f'id="role-{ben.id}"' in console.text

    form = {"_csrf_token": csrf, "next": f"/rooms/{room}/console", "participant": ben.id}
    response = await client.post(
        f"/rooms/{room}/commands/change_role",
        data={**form, "role": "facilitator", "reason": "Co-chairs today."},
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"] == f"/rooms/{room}/console#members"
    members = {m["participant"]: m for m in (await view(client, room))["members"]}
    assert members[ben.id]["role"] == "facilitator"
    changed = [e for e in await events(client, room) if e["event"] == "member.role_changed"]
    assert changed[-1]["data"]["reason"] == "Co-chairs today."

    # The same role again: the core's refusal, beside the form, as a 409.
    response = await client.post(
        f"/rooms/{room}/commands/change_role", data={**form, "role": "facilitator"}
    )
    assert response.status_code == 409
    assert "Ben is facilitator already." in response.text
    assert 'id="role-errors"' in response.text

    # The room keeps its last owner.
    response = await client.post(
        f"/rooms/{room}/commands/change_role",
        data={**form, "participant": fay.id, "role": "participant", "reason": "Stepping down"},
    )
    assert response.status_code == 409
    assert "A room keeps at least one owner." in response.text
    assert 'value="Stepping down"' in response.text

    # An unknown member or role names the field.
    response = await client.post(
        f"/rooms/{room}/commands/change_role",
        data={**form, "participant": "nobody", "role": "observer"},
    )
    assert response.status_code == 422
    assert "Member: nobody with this id is a member of this room." in response.text
    response = await client.post(
        f"/rooms/{room}/commands/change_role", data={**form, "role": "king"}
    )
    assert response.status_code == 422
    assert "Role: choose one of" in response.text


async def test_participants_and_observers_get_403(client: Any) -> None:
    client.follow_redirects = False
    fay = await sign_up(client, "Fay")
    ben = await sign_up(client, "Ben")
    olga = await sign_up(client, "Olga")
    room = await open_room(client, fay)
    await join(client, room, fay, ben, "Charity Alliance")
    await join(client, room, fay, olga, "Press", role="observer")
    for person in (ben, olga):
        client.cookies.clear()
        csrf = await signed_in(client, person)
        response = await client.post(
            f"/rooms/{room}/commands/change_rules",
            data={"_csrf_token": csrf, **RULES, "reason": "Mine now."},
        )
        assert response.status_code == 403, response.text
        assert "Only facilitators can change the rules and roles." in response.text
        response = await client.post(
            f"/rooms/{room}/commands/change_role",
            data={"_csrf_token": csrf, "participant": person.id, "role": "facilitator"},
        )
        assert response.status_code == 403
    client.cookies.clear()
    await signed_in(client, fay)
    types = [e["event"] for e in await events(client, room)]
    assert "rules.changed" not in types
    assert "member.role_changed" not in types


async def test_a_field_that_is_not_a_number_is_named_not_a_crash(client: Any) -> None:
    client.follow_redirects = False
    fay = await sign_up(client, "Fay")
    room = await open_room(client, fay)
    csrf = await signed_in(client, fay)
    response = await client.post(
        f"/rooms/{room}/commands/extend_speech",
        data={"_csrf_token": csrf, "extra_seconds": "soon", "reason": "More."},
    )
    assert response.status_code == 303
    page = await client.get(f"/rooms/{room}")
    assert "<strong>Please check what you entered.</strong> extra_seconds: enter a number." in (
        page.text
    )
