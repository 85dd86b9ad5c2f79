"""The enumerations of costledger, as ``Literal`` string types.

Values cross the native boundary as these strings and are parsed once, in the Rust core, which
names the accepted values when it refuses one (``InvalidInputError``).
"""

from __future__ import annotations

from typing import Literal

# The enumerations of the core's returned values, written from its schema.
from ._generated import (
    ActorType,
    Basis,
    BilledBy,
    BillingCycle,
    PlanStatus,
    Provider,
    SubscriptionTier,
    SyncStatus,
    SyncStream,
    UsageUnit,
)

__all__ = [
    "ActorType",
    "Basis",
    "BilledBy",
    "BillingCycle",
    "BucketWidth",
    "BudgetPeriod",
    "PlanStatus",
    "Provider",
    "RevocationStatus",
    "SubscriptionTier",
    "SpendPeriod",
    "SyncStatus",
    "SyncStream",
    "UsageUnit",
]

SpendPeriod = Literal["daily", "weekly", "monthly"]
"""The window a provider's spend limit resets over."""

RevocationStatus = Literal["revoked", "failed", "not_applicable"]
"""What disconnecting a plan did to its OAuth grant at the provider."""

BucketWidth = Literal["1m", "1h", "1d"]
"""The width of a usage bucket; a sync stores ``"1h"`` or ``"1d"``."""

BudgetPeriod = Literal["day", "week", "month"]
"""The calendar period a budget resets on, in its time zone."""
