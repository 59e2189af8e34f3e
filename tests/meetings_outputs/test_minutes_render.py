"""The minutes as HTML, Markdown and PDF: every fact of the document shows, private content never.

The PDF is rendered by WeasyPrint and read back with pypdf, and its text is checked for the
decisions, the dissent and the attendance, as the issue asks.
"""

from __future__ import annotations

import io
import itertools
import re
from html.parser import HTMLParser
from typing import Any

import pypdf
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from minutes_fixtures import (
    PRIVATE_ACTION,
    PRIVATE_DISSENT,
    PRIVATE_NOTE,
    approved,
    draft,
    published,
)

from server.meetings.minutes_render import (
    minutes_view,
    render_html,
    render_markdown,
    render_pdf,
)

FACTS = [
    # attendance, with arrivals, departures and the substitute
    "Cllr Amina Shah",
    "Present remotely",
    "Joe Bloggs",
    "10:20",
    "11:30",
    "Sam Patel",
    "substitute for Helen Cho",
    "Ruth Évans",
    "Officer in attendance",
    # quorum lost and restored, naming what was missing
    "quorum lost",
    "a member from the voluntary sector",
    "11:42",
    # declarations
    "His employer provides respite care under the strategy",
    "Trustee of Northshire Carers",
    "excluded from the vote and consent",
    # per item: the note, the decision and everything raised
    "Members asked for an annual review.",
    "Consented, with concerns",
    "Young carers get too little of the budget",
    "Formal dissent",
    "The respite budget is not yet agreed",
    "Healthwatch will consult its members first",
    "The hub should be in the north of the county",
    "Passed",
    "The grant offer expires on 31 January",
    # actions, the overdue one marked
    "Circulate the revised carers",
    "Overdue",
    "Publish the strategy with an easy-read summary",
    # the private item: its title, and only the fact that it was taken in private
    "Contract award: domiciliary care",
    "Taken in private",
]
SECRETS = (PRIVATE_NOTE, PRIVATE_ACTION, PRIVATE_DISSENT)


def plain_text(html: str) -> str:
    """The text a reader sees (tags dropped, entities decoded, spaces collapsed)."""

    class Text(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.parts: list[str] = []
            self.skip = 0

        def handle_starttag(self, tag: str, attrs: Any) -> None:
            self.skip += tag in ("style", "script")

        def handle_endtag(self, tag: str) -> None:
            self.skip -= tag in ("style", "script")

        def handle_data(self, data: str) -> None:
            if not self.skip:
                self.parts.append(data)

    parser = Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def pdf_text(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


@pytest.mark.parametrize("fact", FACTS)
def test_the_html_page_shows_every_fact(fact: str) -> None:
    assert fact in plain_text(render_html(draft()))


@pytest.mark.parametrize("fact", FACTS)
def test_the_markdown_shows_every_fact(fact: str) -> None:
    text = render_markdown(draft()).replace("\\", "")  # escapes apart
    assert fact.lower() in text.lower()


def test_votes_show_raw_and_counted_weight_with_totals() -> None:
    view = minutes_view(draft())
    votes = view["items"][5]["decision"]["votes"]
    assert [(r["who"], r["raw"], r["counted"], r["capped"]) for r in votes["rows"][:2]] == [
        ("Cllr Amina Shah", "1", "0.5", True),
        ("Priya Nair", "1", "0.5", True),
    ]
    assert (votes["raw_total"], votes["counted_total"]) == ("5", "4")
    html = render_html(draft())
    table = re.search(r'<table class="votes">.*?</table>', html, re.S)
    assert table is not None
    cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", table.group(0), re.S)
    assert [c.strip() for c in cells[4:7]] == ["Cllr Amina Shah", "Northshire Council", "1"]
    assert "0.5" in cells[7]
    assert "| Total | | 5 | 4 |" in render_markdown(draft())


@pytest.mark.parametrize("document", [draft(), approved(), published(approved())])
def test_no_output_holds_a_private_items_content(document: dict[str, Any]) -> None:
    """Even the members' copy, unreduced, prints the private item as taken in private."""
    outputs = [render_html(document), render_markdown(document)]
    for output in outputs:
        for secret in SECRETS:
            assert secret not in output
        assert "Contract award: domiciliary care" in output


def test_a_private_item_without_a_title_is_still_listed() -> None:
    document = published(approved(), private_titles=False)
    text = plain_text(render_html(document))
    assert "8. Private item Taken in private." in text
    assert "Contract award" not in text


def test_draft_and_approved_are_marked() -> None:
    assert "Draft minutes · not yet approved by the board" in plain_text(render_html(draft()))
    approved_text = plain_text(render_html(approved()))
    assert "Approved minutes · approved by the board on 11 March 2027" in approved_text
    assert "not yet approved" not in approved_text
    assert (
        render_markdown(draft()).splitlines()[2].startswith("**DRAFT MINUTES**: not yet approved")
    )
    assert render_markdown(approved()).splitlines()[2] == (
        "**APPROVED MINUTES**, approved on 11 March 2027"
    )


def test_times_are_shown_in_the_meetings_zone() -> None:
    summer = draft()
    summer["meeting"]["starts_at"] = "2027-07-01T09:00:00Z"
    summer["meeting"]["ends_at"] = "2027-07-01T11:00:00Z"
    view = minutes_view(summer)
    assert (view["date"], view["starts"], view["ends"]) == ("1 July 2027", "10:00", "12:00")
    summer["meeting"]["timezone"] = "Not/AZone"
    assert minutes_view(summer)["timezone"] == "UTC"
    assert minutes_view(summer)["starts"] == "09:00"


def test_free_text_is_inert_in_html_and_markdown() -> None:
    document = draft()
    document["narrative"]["summary"] = (
        "<script>alert(1)</script> [click](javascript:x) # not a heading"
    )
    document["items"][4]["note"] = "# Heading?\n- list?\n1. ordered?\n> quote?"
    document["meeting"]["video_url"] = "javascript:alert(1)"
    html = render_html(document)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'href="javascript:' not in html
    markdown = render_markdown(document)
    assert "\\<script\\>" in markdown
    assert "\\[click\\](javascript:x)" in markdown
    assert "\\# Heading?\n\\- list?\n1\\. ordered?\n\\> quote?" in markdown
    assert "javascript:alert" not in markdown
    assert "Young carers get too little of the budget \\<b\\>bold\\</b\\>" in markdown


def test_the_page_is_standalone_and_structured() -> None:
    html = render_html(draft(), links={"pdf": "minutes.pdf", "record": "record.json"})
    assert html.startswith("<!doctype html>")
    assert "<script" not in html
    assert "<link" not in html  # styles are inline: the file works offline
    assert html.count("<h1") == 1
    assert re.search(r'<html lang="en">', html)
    headings = re.findall(r"<h([1-4])", html)
    assert all(int(b) - int(a) <= 1 for a, b in itertools.pairwise(headings))
    assert re.findall(r'<th scope="col">', html)
    assert 'href="record.json"' in html
    assert "record.json" not in render_html(draft(), for_print=True)


def test_the_pdf_holds_the_decisions_the_dissent_and_the_attendance() -> None:
    pdf = render_pdf(draft())
    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf)
    for fact in (
        "Draft minutes",
        "Consented, with concerns",
        "Passed",
        "Young carers get too little of the budget",
        "The respite budget is not yet agreed",
        "Healthwatch will consult its members first",
        "Cllr Amina Shah",
        "Sam Patel",
        "Apologies",
        "Helen Cho",
        "Taken in private",
        "Overdue",
    ):
        assert fact in text, fact
    for secret in SECRETS:
        assert secret not in text
    assert re.search(r"Page 1 of \d+", text)


def test_the_approved_pdf_is_not_marked_draft() -> None:
    text = pdf_text(render_pdf(approved()))
    assert "Approved minutes" in text
    assert "Draft minutes" not in text


SECRET = "SECRET-"
secret_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)), min_size=0, max_size=30
).map(lambda text: SECRET + text)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    note=secret_text,
    dissent=secret_text,
    action=secret_text,
    reason=secret_text,
    vote_org=secret_text,
)
def test_no_private_content_under_any_text(
    note: str, dissent: str, action: str, reason: str, vote_org: str
) -> None:
    """Whatever a private item holds, neither the page nor the Markdown prints it."""
    document = draft()
    private = document["items"][7]
    private["note"] = note
    private["urgent_reason"] = reason
    private["decision"]["dissents"][0]["text"] = dissent
    private["decision"]["votes"] = [
        {"member": "m-vice", "organisation": vote_org, "raw": "1", "counted": "1"}
    ]
    private["actions"][0]["what"] = action
    for output in (render_html(document), render_markdown(document)):
        assert SECRET not in output
