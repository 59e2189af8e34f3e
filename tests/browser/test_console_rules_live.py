"""The console's Rules and Members forms in a real browser, with JavaScript: they go over
the WebSocket (no page load), the change shows in place, and the sections pass axe-core."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.harness import Api, axe_violations, sign_in
from tests.live.server import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_rules_and_roles_change_live_and_pass_axe(
    api: Api, server: LiveServer, new_context: Any
) -> None:
    fay = api.sign_up("Fay", "County Council")
    ben = api.sign_up("Ben", "Charity Alliance")
    room = api.create_room(
        fay, "Shared minibus", "Pool the minibuses.", rules={"speaking_cap": "2/5"}
    )
    api.join(fay, room, ben)
    context = new_context()
    sign_in(context, server.url, fay)
    page = context.new_page()
    page.goto(f"/rooms/{room}/console")
    expect(page.locator("#connection")).to_have_attribute("data-state", "live")
    page.evaluate("window.loads = (window.loads || 0) + 1")

    page.locator("#rules summary").click()
    assert page.locator("#rules-speaking_cap").input_value() == "40"
    page.locator("#rules-speaking_cap").fill("25")
    page.locator("#rules-vote_mode").select_option("one_org_one_vote")
    page.get_by_label("Speaking time for Charity Alliance (minutes)").fill("4.5")
    page.locator("#rules-reason").fill("Give the smaller organisations room.")
    violations = axe_violations(page)
    assert not violations, violations
    page.locator("#change-rules button[type=submit]").click()
    expect(page.locator('[data-region="console-rules"] .rules-in-force')).to_contain_text("25%")
    assert page.evaluate("window.loads") == 1, "the form went over the socket, not a page load"

    view = api.call(fay, "GET", f"/api/rooms/{room}/view")["view"]
    rules = view["rules"]
    charity = next(m["organisation"] for m in view["members"] if m["display_name"] == "Ben")
    assert rules["speaking_cap"] == "1/4"
    assert rules["vote_mode"] == "one_org_one_vote"
    assert rules["organisation_budgets"] == [{"organisation": charity, "ms": 270_000}]

    # A refusal over the socket shows in the alert box; the typed values stay.
    page.locator("#rules summary").click()
    page.locator("#rules-vote_mode").select_option("capped")
    page.locator("#rules-vote_cap").fill("")
    page.locator("#rules-reason").fill("Cap the votes.")
    page.locator("#change-rules button[type=submit]").click()
    expect(page.locator("#refusal")).to_contain_text("the capped vote mode needs a vote_cap")
    assert page.locator("#rules-reason").input_value() == "Cap the votes."

    # Ben becomes an observer from the Members section.
    page.locator(f"#role-{ben.id}").select_option("observer")
    page.locator(f"#role-reason-{ben.id}").fill("Watching today.")
    page.locator(f'[data-focus-key="role-{ben.id}"]').click()
    expect(page.locator("#members li", has_text="Ben")).to_contain_text("observer")
    members = api.call(fay, "GET", f"/api/rooms/{room}/view")["view"]["members"]
    assert next(m for m in members if m["participant"] == ben.id)["role"] == "observer"
    assert page.evaluate("window.loads") == 1
    violations = axe_violations(page)
    assert not violations, violations
