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
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from . import money
from ._convert import opt_utc, utc
from ._generated import BudgetAlert
from .export import Exported, ReportList
from .reports import Cost, Forecast, Period, ScopeLike, _scope
from .spend_limits import _scope as _limit_scope
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


@dataclass(frozen=True, slots=True)
class BudgetScope:
    """What a budget counts; ``str(scope)`` is its text form (``"plan:3"``, …).

    Attributes:
        kind: ``"global"``, ``"plan"``, ``"workspace"``, ``"subject"`` or ``"project"``.
        plan_id: The plan, for plan and workspace scopes.
        workspace_id: The workspace (``None``: the Default workspace), for workspace scopes.
        subject_id: The subject, for subject scopes.
        project_id: The project, for project scopes.
    """

    kind: Literal["global", "plan", "workspace", "subject", "project"]
    plan_id: int | None = None
    workspace_id: str | None = None
    subject_id: str | None = None
    project_id: int | None = None

    def __str__(self) -> str:
        if self.kind == "plan":
            return f"plan:{self.plan_id}"
        if self.kind == "workspace":
            return f"workspace:{self.plan_id}:{self.workspace_id or 'default'}"
        if self.kind == "subject":
            return f"subject:{self.subject_id}"
        if self.kind == "project":
            return f"project:{self.project_id}"
        return "global"

    @classmethod
    def _from_json(cls, d: dict[str, Any]) -> BudgetScope:
        return cls(d["kind"], d.get("plan_id"), d.get("workspace_id"), d.get("subject_id"),
                   d.get("project_id"))  # fmt: skip


@dataclass(frozen=True, slots=True)
class LimitMirror:
    """The provider spend limit a budget mirrors.

    Attributes:
        plan_id: The plan whose organisation has the limit.
        scope: ``organization``, ``workspace:ID`` or ``user:ID``.
    """

    plan_id: int
    scope: str

    @classmethod
    def _from_json(cls, d: dict[str, Any] | None) -> LimitMirror | None:
        if d is None:
            return None
        return cls(plan_id=d["plan_id"], scope=_limit_scope(d["scope"]) or "")


@dataclass(frozen=True, slots=True)
class ProviderLimitStatus:
    """The provider's limit beside a mirrored budget's spend and forecast.

    Attributes:
        plan_id: The plan whose organisation has the limit.
        scope: The limit's scope (``organization``, ``workspace:ID``, ``user:ID``).
        period: ``daily``, ``weekly`` or ``monthly``.
        state: ``present``, ``no_cap``, ``missing`` (gone at the provider: the budget keeps
            its last amount) or ``not_synced``.
        limit_id: Its id at the provider, when found.
        amount: Its amount in dollars, when found with a cap.
        is_enabled: False when extra usage is switched off at the provider.
        synced_at: When the plan's limits were last synced.
        forecast_over_provider_limit: The forecast reaches the limit before the period ends
            (or spend already has).
        crosses_on: The day the run rate reaches the limit, when it does within the period.
    """

    plan_id: int
    scope: str
    period: str
    state: Literal["present", "no_cap", "missing", "not_synced"]
    limit_id: str | None
    amount: Decimal | None
    is_enabled: bool | None
    synced_at: datetime | None
    forecast_over_provider_limit: bool
    crosses_on: date | None

    @classmethod
    def _from_json(cls, d: dict[str, Any] | None) -> ProviderLimitStatus | None:
        if d is None:
            return None
        amount = d["amount"]
        crosses = d["crosses_on"]
        return cls(
            plan_id=d["plan_id"], scope=_limit_scope(d["scope"]) or "", period=d["period"],
            state=d["state"], limit_id=d["limit_id"],
            amount=None if amount is None else money.from_json(amount),
            is_enabled=d["is_enabled"], synced_at=opt_utc(d["synced_at"]),
            forecast_over_provider_limit=bool(d["forecast_over_provider_limit"]),
            crosses_on=None if crosses is None else date.fromisoformat(crosses),
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class Budget(Exported):
    """A stored budget.

    Attributes:
        id: Its id.
        name: Its name.
        scope: What it counts.
        amount: The usage cost (billed + estimated) allowed per period, in dollars.
        period: ``"day"``, ``"week"`` or ``"month"``.
        time_zone: The IANA time zone of its periods.
        thresholds: Alert thresholds, in percent of the amount, increasing.
        created_at: When it was created (UTC).
        updated_at: When it last changed (UTC).
        mirror: The provider spend limit it mirrors (its amount is the limit's as last
            synced), or ``None``.
    """

    id: int
    name: str
    scope: BudgetScope
    amount: Decimal
    period: BudgetPeriod
    time_zone: str
    thresholds: tuple[int, ...]
    created_at: datetime
    updated_at: datetime
    mirror: LimitMirror | None = None
    _report: _native.Report | None = field(default=None, repr=False, compare=False)

    @classmethod
    def _from_json(cls, d: dict[str, Any], report: _native.Report | None = None) -> Budget:
        return cls(
            id=d["id"], name=d["name"], scope=BudgetScope._from_json(d["scope"]),
            amount=money.from_json(d["amount"]), period=d["period"], time_zone=d["time_zone"],
            thresholds=tuple(d["thresholds"]), created_at=utc(d["created_at"]),
            updated_at=utc(d["updated_at"]), mirror=LimitMirror._from_json(d.get("mirror")),
            _report=report,
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class BudgetStatus(Exported):
    """Where a budget stands in its current period.

    Attributes:
        budget: The budget.
        period: The current period: the day, week or month containing now in its time zone.
        spent: Usage cost so far in the period, by basis (``subscription`` is always zero).
        remaining: The amount minus the usage cost spent (billed + estimated); negative once
            the budget is overrun.
        forecast: The projection to the end of the period.
        thresholds_crossed: The thresholds the spend has reached.
        percent_used: Spent as a percent of the amount, for display (thresholds are checked
            exactly).
        provider_limit: For a budget mirroring a provider spend limit, the provider's limit
            and whether the forecast reaches it before the period ends; else ``None``.
    """

    budget: Budget
    period: Period
    spent: Cost
    remaining: Decimal
    forecast: Forecast
    thresholds_crossed: tuple[int, ...]
    percent_used: float
    provider_limit: ProviderLimitStatus | None = None
    _report: _native.Report | None = field(default=None, repr=False, compare=False)

    @classmethod
    def _from_json(cls, d: dict[str, Any], report: _native.Report | None = None) -> BudgetStatus:
        return cls(
            budget=Budget._from_json(d["budget"]), period=Period._from_json(d["period"]),
            spent=Cost._from_json(d["spent"]), remaining=money.from_json(d["remaining"]),
            forecast=Forecast._from_json(d["forecast"]),
            thresholds_crossed=tuple(d["thresholds_crossed"]),
            percent_used=float(d["percent_used"]),
            provider_limit=ProviderLimitStatus._from_json(d.get("provider_limit")),
            _report=report,
        )  # fmt: skip


def _budget(report: _native.Report) -> Budget:
    return Budget._from_json(json.loads(report.data), report)


def _budgets(report: _native.Report) -> ReportList[Budget]:
    return ReportList((Budget._from_json(b) for b in json.loads(report.data)), report)


def _status(report: _native.Report) -> BudgetStatus:
    return BudgetStatus._from_json(json.loads(report.data), report)


def _statuses(report: _native.Report) -> ReportList[BudgetStatus]:
    return ReportList((BudgetStatus._from_json(s) for s in json.loads(report.data)), report)


def _create_args(
    name: str,
    scope: ScopeLike,
    amount: Decimal | int | str,
    period: BudgetPeriod,
    time_zone: str,
    thresholds: Sequence[int],
) -> tuple[Any, ...]:
    return name, _scope(scope), money._text(amount), period, time_zone, list(thresholds)


def _update_args(
    name: str | None,
    amount: Decimal | int | str | None,
    period: BudgetPeriod | None,
    time_zone: str | None,
    thresholds: Sequence[int] | None,
) -> dict[str, Any]:
    return {
        "name": name,
        "amount": None if amount is None else money._text(amount),
        "period": period,
        "time_zone": time_zone,
        "thresholds": None if thresholds is None else list(thresholds),
    }


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
        args = _create_args(name, scope, amount, period, time_zone, thresholds)
        return _budget(self._native.create_budget(*args).wait())

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
        call = self._native.create_mirrored_budget(
            name, plan_id, limit_scope, period, list(thresholds)
        )
        return _budget(call.wait())

    def get_budget(self, budget_id: int) -> Budget:
        """One budget.

        Raises:
            NotFoundError: No such budget (code ``BUDGET_NOT_FOUND``).
        """
        return _budget(self._native.get_budget(budget_id).wait())

    def list_budgets(self) -> ReportList[Budget]:
        """Every budget, by id (a list that also exports as CSV and JSON)."""
        return _budgets(self._native.list_budgets().wait())

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
        update = _update_args(name, amount, period, time_zone, thresholds)
        return _budget(self._native.update_budget(budget_id, update).wait())

    def delete_budget(self, budget_id: int) -> None:
        """Delete a budget and its alert records.

        Raises:
            NotFoundError: No such budget (code ``BUDGET_NOT_FOUND``).
        """
        self._native.delete_budget(budget_id).wait()

    def budget_status(self, budget_id: int) -> BudgetStatus:
        """Where a budget stands now (the ledger's clock): its current period, usage cost
        spent, remaining, forecast and thresholds reached.

        Raises:
            NotFoundError: No such budget, or its subject or project was deleted.
        """
        return _status(self._native.budget_status(budget_id).wait())

    def budget_statuses(self) -> ReportList[BudgetStatus]:
        """:meth:`budget_status` of every budget, by id (a list that also exports)."""
        return _statuses(self._native.budget_statuses().wait())

