"""Stubs of the native module ``costledger._native`` (bindings-python/src/*.rs).

Private: use the typed package ``costledger``. Checked against the built module by
``python -m mypy.stubtest costledger._native`` in the tests.
"""

from collections.abc import Generator
from datetime import date, datetime
from typing import Any, NoReturn, final

_Period = str | date | tuple[date, date]

__all__ = [
    "ENUM_VALUES",
    "ERROR_CODES",
    "FORKED_CODE",
    "Ledger",
    "OAuthClient",
    "OAuthTokens",
    "Pending",
    "Report",
    "SyncCancel",
    "__version__",
    "_shutdown",
    "generate_master_key",
]
__version__: str
ERROR_CODES: list[str]
FORKED_CODE: str
ENUM_VALUES: dict[str, list[str]]

def generate_master_key() -> str: ...
def _shutdown() -> None: ...
@final
class Pending:
    """A call into costledger that has not run yet; run it once, either way."""

    def wait(self) -> Any:
        """Run the call, releasing the GIL; returns JSON text (or a ``Ledger`` from open)."""

    def __await__(self) -> Generator[Any, Any, Any]: ...

@final
class Report:
    """A core report: its data as JSON text, and the core's exports."""

    @property
    def data(self) -> str:
        """The report as compact JSON text, for the Python dataclasses."""

    def to_json(self) -> str:
        """The core's JSON export (pretty-printed, money as exact decimal strings of dollars)."""

    def to_csv(self) -> str:
        """The core's CSV export (RFC 4180)."""

@final
class SyncCancel:
    """Stops a running sync gracefully (core ``SyncCancel``)."""

    def __init__(self) -> None: ...
    def cancel(self) -> None:
        """Ask the sync to stop after the page being written."""

    @property
    def cancelled(self) -> bool:
        """True once cancelled."""

@final
class OAuthTokens:
    """The tokens of a sign-in (core ``OAuthTokens``), opaque."""

    @property
    def expires_at(self) -> datetime | None:
        """When the access token expires, when the provider said."""

    @property
    def scope(self) -> str:
        """The granted scopes, space-separated."""

    @property
    def organization(self) -> tuple[str, str] | None:
        """``(id, name)`` of the organisation the tokens answer for."""

    def __reduce__(self) -> NoReturn: ...

@final
class OAuthClient:
    def __new__(
        cls, client_id: str, redirect_uri: str, options: dict[str, Any]
    ) -> OAuthClient: ...
    def begin(self) -> tuple[str, str, str]: ...
    def finish(self, code: str, state: str, expected_state: str, verifier: str) -> Pending: ...
    def organizations(self, tokens: OAuthTokens) -> Pending: ...
    def select_organization(self, tokens: OAuthTokens, org_id: str) -> Pending: ...
    def revoke(self, tokens: OAuthTokens) -> Pending: ...

@final
class Ledger:
    @staticmethod
    def open(database_url: str | None, options: dict[str, Any]) -> Pending: ...
    def close(self) -> Pending: ...
    def rotate_master_key(self, new_master_key: str) -> Pending: ...
    # plans.rs
    def add_plan(
        self,
        label: str,
        admin_api_key: str | None = None,
        directories: list[str] | None = None,
        subscription: dict[str, Any] | None = None,
        oauth_tokens: OAuthTokens | None = None,
        provider: str | None = None,
    ) -> Pending: ...
    def billed_costs(
        self,
        from_: date,
        to: date,
        by: str,
        plan_ids: list[int] | None = None,
    ) -> Pending: ...
    def unit_usage(
        self,
        from_: date,
        to: date,
        plan_ids: list[int] | None = None,
        units: list[str] | None = None,
    ) -> Pending: ...
    def reconcile(
        self,
        from_: date,
        to: date,
        plan_ids: list[int] | None = None,
    ) -> Pending: ...
    def spend_limits(
        self,
        plan_id: int,
        scope_types: list[str] | None = None,
        workspace_id: str | None = None,
    ) -> Pending: ...
    def set_spend_limit(
        self, plan_id: int, scope: str, period: str, amount: str | None
    ) -> Pending: ...
    def synced_spend_limits(self, plan_id: int) -> Pending: ...
    def delete_spend_limit(self, plan_id: int, limit_id: str) -> Pending: ...
    def effective_spend(
        self,
        plan_id: int,
        periods: list[str] | None = None,
        user_ids: list[str] | None = None,
    ) -> Pending: ...
    def providers(self) -> Pending: ...
    def plan_metadata(self, plan_id: int) -> Pending: ...
    def list_plans(self, include_disconnected: bool) -> Pending: ...
    def get_plan(self, plan_id: int) -> Pending: ...
    def update_plan(
        self,
        plan_id: int,
        label: str | None = None,
        subscription: dict[str, Any] | None = None,
        clear_subscription: bool = False,
    ) -> Pending: ...
    def disconnect_plan(self, plan_id: int, purge: bool) -> Pending: ...
    def disconnect_plan_reporting(self, plan_id: int, purge: bool) -> Pending: ...
    def rotate_plan_oauth(self, plan_id: int, tokens: OAuthTokens) -> Pending: ...
    def rotate_plan_credential(self, plan_id: int, admin_api_key: str) -> Pending: ...
    def import_plan_from_env(self) -> Pending: ...
    def check_plan(self, plan_id: int) -> Pending: ...
    # sync.rs
    def sync(self, options: dict[str, Any], cancel: SyncCancel | None = None) -> Pending: ...
    def sync_history(
        self,
        plan_id: int | None = None,
        stream: str | None = None,
        status: str | None = None,
        before_id: int | None = None,
        limit: int = 100,
    ) -> Pending: ...
    # subjects.rs
    def upsert_subject(
        self, id: str, email: str | None = None, name: str | None = None
    ) -> Pending: ...
    def get_subject(self, id: str) -> Pending: ...
    def list_subjects(self) -> Pending: ...
    def delete_subject(self, id: str) -> Pending: ...
    def create_project(self, subject_id: str, name: str) -> Pending: ...
    def list_projects(self, subject_id: str | None = None) -> Pending: ...
    def delete_project(self, id: int) -> Pending: ...
    def map_key(
        self,
        plan_id: int,
        api_key_id: str,
        subject_id: str,
        project_id: int | None = None,
        valid_from: datetime | None = None,
        valid_to: datetime | None = None,
    ) -> Pending: ...
    def list_mappings(
        self,
        plan_id: int | None = None,
        api_key_id: str | None = None,
        subject_id: str | None = None,
    ) -> Pending: ...
    def end_mapping(self, id: int, at: datetime) -> Pending: ...
    def delete_mapping(self, id: int) -> Pending: ...
    # reports.rs
    def user_costs(
        self, subject_id: str, period: _Period, time_zone: str | None = None
    ) -> Pending: ...
    def dashboard(
        self,
        period: _Period,
        time_zone: str | None = None,
        plan_ids: list[int] | None = None,
        workspace: tuple[int, str | None] | None = None,
        top_subjects: int = 10,
        providers: list[str] | None = None,
    ) -> Pending: ...
    def forecast(self, scope: str, period: _Period, time_zone: str | None = None) -> Pending: ...
    def focus_export(
        self, period: _Period, time_zone: str | None = None, plan_ids: list[int] | None = None
    ) -> Pending: ...
    def verify(
        self,
        plan_id: int | None = None,
        start: date | None = None,
        end: date | None = None,
        repair: bool = False,
    ) -> Pending: ...
    # budgets.rs
    def create_budget(
        self, name: str, scope: str, amount: str, period: str, time_zone: str, thresholds: list[int]
    ) -> Pending: ...
    def create_mirrored_budget(
        self, name: str, plan_id: int, limit_scope: str, period: str, thresholds: list[int]
    ) -> Pending: ...
    def get_budget(self, id: int) -> Pending: ...
    def list_budgets(self) -> Pending: ...
    def update_budget(self, id: int, update: dict[str, Any]) -> Pending: ...
    def delete_budget(self, id: int) -> Pending: ...
    def budget_status(self, id: int) -> Pending: ...
    def budget_statuses(self) -> Pending: ...
    # claude_code_logs.rs
    def claude_code_logs(
        self,
        report: str,
        plan_id: int,
        time_zone: str | None = None,
        since: date | None = None,
        until: date | None = None,
        project: str | None = None,
        cost_mode: str | None = None,
    ) -> Pending: ...
    def claude_code_log_files(self, plan_id: int) -> Pending: ...
