"""``unit_usage``: usage that is not tokens (images, speech, transcription, file search, code
interpreter, vector storage) per UTC day, with list-price estimates (core
``reports/units.rs``)."""

from __future__ import annotations

import json
from datetime import date
from typing import TYPE_CHECKING

from ._convert import call
from ._generated import UnitUsageLine

if TYPE_CHECKING:
    from . import _native
    from .types import UsageUnit

__all__ = ["UnitUsageLine"]


def _lines(text: str) -> list[UnitUsageLine]:
    return [UnitUsageLine._from_json(line) for line in json.loads(text)]


class UnitUsageMethods:
    """The non-token usage report of :class:`costledger.Ledger`."""

    __slots__ = ()
    _native: _native.Ledger

    def unit_usage(
        self,
        from_: date,
        to: date,
        *,
        plan_ids: list[int] | None = None,
        units: list[UsageUnit] | None = None,
    ) -> list[UnitUsageLine]:
        """Usage that is not tokens per plan and UTC day in ``[from_, to)``, per workspace,
        key, actor, model, unit and variant, with a list-price estimate. Plans of providers
        without such usage (Anthropic) have no lines.

        Raises:
            InvalidInputError: ``to`` is not after ``from_``, or an unknown unit.
            NotFoundError: a plan id that does not exist.
        """
        call_ = call(self._native, "unit_usage", from_=from_, to=to, plan_ids=plan_ids, units=units)
        return _lines(call_.wait())
