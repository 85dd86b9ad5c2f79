"""Report building blocks (core ``reports/``): :class:`Period`, :class:`Cost`,
:class:`WorkspaceRef`, :class:`Forecast`, and the ``forecast`` and ``focus_export`` methods.
The reports themselves are in ``user_costs.py``, ``dashboard.py`` and ``budgets.py``.

Every amount is exact :class:`decimal.Decimal` dollars and says its basis: a :class:`Cost`
splits a sum into billed (billed per key + allocated + unallocated), estimated and
subscription parts; a single amount's docstring names the parts it adds up.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Union

from ._convert import call
from ._generated import Cost, Forecast, Period, TokenCounts, WorkspaceRef
from ._mixins import CostPart
from .exceptions import InvalidInputError

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
        pending = call(self._native, "forecast", scope=_scope(scope), period=arg, time_zone=zone)
        return Forecast._from_report(pending.wait())

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
        pending = call(self._native, "focus_export", period=arg, time_zone=zone, plan_ids=plan_ids)
        return str(json.loads(pending.wait()))
