"""Connecting a plan with OAuth 2.0 (core ``oauth/``): the authorization-code flow with PKCE
that a host application's two routes drive, and the opaque tokens it ends with.

Route 1 calls :meth:`OAuthClient.begin`, keeps ``state`` and ``verifier`` in httpOnly cookies
and redirects the browser to ``url``; route 2 (the redirect URI) calls
:meth:`OAuthClient.finish` with the callback's ``code`` and ``state`` and the cookies' values,
then adds the tokens as a plan: ``ledger.add_plan(label, oauth_tokens=tokens)``. The ledger
refreshes them when they near expiry or are refused, and revokes them on disconnect. See
``docs/oauth.md``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, NoReturn

from . import _native
from ._convert import seconds, to_utc
from .plans import OrgInfo

__all__ = ["AsyncOAuthClient", "OAuthBegin", "OAuthClient", "OAuthTokens"]


@dataclass(frozen=True, slots=True)
class OAuthBegin:
    """A sign-in just begun: send the browser to ``url``; keep ``state`` and ``verifier``
    (httpOnly cookies, a server session) for the callback. ``repr`` hides the verifier.

    Attributes:
        url: The authorization URL, with the S256 challenge and the state in its query.
        state: The anti-CSRF state (43 base64url characters from the OS generator). It is in
            the URL, so it is no secret; what matters is that the callback's equals it.
        verifier: The PKCE code verifier (86 base64url characters from the OS generator): a
            secret until the code is exchanged.
    """

    url: str
    state: str
    verifier: str = field(repr=False)


class OAuthTokens:
    """The tokens of an OAuth grant: access token, refresh token, expiry, scope, the
    organisation they answer for and the client they were issued to.

    Opaque: no attribute, ``repr``, ``str`` or error ever shows any part of a token, and the
    value does not pickle (that would write the tokens in clear). Pass it to
    :meth:`~costledger.Ledger.add_plan` (``oauth_tokens=``), which seals it.
    """

    __slots__ = ("_native",)

    def __init__(self, native: _native.OAuthTokens) -> None:
        """Wrap a native value; tokens come from :meth:`OAuthClient.finish`."""
        self._native = native

    @property
    def expires_at(self) -> datetime | None:
        """When the access token expires (UTC), when the provider said."""
        return self._native.expires_at

    @property
    def scope(self) -> str:
        """The granted scopes, space-separated (``"org:admin …"``)."""
        return self._native.scope

    @property
    def organization(self) -> OrgInfo | None:
        """The organisation the tokens answer for, when the provider named it."""
        org = self._native.organization
        return None if org is None else OrgInfo(id=org[0], name=org[1])

    def __reduce__(self) -> NoReturn:
        raise TypeError(
            "OAuthTokens cannot be pickled: that would write the tokens in clear; add them "
            "to a plan (add_plan(..., oauth_tokens=...)), which seals them"
        )

    def __copy__(self) -> OAuthTokens:
        return self  # immutable

    def __deepcopy__(self, memo: dict[int, Any]) -> OAuthTokens:
        return self

    def __repr__(self) -> str:
        org = self.organization
        return (
            f"<costledger.OAuthTokens scope={self.scope!r} "
            f"organization={None if org is None else org.id!r} "
            f"expires_at={None if self.expires_at is None else self.expires_at.isoformat()}>"
        )


def _native_tokens(tokens: OAuthTokens) -> _native.OAuthTokens:
    if not isinstance(tokens, OAuthTokens):
        raise TypeError(f"expected costledger.OAuthTokens, got {type(tokens).__name__}")
    return tokens._native


def _orgs(text: str) -> list[OrgInfo]:
    return [OrgInfo(id=o["id"], name=o["name"]) for o in json.loads(text)]


class _ClientBase:
    __slots__ = ("_native",)

    def __init__(
        self,
        client_id: str,
        redirect_uri: str,
        *,
        client_secret: str | None = None,
        base_url: str | None = None,
        authorize_url: str | None = None,
        token_url: str | None = None,
        revocation_url: str | None = None,
        organizations_url: str | None = None,
        scopes: tuple[str, ...] | list[str] | None = None,
        timeout: float | timedelta | None = None,
        now: datetime | None = None,
    ) -> None:
        """Configure the client of a host's OAuth application.

        Args:
            client_id: The client id the provider issued.
            redirect_uri: The callback URL registered with the provider (route 2).
            client_secret: The client secret, for a confidential client (sent with HTTP
                Basic); never shown by ``repr``.
            base_url: Set the four endpoints under one base URL, at the paths the fake Admin
                API serves (``/oauth/authorize``, ``/v1/oauth/token``, ``/v1/oauth/revoke``,
                ``/v1/oauth/organizations``); the URLs below override it one by one.
            authorize_url: The authorization endpoint the browser is sent to.
            token_url: The token endpoint (code exchange and refresh).
            revocation_url: The revocation endpoint (RFC 7009); without one, disconnecting
                cannot revoke.
            organizations_url: The endpoint listing the organisations a sign-in reaches.
            scopes: The scopes to ask for (default ``["org:admin"]``, what the Admin API
                needs).
            timeout: Timeout of one request to the provider, seconds (default 30).
            now: A fixed "now" that token expiry is computed from, instead of the system
                clock: for tests against a fake with its own clock. Must be timezone-aware.

        Raises:
            InvalidInputError: An empty client id, a URL that is not absolute http(s) (or
                has a fragment), a missing authorize or token URL, a bad scope.
        """
        options = {
            "client_secret": client_secret,
            "base_url": base_url,
            "authorize_url": authorize_url,
            "token_url": token_url,
            "revocation_url": revocation_url,
            "organizations_url": organizations_url,
            "scopes": None if scopes is None else list(scopes),
            "timeout": seconds(timeout),
            "now": None if now is None else to_utc(now, "now"),
        }
        self._native = _native.OAuthClient(client_id, redirect_uri, options)

    def begin(self) -> OAuthBegin:
        """Start a sign-in: a fresh state and PKCE verifier (S256 challenge), both from the
        operating system's generator, and the authorization URL carrying them. No request is
        sent.

        Returns:
            The URL to send the browser to, and the state and verifier to keep.
        """
        url, state, verifier = self._native.begin()
        return OAuthBegin(url=url, state=state, verifier=verifier)

    def __repr__(self) -> str:
        return f"<costledger.{type(self).__name__} {self._native!r}>"


class OAuthClient(_ClientBase):
    """A host application's OAuth client; its network calls block (and release the GIL).

    Example:
        >>> client = costledger.OAuthClient("my-client-id", "https://app.example/callback",
        ...                                 base_url="https://auth.example")
        >>> begin = client.begin()  # route 1: cookies, redirect to begin.url
        >>> tokens = client.finish(code, state, cookie_state, cookie_verifier)  # route 2
        >>> plan = ledger.add_plan("Prod org", oauth_tokens=tokens)
    """

    __slots__ = ()

    def finish(self, code: str, state: str, expected_state: str, verifier: str) -> OAuthTokens:
        """Complete a sign-in from the callback's ``code`` and ``state``.

        The state is compared with the one the sign-in began with in constant time; on a
        mismatch nothing is sent. Then the code is exchanged with the verifier.

        Args:
            code: The callback's ``code`` query parameter.
            state: The callback's ``state`` query parameter.
            expected_state: The state :meth:`begin` returned (from the cookie).
            verifier: The verifier :meth:`begin` returned (from the cookie).

        Returns:
            The tokens, opaque.

        Raises:
            InvalidInputError: The states differ or one is empty (the callback was not for
                this browser session), no code, a malformed verifier.
            CredentialRejectedError: The provider refused the code (reused, expired, another
                verifier) or the client (``invalid_client``).
            UpstreamError: The provider is down or did not answer.
        """
        native = self._native.finish(code, state, expected_state, verifier).wait()
        return OAuthTokens(native)

    def organizations(self, tokens: OAuthTokens) -> list[OrgInfo]:
        """The organisations the sign-in reaches, the tokens' own first: for letting the
        user choose which to connect (one plan each).

        Raises:
            CredentialRejectedError: The access token expired or was revoked.
            InvalidInputError: The client has no organizations URL.
        """
        return _orgs(self._native.organizations(_native_tokens(tokens)).wait())

    def select_organization(self, tokens: OAuthTokens, org_id: str) -> OAuthTokens:
        """Tokens for another organisation the sign-in reaches: a grant of its own, so each
        plan rotates its own refresh token.

        Raises:
            CredentialRejectedError: The provider refused the refresh token.
            UpstreamError: The organisation is not one the sign-in reaches, or the provider
                failed.
        """
        native = self._native.select_organization(_native_tokens(tokens), org_id).wait()
        return OAuthTokens(native)

    def revoke(self, tokens: OAuthTokens) -> None:
        """Revoke the grant at the provider (RFC 7009): for tokens the host decided not to
        add. A plan's grant is revoked by
        :meth:`~costledger.Ledger.disconnect_plan_reporting`.

        Raises:
            UpstreamError: The provider is down.
            InvalidInputError: The client has no revocation URL.
        """
        self._native.revoke(_native_tokens(tokens)).wait()


class AsyncOAuthClient(_ClientBase):
    """:class:`OAuthClient` with its network calls as coroutines, for asyncio hosts (for
    :class:`~costledger.AsyncLedger`)."""

    __slots__ = ()

    async def finish(
        self, code: str, state: str, expected_state: str, verifier: str
    ) -> OAuthTokens:
        """Complete a sign-in; see :meth:`OAuthClient.finish`."""
        return OAuthTokens(await self._native.finish(code, state, expected_state, verifier))

    async def organizations(self, tokens: OAuthTokens) -> list[OrgInfo]:
        """The organisations of a sign-in; see :meth:`OAuthClient.organizations`."""
        return _orgs(await self._native.organizations(_native_tokens(tokens)))

    async def select_organization(self, tokens: OAuthTokens, org_id: str) -> OAuthTokens:
        """Tokens for another organisation; see :meth:`OAuthClient.select_organization`."""
        return OAuthTokens(await self._native.select_organization(_native_tokens(tokens), org_id))

    async def revoke(self, tokens: OAuthTokens) -> None:
        """Revoke a grant; see :meth:`OAuthClient.revoke`."""
        await self._native.revoke(_native_tokens(tokens))
