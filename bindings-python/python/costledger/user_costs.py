"""What one subject cost in a period (core ``reports/user_costs.rs``): :class:`UserCosts` and
the ``user_costs`` method."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._convert import call
from ._generated import DayCost, ModelCost, PlanCost, ProjectCost, SeatShare, UserCosts
from .reports import PeriodLike, _period

if TYPE_CHECKING:
    from . import _native

__all__ = ["DayCost", "ModelCost", "PlanCost", "ProjectCost", "SeatShare", "UserCosts"]


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
        pending = call(
            self._native, "user_costs", subject_id=subject_id, period=arg, time_zone=zone
        )
        return UserCosts._from_report(pending.wait())
