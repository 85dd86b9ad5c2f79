"""costledger: what your AI plans cost.

Plan connections with encrypted admin keys or OAuth tokens, usage and billed cost synced from
the Anthropic Admin API (or Claude Code's local logs) into your own SQLite or Postgres database, attributed
to your users and projects, and reported: per user, a dashboard, budgets with alerts,
forecasts, CSV / JSON / FinOps FOCUS exports and DataFrames. One Rust core shared with the
Rust crate, the Node package and the CLI.

Example:
    >>> import costledger
    >>> with costledger.Ledger.open("sqlite://ledger.db", master_key=key) as ledger:
    ...     plan = ledger.add_plan("Prod org", admin_api_key=admin_key)
    ...     report = ledger.sync()

:class:`Ledger` blocks (and releases the GIL); :class:`AsyncLedger` has the same methods as
coroutines. Results are frozen dataclasses, money is exact :class:`decimal.Decimal`
dollars, datetimes are timezone-aware UTC, and errors are :class:`CostLedgerError`
subclasses with a stable ``.code``.
"""

from __future__ import annotations

from . import export, money, types
from ._native import __version__
from .exceptions import (
    ClosedError,
    ConflictError,
    CostLedgerError,
    CredentialRejectedError,
    CryptoError,
    InternalError,
    InvalidInputError,
    NotFoundError,
    OrgMismatchError,
    RateLimitedError,
    StorageError,
    SyncInterruptedError,
    UnderlyingError,
    UpstreamError,
)
from .billed import BilledActor, BilledCostLine
from .budgets import (
    Budget,
    BudgetAlert,
    BudgetScope,
    BudgetStatus,
    LimitMirror,
    ProviderLimitStatus,
)
from .claude_code_logs import (
    CostMode,
    LogBlockUsage,
    LogFile,
    LogModelUsage,
    LogPeriodUsage,
    LogSessionUsage,
    LogUsage,
)
from .dashboard import (
    Dashboard,
    MissingPriceLine,
    ModelLine,
    PlanLine,
    SubjectLine,
    WorkspaceLine,
)
from .export import ReportList
from .ledger import AsyncLedger, KeyCipher, Ledger, generate_master_key
from .oauth import AsyncOAuthClient, OAuthBegin, OAuthClient, OAuthTokens
from .plans import (
    ApiKeyInfo,
    CredentialReach,
    Disconnected,
    OrgInfo,
    OrgMetadata,
    OrgUser,
    Plan,
    Revocation,
    Subscription,
    Workspace,
)
from .providers import ProviderInfo
from .reconcile import ReconcileLine, ReconcileStatus, SourceState
from .reports import Cost, Forecast, Period, PeriodLike, TokenCounts, WorkspaceRef
from .spend_limits import EffectiveSpend, SpendLimit, SyncedSpendLimits
from .subjects import KeyMapping, Project, Subject
from .sync import PlanSyncReport, StreamReport, SyncEvent, SyncFailure, SyncReport
from .units import UnitUsageLine
from .user_costs import DayCost, ModelCost, PlanCost, ProjectCost, SeatShare, UserCosts
from .verify import DayDifference, MonthDifference, PlanVerification, VerifyReport

__all__ = [
    "ApiKeyInfo",
    "AsyncLedger",
    "AsyncOAuthClient",
    "BilledActor",
    "BilledCostLine",
    "Budget",
    "BudgetAlert",
    "BudgetScope",
    "BudgetStatus",
    "LimitMirror",
    "ProviderLimitStatus",
    "ClosedError",
    "ConflictError",
    "Cost",
    "CostLedgerError",
    "CostMode",
    "CredentialRejectedError",
    "CryptoError",
    "Dashboard",
    "DayCost",
    "DayDifference",
    "EffectiveSpend",
    "CredentialReach",
    "Disconnected",
    "Forecast",
    "InternalError",
    "InvalidInputError",
    "KeyCipher",
    "KeyMapping",
    "Ledger",
    "LogBlockUsage",
    "LogFile",
    "LogModelUsage",
    "LogPeriodUsage",
    "LogSessionUsage",
    "LogUsage",
    "MissingPriceLine",
    "ModelCost",
    "ModelLine",
    "MonthDifference",
    "NotFoundError",
    "OAuthBegin",
    "OAuthClient",
    "OAuthTokens",
    "OrgInfo",
    "OrgMetadata",
    "OrgMismatchError",
    "OrgUser",
    "Period",
    "PeriodLike",
    "Plan",
    "PlanCost",
    "PlanLine",
    "PlanSyncReport",
    "PlanVerification",
    "Project",
    "ProviderInfo",
    "ProjectCost",
    "RateLimitedError",
    "ReconcileLine",
    "ReconcileStatus",
    "ReportList",
    "Revocation",
    "SeatShare",
    "SourceState",
    "SpendLimit",
    "SyncedSpendLimits",
    "StorageError",
    "StreamReport",
    "Subject",
    "SubjectLine",
    "Subscription",
    "SyncEvent",
    "SyncFailure",
    "SyncInterruptedError",
    "SyncReport",
    "TokenCounts",
    "UnderlyingError",
    "UnitUsageLine",
    "UpstreamError",
    "UserCosts",
    "VerifyReport",
    "Workspace",
    "WorkspaceLine",
    "WorkspaceRef",
    "export",
    "generate_master_key",
    "money",
    "types",
    "__version__",
]
