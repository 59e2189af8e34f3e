"""Decimal strings for people and JSON: at most six places, exact values underneath."""

from __future__ import annotations

from fractions import Fraction

import pytest

from voting import decimal_string


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Fraction(1, 4), "0.25"),
        (Fraction(4, 3), "1.333333"),
        (Fraction(2, 3), "0.666667"),
        (Fraction(2), "2"),
        (0, "0"),
        (Fraction(1, 10**7), "0"),
        (Fraction(-1, 3), "-0.333333"),
        (Fraction(5, 10**7), "0"),  # half to even at the sixth place
        (Fraction(15, 10**7), "0.000002"),
        (Fraction(1234567, 1000), "1234.567"),
    ],
)
def test_decimal_strings(value: Fraction | int, text: str) -> None:
    assert decimal_string(value) == text
