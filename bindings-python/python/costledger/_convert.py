"""Conversions between the native module's plain values and Python's types (private)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .exceptions import InvalidInputError

if TYPE_CHECKING:
    from . import _native


def call(native: _native.Ledger, method: str, **args: Any) -> _native.Pending:
    """The core's method ``method`` (``Ledger::call``) with these named arguments."""
    return native.call(method, named(**args))


def named(**args: Any) -> str:
    """Named arguments as the core reads them, a JSON object: a trailing ``_`` is dropped from
    a name (``from_``), dates and datetimes are ISO text (datetimes already made aware by
    :func:`to_utc`), decimals their exact text, any sequence a list."""
    return json.dumps({name.rstrip("_"): value for name, value in args.items()}, default=_plain)


def _plain(value: object) -> object:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Sequence):  # a tuple or a list are JSON already; a range, …
        return list(value)
    raise InvalidInputError(f"costledger cannot pass a {type(value).__name__} to the core")


def utc(text: str) -> datetime:
    """A timezone-aware UTC datetime from the core's RFC 3339 text.

    The core writes ``Z`` and up to nine fractional digits; Python 3.10's ``fromisoformat``
    takes neither, and datetimes hold microseconds, so the fraction is cut to six digits.
    """
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    dot = text.find(".")
    if dot != -1:
        end = dot + 1
        while end < len(text) and text[end].isdigit():
            end += 1
        if end - dot - 1 > 6:
            text = text[: dot + 7] + text[end:]
    return datetime.fromisoformat(text).astimezone(timezone.utc)


def opt_utc(text: str | None) -> datetime | None:
    """:func:`utc`, or ``None``."""
    return None if text is None else utc(text)


def day(text: str) -> date:
    """A date from ``YYYY-MM-DD``."""
    return date.fromisoformat(text)


def to_utc(value: datetime, name: str) -> datetime:
    """An aware datetime in UTC; a naive one is refused rather than guessed."""
    if not isinstance(value, datetime):
        raise InvalidInputError(f"{name} must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInputError(
            f"{name} must be timezone-aware (e.g. datetime(..., tzinfo=timezone.utc)), "
            f"got naive {value.isoformat()}"
        )
    return value.astimezone(timezone.utc)


def seconds(value: float | timedelta | None) -> float | None:
    """Seconds from a number of seconds or a timedelta."""
    if value is None:
        return None
    if isinstance(value, timedelta):
        return value.total_seconds()
    return float(value)
