"""What may be published, and the exact bytes that are hashed.

Three rules from the format, and how this module applies them:

- **RFC 8785 (JCS).** `canonical_bytes` is an exact JCS serialiser for the values a log
  holds (objects, arrays, strings, integers, booleans, null). It runs on the standard
  library's C JSON encoder (sorted keys, no whitespace, UTF-8, the same string escapes as
  JCS) and falls back to the `rfc8785` package whenever a string holds a character beyond
  U+FFFF, the only case in which sorting keys by code point (Python) and by UTF-16 code
  unit (JCS) can disagree. Property tests check it byte for byte against `rfc8785`.
- **Integers only.** `publishable` refuses floats, `Fraction`, `Decimal` and integers
  outside ±(2**53 − 1) (the range every JSON implementation reads exactly); fractions are
  published as decimal strings made by `decimal_string`.
- **NFC.** `publishable` returns a copy in which every string, member names included, is
  NFC-normalised. The writer stores that copy, so the published bytes *are* NFC and a
  verifier hashes exactly what it reads.

Standard library and `rfc8785` only: the offline verifier imports this module.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

import rfc8785

SAFE_INTEGER = 2**53 - 1
"""Largest integer a log may hold (RFC 8785 §3.2.2.3: the I-JSON range)."""

DECIMAL_PLACES = 6


def _unencodable(value: object) -> object:
    raise TypeError(f"{type(value).__name__} is not a JSON value")


_ENCODER = json.JSONEncoder(
    ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
)
_STRING = json.encoder.encode_basestring  # a str as JSON, with exactly RFC 8785's escapes
# The C encoder behind json.dumps, made once (json.dumps makes one per call). Without a
# `markers` dict it skips the cycle check: log values come from JSON, and have no cycles.
_C_ENCODE = (
    json.encoder.c_make_encoder(  # type: ignore[attr-defined]
        None, _unencodable, json.encoder.encode_basestring, None, ":", ",", True, False, False
    )
    if json.encoder.c_make_encoder is not None  # type: ignore[attr-defined]
    else None
)
# In UTF-8, a character beyond U+FFFF (a surrogate pair in UTF-16) starts with F0-F4.
_ASTRAL = re.compile(rb"[\xf0-\xf4]")
_DECIMAL = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]*[1-9])?")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class NotPublishableError(ValueError):
    """A value cannot go into a published entry. `path` is a JSON Pointer into the value."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path or '/'}: {problem}")
        self.path = path
        self.problem = problem


def pointer(path: str, key: str) -> str:
    """Extend a JSON Pointer (RFC 6901) by one member name or index."""
    return f"{path}/{key.replace('~', '~0').replace('/', '~1')}"


def nfc(text: str) -> str:
    """`text` in Unicode Normalisation Form C (ASCII is returned as it is, quickly)."""
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def publishable(value: Any, path: str = "") -> Any:
    """A copy of `value` that may be hashed and published, or `NotPublishableError`.

    Strings (member names too) come back NFC-normalised; tuples come back as lists.
    Accepted: `dict` with `str` keys, `list`, `tuple`, `str`, `int` (within the safe
    range), `bool`, `None`. Everything else is refused with the path to it, floats
    included: shares and weights are decimal strings (`decimal_string`) and durations are
    integer milliseconds.
    """
    try:
        return _plain_copy(value)
    except _NotPlainError:
        return _checked_copy(value, path)


class _NotPlainError(Exception):
    """`_plain_copy` met something it does not handle; `_checked_copy` will say what."""


def _plain_copy(value: Any) -> Any:
    # The fast path for the usual values: exact built-in types, no JSON Pointer bookkeeping.
    kind = type(value)
    if kind is str:
        return value if value.isascii() else _plain_text(value)
    if kind is dict:
        return _plain_object(value)
    if kind is int:
        if -SAFE_INTEGER <= value <= SAFE_INTEGER:
            return value
        raise _NotPlainError
    if value is None or kind is bool:
        return value
    if kind is list or kind is tuple:
        return [_plain_copy(item) for item in value]
    raise _NotPlainError


def _plain_text(text: str) -> str:
    if _LONE_SURROGATE.search(text):
        raise _NotPlainError
    return unicodedata.normalize("NFC", text)


def _plain_object(value: dict[Any, Any]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, item in value.items():
        if type(key) is not str:
            raise _NotPlainError
        if not key.isascii():
            normal = _plain_text(key)
            if (normal != key and normal in value) or normal in result:
                raise _NotPlainError  # two names that NFC makes one: let the checks say so
            key = normal
        result[key] = _plain_copy(item)
    return result


def _checked_copy(value: Any, path: str) -> Any:
    if value is None or isinstance(value, bool):
        return bool(value) if value is not None else None
    if isinstance(value, int):
        if not -SAFE_INTEGER <= value <= SAFE_INTEGER:
            raise NotPublishableError(path, f"integer {value} is outside ±(2**53 − 1)")
        return int(value)
    if isinstance(value, str):
        return _valid_text(value, path)
    if isinstance(value, Mapping):
        result: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise NotPublishableError(path, f"member name {key!r} is not a string")
            name = _valid_text(key, path)
            if name in result:
                raise NotPublishableError(
                    path, f"member names collide once NFC-normalised: {name!r}"
                )
            result[name] = _checked_copy(item, pointer(path, name))
        return result
    if isinstance(value, list | tuple):
        return [_checked_copy(item, pointer(path, str(i))) for i, item in enumerate(value)]
    if isinstance(value, float | Fraction):
        raise NotPublishableError(
            path,
            f"{value!r} is not an integer: entries hold integers only; write fractions "
            "with decimal_string() and durations as integer milliseconds",
        )
    raise NotPublishableError(path, f"{type(value).__name__} {value!r} cannot be published as JSON")


def _valid_text(text: str, path: str) -> str:
    text = str.__str__(text)  # a StrEnum member becomes its plain value
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise NotPublishableError(path, "text holds a lone surrogate, not Unicode") from None
    return unicodedata.normalize("NFC", text)


def canonical_bytes(value: Any) -> bytes:
    """The RFC 8785 serialisation of a log value, as UTF-8 bytes.

    `value` must hold only `dict` (with `str` keys), `list`, `str`, `int` (not beyond
    ±(2**53 − 1)), `bool` and `None`: what `publishable` returns, and what the verifier
    has checked before it hashes. (Floats are refused by the format and not handled here.)
    Raises `NotPublishableError` for text that cannot be encoded as UTF-8.
    """
    text = "".join(_C_ENCODE(value, 0)) if _C_ENCODE is not None else _ENCODER.encode(value)
    if text.isascii():
        return text.encode("ascii")
    try:
        raw = text.encode("utf-8")
    except UnicodeEncodeError:
        raise NotPublishableError("", "text holds a lone surrogate, not Unicode") from None
    if _ASTRAL.search(raw) is not None:
        return rfc8785.dumps(value)
    return raw


def canonical_entry_bytes(entry: Mapping[str, Any]) -> bytes:
    """`canonical_bytes` of an entry without its `hash`, written straight from its shape.

    An entry's members are fixed, so their RFC 8785 order is too (`actor`, `at`, `data`,
    `prev`, `seq`, `type`): only `actor` and `data` go through the encoder. About 40%
    faster than sorting the whole entry. `entry` must have been checked: `seq` an int,
    `at`, `type` and `prev` strings, `actor` an object or None, `data` an object, their
    contents as `canonical_bytes` requires. A `hash` member, if present, is ignored.
    """
    actor = entry["actor"]
    text = (
        (
            f'{{"actor":{"null" if actor is None else "".join(_C_ENCODE(actor, 0))},'
            f'"at":{_STRING(entry["at"])},"data":{"".join(_C_ENCODE(entry["data"], 0))},'
            f'"prev":{_STRING(entry["prev"])},"seq":{entry["seq"]},"type":{_STRING(entry["type"])}}}'
        )
        if _C_ENCODE is not None
        else _ENCODER.encode(_entry_body(entry))
    )
    if text.isascii():
        return text.encode("ascii")
    try:
        raw = text.encode("utf-8")
    except UnicodeEncodeError:
        raise NotPublishableError("", "text holds a lone surrogate, not Unicode") from None
    if _ASTRAL.search(raw) is not None:
        return rfc8785.dumps(_entry_body(entry))
    return raw


def _entry_body(entry: Mapping[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in entry.items() if name != "hash"}


def entry_hash(entry: Mapping[str, Any]) -> str:
    """Lowercase hex SHA-256 of the RFC 8785 form of `entry` without its `hash` member."""
    body = {key: item for key, item in entry.items() if key != "hash"}
    return hashlib.sha256(canonical_bytes(body)).hexdigest()


def decimal_string(value: Fraction | int, places: int = DECIMAL_PLACES) -> str:
    """An exact fraction as a decimal string with at most `places` places.

    Rounded to the nearest multiple of 10**-places, ties to even (the IEEE 754 and
    `decimal` default, which has no bias up or down over many figures); trailing zeros
    and a trailing point are dropped, and zero has no sign. So 1/4 -> "0.25", 4/3 ->
    "1.333333", 2/3 -> "0.666667", 1/2_000_000 -> "0" (a tie, rounded to even),
    3/2_000_000 -> "0.000002", 2 -> "2", -1/3 -> "-0.333333".

    Rounding to nearest is monotone and keeps any value that has at most `places` places,
    so a share at or under a cap such as "0.3" never prints above it.
    """
    if isinstance(value, bool) or not isinstance(value, int | Fraction):
        raise TypeError(f"decimal_string takes an int or a Fraction, not {type(value).__name__}")
    exact = Fraction(value)
    scale = 10**places
    quotient, remainder = divmod(exact.numerator * scale, exact.denominator)
    twice = 2 * remainder
    if twice > exact.denominator or (twice == exact.denominator and quotient % 2 == 1):
        quotient += 1
    sign = "-" if quotient < 0 else ""
    whole, fraction = divmod(abs(quotient), scale)
    digits = f"{fraction:0{places}d}".rstrip("0") if places else ""
    return f"{sign}{whole}.{digits}" if digits else f"{sign}{whole}"


def parse_decimal_string(text: str, places: int = DECIMAL_PLACES) -> Fraction:
    """The exact value of a decimal string as `decimal_string` writes it.

    Refuses anything it would not write: signs other than a leading "-", exponents,
    leading zeros, trailing zeros, a bare point, more than `places` places, and "-0".
    """
    match = _DECIMAL.fullmatch(text)
    if match is None or text == "-0" or len(match.group(2) or ".") - 1 > places:
        raise ValueError(f"{text!r} is not a decimal string with at most {places} places")
    return Fraction(text)
