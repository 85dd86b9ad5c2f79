"""``billed_costs``: the Analytics API's billed cost per UTC day and per API key, actor or
workspace, net (after the organisation's discount) and list, as the ``analytics`` sync stream
stored it (core ``reports/billed.rs``)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from ._convert import call
from ._generated import BilledActor, BilledCostLine

if TYPE_CHECKING:
    from . import _native
    from .types import BilledBy

__all__ = ["BilledActor", "BilledCostLine"]


def _lines(text: str) -> list[BilledCostLine]:
    return [BilledCostLine._from_json(line) for line in json.loads(text)]


class BilledCostMethods:
    """The billed cost report of :class:`costledger.Ledger`."""

    __slots__ = ()
    _native: _native.Ledger

    def billed_costs(
        self,
        from_: date,
        to: date,
        *,
        by: BilledBy = "actor",
        plan_ids: Sequence[int] | None = None,
    ) -> list[BilledCostLine]:
        """The Analytics API's billed cost per plan and UTC day in ``[from_, to)``, summed by
        ``by`` (``"day"``, ``"api_key"``, ``"actor"`` or ``"workspace"``), with the net and
        list amounts exact. Read from what the ``analytics`` sync stream stored: plans and
        days it has not read have no lines. ``plan_ids`` defaults to every connected
        Anthropic plan.

        Raises:
            InvalidInputError: ``to`` is not after ``from_``, or an unknown ``by``.
            NotFoundError: a plan id that does not exist.
        """
        call_ = call(self._native, "billed_costs", from_=from_, to=to, by=by, plan_ids=plan_ids)
        return _lines(call_.wait())
