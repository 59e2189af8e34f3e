"""Writing a published decision log: the entry chain, the signed head, growth.

`LogWriter` appends entries one at a time (entry 1, `log.opened`, is written for you) and
signs the head whenever you publish. `build_log` does the same for a whole list of drafts
and, given the previously published copy, refuses to publish anything that does not keep
every earlier entry unchanged.

Every draft goes through `publishable` first: strings are NFC-normalised *in the stored
entry*, so the published bytes are NFC; floats and other non-integers are refused.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, get_args

from server.publication.canonical import canonical_entry_bytes, publishable
from server.publication.encoding import ZERO_HASH, format_time, is_time
from server.publication.keys import SigningKey, public_key_text, sign

FORMAT_1 = "evenfloor-decision-log/1"
FORMAT_2 = "evenfloor-decision-log/2"
FORMAT = FORMAT_2
"""The format new logs are written in; a log keeps the format it was opened with."""
FORMATS: tuple[str, ...] = (FORMAT_1, FORMAT_2)
Policy = Literal["names", "organisations", "anonymous"]
POLICIES: tuple[str, ...] = get_args(Policy)
ENTRY_MEMBERS = ("seq", "at", "type", "actor", "data", "prev", "hash")


@dataclass(frozen=True, slots=True)
class Draft:
    """An entry before it has its place in the chain: what happened, when, and by whom.

    `at` is an aware datetime or an RFC 3339 UTC string as the log writes it; `actor` is
    already shaped by the publication policy (or None for the system).
    """

    at: datetime | str
    type: str
    data: Mapping[str, Any]
    actor: Mapping[str, Any] | None = None


class GrowthError(ValueError):
    """A publication would change or drop an entry of the previously published log."""

    def __init__(self, seq: int, problem: str) -> None:
        super().__init__(f"entry {seq}: {problem}")
        self.seq = seq


def head_message(
    room_id: str, seq: int, head_hash: str, signed_at: str, format: str = FORMAT_1
) -> bytes:
    """The exact bytes the head signature covers (no trailing line feed). The format is
    signed too, so that a format 2 log cannot pass for a format 1 one, nor the reverse."""
    return f"{format}\n{room_id}\n{seq}\n{head_hash}\n{signed_at}".encode()


def _time_text(at: datetime | str, what: str) -> str:
    if isinstance(at, datetime):
        return format_time(at)
    if not is_time(at):
        raise ValueError(f"{what} {at!r} is not an RFC 3339 UTC time such as 2026-01-31T09:00:00Z")
    return at


class LogWriter:
    """Appends entries to one room's log and signs its head.

    >>> writer = LogWriter("room-1", "Clinic", "names", key, opened_at=t0)  # doctest: +SKIP
    >>> writer.append("proposal.tabled", {"title": "Fund the clinic"}, at=t1)  # doctest: +SKIP
    >>> document = writer.publish(signed_at=t2)  # doctest: +SKIP
    """

    def __init__(
        self,
        room_id: str,
        title: str,
        policy: Policy,
        signing_key: SigningKey,
        *,
        opened_at: datetime | str,
        format: str = FORMAT,
    ) -> None:
        if format not in FORMATS:
            raise ValueError(f"format {format!r} is not one of {', '.join(FORMATS)}")
        self._format = format
        if not isinstance(room_id, str) or not room_id or any(c < " " for c in room_id):
            raise ValueError(f"room id {room_id!r} must be a non-empty string without controls")
        if policy not in POLICIES:
            raise ValueError(f"policy {policy!r} is not one of {', '.join(POLICIES)}")
        if not isinstance(title, str):
            raise ValueError(f"room title {title!r} must be a string")
        self._room_id: str = publishable(room_id, "room/id")
        self._title: str = publishable(title, "room/title")
        self._policy: str = policy
        self._key = signing_key
        self._public_key = public_key_text(signing_key)
        self._entries: list[dict[str, Any]] = []
        self.append(
            "log.opened",
            {
                "room_id": self._room_id,
                "title": self._title,
                "policy": self._policy,
                "public_key": self._public_key,
            },
            at=opened_at,
        )

    @classmethod
    def resume(cls, document: Mapping[str, Any], signing_key: SigningKey) -> LogWriter:
        """Continue a previously published log, keeping every one of its entries.

        The document must verify, and `signing_key` must be the key it was signed with.
        """
        from server.publication.verify import verify_log

        result = verify_log(document)
        if not result.ok:
            raise ValueError(f"cannot continue a log that does not verify: {result.line()}")
        if document["public_key"] != public_key_text(signing_key):
            raise ValueError("cannot continue a log signed with another key")
        writer = cls.__new__(cls)
        writer._format = document["format"]
        writer._room_id = document["room"]["id"]
        writer._title = document["room"]["title"]
        writer._policy = document["policy"]
        writer._key = signing_key
        writer._public_key = document["public_key"]
        writer._entries = copy.deepcopy(list(document["entries"]))
        return writer

    @property
    def format(self) -> str:
        """`evenfloor-decision-log/1` or `/2`: a log keeps the format it was opened with."""
        return self._format

    @property
    def room_id(self) -> str:
        return self._room_id

    @property
    def public_key(self) -> str:
        return self._public_key

    @property
    def policy(self) -> str:
        return self._policy

    @property
    def entries(self) -> tuple[dict[str, Any], ...]:
        """The entries so far (treat them as read-only)."""
        return tuple(self._entries)

    @property
    def head_seq(self) -> int:
        return len(self._entries)

    @property
    def head_hash(self) -> str:
        return self._entries[-1]["hash"] if self._entries else ZERO_HASH

    def append(
        self,
        type: str,
        data: Mapping[str, Any],
        *,
        at: datetime | str,
        actor: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Add one entry at the next `seq` and return it (with its `prev` and `hash`).

        Raises `NotPublishableError` (with the path) for a float or anything else the format
        cannot hold, ValueError for a malformed type, time, actor or data.
        """
        seq = len(self._entries) + 1
        if not isinstance(type, str) or not type:
            raise ValueError(f"entry {seq}: type {type!r} must be a non-empty string")
        if not isinstance(data, Mapping):
            raise ValueError(f"entry {seq}: data must be an object, not {data!r}")
        if actor is not None and not isinstance(actor, Mapping):
            raise ValueError(f"entry {seq}: actor must be an object or None, not {actor!r}")
        entry: dict[str, Any] = {
            "seq": seq,
            "at": _time_text(at, f"entry {seq}: time"),
            "type": publishable(type, f"entry {seq}/type"),
            "actor": None if actor is None else publishable(actor, f"entry {seq}/actor"),
            "data": publishable(data, f"entry {seq}/data"),
            "prev": self.head_hash,
        }
        entry["hash"] = hashlib.sha256(canonical_entry_bytes(entry)).hexdigest()
        self._entries.append(entry)
        return entry

    def extend(self, drafts: Iterable[Draft]) -> None:
        """Append every draft, in order."""
        for draft in drafts:
            self.append(draft.type, draft.data, at=draft.at, actor=draft.actor)

    def publish(self, signed_at: datetime | str) -> dict[str, Any]:
        """The whole document with a head signed now (`signed_at`).

        The document shares its entry objects with the writer; serialise it
        (`serialize_log`) or copy it before changing anything.
        """
        signed = _time_text(signed_at, "signed_at")
        head_hash = self.head_hash
        message = head_message(self._room_id, self.head_seq, head_hash, signed, self._format)
        signature = sign(self._key, message)
        return {
            "format": self._format,
            "room": {"id": self._room_id, "title": self._title},
            "policy": self._policy,
            "public_key": self._public_key,
            "entries": list(self._entries),
            "head": {
                "seq": self.head_seq,
                "hash": head_hash,
                "signed_at": signed,
                "signature": signature,
            },
        }


def build_log(
    room: Mapping[str, str],
    policy: Policy,
    drafts: Iterable[Draft],
    signing_key: SigningKey,
    *,
    signed_at: datetime | str,
    opened_at: datetime | str | None = None,
    previous: Mapping[str, Any] | None = None,
    format: str = FORMAT,
) -> dict[str, Any]:
    """A signed log of `room` ({"id", "title"}): `log.opened`, then one entry per draft.

    `opened_at` (the time of `log.opened`) defaults to the first draft's time, or
    `signed_at` for a room with no drafts yet; keep it fixed for a room, so that each
    publication rebuilds the same first entry.

    With `previous` (the last published copy), the new log must keep every one of its
    entries unchanged, or `GrowthError` names the first entry that would differ: a log
    only grows.
    """
    drafts = list(drafts)
    if opened_at is None:
        opened_at = drafts[0].at if drafts else signed_at
    writer = LogWriter(
        room["id"], room["title"], policy, signing_key, opened_at=opened_at, format=format
    )
    writer.extend(drafts)
    if previous is not None:
        check_growth(previous, writer.entries)
    return writer.publish(signed_at)


def check_growth(previous: Mapping[str, Any], entries: Iterable[Mapping[str, Any]]) -> None:
    """Raise `GrowthError` unless `entries` start with every entry of `previous`, unchanged."""
    old_entries = list(previous["entries"])
    new_entries = list(entries)
    for old, new in zip(old_entries, new_entries, strict=False):
        if old != new:
            raise GrowthError(old["seq"], "would change an entry of the previously published log")
    if len(new_entries) < len(old_entries):
        raise GrowthError(
            len(new_entries) + 1,
            f"would drop entries {len(new_entries) + 1}-{len(old_entries)} "
            "of the previously published log",
        )


def serialize_log(document: Mapping[str, Any]) -> str:
    """The document as UTF-8 JSON text, one entry per line (readable, diffable).

    Any JSON spelling verifies (the hashes cover the RFC 8785 form); this one keeps the
    spec's member order and writes non-ASCII text as itself.
    """
    encode = _LINE_ENCODER.encode
    header = {key: value for key, value in document.items() if key not in ("entries", "head")}
    lines = ["{"]
    lines.extend(f"  {encode(key)}: {encode(value)}," for key, value in header.items())
    lines.append('  "entries": [')
    lines.append(",\n".join(f"    {encode(entry)}" for entry in document["entries"]))
    lines.append("  ],")
    lines.append(f'  "head": {encode(document["head"])}')
    lines.append("}")
    return "\n".join(lines) + "\n"


_LINE_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": "), allow_nan=False)
