"""Exact numbers written for people and for JSON: decimal strings with at most six places."""

from __future__ import annotations

from fractions import Fraction

PLACES = 6


def decimal_string(value: Fraction | int) -> str:
    """`Fraction(1, 4)` -> `"0.25"`, `Fraction(4, 3)` -> `"1.333333"`, `2` -> `"2"`.

    Rounded half to even at the sixth place, trailing zeros dropped. Display only: no result
    is ever decided on the rounded value.
    """
    scaled = round(Fraction(value) * 10**PLACES)
    sign = "-" if scaled < 0 else ""
    whole, part = divmod(abs(scaled), 10**PLACES)
    fraction = f"{part:0{PLACES}d}".rstrip("0")
    return f"{sign}{whole}.{fraction}" if fraction else f"{sign}{whole}"


def percent(value: Fraction) -> str:
    """A share as a percentage for sentences: `Fraction(1, 3)` -> `"33.33%"`."""
    scaled = round(value * 10_000)
    whole, part = divmod(scaled, 100)
    return f"{whole}.{part:02d}%".replace(".00%", "%")
