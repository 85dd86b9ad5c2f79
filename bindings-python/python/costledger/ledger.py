""":class:`Ledger` (blocking) and :class:`AsyncLedger` (asyncio): the handles on costledger's
data (core ``ledger.rs``). Their methods come from one mixin per domain (``plans.py``,
``subjects.py``, ``sync.py``, ``user_costs.py``, ``dashboard.py``, ``reports.py``,
``budgets.py``, ``claude_code_logs.py``, ``verify.py``); this file holds opening, closing and master-key
rotation."""

from __future__ import annotations

from datetime import datetime, timedelta
from types import TracebackType
from typing import Any, Protocol

from . import _native
from ._async import (
    AsyncBilledCostMethods,
    AsyncBudgetMethods,
    AsyncClaudeCodeLogMethods,
    AsyncDashboardMethods,
    AsyncPlanMethods,
    AsyncProviderMethods,
    AsyncReconcileMethods,
    AsyncReportMethods,
    AsyncSpendLimitMethods,
    AsyncSubjectMethods,
    AsyncUnitUsageMethods,
    AsyncUserCostMethods,
    AsyncVerifyMethods,
)
from ._convert import seconds, to_utc
from .billed import BilledCostMethods
from .budgets import BudgetMethods
from .claude_code_logs import ClaudeCodeLogMethods
from .dashboard import DashboardMethods
from .plans import PlanMethods
from .providers import ProviderMethods
from .spend_limits import SpendLimitMethods
from .reconcile import ReconcileMethods
from .units import UnitUsageMethods
from .reports import ReportMethods
from .subjects import SubjectMethods
from .sync import AsyncSyncMethods, SyncMethods
from .user_costs import UserCostMethods
from .verify import VerifyMethods

__all__ = ["AsyncLedger", "KeyCipher", "Ledger", "generate_master_key"]


class KeyCipher(Protocol):
    """A host-supplied cipher (a KMS client) that seals credentials instead of the built-in
    AES-256-GCM master-key keyring.

    ``aad`` (associated data) binds a sealed value to its plan: ``decrypt`` must fail when it
    differs from the ``aad`` given to ``encrypt``. An exception raised by either method
    becomes a :class:`~costledger.CryptoError` naming the plan. With
    :class:`AsyncLedger` the methods may also be coroutine functions.

    An optional ``key_id`` attribute (a string) is stored with every sealed value.
    """

    def encrypt(self, plaintext: bytes, aad: bytes) -> Any:
        """Seal ``plaintext`` bound to ``aad``; returns the ciphertext (``bytes``)."""
        ...

    def decrypt(self, ciphertext: bytes, aad: bytes) -> Any:
        """Open a value sealed with the same ``aad``; returns the plaintext (``bytes``)."""
        ...


def generate_master_key() -> str:
    """A new random master key: 32 bytes from the operating system's generator, as base64.

    Store it in your secret store and give it to every process as ``COSTLEDGER_MASTER_KEY``
    or ``master_key=``. Losing it loses every stored credential.
    """
    return _native.generate_master_key()


def _open(
    database_url: str | None,
    master_key: str | None,
    previous_master_keys: tuple[str, ...] | list[str],
    anthropic_base_url: str | None,
    openai_base_url: str | None,
    cipher: KeyCipher | None,
    postgres_schema: str | None,
    max_connections: int | None,
    http_timeout: float | timedelta | None,
    max_retries: int | None,
    request_interval: float | timedelta | None,
    retry_backoff: float | timedelta | None,
    now: datetime | None,
) -> _native.Pending:
    options = {
        "master_key": master_key,
        "previous_master_keys": list(previous_master_keys),
        "anthropic_base_url": anthropic_base_url,
        "openai_base_url": openai_base_url,
        "cipher": cipher,
        "postgres_schema": postgres_schema,
        "max_connections": max_connections,
        "http_timeout": seconds(http_timeout),
        "max_retries": max_retries,
        "request_interval": seconds(request_interval),
        "retry_backoff": seconds(retry_backoff),
        "now": None if now is None else to_utc(now, "now"),
    }
    return _native.Ledger.open(database_url, options)


class Ledger(
    PlanMethods, SubjectMethods, SyncMethods, UserCostMethods, DashboardMethods, ReportMethods,
    BudgetMethods, ClaudeCodeLogMethods, VerifyMethods, ProviderMethods, UnitUsageMethods,
    SpendLimitMethods, BilledCostMethods, ReconcileMethods,
):  # fmt: skip
    """A blocking handle on costledger's data: plan connections, subjects and key mappings,
    synced usage and cost, reports and budgets.

    Open it with :meth:`open`. Every method blocks until done and releases the GIL while it
    waits, so other threads run; Ctrl-C interrupts a long call. One ledger may be shared by
    threads. Use it as a context manager, or call :meth:`close`.

    Example:
        >>> with costledger.Ledger.open("sqlite://ledger.db", master_key=key) as ledger:
        ...     plan = ledger.add_plan("Prod org", admin_api_key=admin_key)
        ...     report = ledger.sync()
    """

    __slots__ = ("_native",)

    def __init__(self, native: _native.Ledger) -> None:
        """Wrap a native handle; use :meth:`open`."""
        self._native = native

    @classmethod
    def open(
        cls,
        database_url: str | None = None,
        *,
        master_key: str | None = None,
        previous_master_keys: tuple[str, ...] | list[str] = (),
        anthropic_base_url: str | None = None,
        openai_base_url: str | None = None,
        cipher: KeyCipher | None = None,
        postgres_schema: str | None = None,
        max_connections: int | None = None,
        http_timeout: float | timedelta | None = None,
        max_retries: int | None = None,
        request_interval: float | timedelta | None = None,
        retry_backoff: float | timedelta | None = None,
        now: datetime | None = None,
    ) -> Ledger:
        """Open the database (creating and migrating it as needed).

        Args:
            database_url: ``sqlite://path``, ``sqlite::memory:`` or ``postgres://…``;
                default ``COSTLEDGER_DATABASE_URL``, else ``sqlite://costledger.db`` (as the
                Node package and the command line do).
            master_key: The master key (32 bytes as base64) that seals credentials; default
                ``COSTLEDGER_MASTER_KEY``. Make one with :func:`generate_master_key`. Without
                one (nor a cipher) the ledger reads reports and history, and whatever seals
                or opens a credential (adding a plan, syncing) raises
                :class:`InvalidInputError`.
            previous_master_keys: Older master keys still accepted for opening credentials
                (default ``COSTLEDGER_PREVIOUS_MASTER_KEYS``, comma-separated).
            anthropic_base_url: The Anthropic API base URL (default
                ``COSTLEDGER_ANTHROPIC_BASE_URL``, else ``https://api.anthropic.com``).
            openai_base_url: The OpenAI API base URL, without ``/v1`` (default
                ``COSTLEDGER_OPENAI_BASE_URL``, else ``https://api.openai.com``).
            cipher: A :class:`KeyCipher` (a KMS) used instead of the master key.
            postgres_schema: Postgres only: keep costledger's tables in this schema, created
                when missing.
            max_connections: Largest database connection pool (default 8).
            http_timeout: Timeout of one provider request, seconds (default 60).
            max_retries: Retries of a failed provider request (default 4).
            request_interval: Least time between two requests with one credential, seconds
                (default 0.25).
            retry_backoff: First wait before a retry, doubling each time, seconds (default
                0.5).
            now: A fixed "now" for sync windows instead of the system clock: for tests and
                simulations (e.g. against a fake Admin API with its own clock). Must be
                timezone-aware.

        Returns:
            The open ledger.

        Raises:
            InvalidInputError: A malformed URL or master key.
            CryptoError: The master key is not the one the ledger's credentials are sealed
                with (the message names the key id expected, never a key).
            StorageError: The database cannot be opened or migrated.
        """
        return cls(
            _open(
                database_url, master_key, previous_master_keys, anthropic_base_url,
                openai_base_url, cipher, postgres_schema, max_connections, http_timeout,
                max_retries, request_interval, retry_backoff, now,
            ).wait()
        )  # fmt: skip

    def close(self) -> None:
        """Close the database pool; later calls raise :class:`~costledger.ClosedError`.
        Closing twice is harmless."""
        self._native.close().wait()

    def rotate_master_key(self, new_master_key: str) -> int:
        """Re-seal every stored credential under ``new_master_key``, in one transaction,
        and seal with it from now on. If any credential cannot be opened, nothing changes.

        Give the new key to every process (``COSTLEDGER_MASTER_KEY``) before they restart.
        Works with the built-in master-key keyring only; a host cipher rotates its own keys.

        Args:
            new_master_key: The new master key, 32 bytes as base64.

        Returns:
            How many credentials were re-sealed.

        Raises:
            InvalidInputError: A malformed key, or the ledger uses a host cipher.
            CryptoError: A credential could not be opened; nothing was changed.
        """
        return int(self._native.rotate_master_key(new_master_key).wait())

    def __enter__(self) -> Ledger:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<costledger.Ledger {self._native!r}>"


class AsyncLedger(
    AsyncPlanMethods, AsyncSubjectMethods, AsyncSyncMethods, AsyncUserCostMethods,
    AsyncDashboardMethods, AsyncReportMethods, AsyncBudgetMethods, AsyncClaudeCodeLogMethods,
    AsyncVerifyMethods, AsyncProviderMethods, AsyncUnitUsageMethods, AsyncSpendLimitMethods,
    AsyncBilledCostMethods, AsyncReconcileMethods,
):  # fmt: skip
    """An asyncio handle on costledger's data, with the methods of :class:`Ledger` as
    coroutines. They run on costledger's own runtime threads, so the event loop stays free;
    ``asyncio.gather`` runs several at once.

    Example:
        >>> async with await costledger.AsyncLedger.open("sqlite://ledger.db") as ledger:
        ...     report = await ledger.sync()
    """

    __slots__ = ("_native",)

    def __init__(self, native: _native.Ledger) -> None:
        """Wrap a native handle; use :meth:`open`."""
        self._native = native

    @classmethod
    async def open(
        cls,
        database_url: str | None = None,
        *,
        master_key: str | None = None,
        previous_master_keys: tuple[str, ...] | list[str] = (),
        anthropic_base_url: str | None = None,
        openai_base_url: str | None = None,
        cipher: KeyCipher | None = None,
        postgres_schema: str | None = None,
        max_connections: int | None = None,
        http_timeout: float | timedelta | None = None,
        max_retries: int | None = None,
        request_interval: float | timedelta | None = None,
        retry_backoff: float | timedelta | None = None,
        now: datetime | None = None,
    ) -> AsyncLedger:
        """Open the database; the arguments are those of :meth:`Ledger.open`."""
        native = await _open(
            database_url, master_key, previous_master_keys, anthropic_base_url,
            openai_base_url, cipher, postgres_schema, max_connections, http_timeout,
            max_retries, request_interval, retry_backoff, now,
        )  # fmt: skip
        return cls(native)

    async def close(self) -> None:
        """Close the database pool; see :meth:`Ledger.close`."""
        await self._native.close()

    async def rotate_master_key(self, new_master_key: str) -> int:
        """Re-seal every credential under a new master key; see
        :meth:`Ledger.rotate_master_key`."""
        return int(await self._native.rotate_master_key(new_master_key))

    async def __aenter__(self) -> AsyncLedger:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    def __repr__(self) -> str:
        return f"<costledger.AsyncLedger {self._native!r}>"
