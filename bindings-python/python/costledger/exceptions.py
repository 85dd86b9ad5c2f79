"""The exceptions costledger raises.

Every error is a :class:`CostLedgerError` whose ``.code`` is the same stable string as in Rust
(``Error::code``), Node and the CLI: ``PLAN_NOT_FOUND``, ``INVALID_INPUT``, ``CONFLICT``, …
Subclasses group the codes by what a caller does about them, and derive from the builtin that
means the same (a missing plan is also a :class:`LookupError`, a rejected argument also a
:class:`ValueError`), so ``except LookupError`` works as expected.

Exceptions pickle (they cross ``multiprocessing`` and ``concurrent.futures`` boundaries), and
the error that caused one (a database driver's, an HTTP client's) is attached as
``__cause__``, an :class:`UnderlyingError` carrying its text. No message contains a
credential beyond its hint.
"""

from __future__ import annotations

__all__ = [
    "CODES",
    "ClosedError",
    "ConflictError",
    "CostLedgerError",
    "CredentialRejectedError",
    "CryptoError",
    "InternalError",
    "InvalidInputError",
    "NotFoundError",
    "OrgMismatchError",
    "RateLimitedError",
    "StorageError",
    "SyncInterruptedError",
    "UnderlyingError",
    "UpstreamError",
]


class CostLedgerError(Exception):
    """Base class of every costledger error.

    Attributes:
        code: The stable SCREAMING_SNAKE code of the error, e.g. ``"PLAN_NOT_FOUND"``.
            ``"FORKED"`` marks a call made in a child process forked after costledger
            started its runtime in the parent.
    """

    default_code = "INTERNAL"

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.code: str = code if code is not None else self.default_code

    @property
    def message(self) -> str:
        """The message: what was wrong and what to do."""
        return str(self.args[0]) if self.args else ""

    def __reduce__(self) -> tuple[type[CostLedgerError], tuple[str, str]]:
        return (type(self), (self.message, self.code))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, code={self.code!r})"


class NotFoundError(CostLedgerError, LookupError):
    """No plan, subject, project, mapping or budget has the id asked for."""

    default_code = "PLAN_NOT_FOUND"


class InvalidInputError(CostLedgerError, ValueError):
    """An argument or configuration value was rejected before anything was written."""

    default_code = "INVALID_INPUT"


class ConflictError(CostLedgerError):
    """The write would break a uniqueness rule: a label in use, an organisation already
    connected, a concurrent change."""

    default_code = "CONFLICT"


class CredentialRejectedError(CostLedgerError):
    """The provider refused the credential (HTTP 401/403), or refused an OAuth code or
    refresh token (``invalid_grant``, ``invalid_client``); replace it with
    ``rotate_plan_credential``, or for an OAuth plan sign in again and call
    ``rotate_plan_oauth``. Retrying will not help."""

    default_code = "CREDENTIAL_REJECTED"


class OrgMismatchError(CostLedgerError):
    """A credential answers for another organisation than the plan was created for."""

    default_code = "ORG_MISMATCH"


class RateLimitedError(CostLedgerError):
    """The provider kept answering 429 after every retry; sync again later."""

    default_code = "RATE_LIMITED"


class UpstreamError(CostLedgerError):
    """The provider failed (5xx, a connection error, a malformed body) after every retry."""

    default_code = "UPSTREAM"


class CryptoError(CostLedgerError):
    """A credential could not be sealed or opened: a wrong master key, a tampered value, a
    failing host cipher. The message names the plan when one is concerned."""

    default_code = "CRYPTO"


class StorageError(CostLedgerError):
    """The database failed or holds something costledger cannot read."""

    default_code = "STORAGE"


class ClosedError(CostLedgerError):
    """The ledger was closed; open a new one."""

    default_code = "CLOSED"


class SyncInterruptedError(CostLedgerError):
    """A sync was cancelled and stopped after its last committed page (code
    ``INTERRUPTED``). Sync reports carry it as a plan's error; an interrupted
    :meth:`~costledger.Ledger.sync` itself raises ``KeyboardInterrupt`` or
    ``asyncio.CancelledError``, as Python does."""

    default_code = "INTERRUPTED"


class InternalError(CostLedgerError):
    """A bug in costledger: please report it with the message."""

    default_code = "INTERNAL"


class UnderlyingError(Exception):
    """The error a :class:`CostLedgerError` was caused by, as text (set as ``__cause__``)."""


CODES: dict[str, type[CostLedgerError]] = {
    "INVALID_INPUT": InvalidInputError,
    "PLAN_NOT_FOUND": NotFoundError,
    "SUBJECT_NOT_FOUND": NotFoundError,
    "PROJECT_NOT_FOUND": NotFoundError,
    "MAPPING_NOT_FOUND": NotFoundError,
    "BUDGET_NOT_FOUND": NotFoundError,
    "CONFLICT": ConflictError,
    "CREDENTIAL_REJECTED": CredentialRejectedError,
    "ORG_MISMATCH": OrgMismatchError,
    "RATE_LIMITED": RateLimitedError,
    "UPSTREAM": UpstreamError,
    "CRYPTO": CryptoError,
    "STORAGE": StorageError,
    "CLOSED": ClosedError,
    "INTERRUPTED": SyncInterruptedError,
    "INTERNAL": InternalError,
}
"""The class raised for each code of the core's ``Error::CODES``."""


def _from_native(message: str, code: str, cause: str | None) -> CostLedgerError:
    """Build the exception for an error of the native module (called from Rust)."""
    error = CODES.get(code, CostLedgerError)(message, code)
    if cause is not None:
        error.__cause__ = UnderlyingError(cause)
    return error
