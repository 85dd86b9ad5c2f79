"""``verify``: recompute the derived cost facts from the synced usage and cost and compare
them with what is stored, repairing on request (core ``reports/verify.rs``)."""

from __future__ import annotations

import json
from datetime import date
from typing import TYPE_CHECKING

from ._convert import call
from ._generated import DayDifference, MonthDifference, PlanVerification, VerifyReport

if TYPE_CHECKING:
    from . import _native

__all__ = ["DayDifference", "MonthDifference", "PlanVerification", "VerifyReport"]


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
        return VerifyReport._from_json(json.loads(
            call(
                self._native, "verify", plan_id=plan_id, start=start, end=end, repair=repair
            ).wait()
        ))
