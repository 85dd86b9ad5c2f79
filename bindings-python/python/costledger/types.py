"""The enumerations of costledger, as ``Literal`` string types.

Values cross the native boundary as these strings and are parsed once, in the Rust core, which
names the accepted values when it refuses one (``InvalidInputError``).
"""

from __future__ import annotations

from typing import Literal

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

Provider = Literal["anthropic", "openai", "claude_code_logs"]
"""Where a plan's usage comes from."""

UsageUnit = Literal[
    "images",
    "speech_characters",
    "transcription_seconds",
    "file_search_calls",
    "code_interpreter_sessions",
    "storage_bytes",
]
"""What a line of usage that is not tokens counts (:meth:`Ledger.unit_usage`)."""

SpendPeriod = Literal["daily", "weekly", "monthly"]
"""The window a provider's spend limit resets over."""

PlanStatus = Literal["active", "disconnected", "error"]
"""The state of a plan connection."""

RevocationStatus = Literal["revoked", "failed", "not_applicable"]
"""What disconnecting a plan did to its OAuth grant at the provider."""

SubscriptionTier = Literal[
    "free", "pro", "max_5x", "max_20x", "team_standard", "team_premium", "enterprise", "api"
]
"""A subscription tier, priced from the dated catalog unless a custom price is set."""

BillingCycle = Literal["monthly", "annual"]
"""How often a subscription is billed."""

BucketWidth = Literal["1m", "1h", "1d"]
"""The width of a usage bucket; a sync stores ``"1h"`` or ``"1d"``."""

SyncStream = Literal[
    "metadata", "usage", "cost", "claude_code", "analytics", "spend_limits", "allocation", "plan"
]
"""What a sync brings in. ``"allocation"`` (splitting the bill across keys) runs by itself after
the others and ``"plan"`` marks a failure before any stream; both only appear in reports and
events."""

SyncStatus = Literal["ok", "partial", "error", "skipped", "interrupted"]
"""How a sync of a plan or stream ended; ``"interrupted"``: it was cancelled (Ctrl-C, a
cancelled task) and stopped after its last committed page."""

BudgetPeriod = Literal["day", "week", "month"]
"""The calendar period a budget resets on, in its time zone."""

Basis = Literal["billed", "allocated", "unallocated", "estimated", "subscription"]
"""Where an amount comes from: the provider's bill (``billed``, split across API keys as
``allocated`` plus the ``unallocated`` rest), the price table (``estimated``), or a
subscription's prorated fixed fee (``subscription``)."""

BilledBy = Literal["day", "api_key", "actor", "workspace"]
"""What a line of :meth:`Ledger.billed_costs` sums by, besides the plan and the UTC day."""

ActorType = Literal["user_actor", "api_actor", "service_account_actor", "federated_actor"]
"""Who the Analytics API attributes usage to: a member, an API key itself, a service account
or a federated identity."""
