"""Exports (core ``reports/export.rs``): every report as the core's JSON and CSV, and its rows
as a pandas or polars DataFrame.

A report keeps the core's value it was made from, so :meth:`Exported.to_json` and
:meth:`Exported.to_csv` return the core's own bytes (the same as the CLI's ``--csv``).
DataFrames are built here from the report's rows; pandas and polars (and pyarrow, which
holds pandas' exact decimal columns) are imported only when asked for, and are not
dependencies of costledger. Money columns are exact decimals with nine places (whole
nanodollars) by default, ``float`` when asked with ``money="float"``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Literal, TypeVar

if TYPE_CHECKING:
    # Typed with pandas-stubs and polars' own hints when installed; `Any` otherwise.
    import pandas  # type: ignore[import-untyped, import-not-found, unused-ignore]
    import polars  # type: ignore[import-not-found, unused-ignore]

    from . import _native

__all__ = ["DECIMAL_PRECISION", "DECIMAL_SCALE", "Exported", "MoneyAs", "ReportList", "Tabular"]

MoneyAs = Literal["decimal", "float"]
"""How DataFrame columns hold amounts: exact decimals (the default) or ``float`` for charts."""

DECIMAL_PRECISION = 38
"""Digits of a money column in a DataFrame: pyarrow's ``decimal128(38, 9)`` in pandas,
``Decimal(38, 9)`` in polars."""

DECIMAL_SCALE = 9
"""Decimal places of a money column: amounts are whole nanodollars, so nine places hold every
amount exactly."""

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


def _columns(rows: list[dict[str, Any]]) -> dict[str, list[Any]]:
    """The rows as columns, in the rows' field order."""
    return {name: [r[name] for r in rows] for name in (rows[0] if rows else ())}


def _is_money(values: list[Any]) -> bool:
    return any(isinstance(v, Decimal) for v in values)


def _is_date(values: list[Any]) -> bool:
    return any(isinstance(v, date) and not isinstance(v, datetime) for v in values)


def _check_money(money: str) -> None:
    if money not in ("decimal", "float"):
        raise ValueError(f"money must be 'decimal' or 'float', got {money!r}")


def _import(package: str, method: str) -> Any:
    try:
        return __import__(package)
    except ImportError as e:
        raise ImportError(
            f"{method}() needs {package}, which is not installed: pip install {package}"
        ) from e


def _pandas(rows: list[dict[str, Any]], money: MoneyAs) -> pandas.DataFrame:
    _check_money(money)
    pd = _import("pandas", "to_pandas")
    columns = _columns(rows)
    decimal: Any = None
    if money == "decimal" and any(_is_money(v) for v in columns.values()):
        try:
            pa = __import__("pyarrow")
        except ImportError as e:
            raise ImportError(
                "to_pandas() keeps amounts exact in pyarrow decimal columns, and pyarrow is not "
                "installed: pip install pyarrow, or pass money='float' for float64 columns"
            ) from e
        decimal = pd.ArrowDtype(pa.decimal128(DECIMAL_PRECISION, DECIMAL_SCALE))
    data: dict[str, Any] = {}
    for name, values in columns.items():
        if _is_money(values):
            data[name] = (
                pd.array(values, dtype=decimal)
                if money == "decimal"
                else pd.Series([None if v is None else float(v) for v in values], dtype="float64")
            )
        elif _is_date(values):
            # Dates become datetime64 so they index and resample; datetimes are already UTC.
            data[name] = pd.to_datetime(pd.Series(values, dtype=object))
        else:
            data[name] = values
    frame: pandas.DataFrame = pd.DataFrame(data)
    return frame


def _polars(rows: list[dict[str, Any]], money: MoneyAs) -> polars.DataFrame:
    _check_money(money)
    pl = _import("polars", "to_polars")
    columns = _columns(rows)
    exact = pl.Decimal(DECIMAL_PRECISION, DECIMAL_SCALE)
    overrides: dict[str, Any] = {}
    for name, values in columns.items():
        if _is_money(values):
            overrides[name] = exact if money == "decimal" else pl.Float64
            if money == "float":
                columns[name] = [None if v is None else float(v) for v in values]
    frame: polars.DataFrame = pl.DataFrame(columns, schema_overrides=overrides, strict=False)
    return frame


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
    ``_aliases`` maps an older table name to its field (``Dashboard``'s ``daily``).
    """

    __slots__ = ()
    _tables: ClassVar[tuple[str, ...]]
    _aliases: ClassVar[Mapping[str, str]] = {}

    def rows(self, table: str | None = None) -> list[dict[str, Any]]:
        """One table as flat dicts: a line's cost becomes the columns ``total``, ``billed``,
        ``billed_per_key``, ``allocated``, ``unallocated``, ``estimated``, ``subscription``.

        Args:
            table: Which list (default: the first of ``_tables``: ``per_day``).

        Returns:
            The rows.

        Raises:
            ValueError: No such table.
        """
        name = self._tables[0] if table is None else self._aliases.get(table, table)
        if name not in self._tables:
            raise ValueError(f"table must be one of {', '.join(self._tables)}, got {table!r}")
        return [row(item) for item in getattr(self, name)]

    def to_pandas(
        self, table: str | None = None, *, money: MoneyAs = "decimal"
    ) -> pandas.DataFrame:
        """One table as a ``pandas.DataFrame`` (pandas must be installed).

        Args:
            table: Which list (default: the first, ``per_day``).
            money: ``"decimal"`` (the default) keeps amounts exact and numeric:
                ``pd.ArrowDtype(pa.decimal128(38, 9))`` columns, which need pyarrow, and
                whose sums are exact ``Decimal``\ s. ``"float"``: ``float64`` columns, for
                charts and numpy.

        Returns:
            The DataFrame; date columns as ``datetime64``.

        Raises:
            ImportError: pandas is not installed, or pyarrow for ``money="decimal"``.
            ValueError: No such table, or ``money`` is neither.
        """
        return _pandas(self.rows(table), money)

    def to_polars(
        self, table: str | None = None, *, money: MoneyAs = "decimal"
    ) -> polars.DataFrame:
        """One table as a ``polars.DataFrame`` (polars must be installed).

        Args:
            table: Which list (default: the first, ``per_day``).
            money: ``"decimal"`` (the default): exact ``pl.Decimal(38, 9)`` columns;
                ``"float"``: ``Float64``.

        Returns:
            The DataFrame; date columns as ``Date``.

        Raises:
            ImportError: polars is not installed.
            ValueError: No such table, or ``money`` is neither.
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

    def to_pandas(self, *, money: MoneyAs = "decimal") -> pandas.DataFrame:
        """The items as a ``pandas.DataFrame``, one row each (pandas must be installed);
        amounts as in :meth:`Tabular.to_pandas`."""
        return _pandas(self.rows(), money)

    def to_polars(self, *, money: MoneyAs = "decimal") -> polars.DataFrame:
        """The items as a ``polars.DataFrame``, one row each (polars must be installed);
        amounts as in :meth:`Tabular.to_polars`."""
        return _polars(self.rows(), money)
