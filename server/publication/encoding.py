"""Small text encodings the log format fixes: base64url keys and signatures, hex hashes, times.

Standard library only: the offline verifier imports this module.
"""

from __future__ import annotations

import base64
import binascii
import re
from datetime import UTC, datetime

ZERO_HASH = "0" * 64
"""`prev` of entry 1."""

_HEX64 = re.compile(r"[0-9a-f]{64}")
_B64URL = re.compile(r"[A-Za-z0-9_-]*", re.ASCII)
_TIME = re.compile(
    r"(\d{4})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?Z",
    re.ASCII,
)
_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def b64url_encode(raw: bytes) -> str:
    """Base64url without padding (RFC 4648 §5), as the format writes keys and signatures."""
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def b64url_decode(text: str, length: int) -> bytes | None:
    """Decode base64url without padding into exactly `length` bytes, or None.

    Strict: only the base64url alphabet, no padding, no whitespace, and the canonical
    spelling (the unused low bits of the last character are zero), so one value has one
    text. Both verifiers apply the same rule.
    """
    if len(text) != (length * 4 + 2) // 3 or _B64URL.fullmatch(text) is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):  # pragma: no cover - the pattern above rules these out
        return None
    if len(raw) != length or b64url_encode(raw) != text:
        return None
    return raw


def is_hash(value: object) -> bool:
    """A SHA-256 digest in lowercase hex, as `prev` and `hash` are written."""
    return isinstance(value, str) and _HEX64.fullmatch(value) is not None


def is_time(value: object) -> bool:
    """An RFC 3339 date-time in UTC with an upper-case `T` and `Z` (a leap second is allowed)."""
    if not isinstance(value, str):
        return False
    match = _TIME.fullmatch(value)
    if match is None:
        return False
    day = match.group(3)
    if day < "29":  # every month has 28 days; only the last days need the calendar
        return True
    year, month = int(match.group(1)), int(match.group(2))
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    return int(day) <= _MONTH_DAYS[month - 1] + (1 if month == 2 and leap else 0)


def format_time(moment: datetime) -> str:
    """Write an aware datetime as the log writes every time: UTC, milliseconds, `Z`.

    `2026-11-27T14:33:09.123Z`. Microseconds are truncated (not rounded), so a time never
    moves past the next event's. Naive datetimes are refused: the log never guesses a zone.
    """
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"time {moment!r} has no time zone; pass an aware datetime")
    if moment.tzinfo is not UTC:
        moment = moment.astimezone(UTC)
    text = moment.replace(tzinfo=None).isoformat(timespec="milliseconds")
    if len(text) != 23:  # a year before 1000 or after 9999 is not four digits here
        raise ValueError(f"time {moment!r} is outside the years 1000-9999")
    return text + "Z"
