"""The signed meeting record: what the writer signs, and the tamper corpus both verifiers catch.

Each tamper case is checked by the Python verifier and by the independent JavaScript one
(`tools/verify-js/record.mjs`); they must name the same place and reason and print the
same line. Cases marked "re-signed" were re-hashed and re-signed with the board's key: what
the holder of the key could publish, caught by the record's own rules, an out-of-band key
or the linked logs rather than by the signature.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from typing import Any

import pytest
from minutes_fixtures import (
    PRIVATE_ACTION,
    PRIVATE_DISSENT,
    PRIVATE_NOTE,
    approved,
    draft,
    published,
)
from record_helpers import (
    BOARD_KEY,
    OTHER_KEY,
    ROOM_KEYS,
    SIGNED_AT,
    RecordCase,
    case,
    clone,
    comparable,
    decision_log,
    forge_signature,
    logs,
    minutes_for_record,
    resign,
    sample_record,
    verify_js,
    verify_py,
)

from server.publication import Draft, build_log
from server.publication.canonical import NotPublishableError, canonical_bytes
from server.publication.keys import public_key_text
from server.publication.meeting_record import (
    RECORD_FORMAT,
    RecordError,
    build_record,
    log_link,
    record_hash,
    verify_record,
)

Doc = dict[str, Any]
Logs = dict[str, Doc]


def test_a_record_verifies_with_its_links_and_logs_in_both_verifiers() -> None:
    record, item_logs = sample_record()
    cases = [
        case(record),
        case(record, key=BOARD_KEY),
        case(record, key=BOARD_KEY, logs=list(item_logs.values())),
    ]
    python = [verify_py(item) for item in cases]
    javascript = verify_js(cases)
    assert [comparable(p) for p in python] == [comparable(j) for j in javascript]
    assert all(p["ok"] for p in python), python
    line = python[2]["line"]
    assert line.startswith(
        'OK meeting "7d5d3c1e-0b7a-4a39-9d69-3f1c2b1e0a01": 10 items (1 private), '
    )
    assert "3 linked decision logs" in line
    assert line.endswith(f"by {public_key_text(BOARD_KEY)}, 3 logs match their links")


def test_the_record_holds_the_published_minutes_and_the_heads_of_their_logs() -> None:
    record, item_logs = sample_record()
    assert record["format"] == RECORD_FORMAT
    assert record["minutes"] == minutes_for_record()
    assert [link["item"] for link in record["links"]] == ["item-3", "item-5", "item-6"]
    for link in record["links"]:
        head = item_logs[link["item"]]["head"]
        assert (link["seq"], link["hash"]) == (head["seq"], head["hash"])
    assert record["hash"] == record_hash(record)
    assert record["signed_at"] == SIGNED_AT


def test_links_come_out_in_agenda_order_whatever_order_they_are_given() -> None:
    item_logs = logs()
    links = [log_link(item, log) for item, log in reversed(list(item_logs.items()))]
    record = build_record(minutes_for_record(), links, BOARD_KEY, signed_at=SIGNED_AT)
    assert [link["item"] for link in record["links"]] == ["item-3", "item-5", "item-6"]


def test_the_signature_covers_format_meeting_hash_and_time() -> None:
    record, _ = sample_record()
    message = (
        f"{RECORD_FORMAT}\n{record['minutes']['meeting']['id']}\n{record['hash']}\n{SIGNED_AT}"
    )
    signature = base64.urlsafe_b64decode(record["signature"] + "==")
    assert BOARD_KEY.verify_key.verify(message.encode(), signature) == message.encode()
    body = {name: record[name] for name in ("format", "public_key", "minutes", "links")}
    assert record["hash"] == hashlib.sha256(canonical_bytes(body)).hexdigest()


def test_private_content_never_reaches_a_signed_record() -> None:
    """The writer refuses minutes whose private item still holds its note, decision or actions."""
    unreduced = approved()
    links = [log_link(item, log) for item, log in logs().items()]
    with pytest.raises(RecordError, match='item 8 is private but holds "actions"'):
        build_record(unreduced, links, BOARD_KEY, signed_at=SIGNED_AT)
    record, _ = sample_record()
    text = json.dumps(record, ensure_ascii=False)
    for secret in (PRIVATE_NOTE, PRIVATE_ACTION, PRIVATE_DISSENT):
        assert secret not in text
    private = next(item for item in record["minutes"]["items"] if item["private"])
    assert set(private) == {"id", "number", "kind", "private", "title", "log"}
    assert set(private["log"]) == {"seq", "hash"}


def test_the_writer_refuses_what_the_verifier_would_refuse() -> None:
    links = [log_link(item, log) for item, log in logs().items()]
    with pytest.raises(RecordError, match='status is not "approved"'):
        build_record(published(draft()), links, BOARD_KEY, signed_at=SIGNED_AT)
    with pytest.raises(RecordError, match="item 5 has a decision but no link"):
        build_record(minutes_for_record(), links[:1] + links[2:], BOARD_KEY, signed_at=SIGNED_AT)
    with pytest.raises(RecordError, match="which the minutes lack"):
        build_record(
            minutes_for_record(),
            [*links, {"item": "item-99", "room_id": "r", "seq": 1, "hash": "0" * 64}],
            BOARD_KEY,
            signed_at=SIGNED_AT,
        )
    with pytest.raises(RecordError, match="which is private"):
        build_record(
            minutes_for_record(),
            [*links, {"item": "item-8", "room_id": "r", "seq": 1, "hash": "0" * 64}],
            BOARD_KEY,
            signed_at=SIGNED_AT,
        )
    with_float = minutes_for_record()
    with_float["items"][0]["planned_minutes"] = 7.5
    with pytest.raises(NotPublishableError, match="planned_minutes"):
        build_record(with_float, links, BOARD_KEY, signed_at=SIGNED_AT)
    with pytest.raises(RecordError, match="signed_at"):
        build_record(minutes_for_record(), links, BOARD_KEY, signed_at="yesterday")


def test_text_is_signed_in_nfc() -> None:
    minutes = minutes_for_record()
    minutes["narrative"]["summary"] = "Cafe\u0301 des aidants"  # e + combining acute
    links = [log_link(item, log) for item, log in logs().items()]
    record = build_record(minutes, links, BOARD_KEY, signed_at=SIGNED_AT)
    assert record["minutes"]["narrative"]["summary"] == "Caf\u00e9 des aidants"
    assert verify_record(record).ok


# -- the tamper corpus -----------------------------------------------------------------


def _changed_outcome(record: Doc, item_logs: Logs) -> RecordCase:
    record["minutes"]["items"][4]["decision"]["outcome"] = "consented"
    return case(record)


def _dropped_dissent(record: Doc, item_logs: Logs) -> RecordCase:
    record["minutes"]["items"][4]["decision"]["dissents"] = []
    return case(record)


def _changed_attendance(record: Doc, item_logs: Logs) -> RecordCase:
    record["minutes"]["attendance"][4]["status"] = "present_in_room"
    return case(record)


def _changed_vote_weight(record: Doc, item_logs: Logs) -> RecordCase:
    record["minutes"]["items"][5]["decision"]["votes"][0]["counted"] = "1"
    return case(record)


def _removed_item(record: Doc, item_logs: Logs) -> RecordCase:
    del record["minutes"]["items"][6]
    return case(record)


def _removed_decided_item_resigned(record: Doc, item_logs: Logs) -> RecordCase:
    del record["minutes"]["items"][5]
    return case(resign(record))


def _removed_item_and_its_link_resigned(record: Doc, item_logs: Logs) -> RecordCase:
    del record["minutes"]["items"][5]
    del record["links"][2]
    return case(resign(record), key=BOARD_KEY, logs=[item_logs["item-6"]])


def _private_content_inserted(record: Doc, item_logs: Logs) -> RecordCase:
    record["minutes"]["items"][7]["note"] = PRIVATE_NOTE
    return case(record)


def _private_content_inserted_resigned(record: Doc, item_logs: Logs) -> RecordCase:
    record["minutes"]["items"][7]["note"] = PRIVATE_NOTE
    return case(resign(record))


def _private_log_content_resigned(record: Doc, item_logs: Logs) -> RecordCase:
    record["minutes"]["items"][7]["log"]["room_id"] = "c0000000-0000-4000-8000-000000000008"
    return case(resign(record))


def _private_item_linked_resigned(record: Doc, item_logs: Logs) -> RecordCase:
    record["links"].append(
        {"item": "item-8", "room_id": "private-room", "seq": 3, "hash": "8" * 64}
    )
    return case(resign(record))


def _draft_resigned(record: Doc, item_logs: Logs) -> RecordCase:
    record["minutes"]["status"] = "draft"
    return case(resign(record))


def _wrong_key(record: Doc, item_logs: Logs) -> RecordCase:
    return case(resign(record, OTHER_KEY), key=BOARD_KEY)


def _swapped_public_key(record: Doc, item_logs: Logs) -> RecordCase:
    record["public_key"] = public_key_text(OTHER_KEY)
    return case(record)


def _swapped_key_forged(record: Doc, item_logs: Logs) -> RecordCase:
    """Another key put in, the hash kept: the board's signature no longer verifies."""
    signature = record["signature"]
    resign(record, OTHER_KEY)
    record["signature"] = signature
    return case(record)


def _bad_signature(record: Doc, item_logs: Logs) -> RecordCase:
    forge_signature(record, OTHER_KEY)
    return case(record)


def _signed_at_changed(record: Doc, item_logs: Logs) -> RecordCase:
    record["signed_at"] = "2027-03-12T10:30:00.000Z"
    return case(record)


def _malformed_signature(record: Doc, item_logs: Logs) -> RecordCase:
    record["signature"] = record["signature"][:-2]
    return case(record)


def _link_hash_changed(record: Doc, item_logs: Logs) -> RecordCase:
    record["links"][1]["hash"] = "f" * 64
    return case(record)


def _link_mismatch(record: Doc, item_logs: Logs) -> RecordCase:
    """The log published for the carers' item is not the one the record links (re-signed)."""
    record["links"][1]["hash"] = "f" * 64
    return case(resign(record), logs=[item_logs["item-3"], item_logs["item-5"]])


def _link_to_another_room_resigned(record: Doc, item_logs: Logs) -> RecordCase:
    record["links"][1]["room_id"] = "c0000000-0000-4000-8000-0000000000ff"
    return case(resign(record))


def _log_rewritten(record: Doc, item_logs: Logs) -> RecordCase:
    """Another log of the carers' room, built afresh: same room, different history."""
    other = decision_log(record["links"][1]["room_id"], "Joint carers' strategy", "blocked", 3)
    return case(record, logs=[other])


def _log_short(record: Doc, item_logs: Logs) -> RecordCase:
    log = item_logs["item-5"]
    cut = build_log(
        log["room"],
        "names",
        [Draft(e["at"], e["type"], e["data"], e["actor"]) for e in log["entries"][1:3]],
        ROOM_KEYS[log["room"]["id"]],
        signed_at="2027-01-14T11:00:00.000Z",
        opened_at=log["entries"][0]["at"],
    )
    return case(record, logs=[cut])


def _log_unlinked(record: Doc, item_logs: Logs) -> RecordCase:
    """A sound log of a room the minutes never mention."""
    room = {"id": "d0000000-0000-4000-8000-000000000001", "title": "Elsewhere"}
    drafts = [Draft("2027-01-14T10:30:00.000Z", "proposal.tabled", {"title": "x", "text": "x"})]
    stranger = build_log(room, "names", drafts, OTHER_KEY, signed_at=SIGNED_AT)
    return case(record, logs=[item_logs["item-3"], stranger])


def _log_tampered(record: Doc, item_logs: Logs) -> RecordCase:
    log = item_logs["item-6"]
    log["entries"][1]["data"]["title"] = "Something else"
    return case(record, logs=[log])


def _duplicate_link_resigned(record: Doc, item_logs: Logs) -> RecordCase:
    record["links"].append(dict(record["links"][0]))
    return case(resign(record))


def _duplicate_item_id_resigned(record: Doc, item_logs: Logs) -> RecordCase:
    record["minutes"]["items"][9]["id"] = record["minutes"]["items"][4]["id"]
    return case(resign(record))


def _float_in_minutes(record: Doc, item_logs: Logs) -> RecordCase:
    record["minutes"]["items"][0]["planned_minutes"] = 7.5
    text = json.dumps(record)
    return RecordCase(text)


def _not_nfc(record: Doc, item_logs: Logs) -> RecordCase:
    record["minutes"]["narrative"]["summary"] = "Cafe\u0301"
    return case(record)


def _extra_member(record: Doc, item_logs: Logs) -> RecordCase:
    record["comment"] = "trust me"
    return case(record)


def _wrong_format(record: Doc, item_logs: Logs) -> RecordCase:
    record["format"] = "evenfloor-meeting-record/2"
    return case(record)


TAMPER: dict[str, tuple[Callable[[Doc, Logs], RecordCase], str, str]] = {
    "changed outcome": (_changed_outcome, "record", "hash"),
    "dropped dissent": (_dropped_dissent, "record", "hash"),
    "changed attendance": (_changed_attendance, "record", "hash"),
    "changed vote weight": (_changed_vote_weight, "record", "hash"),
    "removed item": (_removed_item, "record", "hash"),
    "removed decided item, re-signed": (_removed_decided_item_resigned, "link 3", "link_item"),
    "removed item and its link, re-signed, its log given": (
        _removed_item_and_its_link_resigned,
        "log 1",
        "log_unlinked",
    ),
    "private content inserted": (_private_content_inserted, "minutes", "private_content"),
    "private content inserted, re-signed": (
        _private_content_inserted_resigned,
        "minutes",
        "private_content",
    ),
    "private log room disclosed, re-signed": (
        _private_log_content_resigned,
        "minutes",
        "private_content",
    ),
    "private item linked, re-signed": (_private_item_linked_resigned, "link 4", "link_private"),
    "draft minutes, re-signed": (_draft_resigned, "minutes", "status"),
    "wrong key": (_wrong_key, "document", "key_mismatch"),
    "public key swapped": (_swapped_public_key, "record", "hash"),
    "public key swapped, signature forged by that key": (
        _swapped_key_forged,
        "record",
        "signature",
    ),
    "bad signature": (_bad_signature, "record", "signature"),
    "signed_at changed": (_signed_at_changed, "record", "signature"),
    "malformed signature": (_malformed_signature, "document", "signature_format"),
    "link hash changed": (_link_hash_changed, "record", "hash"),
    "link mismatch, re-signed, logs given": (_link_mismatch, "log 2", "log_mismatch"),
    "link to another room, re-signed": (_link_to_another_room_resigned, "link 2", "link_room"),
    "linked log rewritten": (_log_rewritten, "log 1", "log_mismatch"),
    "linked log ends before the head": (_log_short, "log 1", "log_short"),
    "log of an unlinked room": (_log_unlinked, "log 2", "log_unlinked"),
    "linked log tampered": (_log_tampered, "log 1", "log_invalid"),
    "duplicate link, re-signed": (_duplicate_link_resigned, "link 4", "link_duplicate"),
    "duplicate item id, re-signed": (_duplicate_item_id_resigned, "minutes", "items"),
    "float in the minutes": (_float_in_minutes, "minutes", "number"),
    "text not NFC": (_not_nfc, "minutes", "nfc"),
    "extra member": (_extra_member, "document", "members"),
    "wrong format": (_wrong_format, "document", "format"),
}


@pytest.fixture(scope="module")
def corpus() -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    """Every tamper case through both verifiers (one Node process for all of them)."""
    cases = {}
    for name, (tamper, _location, _reason) in TAMPER.items():
        record, item_logs = sample_record()
        cases[name] = tamper(clone(record), clone(item_logs))
    javascript = verify_js(list(cases.values()))
    return {
        name: (verify_py(item), js)
        for (name, item), js in zip(cases.items(), javascript, strict=True)
    }


@pytest.mark.parametrize("name", list(TAMPER))
def test_both_verifiers_catch_the_tampering(
    name: str, corpus: dict[str, tuple[dict[str, Any], dict[str, Any]]]
) -> None:
    python, javascript = corpus[name]
    _tamper, location, reason = TAMPER[name]
    assert comparable(javascript) == comparable(python)
    assert not python["ok"], python["line"]
    assert (python["location"], python["reason"]) == (location, reason), python["line"]
    assert python["line"] == f"FAIL {location}: {python['message']} [{reason}]"


def test_a_log_that_grew_after_the_meeting_still_matches_its_link() -> None:
    """Logs only grow: a later copy that keeps the linked head unchanged matches."""
    record, item_logs = sample_record()
    log = item_logs["item-5"]
    key = ROOM_KEYS[log["room"]["id"]]
    grown = build_log(
        log["room"],
        "names",
        [
            *[Draft(e["at"], e["type"], e["data"], e["actor"]) for e in log["entries"][1:]],
            Draft(
                "2027-02-01T09:00:00.000Z",
                "statement.added",
                {"statement": "late", "text": "Later"},
            ),
        ],
        key,
        signed_at="2027-02-01T10:00:00.000Z",
        opened_at=log["entries"][0]["at"],
        previous=log,
    )
    python = verify_py(case(record, logs=[grown]))
    (javascript,) = verify_js([case(record, logs=[grown])])
    assert comparable(python) == comparable(javascript)
    assert python["ok"], python["line"]


def test_harmless_re_encodings_verify_in_both() -> None:
    record, _ = sample_record()
    spaced = json.dumps(record, indent=2, ensure_ascii=True)
    reordered = json.dumps(dict(reversed(list(record.items()))), ensure_ascii=False)
    cases = [RecordCase(spaced), RecordCase(reordered)]
    python = [verify_py(item) for item in cases]
    assert [comparable(p) for p in python] == [comparable(j) for j in verify_js(cases)]
    assert all(p["ok"] for p in python)
