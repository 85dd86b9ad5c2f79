"""A plan's spend limits at its provider (Anthropic's Spend Limits API), read and written
live with the plan's sealed credential (core ``ledger/spend_limits.rs``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from . import money
from ._convert import call, opt_utc

if TYPE_CHECKING:
    from . import _native
    from .types import SpendPeriod

__all__ = ["EffectiveSpend", "SpendLimit", "SyncedSpendLimits"]


def _scope(data: dict[str, Any] | None) -> str | None:
    """The scope's text form: ``organization``, ``workspace:ID``, ``user:ID``, …"""
    if data is None:
        return None
    kind = str(data["type"])
    ids = [str(v) for k, v in data.items() if k != "type" and v is not None]
    return f"{kind}:{ids[0]}" if ids else kind


def _amount(value: str | None) -> Decimal | None:
    return None if value is None else money.from_json(value)


@dataclass(frozen=True, slots=True)
class SpendLimit:
    """A spend limit set at the provider.

    Attributes:
        id: Its id (``spl_…``).
        scope: What it applies to: ``organization``, ``workspace:ID``, ``user:ID``,
            ``seat_tier:TIER``, ``rbac_group:ID``, ``organization_service:SERVICE``,
            ``usage_tier``.
        period: ``daily``, ``weekly`` or ``monthly``.
        amount: The cap in dollars (whole cents); ``None`` is an explicit "no limit".
        currency: The currency of ``amount``.
        is_enabled: False when extra usage is switched off (the amount is kept).
        created_at: When it was created, if the provider says.
        updated_at: When it was last written, if the provider says.
    """

    id: str
    scope: str
    period: SpendPeriod
    amount: Decimal | None
    currency: str
    is_enabled: bool
    created_at: datetime | None
    updated_at: datetime | None

    @classmethod
    def _from_json(cls, data: dict[str, Any]) -> SpendLimit:
        return cls(
            id=data["id"],
            scope=_scope(data["scope"]) or "",
            period=data["period"],
            amount=_amount(data["amount"]),
            currency=data["currency"],
            is_enabled=data["is_enabled"],
            created_at=opt_utc(data["created_at"]),
            updated_at=opt_utc(data["updated_at"]),
        )


@dataclass(frozen=True, slots=True)
class EffectiveSpend:
    """A member's resolved limit for one period and what they spent since it began.

    Attributes:
        user_id: The member (``None`` for a scoped API key's row).
        email: Their e-mail, when known.
        name: Their name, when set.
        deleted: They were deleted or are no longer a member.
        scoped_api_key_id: The scoped API key of the row, when it is about one.
        amount: The effective cap in dollars; ``None`` when no limit applies.
        currency: The currency.
        period: ``daily``, ``weekly`` or ``monthly``.
        period_to_date_spend: Spend since the period began, exact to 1/1000 cent (zero can
            also mean the reading is unavailable).
        scope: The row's own scope, when stated.
        source: The scope the limit was inherited from.
        spend_limit_id: The limit resolved.
    """

    user_id: str | None
    email: str | None
    name: str | None
    deleted: bool
    scoped_api_key_id: str | None
    amount: Decimal | None
    currency: str
    period: SpendPeriod
    period_to_date_spend: Decimal
    scope: str | None
    source: str | None
    spend_limit_id: str | None

    @classmethod
    def _from_json(cls, data: dict[str, Any]) -> EffectiveSpend:
        member = data["member"]
        return cls(
            user_id=member.get("user_id"),
            email=member.get("email_address"),
            name=member.get("name"),
            deleted=bool(member.get("deleted", False)),
            scoped_api_key_id=member.get("scoped_api_key_id"),
            amount=_amount(data["amount"]),
            currency=data["currency"],
            period=data["period"],
            period_to_date_spend=money.from_json(data["period_to_date_spend"]),
            scope=_scope(data["scope"]),
            source=_scope(data["source"]),
            spend_limit_id=data["spend_limit_id"],
        )


@dataclass(frozen=True, slots=True)
class SyncedSpendLimits:
    """A plan's spend limits and effective report as the last sync stored them (the
    ``spend_limits`` stream).

    Attributes:
        plan_id: The plan.
        synced_at: When the sync read them; ``None``: never synced.
        limits: Every limit of the organisation, in the provider's order.
        effective: The effective report (Claude Enterprise), in the provider's order.
        effective_unavailable: Why there is no effective report (a Claude Console
            organisation refuses it), in the provider's words.
    """

    plan_id: int
    synced_at: datetime | None
    limits: tuple[SpendLimit, ...]
    effective: tuple[EffectiveSpend, ...]
    effective_unavailable: str | None

    @classmethod
    def _from_json(cls, data: dict[str, Any]) -> SyncedSpendLimits:
        return cls(
            plan_id=data["plan_id"],
            synced_at=opt_utc(data["synced_at"]),
            limits=tuple(SpendLimit._from_json(x) for x in data["limits"]),
            effective=tuple(EffectiveSpend._from_json(x) for x in data["effective"]),
            effective_unavailable=data["effective_unavailable"],
        )


def _limits(text: str) -> list[SpendLimit]:
    return [SpendLimit._from_json(x) for x in json.loads(text)]


def _effective(text: str) -> list[EffectiveSpend]:
    return [EffectiveSpend._from_json(x) for x in json.loads(text)]


def _dollars(amount: Decimal | int | str | None) -> str | None:
    return None if amount is None else str(Decimal(amount))


class SpendLimitMethods:
    """The spend limit methods of :class:`costledger.Ledger`."""

    __slots__ = ()
    _native: _native.Ledger

    def spend_limits(
        self,
        plan_id: int,
        *,
        scope_types: list[str] | None = None,
        workspace_id: str | None = None,
    ) -> list[SpendLimit]:
        """The plan's spend limits at its provider, as they are now (read live).

        Raises:
            InvalidInputError: the plan's provider has no spend limits API.
            CredentialRejectedError: the credential cannot read spend limits.
        """
        pending = call(
            self._native, "spend_limits", plan_id=plan_id, scope_types=scope_types,
            workspace_id=workspace_id,
        )  # fmt: skip
        return _limits(pending.wait())

    def set_spend_limit(
        self,
        plan_id: int,
        scope: str,
        period: SpendPeriod,
        amount: Decimal | int | str | None,
    ) -> SpendLimit:
        """Set a spend limit at the plan's provider (an upsert on scope and period: the
        provider keeps the id). ``amount`` is dollars in whole cents; ``None`` sets an
        explicit "no limit".

        Raises:
            InvalidInputError: a scope the organisation's kind cannot set (Claude Enterprise:
                ``user`` limits only; Console: ``organization`` and ``workspace``, monthly),
                a bad scope, period or amount.
        """
        pending = call(
            self._native, "set_spend_limit", plan_id=plan_id, scope=scope, period=period,
            amount=_dollars(amount),
        )  # fmt: skip
        return SpendLimit._from_json(json.loads(pending.wait()))

    def synced_spend_limits(self, plan_id: int) -> SyncedSpendLimits:
        """The plan's spend limits and effective report as the last sync stored them, with
        the time they were read (nothing is asked of the provider).

        Raises:
            NotFoundError: No such plan.
        """
        text = call(self._native, "synced_spend_limits", plan_id=plan_id).wait()
        return SyncedSpendLimits._from_json(json.loads(text))

    def delete_spend_limit(self, plan_id: int, limit_id: str) -> None:
        """Delete a spend limit at the plan's provider.

        Raises:
            InvalidInputError: no such limit, or a scope the organisation cannot delete.
        """
        call(self._native, "delete_spend_limit", plan_id=plan_id, limit_id=limit_id).wait()

    def effective_spend(
        self,
        plan_id: int,
        *,
        periods: list[SpendPeriod] | None = None,
        user_ids: list[str] | None = None,
    ) -> list[EffectiveSpend]:
        """Each member's effective limit and period-to-date spend (Claude Enterprise).

        Raises:
            InvalidInputError: the organisation has no effective report (Console).
        """
        pending = call(
            self._native, "effective_spend", plan_id=plan_id, periods=periods, user_ids=user_ids
        )
        return _effective(pending.wait())
