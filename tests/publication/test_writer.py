"""The writer: entries, integers only, NFC, times, growth, receipts; random logs verify."""

from __future__ import annotations

import json
import unicodedata
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from publication_helpers import (
    OTHER_KEY,
    ROOM_KEY,
    ROOM_PUBLIC,
    Case,
    at,
    comparable,
    dumps,
    verify_js,
    verify_py,
)

from server.publication import (
    Draft,
    GrowthError,
    LogWriter,
    NotPublishableError,
    build_log,
    entry_hash,
    issue_receipt,
    load_json,
    receipt_signature_valid,
    serialize_log,
    verify_log,
)
from server.publication.keys import signing_key_from_text, signing_key_text

ANN = {"name": "Ann", "organisation": "North"}


def writer() -> LogWriter:
    return LogWriter("room-1", "A room", "names", ROOM_KEY, opened_at=at(0))


def test_entry_one_opens_the_log_with_the_documents_fields() -> None:
    document = writer().publish(at(5))
    (first,) = document["entries"]
    assert first["type"] == "log.opened"
    assert first["data"] == {
        "room_id": "room-1",
        "title": "A room",
        "policy": "names",
        "public_key": ROOM_PUBLIC,
    }
    assert first["prev"] == "0" * 64
    assert first["hash"] == entry_hash(first)
    assert document["head"]["seq"] == 1
    assert verify_log(document).ok


def test_entries_chain_and_the_member_order_is_the_specs() -> None:
    w = writer()
    second = w.append("proposal.tabled", {"text": "x"}, at=at(1), actor=ANN)
    third = w.append("round.opened", {"round": "consent"}, at=at(2))
    assert list(second) == ["seq", "at", "type", "actor", "data", "prev", "hash"]
    assert (second["seq"], third["seq"]) == (2, 3)
    assert third["prev"] == second["hash"]
    assert w.head_hash == third["hash"]


def test_a_float_anywhere_in_an_entry_is_refused_with_its_path() -> None:
    w = writer()
    with pytest.raises(NotPublishableError, match="not an integer") as caught:
        w.append(
            "decision.reached",
            {"fairness": {"North": {"speaking_share": 0.25}}},
            at=at(1),
        )
    assert caught.value.path == "entry 2/data/fairness/North/speaking_share"
    assert w.head_seq == 1  # nothing was appended


def test_a_float_in_the_actor_is_refused_too() -> None:
    with pytest.raises(NotPublishableError, match="entry 2/actor/weight"):
        writer().append("x", {}, at=at(1), actor={"weight": 1.5})


def test_text_is_stored_nfc_normalised_so_the_published_bytes_are_nfc() -> None:
    w = writer()
    decomposed = "Zoe\u0308 says cafe\u0301"
    entry = w.append("statement.added", {"text": decomposed}, at=at(1), actor={"name": decomposed})
    composed = unicodedata.normalize("NFC", decomposed)
    assert entry["data"]["text"] == composed
    assert entry["actor"]["name"] == composed
    text = serialize_log(w.publish(at(2)))
    assert decomposed not in text
    assert composed in text
    assert unicodedata.is_normalized("NFC", text)


def test_times_are_utc_milliseconds_with_z() -> None:
    w = writer()
    plus_two = timezone(timedelta(hours=2))
    entry = w.append("x", {}, at=datetime(2026, 3, 14, 11, 0, 0, 123_999, tzinfo=plus_two))
    assert entry["at"] == "2026-03-14T09:00:00.123Z"
    assert w.append("y", {}, at="2026-03-14T09:00:01Z")["at"] == "2026-03-14T09:00:01Z"


@pytest.mark.parametrize(
    "moment",
    [datetime(2026, 3, 14, 9, 0), "2026-03-14T09:00:00+00:00", "2026-02-30T09:00:00Z", "yesterday"],
)
def test_times_without_a_zone_or_not_rfc3339_utc_are_refused(moment: Any) -> None:
    with pytest.raises(ValueError, match=r"time|zone"):
        writer().append("x", {}, at=moment)


@pytest.mark.parametrize(
    ("kwargs", "problem"),
    [
        ({"type": "", "data": {}}, "type"),
        ({"type": "x", "data": []}, "data must be an object"),
        ({"type": "x", "data": {}, "actor": "Ann"}, "actor must be an object"),
    ],
)
def test_malformed_entries_are_refused(kwargs: dict[str, Any], problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        writer().append(at=at(1), **kwargs)


def test_rooms_need_an_id_without_controls_and_a_known_policy() -> None:
    with pytest.raises(ValueError, match="room id"):
        LogWriter("a\nb", "t", "names", ROOM_KEY, opened_at=at(0))
    with pytest.raises(ValueError, match="policy"):
        LogWriter("a", "t", "public", ROOM_KEY, opened_at=at(0))  # type: ignore[arg-type]


# -- growth ---------------------------------------------------------------------------------


def drafts(count: int) -> list[Draft]:
    return [
        Draft(at=at(10 + i), type="statement.added", data={"text": f"point {i}"}, actor=ANN)
        for i in range(count)
    ]


ROOM = {"id": "room-1", "title": "A room"}


def test_a_later_publication_keeps_every_earlier_entry() -> None:
    first = build_log(ROOM, "names", drafts(3), ROOM_KEY, signed_at=at(100))
    second = build_log(ROOM, "names", drafts(6), ROOM_KEY, signed_at=at(200), previous=first)
    assert second["entries"][:4] == first["entries"]
    result = verify_log(second, previous=first, key=ROOM_PUBLIC)
    assert result.ok
    assert result.extends == 4


def test_a_publication_that_would_rewrite_history_is_refused() -> None:
    first = build_log(ROOM, "names", drafts(3), ROOM_KEY, signed_at=at(100))
    changed = drafts(5)
    changed[1] = Draft(at=at(11), type="statement.added", data={"text": "edited"}, actor=ANN)
    with pytest.raises(GrowthError, match="entry 3") as caught:
        build_log(ROOM, "names", changed, ROOM_KEY, signed_at=at(200), previous=first)
    assert caught.value.seq == 3


def test_a_publication_that_would_drop_entries_is_refused() -> None:
    first = build_log(ROOM, "names", drafts(3), ROOM_KEY, signed_at=at(100))
    with pytest.raises(GrowthError, match="drop entries 4-4"):
        build_log(ROOM, "names", drafts(2), ROOM_KEY, signed_at=at(200), previous=first)


def test_resume_continues_a_published_log() -> None:
    first = build_log(ROOM, "names", drafts(2), ROOM_KEY, signed_at=at(100))
    loaded = load_json(serialize_log(first).encode())
    w = LogWriter.resume(loaded, ROOM_KEY)
    w.append("round.closed", {"round": "consent"}, at=at(150))
    second = w.publish(at(200))
    assert verify_log(second, previous=first).ok
    assert len(second["entries"]) == 4


def test_resume_refuses_another_key_or_a_broken_log() -> None:
    first = build_log(ROOM, "names", drafts(2), ROOM_KEY, signed_at=at(100))
    with pytest.raises(ValueError, match="another key"):
        LogWriter.resume(first, OTHER_KEY)
    broken = json.loads(json.dumps(first))
    broken["entries"][1]["data"]["text"] = "edited"
    with pytest.raises(ValueError, match="does not verify: FAIL entry 2"):
        LogWriter.resume(broken, ROOM_KEY)


def test_opened_at_defaults_to_the_first_drafts_time_so_rebuilding_is_stable() -> None:
    one = build_log(ROOM, "names", drafts(2), ROOM_KEY, signed_at=at(100))
    two = build_log(ROOM, "names", drafts(2), ROOM_KEY, signed_at=at(999))
    assert one["entries"] == two["entries"]
    assert one["entries"][0]["at"] == two["entries"][1]["at"]


# -- keys and receipts ----------------------------------------------------------------------


def test_signing_keys_round_trip_as_text() -> None:
    text = signing_key_text(ROOM_KEY)
    assert len(text) == 43
    assert bytes(signing_key_from_text(text)) == bytes(ROOM_KEY)
    with pytest.raises(ValueError, match="32 bytes"):
        signing_key_from_text(text + "A")


def test_a_receipt_names_the_entry_and_verifies_on_its_own() -> None:
    w = writer()
    entry = w.append("dissent.recorded", {"text": "no"}, at=at(1), actor=ANN)
    receipt = issue_receipt("room-1", entry, ROOM_KEY)
    assert receipt == {
        "format": "evenfloor-receipt/1",
        "room_id": "room-1",
        "seq": 2,
        "hash": entry["hash"],
        "public_key": ROOM_PUBLIC,
        "signature": receipt["signature"],
    }
    assert receipt_signature_valid(receipt)
    assert not receipt_signature_valid({**receipt, "seq": 3})
    assert not receipt_signature_valid({**receipt, "room_id": "room-2"})
    assert not receipt_signature_valid({**receipt, "extra": 1})
    assert verify_log(w.publish(at(2)), receipts=[receipt]).ok


# -- random logs ----------------------------------------------------------------------------

texts = st.text(st.characters(exclude_categories=("Cs",)), max_size=20)
values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | texts,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=12,
)
random_drafts = st.lists(
    st.builds(
        Draft,
        at=st.integers(0, 10**6).map(at),
        type=texts.filter(bool),
        data=st.dictionaries(texts, values, max_size=4),
        actor=st.none() | st.dictionaries(texts, texts, max_size=2),
    ),
    max_size=6,
)


@settings(max_examples=40, deadline=None)
@given(title=texts, entries=random_drafts)
def test_random_logs_verify_and_survive_a_round_trip_through_json(
    title: str, entries: list[Draft]
) -> None:
    document = build_log(
        {"id": "room-x", "title": title}, "anonymous", entries, ROOM_KEY, signed_at=at(5)
    )
    assert verify_log(document).ok
    loaded = load_json(serialize_log(document).encode())
    assert verify_log(loaded).ok
    assert verify_log(load_json(json.dumps(document, ensure_ascii=True))).ok


@settings(max_examples=1, deadline=None)
@given(st.lists(st.tuples(texts, random_drafts), min_size=60, max_size=60))
def test_random_logs_get_the_same_answer_from_both_verifiers(batch: list[Any]) -> None:
    cases = []
    for title, entries in batch:
        document = build_log(
            {"id": "r", "title": title}, "names", entries, ROOM_KEY, signed_at=at(5)
        )
        cases.append(Case(dumps(document)))
        broken = json.loads(json.dumps(document))
        broken["entries"][-1]["type"] += "!"
        cases.append(Case(dumps(broken)))
    for case, javascript in zip(cases, verify_js(cases), strict=True):
        assert comparable(verify_py(case)) == comparable(javascript)
