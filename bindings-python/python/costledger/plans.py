"""Plan connections: the :class:`Plan` and :class:`Subscription` types and the plan methods of
:class:`~costledger.Ledger` and :class:`~costledger.AsyncLedger` (core ``ledger/plans.rs``),
with what disconnecting an OAuth plan did at the provider (:class:`Disconnected`)."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Union

from ._generated import ApiKeyInfo, CredentialReach, OrgInfo, OrgMetadata, OrgUser, Plan
from ._generated import Subscription, Workspace
from ._convert import call, named
from .types import Provider, RevocationStatus

if TYPE_CHECKING:
    from . import _native
    from .oauth import OAuthTokens

Directories = Union[str, "os.PathLike[str]", Sequence[Union[str, "os.PathLike[str]"]]]
"""Directories of Claude Code logs: one path, or several."""

__all__ = [
    "ApiKeyInfo",
    "CredentialReach",
    "Disconnected",
    "OrgInfo",
    "OrgMetadata",
    "OrgUser",
    "Plan",
    "Revocation",
    "Subscription",
    "Workspace",
]


@dataclass(frozen=True, slots=True)
class Revocation:
    """What happened at the provider to a plan's OAuth grant when it was disconnected.

    Attributes:
        status: ``"revoked"``; ``"failed"`` (the provider was down, the grant already
            gone: the local credential was destroyed regardless); ``"not_applicable"`` (an
            admin key, local logs, a plan already disconnected).
        code: When it failed, the error's code (``UPSTREAM``, ``CREDENTIAL_REJECTED``, …).
        message: When it failed, what went wrong (no token in it).
    """

    status: RevocationStatus
    code: str | None = None
    message: str | None = None


@dataclass(frozen=True, slots=True)
class Disconnected:
    """What :meth:`~costledger.Ledger.disconnect_plan_reporting` did.

    Attributes:
        plan: The plan, now disconnected.
        revocation: What happened to its OAuth grant at the provider.
    """

    plan: Plan
    revocation: Revocation


def _disconnected(text: str) -> Disconnected:
    data = json.loads(text)
    r = data["revocation"]
    # Python spells the core's ``notApplicable`` as its other enumerations: snake_case.
    status: RevocationStatus = "not_applicable" if r["status"] == "notApplicable" else r["status"]
    return Disconnected(
        plan=Plan._from_json(data["plan"]),
        revocation=Revocation(status=status, code=r.get("code"), message=r.get("message")),
    )


def _plan(text: str) -> Plan:
    return Plan._from_json(json.loads(text))


def _plans(text: str) -> list[Plan]:
    return [Plan._from_json(p) for p in json.loads(text)]


def _maybe_plan(text: str) -> Plan | None:
    data = json.loads(text)
    return None if data is None else Plan._from_json(data)


def _org(text: str) -> OrgInfo:
    return OrgInfo._from_json(json.loads(text))


def _subscription(subscription: Subscription | None) -> dict[str, Any] | None:
    return None if subscription is None else subscription._to_native()


def _tokens(tokens: OAuthTokens) -> _native.OAuthTokens:
    from .oauth import _native_tokens  # oauth.py imports this module for OrgInfo

    return _native_tokens(tokens)


class PlanMethods:
    """The plan methods of :class:`costledger.Ledger`."""

    __slots__ = ()
    _native: _native.Ledger

    def add_plan(
        self,
        label: str,
        *,
        admin_api_key: str | None = None,
        directories: Directories | None = None,
        subscription: Subscription | None = None,
        oauth_tokens: OAuthTokens | None = None,
        provider: Provider | None = None,
    ) -> Plan:
        """Add a plan: an Anthropic organisation reached with its Admin API key or with the
        tokens of an OAuth sign-in, an OpenAI organisation (``provider="openai"``) with its
        admin key, or Claude Code's local logs (a ``claude_code_logs`` plan) when
        ``directories`` is given.

        The label is trimmed and checked, the key's shape (or the tokens' ``org:admin``
        scope) is checked, then the provider verifies the credential and names its
        organisation. The credential is sealed before it is stored; only its hint is ever
        shown again. An organisation whose plan was disconnected with its data kept is
        reconnected: that plan comes back (same id and history) with the new credential,
        label and subscription; after a purge it starts afresh as a new plan.

        Args:
            label: The plan's name: 1-200 characters, unique among live plans.
            admin_api_key: The organisation's admin key (``sk-ant-admin…``; for OpenAI
                ``sk-admin-…``, a read-only one is enough).
            directories: For a Claude Code logs plan, the directories to scan (``[]``:
                Claude Code's default ones).
            subscription: The plan's subscription, if any.
            oauth_tokens: The tokens of an OAuth sign-in
                (:meth:`costledger.OAuthClient.finish`): access token, refresh token and
                expiry are sealed together, and refreshed by the ledger as they expire.
                Give exactly one of ``admin_api_key``, ``oauth_tokens`` and ``directories``.
            provider: ``"anthropic"`` (the default with a key or tokens), ``"openai"`` or
                ``"claude_code_logs"``; :meth:`providers` lists what each takes.

        Returns:
            The new plan, or the reconnected one.

        Raises:
            InvalidInputError: A bad label, key shape or subscription, tokens without
                ``org:admin``, or not exactly one of ``admin_api_key``, ``oauth_tokens`` and
                ``directories``.
            ConflictError: The label is in use, or the organisation is already connected.
            CredentialRejectedError: The provider refused the key or the tokens.
            CryptoError: The ledger's credentials are sealed with another master key.
        """
        if isinstance(directories, str | os.PathLike):  # one directory given bare
            directories = [directories]
        dirs = None if directories is None else [os.fspath(d) for d in directories]
        sub = _subscription(subscription)
        plan = named(label=label, provider=provider, directories=dirs, subscription=sub)
        tokens = None if oauth_tokens is None else _tokens(oauth_tokens)
        return _plan(self._native.add_plan(plan, admin_api_key, tokens).wait())

    def plan_metadata(self, plan_id: int) -> OrgMetadata:
        """The organisation metadata last synced for a plan: workspaces, API keys of every
        status with who created them, members. Empty before the first sync.

        Args:
            plan_id: The plan's id.

        Returns:
            The metadata.

        Raises:
            NotFoundError: No plan has this id (code ``PLAN_NOT_FOUND``).
        """
        text = call(self._native, "plan_metadata", plan_id=plan_id).wait()
        return OrgMetadata._from_json(json.loads(text))

    def list_plans(self, *, include_disconnected: bool = False) -> list[Plan]:
        """Plans in id order: active and error plans, and disconnected ones when asked.

        Args:
            include_disconnected: Also return disconnected plans.

        Returns:
            The plans.
        """
        pending = call(self._native, "list_plans", include_disconnected=include_disconnected)
        return _plans(pending.wait())

    def get_plan(self, plan_id: int) -> Plan:
        """One plan.

        Args:
            plan_id: The plan's id.

        Returns:
            The plan.

        Raises:
            NotFoundError: No plan has this id (code ``PLAN_NOT_FOUND``).
        """
        return _plan(call(self._native, "get_plan", plan_id=plan_id).wait())

    def update_plan(
        self,
        plan_id: int,
        *,
        label: str | None = None,
        subscription: Subscription | None = None,
        clear_subscription: bool = False,
    ) -> Plan:
        """Change a plan's label or subscription; what is not given stays as it is.

        Args:
            plan_id: The plan's id.
            label: A new label.
            subscription: A new subscription.
            clear_subscription: Remove the subscription.

        Returns:
            The updated plan.

        Raises:
            NotFoundError: No plan has this id.
            ConflictError: Another live plan has this label.
            InvalidInputError: A bad label or subscription, or both ``subscription`` and
                ``clear_subscription``.
        """
        return _plan(
            call(
                self._native,
                "update_plan",
                plan_id=plan_id,
                label=label,
                subscription=_subscription(subscription),
                clear_subscription=clear_subscription,
            ).wait()
        )

    def disconnect_plan(self, plan_id: int, *, purge: bool = False) -> Plan:
        """Disconnect a plan: its sealed credential is destroyed, its status becomes
        ``"disconnected"``. Disconnecting twice is harmless.

        Args:
            plan_id: The plan's id.
            purge: Also delete its synced usage, cost and metadata (default: keep them for
                past reports).

        Returns:
            The disconnected plan.

        Raises:
            NotFoundError: No plan has this id.
        """
        return _plan(call(self._native, "disconnect_plan", plan_id=plan_id, purge=purge).wait())

    def disconnect_plan_reporting(self, plan_id: int, *, purge: bool = False) -> Disconnected:
        """:meth:`disconnect_plan`, saying what happened at the provider: an OAuth plan's
        grant is revoked first (RFC 7009), best effort; when that fails (the provider is
        down, the grant was already gone) the failure is reported and the local credential
        is destroyed regardless.

        Args:
            plan_id: The plan's id.
            purge: Also delete its synced usage, cost and metadata.

        Returns:
            The disconnected plan and the :class:`Revocation` outcome.

        Raises:
            NotFoundError: No plan has this id.
        """
        pending = call(self._native, "disconnect_plan_reporting", plan_id=plan_id, purge=purge)
        return _disconnected(pending.wait())

    def rotate_plan_oauth(self, plan_id: int, tokens: OAuthTokens) -> Plan:
        """Reconnect an OAuth plan (after a refused refresh left it in ``"error"``) with the
        tokens of a new sign-in; the plan becomes active again.

        Args:
            plan_id: The plan's id.
            tokens: The new sign-in's tokens, for the plan's organisation.

        Returns:
            The plan.

        Raises:
            NotFoundError: No plan has this id.
            OrgMismatchError: The tokens answer for another organisation.
            CredentialRejectedError: The provider refused them.
            InvalidInputError: The plan is disconnected, or the tokens lack ``org:admin``.
        """
        return _plan(self._native.rotate_plan_oauth(plan_id, _tokens(tokens)).wait())

    def rotate_plan_credential(self, plan_id: int, admin_api_key: str) -> Plan:
        """Replace a plan's admin key with another key of the same organisation; the plan
        becomes active again.

        Args:
            plan_id: The plan's id.
            admin_api_key: The new admin key.

        Returns:
            The plan, with the new key's hint.

        Raises:
            NotFoundError: No plan has this id.
            OrgMismatchError: The key answers for another organisation.
            CredentialRejectedError: The provider refused the key.
        """
        return _plan(self._native.rotate_plan_credential(plan_id, admin_api_key).wait())

    def import_plan_from_env(self) -> Plan | None:
        """Import the admin key in ``ANTHROPIC_ADMIN_API_KEY`` as the first plan, labelled
        with its organisation's name. Safe to run at every start.

        Returns:
            The new plan, or ``None`` when the variable is unset or a plan already exists.
        """
        return _maybe_plan(call(self._native, "import_plan_from_env").wait())

    def check_plan(self, plan_id: int) -> OrgInfo:
        """Open the stored credential and ask the provider which organisation it answers for
        (a settings page's "test connection").

        Args:
            plan_id: The plan's id.

        Returns:
            The organisation.

        Raises:
            CryptoError: The credential cannot be opened with the configured key or cipher.
            CredentialRejectedError: The provider refused it.
            OrgMismatchError: It now answers for another organisation.
        """
        return _org(call(self._native, "check_plan", plan_id=plan_id).wait())
