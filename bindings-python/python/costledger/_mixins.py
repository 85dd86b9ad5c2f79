"""What the Python package adds to the core's types (private).

The dataclasses themselves are generated from the core's schema (``_generated.py``, by
``scripts/gen-bindings.py``); a type that does more than hold the core's values inherits one
of these mixins: methods and properties only, no fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from . import money
from .export import Exported, Tabular

if TYPE_CHECKING:
    from ._generated import (
        ApiKeyInfo,
        BillingCycle,
        DayCost,
        OrgUser,
        PlanSyncReport,
        StreamReport,
        SubscriptionTier,
        SyncStream,
    )

__all__ = [
    "BudgetScopeMixin",
    "CostMixin",
    "CostPart",
    "DashboardMixin",
    "Exported",
    "OrgMetadataMixin",
    "PlanSyncReportMixin",
    "SubscriptionMixin",
    "SyncReportMixin",
    "TokenCountsMixin",
    "UserCostsMixin",
    "VerifyReportMixin",
]

CostPart = Literal[
    "total", "billed", "billed_per_key", "allocated", "unallocated", "estimated", "subscription",
    "usage",
]  # fmt: skip
"""A part of a :class:`Cost`: a basis, a sum of them, or ``usage`` (billed + estimated)."""


class CostMixin:
    """Exact ``Decimal`` dollars by basis: the usage part, and floats for charts."""

    __slots__ = ()
    total: Decimal
    billed: Decimal
    estimated: Decimal

    @property
    def usage(self) -> Decimal:
        """Usage-based cost: billed + estimated (no fixed fees); what budgets count."""
        return self.billed + self.estimated

    def to_float(self, part: CostPart = "total") -> float:
        """One part as a float, for charts; never sum floats of money.

        Args:
            part: Which part (default ``"total"``).
        """
        value: Decimal = getattr(self, part)
        return float(value)

    def __float__(self) -> float:
        return float(self.total)


class TokenCountsMixin:
    """Token counts: ``uncached_input`` excludes cache reads and writes."""

    __slots__ = ()
    uncached_input: int
    cache_write_5m: int
    cache_write_1h: int
    cache_read: int

    @property
    def total_input(self) -> int:
        """All input tokens: uncached + cache writes + cache reads."""
        return self.uncached_input + self.cache_write_5m + self.cache_write_1h + self.cache_read


class UserCostsMixin(Exported, Tabular):
    """``to_pandas()`` gives the daily series; ``to_pandas("per_model")`` (or ``per_plan``,
    ``per_project``, ``seats``) another table."""

    __slots__ = ()
    _tables: ClassVar[tuple[str, ...]] = ("per_day", "per_plan", "per_model", "per_project",
                                          "seats")  # fmt: skip


class DashboardMixin(Exported, Tabular):
    """``to_pandas()`` gives the daily series (``per_day``); ``to_pandas("per_model")`` (or
    ``per_plan``, ``per_workspace``, ``top_subjects``, ``missing_prices``) another table."""

    __slots__ = ()
    _tables: ClassVar[tuple[str, ...]] = ("per_day", "per_plan", "per_workspace", "per_model",
                                          "top_subjects", "missing_prices")  # fmt: skip
    _aliases: ClassVar[Mapping[str, str]] = {"daily": "per_day"}
    per_day: tuple[DayCost, ...]

    @property
    def daily(self) -> tuple[DayCost, ...]:
        """Alias of ``per_day``, the name every report now uses for its daily series."""
        return self.per_day


class VerifyReportMixin:
    """What ``verify`` found: whether the ledger is now consistent."""

    __slots__ = ()
    consistent: bool

    @property
    def is_consistent(self) -> bool:
        """True when nothing differs, or everything that differed was repaired."""
        return self.consistent


class PlanSyncReportMixin:
    """One plan's sync: the report of each stream that ran."""

    __slots__ = ()
    streams: tuple[StreamReport, ...]

    def stream(self, stream: SyncStream) -> StreamReport | None:
        """The report of one stream, if it ran."""
        return next((s for s in self.streams if s.stream == stream), None)


class SyncReportMixin(Exported):
    """A sync's report: each plan's outcome, and its exports."""

    __slots__ = ()
    plans: tuple[PlanSyncReport, ...]

    def plan(self, plan_id: int) -> PlanSyncReport | None:
        """The outcome of one plan, if it was synced."""
        return next((p for p in self.plans if p.plan_id == plan_id), None)


class OrgMetadataMixin:
    """An organisation's metadata: who created each key."""

    __slots__ = ()
    users: tuple[OrgUser, ...]

    def creator(self, api_key: ApiKeyInfo) -> OrgUser | None:
        """The member who created a key, when a member did."""
        return next((u for u in self.users if u.id == api_key.created_by_id), None)


class SubscriptionMixin:
    """A subscription the host enters: ``Subscription(tier="pro", anchor_date=date(...))``;
    the other fields have defaults (1 seat, monthly, the catalog's price, USD)."""

    __slots__ = ()
    tier: SubscriptionTier
    seats: int
    price_per_seat: Decimal | None
    cycle: BillingCycle
    anchor_date: date
    currency: str

    def _to_native(self) -> dict[str, Any]:
        price = self.price_per_seat
        return {
            "tier": self.tier,
            "seats": self.seats,
            "price_per_seat": None if price is None else money._text(price),
            "cycle": self.cycle,
            "anchor_date": self.anchor_date,
            "currency": self.currency,
        }


class BudgetScopeMixin:
    """What a budget counts; ``str(scope)`` is its text form (``"plan:3"``, …), which budget
    and forecast methods take back."""

    __slots__ = ()
    kind: str
    plan_id: int | None
    workspace_id: str | None
    subject_id: str | None
    project_id: int | None

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
