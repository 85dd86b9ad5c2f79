"""Budgets (core ``reports/budgets.rs``): :class:`Budget`, :class:`BudgetStatus`,
:class:`BudgetAlert` and the budget methods.

A budget limits the usage cost (billed + estimated; subscription fees are left out) of a
scope per day, ISO week or month in its time zone, and alerts once per period when spend
reaches each threshold (in percent of the amount). A sync evaluates every budget and returns
the new alerts in :attr:`SyncReport.budget_alerts`.

Scopes are written as the core parses them: ``"global"`` (every plan), ``"plan:3"``,
``"workspace:3:wrkspc_…"`` (``"workspace:3:default"`` for the plan's Default workspace),
``"subject:u-1"`` or ``"project:7"``; a :class:`BudgetScope` a budget returned works too.

A budget can mirror a provider spend limit (:meth:`Ledger.create_mirrored_budget`): its amount
is the limit as the last sync stored it, and its status has :attr:`BudgetStatus.provider_limit`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from . import money
from ._convert import call
from ._generated import Budget, BudgetAlert, BudgetScope, BudgetStatus, LimitMirror
from ._generated import ProviderLimitStatus
from .export import ReportList
from .reports import ScopeLike, _scope
from .types import BudgetPeriod

if TYPE_CHECKING:
    from . import _native

__all__ = [
    "Budget",
    "BudgetAlert",
    "BudgetScope",
    "BudgetStatus",
    "LimitMirror",
    "ProviderLimitStatus",
]


def _budget(report: _native.Report) -> Budget:
    return Budget._from_json(json.loads(report.data), report)


def _budgets(report: _native.Report) -> ReportList[Budget]:
    return ReportList((Budget._from_json(b) for b in json.loads(report.data)), report)


def _status(report: _native.Report) -> BudgetStatus:
    return BudgetStatus._from_json(json.loads(report.data), report)


def _statuses(report: _native.Report) -> ReportList[BudgetStatus]:
    return ReportList((BudgetStatus._from_json(s) for s in json.loads(report.data)), report)


class BudgetMethods:
    """The budget methods of :class:`costledger.Ledger`."""

    __slots__ = ()
    _native: _native.Ledger

    def create_budget(
        self,
        name: str,
        *,
        scope: ScopeLike,
        amount: Decimal | int | str,
        period: BudgetPeriod = "month",
        time_zone: str = "UTC",
        thresholds: Sequence[int] = (50, 80, 100),
    ) -> Budget:
        """Create a budget on a scope's usage cost.

        Args:
            name: Its name (1-200 characters).
            scope: What it counts: ``"global"``, ``"plan:3"``, ``"workspace:3:wrkspc_…"``,
                ``"workspace:3:default"``, ``"subject:u-1"``, ``"project:7"``, or a
                :class:`BudgetScope`.
            amount: Usage cost allowed per period, in dollars (more than zero).
            period: ``"day"``, ``"week"`` or ``"month"``.
            time_zone: The IANA time zone its periods are in.
            thresholds: Percents of ``amount`` that alert when reached, increasing, each
                1-1000; may be empty.

        Returns:
            The budget.

        Raises:
            InvalidInputError: A bad name, scope, amount, period, time zone or threshold, or
                a workspace the plan's synced metadata does not list.
            NotFoundError: The scope's plan, subject or project does not exist.
        """
        return _budget(
            call(
                self._native,
                "create_budget",
                name=name,
                scope=_scope(scope),
                amount=money._text(amount),
                period=period,
                time_zone=time_zone,
                thresholds=list(thresholds),
            ).wait()
        )

    def create_mirrored_budget(
        self,
        name: str,
        *,
        plan_id: int,
        limit_scope: str,
        period: BudgetPeriod = "month",
        thresholds: Sequence[int] = (50, 80, 100),
    ) -> Budget:
        """Create a budget mirroring a provider spend limit, in UTC: its amount is the limit
        as the last sync of the plan stored it (refreshed by each sync), its scope what the
        limit applies to (``organization``: the plan; ``workspace:ID``: that workspace;
        ``user:ID``: the subject with the member's e-mail).

        Args:
            name: Its name (1-200 characters).
            plan_id: The plan whose organisation has the limit.
            limit_scope: ``"organization"``, ``"workspace:wrkspc_…"`` or ``"user:user_…"``.
            period: ``"day"``, ``"week"`` or ``"month"`` (the limit's daily, weekly or monthly).
            thresholds: Percents of the amount that alert when reached.

        Raises:
            InvalidInputError: No such limit stored (sync first), a limit without a cap, a
                scope a budget cannot mirror, or no subject with the member's e-mail.
            NotFoundError: No such plan.
        """
        return _budget(
            call(
                self._native,
                "create_mirrored_budget",
                name=name,
                plan_id=plan_id,
                limit_scope=limit_scope,
                period=period,
                thresholds=list(thresholds),
            ).wait()
        )

    def get_budget(self, budget_id: int) -> Budget:
        """One budget.

        Raises:
            NotFoundError: No such budget (code ``BUDGET_NOT_FOUND``).
        """
        return _budget(call(self._native, "get_budget", id=budget_id).wait())

    def list_budgets(self) -> ReportList[Budget]:
        """Every budget, by id (a list that also exports as CSV and JSON)."""
        return _budgets(call(self._native, "list_budgets").wait())

    def update_budget(
        self,
        budget_id: int,
        *,
        name: str | None = None,
        amount: Decimal | int | str | None = None,
        period: BudgetPeriod | None = None,
        time_zone: str | None = None,
        thresholds: Sequence[int] | None = None,
    ) -> Budget:
        """Change a budget; what is not given stays. The scope cannot change. Thresholds
        already alerted in the current period stay alerted unless the change puts them out of
        reach again.

        Raises:
            NotFoundError: No such budget (code ``BUDGET_NOT_FOUND``).
            InvalidInputError: A bad value.
        """
        return _budget(
            call(
                self._native,
                "update_budget",
                id=budget_id,
                name=name,
                amount=None if amount is None else money._text(amount),
                period=period,
                time_zone=time_zone,
                thresholds=None if thresholds is None else list(thresholds),
            ).wait()
        )

    def delete_budget(self, budget_id: int) -> None:
        """Delete a budget and its alert records.

        Raises:
            NotFoundError: No such budget (code ``BUDGET_NOT_FOUND``).
        """
        call(self._native, "delete_budget", id=budget_id).wait()

    def budget_status(self, budget_id: int) -> BudgetStatus:
        """Where a budget stands now (the ledger's clock): its current period, usage cost
        spent, remaining, forecast and thresholds reached.

        Raises:
            NotFoundError: No such budget, or its subject or project was deleted.
        """
        return _status(call(self._native, "budget_status", id=budget_id).wait())

    def budget_statuses(self) -> ReportList[BudgetStatus]:
        """:meth:`budget_status` of every budget, by id (a list that also exports)."""
        return _statuses(call(self._native, "budget_statuses").wait())
