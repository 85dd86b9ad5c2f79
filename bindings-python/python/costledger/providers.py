"""The provider catalog (core ``model/provider.rs``): every provider costledger supports and
what a plan of it can do."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from . import _native
    from .types import Provider, SyncStream

__all__ = ["ProviderInfo"]


@dataclass(frozen=True, slots=True)
class ProviderInfo:
    """What one provider can do.

    Attributes:
        provider: The provider, as plans name it.
        name: Its display name.
        credential_kinds: The credential kinds a plan of it takes (``admin_key``,
            ``oauth``); empty when it takes none. :meth:`Ledger.add_plan` refuses any other.
        streams: The sync streams a plan of it brings in.
        billed_cost: True when the provider reports what it bills.
        per_key_billed_cost: True when the bill itself names each amount's API key;
            otherwise per-key cost is the bill allocated by each key's tokens.
        per_user_attribution: True when spend can be attributed to the organisation's users.
        cost_report_lag_hours: Hours after a day ends during which its billed cost may still
            change; ``None`` without billed cost.
        docs_url: Where costledger's documentation of the provider is.
    """

    provider: Provider
    name: str
    credential_kinds: tuple[str, ...]
    streams: tuple[SyncStream, ...]
    billed_cost: bool
    per_key_billed_cost: bool
    per_user_attribution: bool
    cost_report_lag_hours: int | None
    docs_url: str

    @classmethod
    def _from_json(cls, data: dict[str, Any]) -> ProviderInfo:
        return cls(
            provider=data["provider"],
            name=data["name"],
            credential_kinds=tuple(data["credential_kinds"]),
            streams=tuple(data["streams"]),
            billed_cost=data["billed_cost"],
            per_key_billed_cost=data["per_key_billed_cost"],
            per_user_attribution=data["per_user_attribution"],
            cost_report_lag_hours=data["cost_report_lag_hours"],
            docs_url=data["docs_url"],
        )


def _providers(text: str) -> list[ProviderInfo]:
    return [ProviderInfo._from_json(p) for p in json.loads(text)]


class ProviderMethods:
    """The provider catalog method of :class:`costledger.Ledger`."""

    __slots__ = ()
    _native: _native.Ledger

    def providers(self) -> list[ProviderInfo]:
        """Every provider costledger supports, with what a plan of each can do: credential
        kinds, streams, billed and per-key billed cost, per-user attribution, the cost
        report's lag and the docs."""
        return _providers(self._native.providers().wait())


class AsyncProviderMethods:
    """The provider catalog method of :class:`costledger.AsyncLedger`."""

    __slots__ = ()
    _native: _native.Ledger

    async def providers(self) -> list[ProviderInfo]:
        """Every provider costledger supports; see :meth:`costledger.Ledger.providers`."""
        return _providers(await self._native.providers())
