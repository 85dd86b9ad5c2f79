"""The company's spend in a period (core ``reports/dashboard.rs``): :class:`Dashboard` and the
``dashboard`` method."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from ._convert import day
from .export import Exported, Tabular
from .reports import Cost, Period, PeriodLike, TokenCounts, WorkspaceRef, _period
from .types import PlanStatus, Provider
from .user_costs import DayCost

if TYPE_CHECKING:
    from . import _native

__all__ = [
    "Dashboard",
    "MissingPriceLine",
    "ModelLine",
    "PlanLine",
    "SubjectLine",
    "WorkspaceLine",
]


@dataclass(frozen=True, slots=True)
class PlanLine:
    """A plan's line.

    Attributes:
        plan_id: The plan.
        label: Its label.
        provider: Its provider.
        status: Its status.
        cost: Its cost by basis, with its subscription fee prorated.
    """

    plan_id: int
    label: str
    provider: Provider
    status: PlanStatus
    cost: Cost


@dataclass(frozen=True, slots=True)
class WorkspaceLine:
    """A workspace's line.

    Attributes:
        workspace: Which workspace of which plan.
        name: Its name; followed by the plan's label in parentheses when several plans are
            shown.
        cost: Its cost, by basis.
    """

    workspace: WorkspaceRef
    name: str
    cost: Cost


@dataclass(frozen=True, slots=True)
class ModelLine:
    """A model's line.

    Attributes:
        model: The model (``""`` for cost without one, such as code execution).
        cost: Its cost, by basis: what is known of it (see ``cost_unknown``).
        tokens: Its tokens, priced or not.
        unpriced_tokens: Its tokens of every kind that have no price (the bill does not
            cover them and the price table has no price for the model).
        cost_unknown: True when some of its usage has no price: ``cost`` is then less than
            what the model really cost (zero when none of it is priced), and
            ``missing_prices`` names the usage.
    """

    model: str
    cost: Cost
    tokens: TokenCounts
    unpriced_tokens: int
    cost_unknown: bool


@dataclass(frozen=True, slots=True)
class SubjectLine:
    """A subject's line.

    Attributes:
        subject_id: The subject.
        email: Their email.
        name: Their name.
        cost: What their keys cost, by basis.
    """

    subject_id: str
    email: str | None
    name: str | None
    cost: Cost


@dataclass(frozen=True, slots=True)
class MissingPriceLine:
    """Usage the price table has no price for: its cost is unknown, not zero.

    Attributes:
        plan_id: The plan.
        model: The model.
        service_tier: The service tier.
        context_window: The context window.
        tokens: Its tokens of every kind.
    """

    plan_id: int
    model: str
    service_tier: str
    context_window: str
    tokens: int


@dataclass(frozen=True, slots=True)
class Dashboard(Exported, Tabular):
    """The company's spend in a period.

    ``to_pandas()`` gives the daily series (``per_day``); ``to_pandas("per_model")`` (or
    ``per_plan``, ``per_workspace``, ``top_subjects``, ``missing_prices``) another table.

    Attributes:
        period: The period.
        totals: Everything shown, by basis; ``totals.billed`` is the providers' bill.
        per_plan: Per plan.
        per_workspace: Per workspace, largest first.
        per_model: Per model, largest first.
        top_subjects: The subjects who cost most.
        unattributed: Cost no subject owns: Console usage, keys nobody is mapped to,
            unallocated bill.
        per_day: Every date of the period, in order (named as in :class:`UserCosts`;
            ``daily``, its name before, stays as an alias).
        missing_prices: Usage whose cost is unknown.
    """

    _tables: ClassVar[tuple[str, ...]] = ("per_day", "per_plan", "per_workspace", "per_model",
                                          "top_subjects", "missing_prices")  # fmt: skip
    _aliases: ClassVar[Mapping[str, str]] = {"daily": "per_day"}

    period: Period
    totals: Cost
    per_plan: tuple[PlanLine, ...]
    per_workspace: tuple[WorkspaceLine, ...]
    per_model: tuple[ModelLine, ...]
    top_subjects: tuple[SubjectLine, ...]
    unattributed: Cost
    per_day: tuple[DayCost, ...]
    missing_prices: tuple[MissingPriceLine, ...]
    _report: _native.Report | None = field(default=None, repr=False, compare=False)

    @property
    def daily(self) -> tuple[DayCost, ...]:
        """Alias of :attr:`per_day`, the name every report now uses for its daily series."""
        return self.per_day

    @classmethod
    def _from_report(cls, report: _native.Report) -> Dashboard:
        data: dict[str, Any] = json.loads(report.data)
        cost = Cost._from_json
        return cls(
            period=Period._from_json(data["period"]),
            totals=cost(data["totals"]),
            per_plan=tuple(
                PlanLine(p["plan_id"], p["label"], p["provider"], p["status"], cost(p["cost"]))
                for p in data["per_plan"]
            ),
            per_workspace=tuple(
                WorkspaceLine(WorkspaceRef._from_json(w["workspace"]), w["name"],
                              cost(w["cost"]))
                for w in data["per_workspace"]
            ),
            per_model=tuple(
                ModelLine(m["model"], cost(m["cost"]), TokenCounts(**m["tokens"]),
                          m["unpriced_tokens"], m["cost_unknown"])
                for m in data["per_model"]
            ),
            top_subjects=tuple(
                SubjectLine(s["subject_id"], s["email"], s["name"], cost(s["cost"]))
                for s in data["top_subjects"]
            ),
            unattributed=cost(data["unattributed"]),
            per_day=tuple(DayCost(day(d["date"]), cost(d["cost"])) for d in data["daily"]),
            missing_prices=tuple(
                MissingPriceLine(m["plan_id"], m["model"], m["service_tier"],
                                 m["context_window"], m["tokens"])
                for m in data["missing_prices"]
            ),
            _report=report,
        )  # fmt: skip


def _workspace(workspace: WorkspaceRef | tuple[int, str | None] | None) -> Any:
    if isinstance(workspace, WorkspaceRef):
        return (workspace.plan_id, workspace.workspace_id)
    return workspace


class DashboardMethods:
    """The ``dashboard`` method of :class:`costledger.Ledger`."""

    __slots__ = ()
    _native: _native.Ledger

    def dashboard(
        self,
        *,
        period: PeriodLike,
        time_zone: str | None = None,
        plan_ids: list[int] | tuple[int, ...] | None = None,
        workspace: WorkspaceRef | tuple[int, str | None] | None = None,
        top_subjects: int = 10,
        providers: list[Provider] | tuple[Provider, ...] | None = None,
    ) -> Dashboard:
        """The company's spend in a period: totals, per plan (with subscription fees), per
        workspace, per model, top subjects, the daily series in the period's time zone,
        unattributed cost and usage without a price.

        Args:
            period: ``"2026-11"``, ``"2026-11 America/Los_Angeles"``, a date, a ``(start,
                end)`` pair of dates (end exclusive), … (see
                :data:`costledger.reports.PeriodLike`).
            time_zone: The IANA time zone of the period's dates (default: the one in
                ``period``, else UTC).
            plan_ids: Only these plans (default: every plan, disconnected ones included).
            workspace: Only one workspace: a :class:`WorkspaceRef` or ``(plan_id,
                workspace_id)``, ``None`` as the id for the plan's Default workspace.
            top_subjects: How many top subjects to list.
            providers: Only the plans of these providers (default: every provider).

        Returns:
            The dashboard.

        Raises:
            NotFoundError: A plan named does not exist (code ``PLAN_NOT_FOUND``).
            InvalidInputError: A malformed period or time zone.
        """
        arg, zone = _period(period, time_zone)
        ids = None if plan_ids is None else list(plan_ids)
        kinds = None if providers is None else [str(p) for p in providers]
        pending = self._native.dashboard(
            arg, zone, ids, _workspace(workspace), top_subjects, kinds
        )
        return Dashboard._from_report(pending.wait())


class AsyncDashboardMethods:
    """The ``dashboard`` method of :class:`costledger.AsyncLedger`."""

    __slots__ = ()
    _native: _native.Ledger

    async def dashboard(
        self,
        *,
        period: PeriodLike,
        time_zone: str | None = None,
        plan_ids: list[int] | tuple[int, ...] | None = None,
        workspace: WorkspaceRef | tuple[int, str | None] | None = None,
        top_subjects: int = 10,
        providers: list[Provider] | tuple[Provider, ...] | None = None,
    ) -> Dashboard:
        """The company's spend in a period; see :meth:`costledger.Ledger.dashboard`."""
        arg, zone = _period(period, time_zone)
        ids = None if plan_ids is None else list(plan_ids)
        kinds = None if providers is None else [str(p) for p in providers]
        pending = self._native.dashboard(
            arg, zone, ids, _workspace(workspace), top_subjects, kinds
        )
        return Dashboard._from_report(await pending)
