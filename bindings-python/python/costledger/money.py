"""Money: exact ``decimal.Decimal`` US dollars.

The core keeps every amount as an integer number of nanodollars (1e-9 USD) so sums reconcile
with the bill to the last unit. Python receives them as :class:`~decimal.Decimal` dollars,
built from that integer without any float: ``Decimal(nanos).scaleb(-9)``. Use
:func:`to_float` (or ``float(amount)``) only for charts and other display.
"""

from __future__ import annotations

from decimal import Decimal

__all__ = ["NANOS_PER_DOLLAR", "Money", "from_json", "from_nanos", "to_float", "to_nanos"]

Money = Decimal
"""An exact amount of US dollars."""

NANOS_PER_DOLLAR = 1_000_000_000
"""Nanodollars in one US dollar."""


def from_nanos(nanos: int) -> Decimal:
    """Dollars from an integer number of nanodollars, exactly.

    Args:
        nanos: The amount in nanodollars.

    Returns:
        The amount in dollars, e.g. ``Decimal("1.237891200")`` for ``1237891200``.
    """
    return Decimal(nanos).scaleb(-9)


def from_json(value: str | int) -> Decimal:
    """Dollars from the core's JSON form of an amount, exactly.

    The core writes amounts as exact decimal strings of dollars (``"1.2378912"``); an
    integer is read as nanodollars.

    Args:
        value: The JSON value.

    Returns:
        The amount in dollars.
    """
    if isinstance(value, str):
        return Decimal(value)
    return from_nanos(value)


def to_nanos(amount: Decimal | int | str) -> int:
    """Nanodollars from an amount of dollars.

    Args:
        amount: Dollars, as a ``Decimal``, an ``int`` or a decimal string.

    Returns:
        The exact integer number of nanodollars.

    Raises:
        ValueError: The amount has digits finer than a nanodollar.
    """
    scaled = Decimal(amount).scaleb(9)
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{amount} dollars has digits finer than a nanodollar")
    return int(scaled)


def to_float(amount: Decimal) -> float:
    """The amount as a float, for charts and display; never sum floats of money.

    Args:
        amount: Dollars.

    Returns:
        The nearest float.
    """
    return float(amount)


def _text(amount: Decimal | int | float | str) -> str:
    """A dollar amount as the plain decimal text the core parses (no exponent); text goes as
    it is, for the core to check."""
    if isinstance(amount, str):
        return amount
    if isinstance(amount, float):
        amount = Decimal(repr(amount))
    return format(Decimal(amount), "f")
