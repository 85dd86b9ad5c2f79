"""``reconcile``: per Anthropic plan and UTC day, the Analytics API's billed total, the legacy
cost report's total and costledger's allocation of it, with the differences and their reasons
(core ``reports/reconcile.rs``)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from ._convert import call
from ._generated import ReconcileLine, ReconcileStatus, SourceState

if TYPE_CHECKING:
    from . import _native

__all__ = ["ReconcileLine", "ReconcileStatus", "SourceState"]


def _lines(text: str) -> list[ReconcileLine]:
    return [ReconcileLine._from_json(line) for line in json.loads(text)]


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
        return _lines(call(self._native, "reconcile", from_=from_, to=to, plan_ids=plan_ids).wait())
