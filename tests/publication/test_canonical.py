"""RFC 8785 canonicalisation (Python and JavaScript), what may be published, decimal strings."""

from __future__ import annotations

import json
import unicodedata
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st
from publication_helpers import run_js

from server.publication import (
    NotPublishableError,
    canonical_bytes,
    decimal_string,
    parse_decimal_string,
    publishable,
)
from server.publication.canonical import canonical_entry_bytes

VECTORS: dict[str, dict[str, str]] = json.loads(
    (Path(__file__).parent / "vectors" / "rfc8785.json").read_text(encoding="utf-8")
)["vectors"]
# The format holds integers only; these vectors have no non-integral numbers.
INTEGER_VECTORS = [name for name in VECTORS if name != "values"]

# Strings that stress RFC 8785's escaping and UTF-16 ordering.
STRESS_STRINGS = [
    "",
    '"quoted" \\ back/slash',
    "\b\f\n\r\t",
    "\x00\x01\x1f\x7f\x80\x9f",
    "\u2028\u2029",
    "\ue000\uffff",
    "\U0001f602\U0010ffff",
    "é e\u0301 \u1e0d\u0307",
    "</script>",
]

texts = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
entry_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53) + 1, 2**53 - 1)
    | texts
    | st.sampled_from(STRESS_STRINGS),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4),
    max_leaves=20,
)


@pytest.mark.parametrize("name", sorted(VECTORS))
def test_rfc8785_vectors_hold_for_the_reference_package(name: str) -> None:
    vector = VECTORS[name]
    assert rfc8785.dumps(json.loads(vector["input"])).decode() == vector["output"]


@pytest.mark.parametrize("name", INTEGER_VECTORS)
def test_rfc8785_vectors_hold_for_canonical_bytes(name: str) -> None:
    vector = VECTORS[name]
    value = json.loads(vector["input"], parse_float=lambda text: int(float(text)))
    assert canonical_bytes(value).decode() == vector["output"]


def test_rfc8785_vectors_hold_for_the_javascript_canonicaliser() -> None:
    inputs = [VECTORS[name]["input"] for name in sorted(VECTORS)]
    outputs = run_js({"canonicalize": inputs})
    for name, output in zip(sorted(VECTORS), outputs, strict=True):
        assert bytes.fromhex(output["hex"]).decode() == VECTORS[name]["output"], name


def test_member_names_sort_by_utf16_code_units_not_code_points() -> None:
    # U+FFFF sorts after U+1F602 by code point, before it by UTF-16 code unit (0xD83D).
    value = {"\uffff": 1, "\U0001f602": 2, "a": 3}
    expected = '{"a":3,"\U0001f602":2,"\uffff":1}'.encode()
    assert canonical_bytes(value) == expected
    (output,) = run_js({"canonicalize": [json.dumps(value)]})
    assert bytes.fromhex(output["hex"]) == expected


@settings(max_examples=200, deadline=None)
@given(entry_values)
def test_canonical_bytes_equals_rfc8785(value: Any) -> None:
    assert canonical_bytes(value) == rfc8785.dumps(value)


@settings(max_examples=1, deadline=None)
@given(st.lists(entry_values, min_size=150, max_size=150))
def test_the_javascript_canonicaliser_equals_rfc8785(values: list[Any]) -> None:
    outputs = run_js({"canonicalize": [json.dumps(value) for value in values]})
    for value, output in zip(values, outputs, strict=True):
        assert bytes.fromhex(output["hex"]) == rfc8785.dumps(value)


entries = st.fixed_dictionaries(
    {
        "seq": st.integers(1, 2**53 - 1),
        "at": st.sampled_from(["2026-03-14T09:00:00.000Z", "2026-03-14T09:00:00Z"]),
        "type": texts | st.sampled_from(STRESS_STRINGS),
        "actor": st.none() | st.dictionaries(texts, entry_values, max_size=3),
        "data": st.dictionaries(texts | st.sampled_from(STRESS_STRINGS), entry_values, max_size=4),
        "prev": st.just("ab" * 32),
    }
)


@settings(max_examples=200, deadline=None)
@given(entries, st.booleans())
def test_canonical_entry_bytes_equals_rfc8785_of_the_entry_without_hash(
    entry: dict[str, Any], with_hash: bool
) -> None:
    expected = rfc8785.dumps(entry)
    if with_hash:
        entry = {**entry, "hash": "cd" * 32}
    assert canonical_entry_bytes(entry) == expected


def test_canonical_bytes_refuses_lone_surrogates() -> None:
    with pytest.raises(NotPublishableError, match="lone surrogate"):
        canonical_bytes({"text": "\ud800"})


# -- publishable ----------------------------------------------------------------------------


def test_publishable_normalises_every_string_to_nfc_member_names_included() -> None:
    decomposed = "Cafe\u0301 Zoe\u0308"
    result = publishable({decomposed: [decomposed, {"k": decomposed}]})
    composed = unicodedata.normalize("NFC", decomposed)
    assert result == {composed: [composed, {"k": composed}]}
    assert composed != decomposed


def test_publishable_turns_tuples_into_lists_and_keeps_booleans() -> None:
    assert publishable({"a": (1, True, None)}) == {"a": [1, True, None]}


@pytest.mark.parametrize(
    ("value", "path", "problem"),
    [
        ({"share": 0.25}, "/share", "not an integer"),
        ({"a": [1, Fraction(1, 3)]}, "/a/1", "not an integer"),
        ({"big": 2**53}, "/big", "outside"),
        ({"small": -(2**53)}, "/small", "outside"),
        ({"when": Decimal("1.5")}, "/when", "cannot be published"),
        ({1: "x"}, "", "not a string"),
        ({"t": "\udc00"}, "/t", "lone surrogate"),
        ({"e\u0301": 1, "\u00e9": 2}, "", "collide"),
        ({"a/b": {"c~d": 0.5}}, "/a~1b/c~0d", "not an integer"),
    ],
)
def test_publishable_refuses_what_the_format_cannot_hold(
    value: Any, path: str, problem: str
) -> None:
    with pytest.raises(NotPublishableError, match=problem) as caught:
        publishable(value)
    assert caught.value.path == path


def test_the_largest_safe_integers_are_publishable() -> None:
    assert publishable([2**53 - 1, -(2**53) + 1]) == [2**53 - 1, -(2**53) + 1]


# -- decimal strings ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Fraction(1, 4), "0.25"),
        (Fraction(4, 3), "1.333333"),
        (Fraction(2, 3), "0.666667"),
        (Fraction(1, 2_000_000), "0"),  # a tie: rounds to the even neighbour, 0
        (Fraction(3, 2_000_000), "0.000002"),  # a tie: rounds to the even neighbour, 2
        (Fraction(5, 2_000_000), "0.000002"),
        (Fraction(-1, 3), "-0.333333"),
        (Fraction(-1, 3_000_000), "0"),  # no negative zero
        (Fraction(3, 10), "0.3"),
        (2, "2"),
        (0, "0"),
        (Fraction(1), "1"),
        (Fraction(9_999_999, 10_000_000), "1"),
    ],
)
def test_decimal_string(value: Fraction | int, text: str) -> None:
    assert decimal_string(value) == text


@given(st.fractions(max_denominator=10**9).filter(lambda f: abs(f) < 10**9))
def test_decimal_string_rounds_half_to_even_like_decimal(value: Fraction) -> None:
    with localcontext(prec=60):
        expected = (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
            Decimal("0.000001"), rounding=ROUND_HALF_EVEN
        )
    text = decimal_string(value)
    assert parse_decimal_string(text) == Fraction(expected)
    assert abs(parse_decimal_string(text) - value) <= Fraction(1, 2_000_000)


def test_decimal_string_refuses_floats() -> None:
    with pytest.raises(TypeError):
        decimal_string(0.5)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text", ["", "-0", "01", "1.", ".5", "0.50", "1e3", "+1", "0.1234567", " 1", "1,5"]
)
def test_parse_decimal_string_refuses_what_decimal_string_never_writes(text: str) -> None:
    with pytest.raises(ValueError, match="not a decimal string"):
        parse_decimal_string(text)
