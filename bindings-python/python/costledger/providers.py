"""The provider catalog (core ``model/provider.rs``): every provider costledger supports and
what a plan of it can do."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from ._convert import call
from ._generated import ProviderInfo

if TYPE_CHECKING:
    from . import _native

__all__ = ["ProviderInfo"]


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
        return _providers(call(self._native, "providers").wait())
