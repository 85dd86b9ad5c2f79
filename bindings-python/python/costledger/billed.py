"""``billed_costs``: the Analytics API's billed cost per UTC day and per API key, actor or
workspace, net (after the organisation's discount) and list, as the ``analytics`` sync stream
stored it (core ``reports/billed.rs``)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from . import money
from ._convert import day

if TYPE_CHECKING:
    from . import _native
    from .types import ActorType, Basis, BilledBy

__all__ = ["BilledActor", "BilledCostLine"]


@dataclass(frozen=True, slots=True)
class BilledActor:
    """Who a line of :meth:`Ledger.billed_costs` ``by="actor"`` is about.

    Attributes:
        actor_type: A member (``user_actor``), an API key itself (``api_actor``), a service
            account or a federated identity.
        id: ``user_…``, ``apikey_…`` or ``svac_…``; ``None`` for a federated identity,
            which has no id.
        federated_provider: A federated identity's provider (token issuer).
        federated_subject: A federated identity's subject claim.
        email: A member's e-mail address (kept for former members).
        name: A member's display name, when they set one.
        deleted: A former member.
        subject_id: The costledger subject whose e-mail is the member's, if any.
    """

    actor_type: ActorType
    id: str | None
    federated_provider: str | None
    federated_subject: str | None
    email: str | None
    name: str | None
    deleted: bool
    subject_id: str | None

    @classmethod
    def _from_json(cls, data: dict[str, Any]) -> BilledActor:
        return cls(
            actor_type=data["actor_type"],
            id=data["id"],
            federated_provider=data["federated_provider"],
            federated_subject=data["federated_subject"],
            email=data["email"],
            name=data["name"],
            deleted=data["deleted"],
            subject_id=data["subject_id"],
        )


@dataclass(frozen=True, slots=True)
class BilledCostLine:
    """One plan's billed cost on one UTC day, of one API key, actor or workspace (or the
    whole day), as the Analytics API states it.

    Attributes:
        plan_id: The plan.
        day: The UTC day.
        by: What the line is a total of.
        api_key_id: ``by="api_key"``: the key; ``None`` for usage without one.
        workspace_id: ``by="workspace"``: the workspace; ``None`` for the Default workspace.
        actor: ``by="actor"``: who.
        net: What the provider charges, after the organisation's discount, in dollars.
        list: The same usage at list prices.
        discount: ``list - net``.
        requests: Requests, when every stored row states them; ``None`` otherwise (never 0
            for "unknown").
        basis: Always ``"billed"``: the provider's own figure, no allocation.
    """

    plan_id: int
    day: date
    by: BilledBy
    api_key_id: str | None
    workspace_id: str | None
    actor: BilledActor | None
    net: Decimal
    list: Decimal
    discount: Decimal
    requests: int | None
    basis: Basis

    @classmethod
    def _from_json(cls, data: dict[str, Any]) -> BilledCostLine:
        actor = data["actor"]
        return cls(
            plan_id=data["plan_id"],
            day=day(data["day"]),
            by=data["by"],
            api_key_id=data["api_key_id"],
            workspace_id=data["workspace_id"],
            actor=None if actor is None else BilledActor._from_json(actor),
            net=money.from_json(data["net"]),
            list=money.from_json(data["list"]),
            discount=money.from_json(data["discount"]),
            requests=data["requests"],
            basis=data["basis"],
        )


def _lines(text: str) -> list[BilledCostLine]:
    return [BilledCostLine._from_json(line) for line in json.loads(text)]


def _plans(plan_ids: Sequence[int] | None) -> list[int] | None:
    return None if plan_ids is None else list(plan_ids)


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
        call = self._native.billed_costs(from_, to, by, _plans(plan_ids))
        return _lines(call.wait())


class AsyncBilledCostMethods:
    """The billed cost report of :class:`costledger.AsyncLedger`."""

    __slots__ = ()
    _native: _native.Ledger

    async def billed_costs(
        self,
        from_: date,
        to: date,
        *,
        by: BilledBy = "actor",
        plan_ids: Sequence[int] | None = None,
    ) -> list[BilledCostLine]:
        """The Analytics API's billed cost per plan and UTC day; see
        :meth:`costledger.Ledger.billed_costs`."""
        return _lines(await self._native.billed_costs(from_, to, by, _plans(plan_ids)))
