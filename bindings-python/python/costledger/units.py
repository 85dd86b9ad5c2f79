"""``unit_usage``: usage that is not tokens (images, speech, transcription, file search, code
interpreter, vector storage) per UTC day, with list-price estimates (core
``reports/units.rs``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from . import money
from ._convert import day

if TYPE_CHECKING:
    from . import _native
    from .types import UsageUnit

__all__ = ["UnitUsageLine"]


@dataclass(frozen=True, slots=True)
class UnitUsageLine:
    """One UTC day of one combination of a plan's non-token usage.

    Attributes:
        plan_id: The plan.
        day: The UTC day.
        workspace_id: The workspace (an OpenAI project); ``None`` for usage no project owns.
        api_key_id: The API key; ``None`` for Playground use and units not reported per key.
        actor_id: The organisation member who made the requests, when the provider says.
        model: The model, for units reported per model.
        unit: What is counted.
        variant: An image's ``size/source``, or the vector store of file search calls.
        requests: Model requests behind it.
        quantity: The day's count; for ``storage_bytes``, byte-days (the bytes stored,
            averaged over the day).
        estimate: Its list-price estimate in dollars; ``None`` when the price table has no
            price for it (never a zero). The bill is in the cost reports.
    """

    plan_id: int
    day: date
    workspace_id: str | None
    api_key_id: str | None
    actor_id: str | None
    model: str | None
    unit: UsageUnit
    variant: str | None
    requests: int
    quantity: int
    estimate: Decimal | None

    @classmethod
    def _from_json(cls, data: dict[str, Any]) -> UnitUsageLine:
        estimate = data["estimate"]
        return cls(
            plan_id=data["plan_id"],
            day=day(data["day"]),
            workspace_id=data["workspace_id"],
            api_key_id=data["api_key_id"],
            actor_id=data["actor_id"],
            model=data["model"],
            unit=data["unit"],
            variant=data["variant"],
            requests=data["requests"],
            quantity=data["quantity"],
            estimate=None if estimate is None else money.from_json(estimate),
        )


def _lines(text: str) -> list[UnitUsageLine]:
    return [UnitUsageLine._from_json(line) for line in json.loads(text)]


def _plans(plan_ids: list[int] | None) -> list[int] | None:
    return None if plan_ids is None else list(plan_ids)


def _units(units: list[UsageUnit] | None) -> list[str] | None:
    return None if units is None else list(units)


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
        call = self._native.unit_usage(from_, to, _plans(plan_ids), _units(units))
        return _lines(call.wait())


class AsyncUnitUsageMethods:
    """The non-token usage report of :class:`costledger.AsyncLedger`."""

    __slots__ = ()
    _native: _native.Ledger

    async def unit_usage(
        self,
        from_: date,
        to: date,
        *,
        plan_ids: list[int] | None = None,
        units: list[UsageUnit] | None = None,
    ) -> list[UnitUsageLine]:
        """Usage that is not tokens per plan and UTC day; see
        :meth:`costledger.Ledger.unit_usage`."""
        return _lines(await self._native.unit_usage(from_, to, _plans(plan_ids), _units(units)))
