"""Report building blocks (core ``reports/``): :class:`Period`, :class:`Cost`,
:class:`WorkspaceRef`, :class:`Forecast`, and the ``forecast`` and ``focus_export`` methods.
The reports themselves are in ``user_costs.py``, ``dashboard.py`` and ``budgets.py``.

Every amount is exact :class:`decimal.Decimal` dollars and says its basis: a :class:`Cost`
splits a sum into billed (billed per key + allocated + unallocated), estimated and
subscription parts; a single amount's docstring names the parts it adds up.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal, Union

from . import money
from ._convert import day, utc
from .exceptions import InvalidInputError
from .export import Exported

if TYPE_CHECKING:
    from . import _native
    from .budgets import BudgetScope

__all__ = [
    "Cost",
    "CostPart",
    "Forecast",
    "Period",
    "PeriodLike",
    "ScopeLike",
    "TokenCounts",
    "WorkspaceRef",
]


@dataclass(frozen=True, slots=True)
class Period:
    """A range of calendar dates in a time zone.

    Attributes:
        start: First date (inclusive).
        end: The date after the last (exclusive).
        time_zone: The IANA time zone its dates are in (``"UTC"``, ``"Europe/Paris"``).
    """

    start: date
    end: date
    time_zone: str

    @classmethod
    def _from_json(cls, data: dict[str, Any]) -> Period:
        return cls(start=day(data["start"]), end=day(data["end"]), time_zone=data["time_zone"])


PeriodLike = Union[str, date, tuple[date, date], Period]
"""A report period: the core's text form (``"2026-11"``, ``"2026-11-05"``, ``"2026-W45"``,
``"2026-11-01..2026-11-16"``, each optionally followed by a space and an IANA time zone, as
in ``"2026-11 America/Los_Angeles"``), a :class:`~datetime.date` (that day), a ``(start,
end)`` pair of dates (end exclusive), or a :class:`Period` a report returned."""


def _period(value: PeriodLike, time_zone: str | None) -> tuple[Any, str | None]:
    """The native period argument and time zone; the core parses and checks both."""
    if isinstance(value, Period):
        return (value.start, value.end), value.time_zone if time_zone is None else time_zone
    if isinstance(value, datetime):
        raise InvalidInputError(
            f"period must be a date, a (start, end) pair of dates or text such as '2026-11', "
            f"not a datetime ({value.isoformat()})"
        )
    if isinstance(value, str | date):
        return value, time_zone
    if (
        isinstance(value, tuple)
        and len(value) == 2
        and all(isinstance(d, date) and not isinstance(d, datetime) for d in value)
    ):
        return value, time_zone
    raise InvalidInputError(
        f"period must be text such as '2026-11', a date or a (start, end) pair of dates, "
        f"got {value!r}"
    )


CostPart = Literal[
    "total", "billed", "billed_per_key", "allocated", "unallocated", "estimated", "subscription",
    "usage",
]
"""A part of a :class:`Cost`: a basis, a sum of them, or ``usage`` (billed + estimated)."""


@dataclass(frozen=True, slots=True)
class Cost:
    """An amount split by basis, so a reader always knows which part is billed, allocated or
    estimated. Exact ``Decimal`` dollars.

    Attributes:
        total: Everything: billed + estimated + subscription.
        billed: The provider's bill, to the nanodollar: billed_per_key + allocated +
            unallocated.
        billed_per_key: Billed by the provider to a key or person (Anthropic's Analytics
            API, OpenAI's cost per key): its own amounts, net of discounts, no allocation.
        allocated: A bill without keys split across API keys in proportion to their tokens.
        unallocated: Billed cost that matched no usage (code execution, …).
        estimated: Priced from the price table: usage the bill leaves out, days not billed
            yet, local logs.
        subscription: Subscription fees, prorated to the period.
    """

    total: Decimal
    billed: Decimal
    billed_per_key: Decimal
    allocated: Decimal
    unallocated: Decimal
    estimated: Decimal
    subscription: Decimal

    @property
    def usage(self) -> Decimal:
        """Usage-based cost: billed + estimated (no fixed fees); what budgets count."""
        return self.billed + self.estimated

    def to_float(self, part: CostPart = "total") -> float:
        """One part as a float, for charts; never sum floats of money.

        Args:
            part: Which part (default ``"total"``).
        """
        return float(getattr(self, part))

    def __float__(self) -> float:
        return float(self.total)

    @classmethod
    def _from_json(cls, data: dict[str, str]) -> Cost:
        d = Decimal
        return cls(
            d(data["total"]), d(data["billed"]), d(data["billed_per_key"]), d(data["allocated"]),
            d(data["unallocated"]), d(data["estimated"]), d(data["subscription"]),
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class TokenCounts:
    """Token counts. ``uncached_input`` excludes cache reads and writes: the total input is
    the sum of the four input fields (:attr:`total_input`).

    Attributes:
        uncached_input: Input tokens neither read from nor written to the cache.
        cache_write_5m: Input tokens written to the 5-minute cache.
        cache_write_1h: Input tokens written to the 1-hour cache.
        cache_read: Input tokens read from the cache.
        output: Output tokens.
        web_search_requests: Web search requests made by the server tool.
    """

    uncached_input: int
    cache_write_5m: int
    cache_write_1h: int
    cache_read: int
    output: int
    web_search_requests: int

    @property
    def total_input(self) -> int:
        """All input tokens: uncached + cache writes + cache reads."""
        return self.uncached_input + self.cache_write_5m + self.cache_write_1h + self.cache_read


@dataclass(frozen=True, slots=True)
class WorkspaceRef:
    """One workspace of one plan: the identity of a workspace in every report.

    Attributes:
        plan_id: The plan.
        workspace_id: The workspace (``wrkspc_…``); ``None`` is the plan's Default workspace.
    """

    plan_id: int
    workspace_id: str | None

    @classmethod
    def _from_json(cls, data: dict[str, Any]) -> WorkspaceRef:
        return cls(plan_id=data["plan_id"], workspace_id=data["workspace_id"])


@dataclass(frozen=True, slots=True)
class Forecast(Exported):
    """An end-of-period projection of usage cost (billed + estimated, no subscription fees).

    Attributes:
        period: The period projected.
        spent: Usage cost spent in the period so far.
        projected: Usage cost expected by the end of the period.
        daily_rate: Mean usage cost per complete day of the rate window (zero when no
            complete day was available or the period has ended).
        method: How ``projected`` was computed, in words.
        as_of: The instant of the projection (the ledger's clock, UTC).
    """

    period: Period
    spent: Decimal
    projected: Decimal
    daily_rate: Decimal
    method: str
    as_of: datetime
    _report: _native.Report | None = field(default=None, repr=False, compare=False)

    @classmethod
    def _from_json(cls, data: dict[str, Any], report: _native.Report | None = None) -> Forecast:
        return cls(
            period=Period._from_json(data["period"]),
            spent=money.from_json(data["spent"]),
            projected=money.from_json(data["projected"]),
            daily_rate=money.from_json(data["daily_rate"]),
            method=data["method"],
            as_of=utc(data["as_of"]),
            _report=report,
        )

    @classmethod
    def _from_report(cls, report: _native.Report) -> Forecast:
        return cls._from_json(json.loads(report.data), report)


ScopeLike = Union[str, "BudgetScope"]
"""What a budget or forecast counts: the core's text form (``"global"``, ``"plan:3"``,
``"workspace:3:wrkspc_…"``, ``"workspace:3:default"``, ``"subject:u-1"``, ``"project:7"``) or
a :class:`~costledger.BudgetScope` a budget returned."""


def _scope(scope: ScopeLike) -> str:
    return scope if isinstance(scope, str) else str(scope)


class ReportMethods:
    """The ``forecast`` and ``focus_export`` methods of :class:`costledger.Ledger`."""

    __slots__ = ()
    _native: _native.Ledger

    def forecast(
        self, *, scope: ScopeLike, period: PeriodLike, time_zone: str | None = None
    ) -> Forecast:
        """Where a scope's usage cost will end a period, at the ledger's clock: spent so far
        plus the mean daily usage cost of the last 7 complete days times the days left.

        Args:
            scope: What to count (``"global"``, ``"plan:3"``, ``"subject:u-1"``, …).
            period: The period (see :data:`PeriodLike`).
            time_zone: The IANA time zone of the period's dates (default: the one in
                ``period``, else UTC).

        Returns:
            The projection.

        Raises:
            InvalidInputError: A malformed scope, period or time zone.
            NotFoundError: The scope's plan, subject or project does not exist.
        """
        arg, zone = _period(period, time_zone)
        return Forecast._from_report(self._native.forecast(_scope(scope), arg, zone).wait())

    def focus_export(
        self,
        *,
        period: PeriodLike,
        plan_ids: list[int] | tuple[int, ...] | None = None,
        time_zone: str | None = None,
    ) -> str:
        """The allocated cost of a period as CSV in the FinOps FOCUS 1.1 layout: one row per
        plan, UTC day, API key, workspace, model, tier, window and basis.

        Args:
            period: The period (see :data:`PeriodLike`).
            plan_ids: Only these plans (default: every plan).
            time_zone: The IANA time zone of the period's dates.

        Returns:
            The CSV text, header first.

        Raises:
            InvalidInputError: A malformed period or time zone.
            NotFoundError: A plan named does not exist.
        """
        arg, zone = _period(period, time_zone)
        ids = None if plan_ids is None else list(plan_ids)
        return str(json.loads(self._native.focus_export(arg, zone, ids).wait()))


class AsyncReportMethods:
    """The ``forecast`` and ``focus_export`` methods of :class:`costledger.AsyncLedger`."""

    __slots__ = ()
    _native: _native.Ledger

    async def forecast(
        self, *, scope: ScopeLike, period: PeriodLike, time_zone: str | None = None
    ) -> Forecast:
        """A scope's end-of-period projection; see :meth:`costledger.Ledger.forecast`."""
        arg, zone = _period(period, time_zone)
        return Forecast._from_report(await self._native.forecast(_scope(scope), arg, zone))

    async def focus_export(
        self,
        *,
        period: PeriodLike,
        plan_ids: list[int] | tuple[int, ...] | None = None,
        time_zone: str | None = None,
    ) -> str:
        """FinOps FOCUS 1.1 CSV; see :meth:`costledger.Ledger.focus_export`."""
        arg, zone = _period(period, time_zone)
        ids = None if plan_ids is None else list(plan_ids)
        return str(json.loads(await self._native.focus_export(arg, zone, ids)))
