"""Exports (core ``reports/export.rs``): every report as the core's JSON and CSV, and its rows
as a pandas or polars DataFrame.

A report keeps the core's value it was made from, so :meth:`Exported.to_json` and
:meth:`Exported.to_csv` return the core's own bytes (the same as the CLI's ``--csv``).
DataFrames are built here from the report's rows; pandas and polars are imported only when
asked for, and are not dependencies of costledger.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Literal, TypeVar

if TYPE_CHECKING:
    from . import _native

__all__ = ["Exported", "MoneyAs", "ReportList", "Tabular"]

MoneyAs = Literal["decimal", "float"]
"""How DataFrame columns hold amounts: exact ``Decimal`` (default) or ``float`` for charts."""

# Fields whose parts become the row's own columns (a line's ``cost`` gives ``total``,
# ``billed``, …; ``tokens`` gives ``output``, …); others are prefixed with their name.
_INLINE = frozenset({"cost", "tokens", "usage", "workspace"})


def _flatten(value: Any, prefix: str, out: dict[str, Any]) -> None:
    for f in dataclasses.fields(value):
        if f.name.startswith("_"):
            continue
        item = getattr(value, f.name)
        if dataclasses.is_dataclass(item) and not isinstance(item, type):
            _flatten(item, prefix if f.name in _INLINE else f"{prefix}{f.name}_", out)
        elif isinstance(item, tuple | list | dict):
            continue  # nested lists have their own table
        else:
            out[prefix + f.name] = item


def row(value: Any) -> dict[str, Any]:
    """One flat row of a line: scalar fields as they are, nested dataclasses' fields as
    columns (``cost`` → ``total``, ``billed``, …; ``spent`` → ``spent_total``, …)."""
    out: dict[str, Any] = {}
    _flatten(value, "", out)
    return out


def _as_float(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: float(v) if isinstance(v, Decimal) else v for k, v in r.items()} for r in rows]


def _import(package: str, method: str) -> Any:
    try:
        return __import__(package)
    except ImportError as e:
        raise ImportError(
            f"{method}() needs {package}, which is not installed: pip install {package}"
        ) from e


def _pandas(rows: list[dict[str, Any]], money: MoneyAs) -> Any:
    pd = _import("pandas", "to_pandas")
    if money == "float":
        rows = _as_float(rows)
    frame = pd.DataFrame.from_records(rows)
    for column in frame.columns:
        # Dates become datetime64 so they index and resample; datetimes are already UTC.
        first = rows[0][column] if rows else None
        if isinstance(first, date) and not isinstance(first, datetime):
            frame[column] = pd.to_datetime(frame[column])
    return frame


def _polars(rows: list[dict[str, Any]], money: MoneyAs) -> Any:
    pl = _import("polars", "to_polars")
    if money == "float":
        rows = _as_float(rows)
    return pl.DataFrame(rows, infer_schema_length=None)


class Exported:
    """A report that exports itself as the core does: :meth:`to_json` and :meth:`to_csv`."""

    __slots__ = ()
    _report: _native.Report | None

    def _native_report(self) -> _native.Report:
        if self._report is None:
            raise TypeError(f"this {type(self).__name__} was not returned by a ledger")
        return self._report

    def to_json(self) -> str:
        """The report as the core's JSON: pretty-printed, money as exact decimal strings of
        dollars."""
        return self._native_report().to_json()

    def to_csv(self) -> str:
        """The report as the core's CSV (RFC 4180, CRLF line ends, exact dollar amounts);
        its columns are listed in ``docs/reports.md``."""
        return self._native_report().to_csv()


class Tabular:
    """A report with tables of rows (per day, per plan, …) that convert to DataFrames.

    ``_tables`` names the report's list fields; the first is the default table.
    """

    __slots__ = ()
    _tables: ClassVar[tuple[str, ...]]

    def rows(self, table: str | None = None) -> list[dict[str, Any]]:
        """One table as flat dicts: a line's cost becomes the columns ``total``, ``billed``,
        ``allocated``, ``unallocated``, ``estimated``, ``subscription``.

        Args:
            table: Which list (default: the first of ``_tables``, e.g. ``per_day``).

        Returns:
            The rows.

        Raises:
            ValueError: No such table.
        """
        name = self._tables[0] if table is None else table
        if name not in self._tables:
            raise ValueError(f"table must be one of {', '.join(self._tables)}, got {table!r}")
        return [row(item) for item in getattr(self, name)]

    def to_pandas(self, table: str | None = None, *, money: MoneyAs = "decimal") -> Any:
        """One table as a ``pandas.DataFrame`` (pandas must be installed).

        Args:
            table: Which list (default: the first, e.g. ``per_day`` of a user's costs).
            money: ``"decimal"`` keeps amounts exact (object columns); ``"float"`` for charts.

        Returns:
            The DataFrame; date columns as ``datetime64``.

        Raises:
            ImportError: pandas is not installed.
        """
        return _pandas(self.rows(table), money)

    def to_polars(self, table: str | None = None, *, money: MoneyAs = "decimal") -> Any:
        """One table as a ``polars.DataFrame`` (polars must be installed); amounts as
        ``Decimal`` columns (exact) or ``Float64``.

        Raises:
            ImportError: polars is not installed.
        """
        return _polars(self.rows(table), money)


T = TypeVar("T")


class ReportList(list[T], Generic[T]):
    """A list of report lines (budgets, sync events, Claude Code log days, …) that also
    exports itself as the core does and converts to a DataFrame, one row per item."""

    __slots__ = ("_report",)

    def __init__(self, items: Iterable[T], report: _native.Report | None = None) -> None:
        super().__init__(items)
        self._report = report

    def to_json(self) -> str:
        """The list as the core's JSON."""
        if self._report is None:
            raise TypeError("this list was not returned by a ledger")
        return self._report.to_json()

    def to_csv(self) -> str:
        """The list as the core's CSV, one row per item."""
        if self._report is None:
            raise TypeError("this list was not returned by a ledger")
        return self._report.to_csv()

    def rows(self) -> list[dict[str, Any]]:
        """The items as flat dicts (nested dataclasses' fields as columns)."""
        return [row(item) for item in self]

    def to_pandas(self, *, money: MoneyAs = "decimal") -> Any:
        """The items as a ``pandas.DataFrame``, one row each (pandas must be installed)."""
        return _pandas(self.rows(), money)

    def to_polars(self, *, money: MoneyAs = "decimal") -> Any:
        """The items as a ``polars.DataFrame``, one row each (polars must be installed)."""
        return _polars(self.rows(), money)
