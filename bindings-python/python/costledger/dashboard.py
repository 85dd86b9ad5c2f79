"""The company's spend in a period (core ``reports/dashboard.rs``): :class:`Dashboard` and the
``dashboard`` method."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._convert import call
from ._generated import Dashboard, MissingPriceLine, ModelLine, PlanLine, SubjectLine, WorkspaceLine
from ._generated import WorkspaceRef
from .reports import PeriodLike, _period
from .types import Provider

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
        pending = call(
            self._native,
            "dashboard",
            period=arg,
            time_zone=zone,
            plan_ids=plan_ids,
            workspace=_workspace(workspace),
            top_subjects=top_subjects,
            providers=providers,
        )
        return Dashboard._from_report(pending.wait())
