"""The view read from a log document: amendments, moderation, objections, caps (no app)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from jinja2 import Environment

from server.publication import LogWriter, generate_signing_key, load_json, verify_log
from server.settings import Settings
from server.static_site import template_environment
from server.web.decisions import Links, room_context
from server.web.decisions_view import atom_feed, chart, decision_view, duration, markdown

T0 = datetime(2026, 5, 4, 18, 0, tzinfo=UTC)
NORTH = {"organisation": "North Trust", "pseudonym": "p-aaaaaaaaaaaa"}
SOUTH = {"organisation": "South Forum", "pseudonym": "p-bbbbbbbbbbbb"}


def _document() -> dict[str, Any]:
    writer = LogWriter(
        "room-1", "Library hours", "organisations", generate_signing_key(), opened_at=T0
    )
    at = iter(T0 + timedelta(minutes=m) for m in range(100))

    def add(kind: str, data: dict[str, Any], actor: dict[str, Any] | None = NORTH) -> None:
        writer.append(kind, data, at=next(at), actor=actor)

    add("proposal.tabled", {"title": "Library hours", "text": "Open on Sundays.", "version": 1})
    add("round.opened", {"round": "surface_conflict", "number": 1})
    add("statement.added", {"statement": "s1", "text": "Staff need rest <days>."}, SOUTH)
    add("statement.added", {"statement": "s2", "text": None, "hidden": True}, SOUTH)
    add("statement.hidden", {"statement": "s1", "reason": "Off topic"})
    add("round.closed", {"round": "surface_conflict", "number": 1})
    add("round.opened", {"round": "consent", "number": 2})
    add("consent.answered", {"position": "object", "text": "No budget.", "consent_round": 1}, SOUTH)
    add("objection.judged", {"objector": SOUTH, "paramount": True})
    add(
        "proposal.amended",
        {
            "text": "Open on Sundays, with volunteers.",
            "version": 2,
            "integrates": [SOUTH],
            "reason": "Budget",
        },
    )
    add("objection.settled", {"objector": SOUTH})
    add("round.closed", {"round": "consent", "number": 2})
    add(
        "decision.reached",
        {
            "outcome": "consented",
            "rules": {"speaking_cap": "0.5", "vote_cap": "0.4"},
            "fairness": {
                "North Trust": {
                    "speaking_ms": 240000,
                    "speaking_share": "0.8",
                    "vote_weight_raw": "3",
                    "vote_weight_counted": "2",
                },
                "South Forum": {
                    "speaking_ms": 60000,
                    "speaking_share": "0.2",
                    "vote_weight_raw": "1",
                    "vote_weight_counted": "1",
                },
            },
            "overrides": [7],
        },
    )
    return writer.publish(next(at))


def test_the_view_follows_amendments_moderation_objections_and_caps() -> None:
    view = decision_view(_document())
    assert view.proposal == "Open on Sundays, with volunteers."
    assert [a.label for a in view.amendments] == ["Version 2"]
    assert "integrates p-bbbbbbbbbbbb (South Forum)" in view.amendments[0].note
    first, _consent = view.rounds
    statements = [i for i in first.items if i.kind == "statement"]
    assert [(s.hidden, s.text, s.note) for s in statements] == [
        (True, "Staff need rest <days>.", "Off topic"),
        (True, "", ""),
    ]
    assert [o.text for o in view.objections] == [
        "Objection by p-bbbbbbbbbbbb (South Forum) judged paramount by p-aaaaaaaaaaaa (North Trust)",
        "Objection by p-bbbbbbbbbbbb (South Forum) settled",
    ]
    decision = view.decision
    assert decision is not None
    assert view.outcome_label == "Consented"
    north, south = decision.fairness
    assert north.speaking_over_cap
    assert not south.speaking_over_cap
    assert north.vote_over_cap
    assert str(north.vote_share) == "2/3"
    geometry = chart(decision)
    assert geometry["speaking_cap_x"] == 180 + 0.5 * geometry["bar_width"]
    assert decision.overrides == [7]
    assert duration(400) == "0.4 s"
    assert duration(42_000) == "42 s"
    assert duration(185_000) == "3 min 05 s"


def test_the_page_escapes_text_and_draws_caps_and_overrides() -> None:
    environment: Environment = template_environment(Settings().template_dir)
    view = decision_view(_document())
    html = environment.get_template("decisions/room.html").render(
        room_context(view, Links(static=True, depth=1))
    )
    assert "Staff need rest &lt;days&gt;." in html
    assert "<days>" not in html
    assert "Hidden by moderation" in html
    assert html.count("stroke-dasharray") == 4  # two caps for each of two organisations
    assert "over the cap" in html
    assert "Facilitator overrides (log entries): 7" in html
    text = markdown(view)
    assert "Facilitator overrides: entries 7." in text
    assert "(hidden by moderation)" in text


def test_a_feed_without_decisions_is_still_valid_atom() -> None:
    body = atom_feed(
        [], feed_id="urn:x", self_url="feed.atom", link=str, updated="2026-01-01T00:00:00Z"
    )
    feed = ElementTree.fromstring(body)
    assert feed.findtext("{http://www.w3.org/2005/Atom}updated") == "2026-01-01T00:00:00Z"
    assert feed.findall("{http://www.w3.org/2005/Atom}entry") == []


def test_a_simulated_meeting_reads_with_its_reopened_consent_round() -> None:
    """`evenfloor simulate`'s log (organisations policy): an objection in consent round 1,
    an amendment integrating it, consent round 2 deciding with a concern and a stand-aside."""
    document = load_json((Path(__file__).parent / "simulated-log.json").read_bytes())
    assert verify_log(document).ok
    view = decision_view(document)
    assert view.outcome == "consented_with_concerns"
    assert [a.label for a in view.earlier_answers] == ["Objection"]
    assert sorted({a.label for a in view.deciding_answers}) == ["Concern", "Consent", "Stand aside"]
    assert view.rounds[-1].reopened
    assert [d.withdrawn for d in view.dissents] == [False, True]
    html = (
        template_environment(Settings().template_dir)
        .get_template("decisions/room.html")
        .render(room_context(view, Links()))
    )
    assert "Earlier consent rounds" in html
    assert "No evening service is planned." in html
    assert "Reopened" in html
    text = markdown(view)
    assert "### Earlier consent rounds" in text
    assert "Reopened: Integrates the objection about evening service." in text


def test_markdown_keeps_free_text_inert() -> None:
    writer = LogWriter("room-2", "Pipes | <b>", "anonymous", generate_signing_key(), opened_at=T0)
    writer.append("proposal.tabled", {"text": "Line one\n<script>x</script>"}, at=T0)
    writer.append("round.opened", {"round": "consent", "number": 1}, at=T0)
    answer = {"position": "concern", "text": "a | b\nc <img src=x>", "consent_round": 1}
    writer.append("consent.answered", answer, at=T0, actor={"pseudonym": "p-cccccccccccc"})
    text = markdown(decision_view(writer.publish(T0)))
    assert text.startswith("# Pipes \\| \\<b>\n")
    assert "> Line one\n> \\<script>x\\</script>" in text
    assert "| Concern | p-cccccccccccc | a \\| b c \\<img src=x> |" in text
    assert "<" not in text.replace("\\<", "")  # every < is escaped


def test_a_static_site_under_a_base_url_links_its_feed_absolutely(tmp_path: Path) -> None:
    from server.static_site import write_site

    settings = Settings()
    text = (Path(__file__).parent / "simulated-log.json").read_text(encoding="utf-8")
    write_site(
        tmp_path,
        [text],
        template_dir=settings.template_dir,
        static_dir=settings.static_dir,
        base_url="https://decisions.example.org/town/",
    )
    atom = "{http://www.w3.org/2005/Atom}"
    feed = ElementTree.parse(tmp_path / "feed.atom").getroot()
    assert feed.findtext(f"{atom}id") == "https://decisions.example.org/town/feed.atom"
    (entry,) = feed.findall(f"{atom}entry")
    link = entry.find(f"{atom}link")
    assert link is not None
    room_id = load_json(text.encode())["room"]["id"]
    assert link.get("href") == f"https://decisions.example.org/town/{room_id}/"
    assert (tmp_path / room_id / "log.json").read_text(encoding="utf-8") == text
