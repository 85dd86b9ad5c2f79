"""Stubs of the native module ``costledger._native`` (bindings-python/src/*.rs).

Private: use the typed package ``costledger``. Checked against the built module by
``python -m mypy.stubtest costledger._native`` in the tests.
"""

from collections.abc import Generator
from datetime import date, datetime
from typing import Any, NoReturn, final


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
    def call(self, method: str, args: str) -> Pending: ...
    # plans.rs
    def add_plan(
        self, plan: str, admin_api_key: str | None = None, oauth_tokens: OAuthTokens | None = None
    ) -> Pending: ...
    def rotate_plan_oauth(self, plan_id: int, tokens: OAuthTokens) -> Pending: ...
    def rotate_plan_credential(self, plan_id: int, admin_api_key: str) -> Pending: ...
    # sync.rs
    def sync(self, options: str, cancel: SyncCancel | None = None) -> Pending: ...
