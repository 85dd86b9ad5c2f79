"""``reconcile``: per Anthropic plan and UTC day, the Analytics API's billed total, the legacy
cost report's total and costledger's allocation of it, with the differences and their reasons
(core ``reports/reconcile.rs``)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from . import money
from ._convert import day

if TYPE_CHECKING:
    from . import _native

__all__ = ["ReconcileLine", "ReconcileStatus", "SourceState"]

ReconcileStatus = Literal["reconciled", "late_data", "legacy_only", "no_data"]
"""What a reconcile line can say about its day."""

SourceState = Literal["complete", "partial", "not_synced", "before_window", "unavailable"]
"""How much of a UTC day a source has, by its stream's watermark."""


def _amount(value: str | None) -> Decimal | None:
    return None if value is None else money.from_json(value)


@dataclass(frozen=True, slots=True)
class ReconcileLine:
    """One Anthropic plan's UTC day, reconciled. Amounts are dollars; a figure a source does
    not have is ``None``, never zero.

    The differences add up exactly: ``analytics_list - discount == analytics_net``;
    reconciled days ``legacy + rounding + priority_tier == analytics_list``; late days with
    both figures ``legacy + priority_tier + late == analytics_list``;
    ``allocated + unallocated == legacy``.

    Attributes:
        plan_id: The plan.
        day: The UTC day.
        status: ``reconciled`` (both sources have the whole day), ``late_data`` (one has not
            all of it yet), ``legacy_only`` (before the Analytics API's window, the
            organisation cannot use it, or the plan never synced the ``analytics`` stream),
            ``no_data``.
        analytics_state: How much of the day the Analytics API rows cover.
        analytics_unavailable: Why the Analytics API cannot answer (``unavailable``).
        legacy_state: How much of the day the legacy cost report rows cover.
        analytics_net: The Analytics API's billed total, post-discount.
        analytics_list: The Analytics API's billed total at list price.
        legacy: The legacy cost report's total.
        allocated: costledger's allocation of the legacy total (placed on keys by token
            share).
        discount: ``analytics_list - analytics_net``.
        priority_tier: The Analytics API's list amount of the Priority Tier, which the legacy
            report leaves out.
        rounding: Reconciled days: ``analytics_list - priority_tier - legacy``.
        late: Late days with both figures: ``analytics_list - priority_tier - legacy``.
        unallocated: ``legacy - allocated``: cost the split could not place on usage.
    """

    plan_id: int
    day: date
    status: ReconcileStatus
    analytics_state: SourceState
    analytics_unavailable: str | None
    legacy_state: SourceState
    analytics_net: Decimal | None
    analytics_list: Decimal | None
    legacy: Decimal | None
    allocated: Decimal | None
    discount: Decimal | None
    priority_tier: Decimal | None
    rounding: Decimal | None
    late: Decimal | None
    unallocated: Decimal | None

    @classmethod
    def _from_json(cls, data: dict[str, Any]) -> ReconcileLine:
        return cls(
            plan_id=data["plan_id"],
            day=day(data["day"]),
            status=data["status"],
            analytics_state=data["analytics_state"],
            analytics_unavailable=data["analytics_unavailable"],
            legacy_state=data["legacy_state"],
            analytics_net=_amount(data["analytics_net"]),
            analytics_list=_amount(data["analytics_list"]),
            legacy=_amount(data["legacy"]),
            allocated=_amount(data["allocated"]),
            discount=_amount(data["discount"]),
            priority_tier=_amount(data["priority_tier"]),
            rounding=_amount(data["rounding"]),
            late=_amount(data["late"]),
            unallocated=_amount(data["unallocated"]),
        )


def _lines(text: str) -> list[ReconcileLine]:
    return [ReconcileLine._from_json(line) for line in json.loads(text)]


def _plans(plan_ids: Sequence[int] | None) -> list[int] | None:
    return None if plan_ids is None else list(plan_ids)


class ReconcileMethods:
    """The reconcile report of :class:`costledger.Ledger`."""

    __slots__ = ()
    _native: _native.Ledger

    def reconcile(
        self,
        from_: date,
        to: date,
        *,
        plan_ids: Sequence[int] | None = None,
    ) -> list[ReconcileLine]:
        """Per Anthropic plan and UTC day in ``[from_, to)``: the Analytics API's billed total
        (net and list), the legacy cost report's total and costledger's allocation of it, with
        the differences (discount, Priority Tier, rounding, late data, unallocated). One line
        per plan and day, days without data included.

        Raises:
            InvalidInputError: ``to`` is not after ``from_``, the range is over 366 days, or a
                plan is not an Anthropic plan.
            NotFoundError: a plan id that does not exist.
        """
        return _lines(self._native.reconcile(from_, to, _plans(plan_ids)).wait())


class AsyncReconcileMethods:
    """The reconcile report of :class:`costledger.AsyncLedger`."""

    __slots__ = ()
    _native: _native.Ledger

    async def reconcile(
        self,
        from_: date,
        to: date,
        *,
        plan_ids: Sequence[int] | None = None,
    ) -> list[ReconcileLine]:
        """Reconcile lines per plan and UTC day; see :meth:`costledger.Ledger.reconcile`."""
        return _lines(await self._native.reconcile(from_, to, _plans(plan_ids)))
