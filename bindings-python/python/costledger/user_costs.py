"""What one subject cost in a period (core ``reports/user_costs.rs``): :class:`UserCosts` and
the ``user_costs`` method."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from . import money
from ._convert import day
from .export import Exported, Tabular
from .reports import Cost, Period, PeriodLike, _period
from .subjects import Subject
from .types import SubscriptionTier

if TYPE_CHECKING:
    from . import _native

__all__ = ["DayCost", "ModelCost", "PlanCost", "ProjectCost", "SeatShare", "UserCosts"]


@dataclass(frozen=True, slots=True)
class PlanCost:
    """Cost of one plan.

    Attributes:
        plan_id: The plan.
        label: Its label.
        cost: Its cost, by basis.
    """

    plan_id: int
    label: str
    cost: Cost


@dataclass(frozen=True, slots=True)
class ModelCost:
    """Cost of one model.

    Attributes:
        model: The model (``""`` for cost without one, such as code execution).
        cost: Its cost, by basis.
    """

    model: str
    cost: Cost


@dataclass(frozen=True, slots=True)
class ProjectCost:
    """Cost of one project.

    Attributes:
        project_id: The project (``None``: the subject's default project).
        name: Its name.
        cost: Its cost, by basis.
    """

    project_id: int | None
    name: str
    cost: Cost


@dataclass(frozen=True, slots=True)
class DayCost:
    """Cost of one local date.

    Attributes:
        date: The date in the period's time zone.
        cost: Its cost, by basis.
    """

    date: date
    cost: Cost


@dataclass(frozen=True, slots=True)
class SeatShare:
    """A subject's share of a plan's seat fees (they hold a seat when their email is a member
    of the plan's organisation).

    Attributes:
        plan_id: The plan.
        label: Its label.
        tier: The subscription tier.
        seats: Seats paid for.
        amount: One seat's fee prorated to the period: subscription basis, dollars.
    """

    plan_id: int
    label: str
    tier: SubscriptionTier
    seats: int
    amount: Decimal


@dataclass(frozen=True, slots=True)
class UserCosts(Exported, Tabular):
    """What one subject cost in a period: the allocated and estimated cost of the keys
    attributed to them, and their seat share of plan subscriptions.

    ``to_pandas()`` gives the daily series; ``to_pandas("per_model")`` (or ``per_plan``,
    ``per_project``, ``seats``) another table.

    Attributes:
        subject: The subject.
        period: The period.
        total: Everything, by basis.
        per_plan: Per plan, in id order.
        per_model: Per model, largest first.
        per_project: Per project, largest first.
        per_day: Every date of the period, in order.
        seats: Seat fee shares.
    """

    _tables: ClassVar[tuple[str, ...]] = ("per_day", "per_plan", "per_model", "per_project",
                                          "seats")  # fmt: skip

    subject: Subject
    period: Period
    total: Cost
    per_plan: tuple[PlanCost, ...]
    per_model: tuple[ModelCost, ...]
    per_project: tuple[ProjectCost, ...]
    per_day: tuple[DayCost, ...]
    seats: tuple[SeatShare, ...]
    _report: _native.Report | None = field(default=None, repr=False, compare=False)

    @classmethod
    def _from_report(cls, report: _native.Report) -> UserCosts:
        data: dict[str, Any] = json.loads(report.data)
        cost = Cost._from_json
        return cls(
            subject=Subject._from_json(data["subject"]),
            period=Period._from_json(data["period"]),
            total=cost(data["total"]),
            per_plan=tuple(PlanCost(p["plan_id"], p["label"], cost(p["cost"]))
                           for p in data["per_plan"]),
            per_model=tuple(ModelCost(m["model"], cost(m["cost"])) for m in data["per_model"]),
            per_project=tuple(ProjectCost(p["project_id"], p["name"], cost(p["cost"]))
                              for p in data["per_project"]),
            per_day=tuple(DayCost(day(d["date"]), cost(d["cost"])) for d in data["per_day"]),
            seats=tuple(
                SeatShare(s["plan_id"], s["label"], s["tier"], s["seats"],
                          money.from_json(s["amount"]))
                for s in data["seats"]
            ),
            _report=report,
        )  # fmt: skip


class UserCostMethods:
    """The ``user_costs`` method of :class:`costledger.Ledger`."""

    __slots__ = ()
    _native: _native.Ledger

    def user_costs(
        self, subject_id: str, *, period: PeriodLike, time_zone: str | None = None
    ) -> UserCosts:
        """What a subject cost in a period: the allocated and estimated cost of the keys
        attributed to them (a mapping first, else the key creator's email, resolved per
        hour), per plan, model, project and day, plus their seat share of subscriptions.

        Args:
            subject_id: The subject.
            period: ``"2026-11"``, ``"2026-11 America/Los_Angeles"``, a date, a ``(start,
                end)`` pair of dates (end exclusive), … (see
                :data:`costledger.reports.PeriodLike`).
            time_zone: The IANA time zone of the period's dates (default: the one in
                ``period``, else UTC).

        Returns:
            The subject's costs.

        Raises:
            NotFoundError: No such subject (code ``SUBJECT_NOT_FOUND``).
            InvalidInputError: A malformed period or time zone.
        """
        arg, zone = _period(period, time_zone)
        return UserCosts._from_report(self._native.user_costs(subject_id, arg, zone).wait())


class AsyncUserCostMethods:
    """The ``user_costs`` method of :class:`costledger.AsyncLedger`."""

    __slots__ = ()
    _native: _native.Ledger

    async def user_costs(
        self, subject_id: str, *, period: PeriodLike, time_zone: str | None = None
    ) -> UserCosts:
        """What a subject cost in a period; see :meth:`costledger.Ledger.user_costs`."""
        arg, zone = _period(period, time_zone)
        return UserCosts._from_report(await self._native.user_costs(subject_id, arg, zone))
