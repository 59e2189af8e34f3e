"""The offline verifier: everything `docs/spec/decision-log-v1.md` and `-v2.md` says a verifier checks.

It depends on nothing but the log: the standard library, `rfc8785` and PyNaCl. No
settings, no database, no network (a test imports it in a fresh interpreter and checks).

The checks run in a fixed order and stop at the first failure, which names where it is
(`entry 5`, `head`, `document`, `older copy`, `receipt 2`), a stable reason code and a
sentence. The JavaScript verifier (`tools/verify-js/verify.mjs`) runs the same checks in
the same order and prints the same line; `docs/decision-log.md` lists them.

1. Document: a JSON object with exactly the format's members; `format`, `room`,
   `policy`, `public_key` (32 bytes, base64url) and a non-empty `entries` array.
2. Out-of-band key, when given: `public_key` equals it.
3. Each entry in order: exactly the entry members; `seq` equals its position; `at` an
   RFC 3339 UTC time; `type` a non-empty string; `actor` an object or null; `data` an
   object; `prev` and `hash` 64 lowercase hex digits; every number an integer within
   ±(2**53 − 1); every string valid Unicode and NFC-normalised; `prev` links to the
   previous entry (64 zeros for entry 1); `hash` is the SHA-256 of the RFC 8785 form of
   the entry without `hash`; entry 1 is `log.opened` and repeats the document's fields.
4. Head: exactly its members; `seq` and `hash` of the last entry; `signed_at` a time;
   the Ed25519 signature verifies with `public_key`.
5. Older copy, when given: it verifies on its own, is of the same room and key, and every
   one of its entries is here unchanged.
6. Receipts, in order: well formed, of this room and key, the signature verifies, and the
   log holds the receipted `hash` at the receipted `seq`.
7. With `fairness`, once all the above pass: the fairness replay (`replay.py`) of a format 2
   log's queue, which names every grant that did not follow the rule (all of them, one line
   each, not only the first).
"""

from __future__ import annotations

import gc
import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from server.publication.canonical import (
    SAFE_INTEGER,
    canonical_bytes,
    canonical_entry_bytes,
    pointer,
)
from server.publication.encoding import ZERO_HASH, b64url_decode, is_hash, is_time
from server.publication.keys import read_public_key, signature_valid
from server.publication.log import ENTRY_MEMBERS, FORMATS, POLICIES, head_message
from server.publication.receipts import RECEIPT_FORMAT, RECEIPT_MEMBERS, receipt_message
from server.publication.replay import FairnessResult, replay_fairness

DOCUMENT_MEMBERS = ("format", "room", "policy", "public_key", "entries", "head")
HEAD_MEMBERS = ("seq", "hash", "signed_at", "signature")
_ENTRY_MEMBER_SET = frozenset(ENTRY_MEMBERS)
_TIME_RULE = "an RFC 3339 UTC time (YYYY-MM-DDTHH:MM:SS[.fraction]Z)"
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_UNREADABLE = 2


@dataclass(frozen=True, slots=True)
class VerificationResult:
    """What a verification found: `ok`, or the first failure and why.

    On failure, `location` is where it is (`entry 5`, `head`, `document`, `older copy`,
    `receipt 2`), `entry` the seq of the failing entry when an entry is at fault (else
    None), `reason` a stable code (e.g. `hash`, `prev`, `signature`, `rewritten`) and
    `message` a sentence. On success the summary fields describe what was verified.
    """

    ok: bool
    location: str | None = None
    entry: int | None = None
    reason: str | None = None
    message: str | None = None
    room_id: str | None = None
    entries: int = 0
    head_hash: str | None = None
    signed_at: str | None = None
    public_key: str | None = None
    extends: int | None = None
    receipts: int = 0
    fairness: FairnessResult | None = None

    @property
    def fair(self) -> bool:
        """Verified, and (when the replay ran) every grant followed the rule."""
        return self.ok and (self.fairness is None or self.fairness.ok)

    def lines(self) -> list[str]:
        """Every line for a person: the one line, or with the fairness replay's findings
        one line per grant that did not follow the rule."""
        if self.ok and self.fairness is not None and not self.fairness.ok:
            return [finding.line() for finding in self.fairness.findings]
        return [self.line()]

    def line(self) -> str:
        """One line for a person: `OK …` or `FAIL <location>: <message> [<reason>]`."""
        if not self.ok:
            return f"FAIL {self.location}: {self.message} [{self.reason}]"
        parts = [
            f"OK {quote(self.room_id or '')}: {self.entries} entries, "
            f"head {self.entries} {(self.head_hash or '')[:16]}, "
            f"signed {self.signed_at} by {self.public_key}"
        ]
        if self.extends is not None:
            parts.append(f"extends the older copy (up to entry {self.extends})")
        if self.receipts:
            parts.append(f"{self.receipts} receipt{'s' if self.receipts != 1 else ''} found")
        if self.fairness is not None and self.fairness.ok:
            parts.append(self.fairness.summary())
        return ", ".join(parts)


class UnreadableInputError(ValueError):
    """An input is not a JSON document the verifier can read (exit code 2)."""


class _FailedError(Exception):
    def __init__(self, location: str, reason: str, message: str, entry: int | None = None):
        super().__init__(f"{location}: {message}")
        self.location = location
        self.reason = reason
        self.message = message
        self.entry = entry


class _BadNumber:
    """Stands in for a number that is not an integer within ±(2**53 − 1)."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


class LoadedDocument(dict[str, Any]):
    """A JSON object read by `load_json`, which remembers what reading it proved.

    `plain` is True when every number in it is an integer within range and every string
    is valid NFC text (the raw text is NFC and uses no `\\u` escapes), so the verifier
    need not walk each entry again. A plain `dict` is always walked. The flag describes
    the document as read: verify it before changing anything in it.
    """

    plain: bool = False


def quote(text: str) -> str:
    """A string as the messages show it: JSON, with lone surrogates escaped."""
    quoted = json.dumps(text, ensure_ascii=False)
    return _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", quoted)


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for name, _ in pairs:
            if name in seen:
                raise UnreadableInputError(f"member name {quote(name)} appears twice in one object")
            seen.add(name)
    return result


class _NumberReader:
    """Reads JSON numbers as the format allows them: integers within ±(2**53 − 1).

    An integral value however spelled (`1.0`, `1e2`) reads as the integer it equals, as in
    JavaScript; anything else becomes a `_BadNumber` for the verifier to report with its
    place, and is counted.
    """

    def __init__(self) -> None:
        self.refused = 0

    def read_int(self, token: str) -> int | _BadNumber:
        if len(token) <= 17:  # a sign and 16 digits at most: ±(2**53 - 1) or just past it
            value = int(token)
            if -SAFE_INTEGER <= value <= SAFE_INTEGER:
                return value
        self.refused += 1  # (far longer digit strings are never converted at all)
        return _BadNumber(token)

    def read_float(self, token: str) -> int | _BadNumber:
        value = float(token)
        if value.is_integer() and -SAFE_INTEGER <= value <= SAFE_INTEGER:
            return int(value)
        self.refused += 1
        return _BadNumber(token)


def load_json(data: bytes | str) -> Any:
    """Read UTF-8 JSON strictly (RFC 8259 and I-JSON), or raise `UnreadableInputError`.

    Refused: invalid UTF-8, a byte order mark, NaN and Infinity, duplicate member names.
    Numbers that are not integers within ±(2**53 − 1) are kept as markers for the
    verifier to report with their place (an integral value such as `1.0` reads as `1`,
    as it does in JavaScript).
    """
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise UnreadableInputError(
                f"not UTF-8 ({error.reason} at byte {error.start})"
            ) from None
    else:
        text = data
    if text.startswith("\ufeff"):
        raise UnreadableInputError("starts with a byte order mark")
    numbers = _NumberReader()

    def parse_constant(token: str) -> Any:
        raise UnreadableInputError(f"{token} is not JSON")

    try:
        with _collector_paused():
            value = json.loads(
                text,
                object_pairs_hook=_no_duplicates,
                parse_int=numbers.read_int,
                parse_float=numbers.read_float,
                parse_constant=parse_constant,
            )
    except json.JSONDecodeError as error:
        raise UnreadableInputError(
            f"not JSON: {error.msg} (line {error.lineno}, column {error.colno})"
        ) from None
    except RecursionError:
        raise UnreadableInputError("not JSON this verifier can read: nested too deeply") from None
    if isinstance(value, dict):
        document = LoadedDocument(value)
        document.plain = (
            numbers.refused == 0 and "\\u" not in text and unicodedata.is_normalized("NFC", text)
        )
        return document
    return value


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector: parsed JSON and the verifier's temporaries hold
    no cycles, and on a large log the collector's repeated full scans cost a third of the
    time. It is switched back on (if it was on) however the block ends."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def read_json_file(path: str | Path) -> Any:
    """`load_json` of a file; a missing or unreadable file is `UnreadableInputError` too."""
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise UnreadableInputError(f"cannot read it: {error.strerror}") from None
    return load_json(data)


def read_key_argument(text: str) -> bytes:
    """An out-of-band public key: the base64url text itself, or a file holding it."""
    candidate = text.strip()
    raw = read_public_key(candidate)
    if raw is not None:
        return raw
    try:
        candidate = Path(text).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        raise UnreadableInputError(
            "is neither a public key (32 bytes, base64url without padding) nor a file holding one"
        ) from None
    raw = read_public_key(candidate)
    if raw is None:
        raise UnreadableInputError(
            "does not hold a public key (32 bytes, base64url without padding)"
        )
    return raw


# -- the checks ---------------------------------------------------------------------------


def _safe_int(value: Any) -> int | None:
    if type(value) is int and -SAFE_INTEGER <= value <= SAFE_INTEGER:
        return value
    if type(value) is float and value.is_integer() and -SAFE_INTEGER <= value <= SAFE_INTEGER:
        return int(value)
    return None


def _utf16_key(text: str) -> bytes:
    return text.encode("utf-16-be", "surrogatepass")


def _members(
    value: Mapping[str, Any], expected: Sequence[str], location: str, entry: int | None
) -> None:
    for name in expected:
        if name not in value:
            raise _FailedError(location, "members", f"missing member {quote(name)}", entry)
    unexpected = sorted((name for name in value if name not in expected), key=_utf16_key)
    if unexpected:
        raise _FailedError(location, "members", f"unexpected member {quote(unexpected[0])}", entry)


def _text_problem(text: str) -> str | None:
    if text.isascii():
        return None
    if _LONE_SURROGATE.search(text):
        return "unicode"
    if not unicodedata.is_normalized("NFC", text):
        return "nfc"
    return None


_TEXT_MESSAGES = {
    "unicode": "is not valid Unicode (it holds a lone surrogate)",
    "nfc": "is not NFC-normalised",
}


def _clean(value: Any, path: str, location: str, seq: int) -> Any:
    """A copy of an entry value fit for hashing, or `_FailedError` at the first problem.

    Walks in RFC 8785 order (member names sorted by UTF-16 code unit, each name before
    its value) so that both verifiers report the same first problem.
    """
    if isinstance(value, str):
        problem = _text_problem(value)
        if problem:
            raise _FailedError(
                location, problem, f"text at {quote(path)} {_TEXT_MESSAGES[problem]}", seq
            )
        return value
    if value is None or type(value) is bool:
        return value
    if isinstance(value, dict):
        result: dict[str, Any] = {}
        for name in sorted(value, key=_utf16_key):
            here = pointer(path, name)
            problem = _text_problem(name)
            if problem:
                raise _FailedError(
                    location,
                    problem,
                    f"member name at {quote(here)} {_TEXT_MESSAGES[problem]}",
                    seq,
                )
            result[name] = _clean(value[name], here, location, seq)
        return result
    if isinstance(value, list):
        return [_clean(item, pointer(path, str(i)), location, seq) for i, item in enumerate(value)]
    number = _safe_int(value)
    if number is None:
        raise _FailedError(
            location,
            "number",
            f"number at {quote(path)} is not an integer within ±(2**53 - 1)",
            seq,
        )
    return number


def _check_document(doc: Any) -> None:
    if not isinstance(doc, dict):
        raise _FailedError("document", "not_an_object", "the log is not a JSON object")
    _members(doc, DOCUMENT_MEMBERS, "document", None)
    if doc["format"] not in FORMATS:
        raise _FailedError(
            "document", "format", f"format is not {' or '.join(quote(f) for f in FORMATS)}"
        )
    room = doc["room"]
    if (
        not isinstance(room, dict)
        or set(room) != {"id", "title"}
        or not isinstance(room["id"], str)
        or not isinstance(room["title"], str)
    ):
        raise _FailedError(
            "document", "room", 'room must be an object with exactly the strings "id" and "title"'
        )
    if not isinstance(doc["policy"], str) or doc["policy"] not in POLICIES:
        raise _FailedError(
            "document", "policy", 'policy must be "names", "organisations" or "anonymous"'
        )
    if not isinstance(doc["public_key"], str) or read_public_key(doc["public_key"]) is None:
        raise _FailedError(
            "document", "public_key", "public_key is not 32 bytes in base64url without padding"
        )
    if not isinstance(doc["entries"], list) or not doc["entries"]:
        raise _FailedError("document", "entries", "entries must be a non-empty array")


def _check_shape(entry: Any, seq: int) -> None:
    where = f"entry {seq}"
    if not isinstance(entry, dict):
        raise _FailedError(where, "not_an_object", "is not a JSON object", seq)
    if entry.keys() != _ENTRY_MEMBER_SET:
        _members(entry, ENTRY_MEMBERS, where, seq)
    number = _safe_int(entry["seq"])
    if number != seq:
        shown = "not an integer" if number is None else str(number)
        raise _FailedError(where, "seq", f"seq is {shown}, expected {seq}", seq)
    if not is_time(entry["at"]):
        raise _FailedError(where, "at", f"at is not {_TIME_RULE}", seq)
    if not isinstance(entry["type"], str) or not entry["type"]:
        raise _FailedError(where, "type", "type must be a non-empty string", seq)
    if entry["actor"] is not None and not isinstance(entry["actor"], dict):
        raise _FailedError(where, "actor", "actor must be an object or null", seq)
    if not isinstance(entry["data"], dict):
        raise _FailedError(where, "data", "data must be an object", seq)
    if not is_hash(entry["prev"]):
        raise _FailedError(where, "prev_format", "prev is not 64 lowercase hex digits", seq)
    if not is_hash(entry["hash"]):
        raise _FailedError(where, "hash_format", "hash is not 64 lowercase hex digits", seq)


def _check_entry(entry: Any, seq: int, prev: str, plain: bool) -> str:
    """Check one entry at position `seq` after `prev`; return its hash."""
    if plain:
        fast = _plain_entry_hash(entry, seq, prev)
        if fast is not None:
            return fast
    _check_shape(entry, seq)
    where = f"entry {seq}"
    body = entry.copy()
    del body["hash"]
    if not plain:
        body = _clean(body, "", where, seq)
    if entry["prev"] != prev:
        if seq == 1:
            raise _FailedError(where, "prev", "prev of entry 1 is not 64 zeros", seq)
        raise _FailedError(where, "prev", f"prev does not match the hash of entry {seq - 1}", seq)
    computed = hashlib.sha256(canonical_bytes(body)).hexdigest()
    if computed != entry["hash"]:
        raise _FailedError(
            where, "hash", f"hash does not match the entry's contents (computed {computed})", seq
        )
    return computed


def _plain_entry_hash(entry: Any, seq: int, prev: str) -> str | None:
    """The hash of an entry of a plain document that passes every check, else None.

    The common case, made fast: it may give up on a good entry (the ordered checks then
    run and accept it), but never accepts a bad one. A `prev` equal to the previous hash,
    and a `hash` equal to the computed one, are well-formed hex by construction.
    """
    if type(entry) is not dict or entry.keys() != _ENTRY_MEMBER_SET:
        return None
    kind, actor = entry["type"], entry["actor"]
    if (
        entry["seq"] != seq
        or type(entry["seq"]) is not int
        or entry["prev"] != prev
        or type(kind) is not str
        or not kind
        or (actor is not None and type(actor) is not dict)
        or type(entry["data"]) is not dict
        or not is_time(entry["at"])
    ):
        return None
    computed = hashlib.sha256(canonical_entry_bytes(entry)).hexdigest()
    return computed if computed == entry["hash"] else None


def _check_opening(doc: Mapping[str, Any]) -> None:
    first = doc["entries"][0]
    if first["type"] != "log.opened":
        raise _FailedError("entry 1", "log_opened", 'type is not "log.opened"', 1)
    data = first["data"]
    for name, expected, field in (
        ("room_id", doc["room"]["id"], "room.id"),
        ("title", doc["room"]["title"], "room.title"),
        ("policy", doc["policy"], "policy"),
        ("public_key", doc["public_key"], "public_key"),
    ):
        if name not in data or data[name] != expected:
            raise _FailedError(
                "entry 1", "log_opened", f"data.{name} does not equal the document's {field}", 1
            )


def _check_head(doc: Mapping[str, Any], last_hash: str) -> None:
    head = doc["head"]
    last = len(doc["entries"])
    if not isinstance(head, dict):
        raise _FailedError("head", "not_an_object", "is not a JSON object")
    _members(head, HEAD_MEMBERS, "head", None)
    number = _safe_int(head["seq"])
    if number != last:
        shown = "not an integer" if number is None else str(number)
        raise _FailedError("head", "seq", f"seq is {shown}, but the last entry is {last}")
    if head["hash"] != last_hash:
        raise _FailedError("head", "hash", f"hash does not match the hash of entry {last}")
    if not is_time(head["signed_at"]):
        raise _FailedError("head", "signed_at", f"signed_at is not {_TIME_RULE}")
    signature = b64url_decode(head["signature"], 64) if isinstance(head["signature"], str) else None
    if signature is None:
        raise _FailedError(
            "head", "signature_format", "signature is not 64 bytes in base64url without padding"
        )
    public_key = read_public_key(doc["public_key"])
    assert public_key is not None  # checked with the document
    message = head_message(doc["room"]["id"], last, last_hash, head["signed_at"], doc["format"])
    if not signature_valid(public_key, message, signature):
        raise _FailedError("head", "signature", "signature does not verify with public_key")


def _check_log(doc: Any, key: bytes | None) -> None:
    _check_document(doc)
    if key is not None and read_public_key(doc["public_key"]) != key:
        raise _FailedError(
            "document",
            "key_mismatch",
            f"public_key {doc['public_key']} is not the key given out of band",
        )
    plain = isinstance(doc, LoadedDocument) and doc.plain
    prev = ZERO_HASH
    for position, entry in enumerate(doc["entries"], start=1):
        prev = _check_entry(entry, position, prev, plain)
        if position == 1:
            _check_opening(doc)
    _check_head(doc, prev)


def _check_previous(doc: Mapping[str, Any], previous: Any) -> int:
    try:
        _check_log(previous, None)
    except _FailedError as failure:
        raise _FailedError(
            "older copy",
            "older_invalid",
            f"does not verify: {failure.location}: {failure.message} [{failure.reason}]",
        ) from None
    if previous["room"]["id"] != doc["room"]["id"]:
        raise _FailedError(
            "older copy",
            "older_room",
            f"is a log of another room ({quote(previous['room']['id'])})",
        )
    if previous["public_key"] != doc["public_key"]:
        raise _FailedError(
            "older copy", "older_key", f"is signed with another key ({previous['public_key']})"
        )
    entries = doc["entries"]
    old_entries = previous["entries"]
    for seq, (old, new) in enumerate(zip(old_entries, entries, strict=False), start=1):
        if old["hash"] != new["hash"]:
            raise _FailedError(
                f"entry {seq}",
                "rewritten",
                f"differs from the older copy (hash {new['hash']}, the older copy has "
                f"{old['hash']})",
                seq,
            )
    if len(old_entries) > len(entries):
        seq = len(entries) + 1
        raise _FailedError(
            f"entry {seq}",
            "dropped",
            f"is missing: the older copy has entries up to {len(old_entries)}, "
            f"this log ends at {len(entries)}",
            seq,
        )
    return len(old_entries)


def _receipt_problem(receipt: Any) -> str | None:
    """Why `receipt` is not a well-formed receipt document, or None."""
    if not isinstance(receipt, dict):
        return "not a JSON object"
    for name in RECEIPT_MEMBERS:
        if name not in receipt:
            return f"missing member {quote(name)}"
    unexpected = sorted((n for n in receipt if n not in RECEIPT_MEMBERS), key=_utf16_key)
    if unexpected:
        return f"unexpected member {quote(unexpected[0])}"
    if receipt["format"] != RECEIPT_FORMAT:
        return f"format is not {quote(RECEIPT_FORMAT)}"
    if not isinstance(receipt["room_id"], str):
        return "room_id is not a string"
    seq = _safe_int(receipt["seq"])
    if seq is None or seq < 1:
        return "seq is not a positive integer"
    if not is_hash(receipt["hash"]):
        return "hash is not 64 lowercase hex digits"
    if not isinstance(receipt["public_key"], str) or read_public_key(receipt["public_key"]) is None:
        return "public_key is not 32 bytes in base64url without padding"
    if not isinstance(receipt["signature"], str) or b64url_decode(receipt["signature"], 64) is None:
        return "signature is not 64 bytes in base64url without padding"
    return None


def _check_receipt(doc: Mapping[str, Any], receipt: Any, index: int) -> None:
    where = f"receipt {index}"
    problem = _receipt_problem(receipt)
    if problem is not None:
        raise _FailedError(
            where, "receipt_malformed", f"is not a {RECEIPT_FORMAT} receipt: {problem}"
        )
    seq = _safe_int(receipt["seq"])
    assert seq is not None
    if receipt["room_id"] != doc["room"]["id"]:
        raise _FailedError(
            where, "receipt_room", f"is for another room ({quote(receipt['room_id'])})"
        )
    if receipt["public_key"] != doc["public_key"]:
        raise _FailedError(
            where,
            "receipt_key",
            f"was signed with another key ({receipt['public_key']}) than this log's",
        )
    public_key = read_public_key(doc["public_key"])
    signature = b64url_decode(receipt["signature"], 64)
    assert public_key is not None
    assert signature is not None
    message = receipt_message(receipt["room_id"], seq, receipt["hash"])
    if not signature_valid(public_key, message, signature):
        raise _FailedError(where, "receipt_signature", "signature does not verify with public_key")
    entries = doc["entries"]
    if seq > len(entries):
        raise _FailedError(
            f"entry {seq}",
            "receipt_missing",
            f"is missing: receipt {index} holds it, but the log ends at entry {len(entries)}",
            seq,
        )
    if entries[seq - 1]["hash"] != receipt["hash"]:
        raise _FailedError(
            f"entry {seq}",
            "receipt_changed",
            f"differs from receipt {index} (hash {entries[seq - 1]['hash']}, the receipt holds "
            f"{receipt['hash']})",
            seq,
        )


def verify_log(
    doc: Any,
    previous: Any = None,
    key: str | bytes | None = None,
    receipts: Iterable[Any] = (),
    *,
    fairness: bool = False,
) -> VerificationResult:
    """Verify a published decision log; report the first failure, or what was verified.

    `doc` is the parsed document (prefer `load_json`, which reads strictly and lets the
    verifier skip work it has already done). `previous` is an older published copy of
    the same room, `key` the public key obtained out of band (base64url text or 32 raw
    bytes), `receipts` parsed receipt documents.
    """
    if isinstance(key, str):
        raw_key = read_public_key(key)
        if raw_key is None:
            raise ValueError("key is not 32 bytes in base64url without padding")
        key = raw_key
    extends: int | None = None
    count = 0
    try:
        with _collector_paused():
            _check_log(doc, key)
            if previous is not None:
                extends = _check_previous(doc, previous)
            for count, receipt in enumerate(receipts, start=1):
                _check_receipt(doc, receipt, count)
    except _FailedError as failure:
        return VerificationResult(
            ok=False,
            location=failure.location,
            entry=failure.entry,
            reason=failure.reason,
            message=failure.message,
        )
    except RecursionError:  # only a document nested about a thousand levels deep gets here
        return VerificationResult(
            ok=False,
            location="document",
            reason="depth",
            message="the log is nested too deeply to check",
        )
    return VerificationResult(
        ok=True,
        fairness=replay_fairness(doc) if fairness else None,
        room_id=doc["room"]["id"],
        entries=len(doc["entries"]),
        head_hash=doc["head"]["hash"],
        signed_at=doc["head"]["signed_at"],
        public_key=doc["public_key"],
        extends=extends,
        receipts=count,
    )


def verify_files(
    log: str | Path,
    previous: str | Path | None = None,
    key: str | None = None,
    receipts: Sequence[str | Path] = (),
    *,
    fairness: bool = False,
) -> tuple[int, str]:
    """What `evenfloor verify` does: (exit code, the lines to print).

    0 and `OK …` when everything verifies; 1 and `FAIL …` at the first failure; 2 and
    `ERROR <input>: …` when an input cannot be read. With `fairness`, 1 and one `FAIL`
    line per grant that did not follow the rule (or why the log cannot be replayed).
    """
    try:
        current = _read("log", log, read_json_file)
        older = None if previous is None else _read("older copy", previous, read_json_file)
        raw_key = None if key is None else _read("key", key, read_key_argument)
        parsed = [
            _read(f"receipt {index}", path, read_json_file)
            for index, path in enumerate(receipts, start=1)
        ]
    except UnreadableInputError as error:
        return EXIT_UNREADABLE, f"ERROR {error}"
    result = verify_log(current, older, raw_key, parsed, fairness=fairness)
    return (EXIT_OK if result.fair else EXIT_FAILED), "\n".join(result.lines())


def _read(what: str, source: Any, reader: Any) -> Any:
    try:
        return reader(source)
    except UnreadableInputError as error:
        raise UnreadableInputError(f"{what} {source}: {error}") from None
