"""The signed meeting record (`evenfloor-meeting-record/1`): write it, and verify it offline.

A meeting record is a board's approved minutes, as published (the board's publication
policy applied, private items reduced to their commitments), signed by the board's key,
with a link to the published decision log of every item that reached a decision:

    {"format": "evenfloor-meeting-record/1",
     "public_key": "<board key, base64url>",
     "minutes": <the published minutes document>,
     "links": [{"item": "<item id>", "room_id": "<room id>", "seq": <int>, "hash": "<hex>"}],
     "hash": "<SHA-256 of the RFC 8785 form of {format, public_key, minutes, links}>",
     "signed_at": "<time>",
     "signature": "<Ed25519 over evenfloor-meeting-record/1\\n<meeting id>\\n<hash>\\n<signed_at>>"}

`docs/spec/decision-log-v2.md` § Meeting record is the contract; the checks below run in
the order it lists, and `tools/verify-js/record.mjs` runs the same ones and prints the
same line. Like the rest of `server.publication`, this module imports only the standard
library, `rfc8785` and PyNaCl, so `evenfloor verify RECORD.json` needs nothing but files.

Why a record is more than the minutes' own hash chain: the minutes are drawn from several
streams (the meeting's and each item's room). A link fixes which published decision log,
up to which entry, the minutes speak for; anyone holding that log can check that it still
holds that head unchanged (`--log`), and a later copy of the log must extend it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from server.publication.canonical import canonical_bytes, publishable
from server.publication.encoding import b64url_decode, format_time, is_hash, is_time
from server.publication.keys import SigningKey, public_key_text, read_public_key, sign
from server.publication.keys import signature_valid as _signature_valid
from server.publication.verify import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_UNREADABLE,
    LoadedDocument,
    UnreadableInputError,
    _clean,
    _collector_paused,
    _FailedError,
    _members,
    _safe_int,
    _utf16_key,
    quote,
    read_json_file,
    read_key_argument,
    verify_log,
)

RECORD_FORMAT = "evenfloor-meeting-record/1"
RECORD_MEMBERS = ("format", "public_key", "minutes", "links", "hash", "signed_at", "signature")
HASHED_MEMBERS = ("format", "public_key", "minutes", "links")
LINK_MEMBERS = ("item", "room_id", "seq", "hash")
PRIVATE_ITEM_MEMBERS = frozenset({"id", "number", "kind", "private", "title", "log"})
"""All a published private (Part 2) item may hold (docs/meetings.md): no note, no decision,
no actions. `log` is the commitment to its room's log and holds only `seq` and `hash`."""
PRIVATE_LOG_MEMBERS = frozenset({"seq", "hash"})
_TIME_RULE = "an RFC 3339 UTC time (YYYY-MM-DDTHH:MM:SS[.fraction]Z)"


def record_message(meeting_id: str, record_hash: str, signed_at: str) -> bytes:
    """The exact bytes the record's signature covers (no trailing line feed)."""
    return f"{RECORD_FORMAT}\n{meeting_id}\n{record_hash}\n{signed_at}".encode()


def record_hash(record: Mapping[str, Any]) -> str:
    """Lowercase hex SHA-256 of the RFC 8785 form of the record's hashed members."""
    body = {name: record[name] for name in HASHED_MEMBERS}
    return hashlib.sha256(canonical_bytes(body)).hexdigest()


def log_link(item_id: str, log: Mapping[str, Any]) -> dict[str, Any]:
    """The link from an item to a published decision log: its room and its head now."""
    return {
        "item": item_id,
        "room_id": log["room"]["id"],
        "seq": log["head"]["seq"],
        "hash": log["head"]["hash"],
    }


class RecordError(ValueError):
    """The minutes or links cannot be signed as a meeting record; nothing was signed."""


def build_record(
    minutes: Mapping[str, Any],
    links: Iterable[Mapping[str, Any]],
    signing_key: SigningKey,
    *,
    signed_at: datetime | str,
) -> dict[str, Any]:
    """Sign the published, approved `minutes` with `links` to their items' decision logs.

    Refuses (`RecordError`, or `NotPublishableError` for a float and the like) anything the
    verifier would refuse: minutes that are not approved, a private item that still holds
    content, a link to no item or a private one, a decided item without a link. So the
    server never signs a record that does not verify, nor one that leaks a private item.
    Links come out in the order of the items they link.
    """
    signed = format_time(signed_at) if isinstance(signed_at, datetime) else signed_at
    if not is_time(signed):
        raise RecordError(f"signed_at {signed!r} is not {_TIME_RULE}")
    clean_minutes = publishable(minutes, "/minutes")
    clean_links = publishable(list(links), "/links")
    position = {
        item.get("id"): index
        for index, item in enumerate(clean_minutes.get("items") or [])
        if isinstance(item, dict)
    }
    clean_links.sort(key=lambda link: position.get(link.get("item"), len(position)))
    record: dict[str, Any] = {
        "format": RECORD_FORMAT,
        "public_key": public_key_text(signing_key),
        "minutes": clean_minutes,
        "links": clean_links,
    }
    try:
        _check_contents(record)
    except _FailedError as failure:
        raise RecordError(f"{failure.location}: {failure.message}") from None
    record["hash"] = record_hash(record)
    record["signed_at"] = signed
    meeting_id = clean_minutes["meeting"]["id"]
    record["signature"] = sign(signing_key, record_message(meeting_id, record["hash"], signed))
    return record


# -- verification ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RecordResult:
    """What verifying a meeting record found: `ok`, or the first failure and why.

    `location` is `document`, `minutes`, `links`, `link N`, `record` or `log N` (the Nth
    `--log`); `reason` a stable code; `message` a sentence.
    """

    ok: bool
    location: str | None = None
    reason: str | None = None
    message: str | None = None
    meeting_id: str | None = None
    items: int = 0
    private: int = 0
    links: int = 0
    record_hash: str | None = None
    signed_at: str | None = None
    public_key: str | None = None
    logs: int = 0

    def line(self) -> str:
        """One line for a person: `OK …` or `FAIL <location>: <message> [<reason>]`."""
        if not self.ok:
            return f"FAIL {self.location}: {self.message} [{self.reason}]"
        line = (
            f"OK meeting {quote(self.meeting_id or '')}: {self.items} items "
            f"({self.private} private), {self.links} linked decision "
            f"log{'s' if self.links != 1 else ''}, hash {(self.record_hash or '')[:16]}, "
            f"signed {self.signed_at} by {self.public_key}"
        )
        if self.logs:
            line += f", {self.logs} log{'s' if self.logs != 1 else ''} match their links"
        return line


def _check_document(doc: Any) -> None:
    if not isinstance(doc, dict):
        raise _FailedError("document", "not_an_object", "the record is not a JSON object")
    _members(doc, RECORD_MEMBERS, "document", None)
    if doc["format"] != RECORD_FORMAT:
        raise _FailedError("document", "format", f"format is not {quote(RECORD_FORMAT)}")
    if not isinstance(doc["public_key"], str) or read_public_key(doc["public_key"]) is None:
        raise _FailedError(
            "document", "public_key", "public_key is not 32 bytes in base64url without padding"
        )
    if not isinstance(doc["minutes"], dict):
        raise _FailedError("document", "minutes", "minutes must be an object")
    if not isinstance(doc["links"], list):
        raise _FailedError("document", "links", "links must be an array")
    if not is_hash(doc["hash"]):
        raise _FailedError("document", "hash_format", "hash is not 64 lowercase hex digits")
    if not is_time(doc["signed_at"]):
        raise _FailedError("document", "signed_at", f"signed_at is not {_TIME_RULE}")
    if not isinstance(doc["signature"], str) or b64url_decode(doc["signature"], 64) is None:
        raise _FailedError(
            "document", "signature_format", "signature is not 64 bytes in base64url without padding"
        )


def _item_label(item: Mapping[str, Any], index: int) -> str:
    number = item.get("number")
    return f"item {number}" if _safe_int(number) is not None else f"item at position {index}"


def _check_minutes(minutes: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    meeting = minutes.get("meeting")
    if not isinstance(meeting, dict) or not isinstance(meeting.get("id"), str) or not meeting["id"]:
        raise _FailedError("minutes", "meeting", "meeting.id must be a non-empty string")
    if minutes.get("status") != "approved":
        raise _FailedError(
            "minutes", "status", 'status is not "approved": only approved minutes are a record'
        )
    items = minutes.get("items")
    if not isinstance(items, list):
        raise _FailedError("minutes", "items", "items must be an array")
    seen: set[str] = set()
    for index, item in enumerate(items, start=1):
        if (
            not isinstance(item, dict)
            or not isinstance(item.get("id"), str)
            or not isinstance(item.get("private"), bool)
        ):
            raise _FailedError(
                "minutes",
                "items",
                f"item at position {index} must be an object with a string id and a boolean private",
            )
        if item["id"] in seen:
            raise _FailedError(
                "minutes", "items", f"item at position {index} repeats the id {quote(item['id'])}"
            )
        seen.add(item["id"])
        if item["private"]:
            _check_private(item, index)
    return items


def _check_private(item: Mapping[str, Any], index: int) -> None:
    label = _item_label(item, index)
    extra = sorted((name for name in item if name not in PRIVATE_ITEM_MEMBERS), key=_utf16_key)
    if extra:
        raise _FailedError(
            "minutes",
            "private_content",
            f"{label} is private but holds {quote(extra[0])}: a private item is published "
            "with its id, number, kind, title and log commitment only",
        )
    log = item.get("log")
    if log is not None and (
        not isinstance(log, dict) or any(name not in PRIVATE_LOG_MEMBERS for name in log)
    ):
        raise _FailedError(
            "minutes",
            "private_content",
            f"{label} is private but its log holds more than the commitment (seq and hash)",
        )


def _check_links(links: Sequence[Any], items: Sequence[Mapping[str, Any]]) -> None:
    by_id = {item["id"]: (index, item) for index, item in enumerate(items, start=1)}
    linked_items: set[str] = set()
    linked_rooms: set[str] = set()
    for number, link in enumerate(links, start=1):
        where = f"link {number}"
        if not isinstance(link, dict):
            raise _FailedError(where, "link_malformed", "is not a JSON object")
        _members(link, LINK_MEMBERS, where, None)
        seq = _safe_int(link["seq"])
        if (
            not isinstance(link["item"], str)
            or not isinstance(link["room_id"], str)
            or not link["room_id"]
            or seq is None
            or seq < 1
            or not is_hash(link["hash"])
        ):
            raise _FailedError(
                where,
                "link_malformed",
                "item and room_id must be strings, seq a positive integer, hash 64 lowercase hex",
            )
        found = by_id.get(link["item"])
        if found is None:
            raise _FailedError(
                where, "link_item", f"links item {quote(link['item'])}, which the minutes lack"
            )
        index, item = found
        if item["private"]:
            raise _FailedError(
                where,
                "link_private",
                f"links {_item_label(item, index)}, which is private: its log is not published",
            )
        if link["item"] in linked_items or link["room_id"] in linked_rooms:
            raise _FailedError(
                where, "link_duplicate", "links an item or a room that another link already links"
            )
        linked_items.add(link["item"])
        linked_rooms.add(link["room_id"])
        decision = item.get("decision")
        log = decision.get("log") if isinstance(decision, dict) else None
        room_id = log.get("room_id") if isinstance(log, dict) else None
        if isinstance(room_id, str) and room_id != link["room_id"]:
            raise _FailedError(
                where,
                "link_room",
                f"links room {quote(link['room_id'])}, but the minutes record "
                f"{_item_label(item, index)}'s decision in room {quote(room_id)}",
            )
    for index, item in enumerate(items, start=1):
        if (
            not item["private"]
            and item.get("decision") is not None
            and item["id"] not in linked_items
        ):
            raise _FailedError(
                "links",
                "link_missing",
                f"{_item_label(item, index)} has a decision but no link to its decision log",
            )


def _check_contents(doc: Mapping[str, Any]) -> None:
    """Steps 3 and 4: what is hashed is clean JSON, the minutes are a record, the links fit."""
    plain = isinstance(doc, LoadedDocument) and doc.plain
    if not plain:
        _clean(doc["minutes"], "/minutes", "minutes", 0)
        _clean(doc["links"], "/links", "links", 0)
    items = _check_minutes(doc["minutes"])
    _check_links(doc["links"], items)


def _check_signature(doc: Mapping[str, Any]) -> None:
    computed = record_hash(doc)
    if computed != doc["hash"]:
        raise _FailedError(
            "record", "hash", f"hash does not match the record's contents (computed {computed})"
        )
    public_key = read_public_key(doc["public_key"])
    signature = b64url_decode(doc["signature"], 64)
    assert public_key is not None
    assert signature is not None
    message = record_message(doc["minutes"]["meeting"]["id"], doc["hash"], doc["signed_at"])
    if not _signature_valid(public_key, message, signature):
        raise _FailedError("record", "signature", "signature does not verify with public_key")


def _check_log(doc: Mapping[str, Any], log: Any, index: int) -> None:
    where = f"log {index}"
    result = verify_log(log)
    if not result.ok:
        raise _FailedError(where, "log_invalid", f"does not verify: {result.line()[5:]}")
    room_id = log["room"]["id"]
    link = next((link for link in doc["links"] if link["room_id"] == room_id), None)
    if link is None:
        raise _FailedError(
            where, "log_unlinked", f"is the log of room {quote(room_id)}, which no link names"
        )
    seq = _safe_int(link["seq"])
    assert seq is not None
    entries = log["entries"]
    if seq > len(entries):
        raise _FailedError(
            where,
            "log_short",
            f"ends at entry {len(entries)}, before the linked head (entry {seq})",
        )
    if entries[seq - 1]["hash"] != link["hash"]:
        raise _FailedError(
            where,
            "log_mismatch",
            f"entry {seq} has hash {entries[seq - 1]['hash']}, the link holds {link['hash']}",
        )


def verify_record(
    doc: Any, key: str | bytes | None = None, logs: Iterable[Any] = ()
) -> RecordResult:
    """Verify a meeting record; report the first failure, or what was verified.

    `key` is the board's public key obtained out of band; `logs` parsed decision logs,
    each of which must verify, be linked by the record, and hold the linked head unchanged.
    """
    if isinstance(key, str):
        raw_key = read_public_key(key)
        if raw_key is None:
            raise ValueError("key is not 32 bytes in base64url without padding")
        key = raw_key
    count = 0
    try:
        with _collector_paused():
            _check_document(doc)
            if key is not None and read_public_key(doc["public_key"]) != key:
                raise _FailedError(
                    "document",
                    "key_mismatch",
                    f"public_key {doc['public_key']} is not the key given out of band",
                )
            _check_contents(doc)
            _check_signature(doc)
            for count, log in enumerate(logs, start=1):
                _check_log(doc, log, count)
    except _FailedError as failure:
        return RecordResult(
            ok=False, location=failure.location, reason=failure.reason, message=failure.message
        )
    except RecursionError:
        return RecordResult(
            ok=False,
            location="document",
            reason="depth",
            message="the record is nested too deeply to check",
        )
    items = doc["minutes"]["items"]
    return RecordResult(
        ok=True,
        meeting_id=doc["minutes"]["meeting"]["id"],
        items=len(items),
        private=sum(1 for item in items if item["private"]),
        links=len(doc["links"]),
        record_hash=doc["hash"],
        signed_at=doc["signed_at"],
        public_key=doc["public_key"],
        logs=count,
    )


def verify_any_files(
    path: str | Path,
    *,
    previous: str | Path | None = None,
    key: str | None = None,
    receipts: Sequence[str | Path] = (),
    logs: Sequence[str | Path] = (),
    fairness: bool = False,
) -> tuple[int, str]:
    """What `evenfloor verify FILE` does for either format: (exit code, the line to print).

    The input is read once and checked by its format: a decision log exactly as
    `verify_files` checks it (format 1 keeps verifying unchanged), a meeting record here. Options that belong to the other format are
    an unreadable invocation (exit 2), not silently ignored.
    """
    try:
        # "log" as before: format 1's messages are unchanged, and a record is a log of a meeting.
        document = _read("log", path, read_json_file)
        is_record = isinstance(document, dict) and document.get("format") == RECORD_FORMAT
        if is_record and (previous is not None or receipts):
            raise UnreadableInputError(
                f"--previous and --receipt go with a decision log; {path} is a meeting "
                "record (use --log)"
            )
        if is_record and fairness:
            raise UnreadableInputError(
                f"--fairness replays a decision log's queue; {path} is a meeting record"
            )
        if not is_record and logs:
            raise UnreadableInputError(
                f"--log goes with a meeting record ({RECORD_FORMAT}); {path} is not one"
            )
        raw_key = None if key is None else _read("key", key, read_key_argument)
        if is_record:
            parsed = [_read(f"log {n}", p, read_json_file) for n, p in enumerate(logs, start=1)]
        else:
            older = None if previous is None else _read("older copy", previous, read_json_file)
            parsed = [
                _read(f"receipt {n}", p, read_json_file) for n, p in enumerate(receipts, start=1)
            ]
    except UnreadableInputError as error:
        return EXIT_UNREADABLE, f"ERROR {error}"
    if is_record:
        record = verify_record(document, raw_key, parsed)
        return (EXIT_OK if record.ok else EXIT_FAILED), record.line()
    log = verify_log(document, older, raw_key, parsed, fairness=fairness)
    return (EXIT_OK if log.fair else EXIT_FAILED), "\n".join(log.lines())


def _read(what: str, source: Any, reader: Any) -> Any:
    try:
        return reader(source)
    except UnreadableInputError as error:
        raise UnreadableInputError(f"{what} {source}: {error}") from None
