"""``verify``: recompute the derived cost facts from the synced usage and cost and compare
them with what is stored, repairing on request (core ``reports/verify.rs``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from ._convert import day
from .reports import Cost

if TYPE_CHECKING:
    from . import _native

__all__ = ["DayDifference", "MonthDifference", "PlanVerification", "VerifyReport"]


def _opt_day(value: str | None) -> date | None:
    return None if value is None else day(value)


@dataclass(frozen=True, slots=True)
class DayDifference:
    """A day whose derived rows differ from what its synced usage and cost give.

    Attributes:
        date: The UTC day.
        tables: The derived tables that differ (``"cost_facts"``, ``"cost_daily"``,
            ``"cost_hourly_ws"``, ``"cost_daily_ws"``, ``"usage_daily"``, ``"unpriced"``).
        stored: The day's stored hourly facts summed, per basis.
        stored_daily: The day's stored daily rollup, per basis.
        recomputed: The day's facts recomputed from the synced data, per basis.
        stale: The day was marked stale (its derivation was pending), so the difference was
            expected.
        repaired: The day was derived again and now matches.
    """

    date: date
    tables: tuple[str, ...]
    stored: Cost
    stored_daily: Cost
    recomputed: Cost
    stale: bool
    repaired: bool

    @classmethod
    def _from_json(cls, data: dict[str, Any]) -> DayDifference:
        return cls(
            date=day(data["date"]),
            tables=tuple(data["tables"]),
            stored=Cost._from_json(data["stored"]),
            stored_daily=Cost._from_json(data["stored_daily"]),
            recomputed=Cost._from_json(data["recomputed"]),
            stale=data["stale"],
            repaired=data["repaired"],
        )


@dataclass(frozen=True, slots=True)
class MonthDifference:
    """A month whose rollups differ from the sum of its stored days.

    Attributes:
        month: The month's first day.
        tables: The rollups that differ (``"cost_monthly"``, ``"usage_monthly"``).
        stored: The stored monthly cost rollup, per basis.
        recomputed: The month's daily rollups summed, per basis.
        repaired: The rollups were rewritten and now match.
    """

    month: date
    tables: tuple[str, ...]
    stored: Cost
    recomputed: Cost
    repaired: bool

    @classmethod
    def _from_json(cls, data: dict[str, Any]) -> MonthDifference:
        return cls(
            month=day(data["month"]),
            tables=tuple(data["tables"]),
            stored=Cost._from_json(data["stored"]),
            recomputed=Cost._from_json(data["recomputed"]),
            repaired=data["repaired"],
        )


@dataclass(frozen=True, slots=True)
class PlanVerification:
    """One plan's verification.

    Attributes:
        plan_id: The plan.
        label: Its label.
        start: The first UTC day checked (``None`` when the plan has no data).
        end: The day after the last one checked.
        days_checked: UTC days checked.
        stale_days: Days pending derivation among them (the next sync or report derives
            them).
        days: Days whose stored rows differ from the recomputation.
        months: Months whose rollups differ from the sum of their days.
    """

    plan_id: int
    label: str
    start: date | None
    end: date | None
    days_checked: int
    stale_days: int
    days: tuple[DayDifference, ...]
    months: tuple[MonthDifference, ...]

    @classmethod
    def _from_json(cls, data: dict[str, Any]) -> PlanVerification:
        return cls(
            plan_id=data["plan_id"],
            label=data["label"],
            start=_opt_day(data["from"]),
            end=_opt_day(data["to"]),
            days_checked=data["days_checked"],
            stale_days=data["stale_days"],
            days=tuple(DayDifference._from_json(d) for d in data["days"]),
            months=tuple(MonthDifference._from_json(m) for m in data["months"]),
        )


@dataclass(frozen=True, slots=True)
class VerifyReport:
    """What :meth:`costledger.Ledger.verify` found, per plan.

    Attributes:
        plans: One entry per plan checked, in id order.
        repair: Whether differences were repaired.
    """

    plans: tuple[PlanVerification, ...]
    repair: bool

    @property
    def differences(self) -> int:
        """Days and months that differed, over every plan."""
        return sum(len(p.days) + len(p.months) for p in self.plans)

    @property
    def is_consistent(self) -> bool:
        """True when nothing differs, or everything that differed was repaired."""
        return all(
            all(d.repaired for d in p.days) and all(m.repaired for m in p.months)
            for p in self.plans
        )

    @classmethod
    def _from_json(cls, text: str) -> VerifyReport:
        data = json.loads(text)
        return cls(
            plans=tuple(PlanVerification._from_json(p) for p in data["plans"]),
            repair=data["repair"],
        )


class VerifyMethods:
    """The ``verify`` method of :class:`costledger.Ledger`."""

    __slots__ = ()
    _native: _native.Ledger

    def verify(
        self,
        *,
        plan_id: int | None = None,
        start: date | None = None,
        end: date | None = None,
        repair: bool = False,
    ) -> VerifyReport:
        """Recompute the derived cost facts (allocation and every rollup) from the synced
        usage and cost and compare them with what is stored: the ``fsck`` of a ledger.

        Args:
            plan_id: Only this plan (default: every plan).
            start: The first UTC day checked (with ``end``; default: each plan's history).
            end: The day after the last one checked.
            repair: Derive again the days and months that differ. Without it nothing is
                written.

        Returns:
            Per plan, the days checked and each day or month that differs.

        Raises:
            InvalidInputError: Only one of ``start`` and ``end``, or ``end`` not after
                ``start``.
            NotFoundError: The plan named does not exist.
        """
        return VerifyReport._from_json(self._native.verify(plan_id, start, end, repair).wait())


class AsyncVerifyMethods:
    """The ``verify`` method of :class:`costledger.AsyncLedger`."""

    __slots__ = ()
    _native: _native.Ledger

    async def verify(
        self,
        *,
        plan_id: int | None = None,
        start: date | None = None,
        end: date | None = None,
        repair: bool = False,
    ) -> VerifyReport:
        """Check derived facts against the synced data; see :meth:`costledger.Ledger.verify`."""
        return VerifyReport._from_json(await self._native.verify(plan_id, start, end, repair))
