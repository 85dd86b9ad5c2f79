"""OAuth from Python, on SQLite and Postgres, against the fake's authorization server: a full
sign-in added as a plan that syncs the exact truth, refresh mid-sync, 401 then refresh, a
refused refresh, a state mismatch, a reused code, two processes refreshing at once,
disconnect with revocation (and with the provider down), and no token in anything Python
sees. Each test has a fake of its own: the tests move its OAuth state and count its
refreshes."""

from __future__ import annotations

import copy
import inspect
import json
import os
import pickle
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import costledger
from conftest import FAKE_NOW, MASTER_KEY, Db, Fake, open_any, running_fake

DAYS = 10
CLIENT_ID = "costledger-fake-public-client"
CONFIDENTIAL_CLIENT_ID = "costledger-fake-confidential-client"
CLIENT_SECRET = "fake-client-secret-0123456789abcdef"
REDIRECT = "http://127.0.0.1:53682/callback"
TOKEN_PREFIXES = ("sk-ant-oat01-", "sk-ant-ort01-")
TOKENS = {
    "uncached_input_tokens": "uncached_input",
    "cache_creation_ephemeral_5m_input_tokens": "cache_write_5m",
    "cache_creation_ephemeral_1h_input_tokens": "cache_write_1h",
    "cache_read_input_tokens": "cache_read",
    "output_tokens": "output",
    "web_search_requests": "web_search_requests",
}


@pytest.fixture
def fake() -> Iterator[Fake]:
    """A fake of this test's own (overrides the session's): its OAuth faults, expiries and
    counts are this test's alone."""
    with running_fake(DAYS) as started:
        yield started


def ledger_kwargs(db: Db, fake: Fake, now_offset: timedelta = timedelta(0)) -> dict[str, Any]:
    return {
        "database_url": db.url,
        "postgres_schema": db.schema,
        "master_key": MASTER_KEY,
        "anthropic_base_url": fake.base_url,
        "now": FAKE_NOW + now_offset,
        "request_interval": 0,
        "retry_backoff": 0.01,
    }


def client_kwargs(fake: Fake) -> dict[str, Any]:
    """A public client of the fake, on the fake's clock."""
    return {
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT,
        "base_url": fake.base_url,
        "scopes": ["org:admin", "user:profile"],
        "timeout": 5,
        "now": FAKE_NOW,
    }


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def visit(begin: costledger.OAuthBegin) -> tuple[str, str]:
    """What the browser does: GET the authorize URL (the fake approves at once) and read the
    redirect back to the host without following it. Returns the callback's code and state."""
    opener = urllib.request.build_opener(_NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as redirect:
        opener.open(begin.url, timeout=10)
    assert redirect.value.code == 302
    location = redirect.value.headers["Location"]
    assert location.startswith(REDIRECT + "?"), location
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(location).query)
    return query["code"][0], query["state"][0]


def sign_in(client: costledger.OAuthClient) -> costledger.OAuthTokens:
    begin = client.begin()
    code, state = visit(begin)
    return client.finish(code, state, begin.state, begin.verifier)


@dataclass
class Setup:
    fake: Fake
    db: Db
    client: costledger.OAuthClient
    ledger: costledger.Ledger
    plan: costledger.Plan


@pytest.fixture
def setup(db: Db, fake: Fake) -> Iterator[Setup]:
    """A blocking ledger with one OAuth plan (org 0), added from a whole sign-in."""
    client = costledger.OAuthClient(**client_kwargs(fake))
    with costledger.Ledger.open(**ledger_kwargs(db, fake)) as ledger:
        plan = ledger.add_plan("OAuth org", oauth_tokens=sign_in(client))
        yield Setup(fake, db, client, ledger, plan)


# The legacy streams: OAuth tokens never reach the Analytics API, and the totals compared
# here are the legacy cost report's.
LEGACY_STREAMS = ["metadata", "usage", "cost", "claude_code"]


def sync(ledger: costledger.Ledger, plan_id: int | None = None) -> costledger.SyncReport:
    return ledger.sync(plan_id=plan_id, initial_backfill_days=DAYS + 1, streams=LEGACY_STREAMS)


WINDOW = (FAKE_NOW.date() - timedelta(days=DAYS), FAKE_NOW.date())
"""The fake's whole history: the dashboard period to compare with its truth."""


def assert_matches_truth(dash: costledger.Dashboard, fake: Fake, plan: costledger.Plan) -> None:
    """Token totals and billed cost of the plan's dashboard over :data:`WINDOW` equal the
    fake's ground truth."""
    truth = {o["org_id"]: o for o in fake.truth()["orgs"]}[plan.org_id]
    tokens = {t: sum(getattr(m.tokens, n) for m in dash.per_model) for t, n in TOKENS.items()}
    assert tokens == truth["usage_totals"]
    (line,) = dash.per_plan
    assert line.cost.billed == Decimal(truth["cost_total_nanos"]).scaleb(-9)
    assert line.cost.billed > 0


def credential_rows(db: Db) -> list[tuple[str, ...]]:
    """Every stored credential's kind, key id, nonce and ciphertext, read in a child
    process (never with this process's sqlite3: it would break the library's locks)."""
    return db.query("SELECT kind, key_id, nonce, ciphertext FROM costledger_credentials")


def assert_no_token_in(fake: Fake, db: Db, *values: object) -> None:
    """No token prefix, and no tail of any access token the fake saw, in the repr and str
    of each value, nor in the stored credential rows."""
    seen = [k for k in fake.stats()["by_key"] if k.startswith(TOKEN_PREFIXES[0])]
    texts = [t for v in values for t in (repr(v), str(v))]
    texts += [repr(row) for row in credential_rows(db)]
    for text in texts:
        for prefix in TOKEN_PREFIXES:
            assert prefix not in text, text
        for token in seen:
            assert token[-12:] not in text, text


# --- the client ---------------------------------------------------------------------------


def test_both_clients_have_the_same_methods() -> None:
    def methods(cls: type) -> dict[str, Any]:
        return {n: m for n, m in inspect.getmembers(cls) if not n.startswith("_")}

    blocking = methods(costledger.OAuthClient)
    awaitable = methods(costledger.AsyncOAuthClient)
    assert set(blocking) == set(awaitable) == {
        "begin", "finish", "organizations", "select_organization", "revoke",
    }  # fmt: skip
    for name in ("finish", "organizations", "select_organization", "revoke"):
        assert inspect.iscoroutinefunction(awaitable[name]), name
        assert not inspect.iscoroutinefunction(blocking[name]), name
        assert inspect.signature(awaitable[name]).parameters.keys() == (
            inspect.signature(blocking[name]).parameters.keys()
        )
        assert blocking[name].__doc__ and awaitable[name].__doc__


def test_the_docs_sample_type_checks(tmp_path: Path) -> None:
    """docs/oauth.md's Python sample is two route handlers' bodies: it cannot run as written
    (it names a provider and a callback's values), so mypy checks it against the package."""
    docs = (Path(__file__).resolve().parents[2] / "docs" / "oauth.md").read_text()
    section = docs.split("## From Python\n", 1)[1].split("\n## ", 1)[0]
    (sample,) = re.findall(r"```python\n(.*?)```", section, re.S)
    body = "".join(f"    {line}\n" if line else "\n" for line in sample.splitlines())
    module = tmp_path / "oauth_sample.py"
    module.write_text(
        "import costledger\n\n\n"
        "def routes(ledger: costledger.Ledger, code: str, callback_state: str,\n"
        "           cookie_state: str, cookie_verifier: str) -> None:\n" + body
    )
    out = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", str(module)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert out.returncode == 0, out.stdout + out.stderr


def test_begin_and_a_bad_configuration(fake: Fake) -> None:
    client = costledger.OAuthClient(**client_kwargs(fake))
    begin = client.begin()
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(begin.url).query)
    assert begin.url.startswith(fake.base_url + "/oauth/authorize?")
    assert query["state"] == [begin.state] and len(begin.state) == 43
    assert query["code_challenge_method"] == ["S256"]
    assert query["client_id"] == [CLIENT_ID] and query["redirect_uri"] == [REDIRECT]
    assert query["scope"] == ["org:admin user:profile"]
    assert len(begin.verifier) == 86 and begin.verifier not in begin.url
    assert begin.verifier not in repr(begin) and begin.state in repr(begin)
    assert client.begin().state != begin.state

    with pytest.raises(costledger.InvalidInputError) as empty:
        costledger.OAuthClient(" ", REDIRECT, base_url=fake.base_url)
    assert empty.value.code == "INVALID_INPUT" and "client id" in str(empty.value)
    with pytest.raises(costledger.InvalidInputError) as no_urls:
        costledger.OAuthClient(CLIENT_ID, REDIRECT)
    assert "authorize URL" in str(no_urls.value)
    with pytest.raises(costledger.InvalidInputError) as bad_url:
        costledger.OAuthClient(CLIENT_ID, REDIRECT, base_url=fake.base_url,
                               token_url="ftp://example.com/token")  # fmt: skip
    assert "token URL" in str(bad_url.value)
    with pytest.raises(costledger.InvalidInputError):
        costledger.OAuthClient(CLIENT_ID, REDIRECT, base_url=fake.base_url, scopes=[])
    # One URL overrides the base: the authorize URL moves, the others stay.
    moved = costledger.OAuthClient(CLIENT_ID, REDIRECT, base_url=fake.base_url,
                                   authorize_url="https://login.example/authorize")  # fmt: skip
    assert moved.begin().url.startswith("https://login.example/authorize?")
    assert fake.base_url + "/v1/oauth/token" in repr(moved)


async def test_a_full_sign_in_adds_a_plan_that_syncs_the_exact_truth(
    kind: str, db: Db, fake: Fake
) -> None:
    client: Any = (
        costledger.AsyncOAuthClient(**client_kwargs(fake))
        if kind == "async"
        else costledger.OAuthClient(**client_kwargs(fake))
    )
    ledger = await open_any(kind, **ledger_kwargs(db, fake))
    try:
        begin = client.begin()
        assert isinstance(begin, costledger.OAuthBegin)
        code, state = visit(begin)
        assert state == begin.state
        if kind == "async":
            tokens = await client.finish(code, state, begin.state, begin.verifier)
            orgs = await client.organizations(tokens)
        else:
            tokens = client.finish(code, state, begin.state, begin.verifier)
            orgs = client.organizations(tokens)
        assert isinstance(tokens, costledger.OAuthTokens)
        org = fake.orgs[0]
        assert tokens.organization == costledger.OrgInfo(id=org.id, name=org.name)
        assert tokens.scope == "org:admin user:profile"
        assert tokens.expires_at == FAKE_NOW + timedelta(hours=1)
        assert [o.id for o in orgs] == [o.id for o in fake.orgs]
        assert fake.oauth_stats()["codes_exchanged"] == 1

        plan = await ledger.add_plan(" OAuth org ", oauth_tokens=tokens)
        assert (plan.label, plan.status, plan.provider) == ("OAuth org", "active", "anthropic")
        assert (plan.org_id, plan.org_name) == (org.id, org.name)
        assert plan.key_hint == "OAuth (org:admin)"
        assert [row[0] for row in credential_rows(db)] == ["oauth"]

        report = await ledger.sync(initial_backfill_days=DAYS + 1, streams=LEGACY_STREAMS)
        assert report.is_ok, report
        dash = await ledger.dashboard(period=WINDOW, plan_ids=[plan.id])
        assert_matches_truth(dash, fake, plan)
        # Every Admin API request carried a bearer token; none needed a refresh.
        by_key = fake.stats()["by_key"]
        assert by_key and all(k.startswith(TOKEN_PREFIXES[0]) for k in by_key)
        assert fake.oauth_stats()["refreshes"] == 0
        assert (await ledger.check_plan(plan.id)).id == org.id
        plans = await ledger.list_plans()
        history = await ledger.sync_history()
        assert_no_token_in(fake, db, tokens, begin.url, plans, report, report.to_json(),
                           history, orgs)  # fmt: skip
    finally:
        await ledger.close()


def test_tokens_are_opaque(fake: Fake) -> None:
    client = costledger.OAuthClient(**client_kwargs(fake))
    tokens = sign_in(client)
    text = repr(tokens)
    assert text.startswith("<costledger.OAuthTokens") and "org:admin" in text
    assert fake.orgs[0].id in text
    assert not any(p in text or p in str(tokens) for p in TOKEN_PREFIXES)
    assert not any(p in repr(tokens._native) for p in TOKEN_PREFIXES)
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(tokens)
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(tokens._native)
    assert copy.copy(tokens) is tokens and copy.deepcopy(tokens) is tokens
    # What is not tokens is refused before anything is sent.
    with pytest.raises(TypeError):
        client.organizations("sk-ant-oat01-forged")  # type: ignore[arg-type]


def test_a_confidential_client_and_a_wrong_secret(fake: Fake) -> None:
    def client(secret: str) -> costledger.OAuthClient:
        return costledger.OAuthClient(CONFIDENTIAL_CLIENT_ID, REDIRECT, client_secret=secret,
                                      base_url=fake.base_url, now=FAKE_NOW)  # fmt: skip

    good = client(CLIENT_SECRET)
    assert CLIENT_SECRET not in repr(good) and "[redacted]" in repr(good)
    assert sign_in(good).organization is not None
    bad = client("not-the-secret")
    with pytest.raises(costledger.CredentialRejectedError) as refused:
        sign_in(bad)
    assert refused.value.code == "CREDENTIAL_REJECTED"
    assert "invalid_client" in str(refused.value)
    assert "not-the-secret" not in str(refused.value)


def test_a_state_mismatch_is_refused_before_any_request(fake: Fake) -> None:
    client = costledger.OAuthClient(**client_kwargs(fake))
    begin = client.begin()
    code, state = visit(begin)
    other = client.begin()
    with pytest.raises(costledger.InvalidInputError) as mismatch:
        client.finish(code, state, other.state, begin.verifier)
    assert mismatch.value.code == "INVALID_INPUT"
    assert isinstance(mismatch.value, ValueError)
    assert "state does not match" in str(mismatch.value)
    with pytest.raises(costledger.InvalidInputError):
        client.finish(code, "", "", begin.verifier)
    assert fake.oauth_stats()["codes_exchanged"] == 0
    # The code is still good for the session that began the sign-in.
    assert client.finish(code, state, begin.state, begin.verifier).scope.startswith("org:admin")


def test_a_reused_code_is_refused_and_its_tokens_are_not_stored(db: Db, fake: Fake) -> None:
    client = costledger.OAuthClient(**client_kwargs(fake))
    begin = client.begin()
    code, state = visit(begin)
    first = client.finish(code, state, begin.state, begin.verifier)
    with pytest.raises(costledger.CredentialRejectedError) as reused:
        client.finish(code, state, begin.state, begin.verifier)
    assert reused.value.code == "CREDENTIAL_REJECTED"
    assert "invalid_grant" in str(reused.value)
    assert fake.oauth_stats()["reuse_detected"] == 1
    with costledger.Ledger.open(**ledger_kwargs(db, fake)) as ledger:
        # The reuse revoked what the first exchange got: adding it is refused.
        with pytest.raises(costledger.CredentialRejectedError) as revoked:
            ledger.add_plan("OAuth org", oauth_tokens=first)
        assert "signing in with OAuth" in str(revoked.value)
        assert ledger.list_plans(include_disconnected=True) == []
        assert credential_rows(db) == []
        assert_no_token_in(fake, db, reused.value, revoked.value, revoked.value.__cause__)


def test_add_plan_takes_exactly_one_credential(setup: Setup) -> None:
    s = setup
    tokens = sign_in(s.client)
    with pytest.raises(costledger.InvalidInputError, match="exactly one of them"):
        s.ledger.add_plan("Both", admin_api_key=s.fake.orgs[1].admin_key, oauth_tokens=tokens)
    with pytest.raises(TypeError):
        s.ledger.add_plan("Forged", oauth_tokens="sk-ant-oat01-forged")  # type: ignore[arg-type]
    # The sign-in reaches org 0, already connected.
    with pytest.raises(costledger.ConflictError):
        s.ledger.add_plan("Again", oauth_tokens=tokens)
    # Tokens without org:admin are refused before anything is sent.
    narrow = costledger.OAuthClient(**{**client_kwargs(s.fake), "scopes": ["user:profile"]})
    with pytest.raises(costledger.InvalidInputError, match="org:admin"):
        s.ledger.add_plan("Narrow", oauth_tokens=sign_in(narrow))


def test_one_sign_in_connects_several_organisations(db: Db, fake: Fake) -> None:
    orgs = fake.orgs
    fake.set_oauth_account([orgs[2].id, orgs[0].id])
    client = costledger.OAuthClient(**client_kwargs(fake))
    tokens = sign_in(client)
    assert tokens.organization is not None and tokens.organization.id == orgs[2].id
    listed = client.organizations(tokens)
    assert [o.id for o in listed] == [orgs[2].id, orgs[0].id]
    assert all(isinstance(o, costledger.OrgInfo) for o in listed)
    other = client.select_organization(tokens, orgs[0].id)
    assert other.organization is not None and other.organization.id == orgs[0].id
    with pytest.raises(costledger.UpstreamError):
        client.select_organization(tokens, orgs[1].id)  # not reached by this sign-in
    with costledger.Ledger.open(**ledger_kwargs(db, fake)) as ledger:
        plans = [ledger.add_plan("Third", oauth_tokens=tokens),
                 ledger.add_plan("First", oauth_tokens=other)]  # fmt: skip
        assert [p.org_id for p in plans] == [orgs[2].id, orgs[0].id]
        # Each plan has a grant of its own: expiring every access token makes each refresh
        # its own refresh token, and neither is a reuse of the other's.
        fake.expire_oauth()
        report = sync(ledger)
        assert report.is_ok, report
        assert (fake.oauth_stats()["refreshes"], fake.oauth_stats()["reuse_detected"]) == (3, 0)
        # Tokens the host decides not to keep can be revoked.
        unused = sign_in(client)
        client.revoke(unused)
        with pytest.raises(costledger.CredentialRejectedError):
            client.organizations(unused)


# --- refresh --------------------------------------------------------------------------------


def test_an_access_token_expiring_mid_sync_is_refreshed_and_the_sync_goes_on(
    setup: Setup,
) -> None:
    s = setup
    s.fake.set_faults("slow:15")  # time to expire the token between two requests
    start = s.fake.stats()["requests"]

    def expire_after_six_requests() -> None:
        deadline = time.monotonic() + 60
        while s.fake.stats()["requests"] < start + 6 and time.monotonic() < deadline:
            time.sleep(0.002)
        s.fake.expire_oauth()

    expirer = threading.Thread(target=expire_after_six_requests, daemon=True)
    expirer.start()
    report = s.ledger.sync(
        initial_backfill_days=DAYS + 1, streams=[*LEGACY_STREAMS, "spend_limits"]
    )
    expirer.join(timeout=30)
    assert report.is_ok, report
    oauth = s.fake.oauth_stats()
    assert (oauth["bearer_refused"], oauth["refreshes"]) == (1, 1), oauth
    streams = report.plans[0].streams
    # An OAuth token cannot read spend limits (403): that stream is skipped, the rest run.
    assert streams and all(r.status == "ok" for r in streams if r.stream != "spend_limits")
    assert [r.status for r in streams if r.stream == "spend_limits"] == ["skipped"]
    s.fake.set_faults("none")
    assert_matches_truth(s.ledger.dashboard(period=WINDOW, plan_ids=[s.plan.id]), s.fake, s.plan)
    # The rotated tokens were stored: a check needs no new refresh.
    s.ledger.check_plan(s.plan.id)
    assert s.fake.oauth_stats()["refreshes"] == 1
    assert_no_token_in(s.fake, s.db, report, report.to_json(), s.ledger.sync_history())


def test_a_401_is_followed_by_one_refresh_then_success(setup: Setup) -> None:
    s = setup
    s.fake.expire_oauth()
    assert s.ledger.check_plan(s.plan.id).id == s.fake.orgs[0].id
    oauth = s.fake.oauth_stats()
    assert (oauth["bearer_refused"], oauth["refreshes"]) == (1, 1), oauth
    report = sync(s.ledger)
    assert report.is_ok, report
    assert s.fake.oauth_stats()["refreshes"] == 1  # the stored tokens are the new ones

    # Within a minute of expiry by the ledger's clock, the token is refreshed before the
    # request is sent: no 401 this time.
    later = ledger_kwargs(s.db, s.fake, now_offset=timedelta(seconds=3600 - 30))
    with costledger.Ledger.open(**later) as ledger:
        ledger.check_plan(s.plan.id)
    oauth = s.fake.oauth_stats()
    assert (oauth["bearer_refused"], oauth["refreshes"]) == (1, 2), oauth
    assert oauth["reuse_detected"] == 0


def test_a_refused_refresh_puts_the_plan_in_error_saying_reconnect(setup: Setup) -> None:
    s = setup
    s.fake.expire_oauth()
    s.fake.set_oauth_faults("refuse_refresh")
    report = sync(s.ledger)
    (outcome,) = report.plans
    assert outcome.status == "error" and not report.is_ok
    assert outcome.error is not None
    assert outcome.error.code == "CREDENTIAL_REJECTED"
    assert "connect the plan again" in outcome.error.message
    plan = s.ledger.get_plan(s.plan.id)
    assert plan.status == "error"
    assert plan.last_error is not None and "signing in with OAuth" in plan.last_error
    with pytest.raises(costledger.CredentialRejectedError) as refused:
        s.ledger.check_plan(s.plan.id)
    assert refused.value.code == "CREDENTIAL_REJECTED"
    assert_no_token_in(s.fake, s.db, report, report.to_json(), refused.value, plan,
                       s.ledger.sync_history())  # fmt: skip

    # A new sign-in makes it active again; another organisation's tokens are refused.
    s.fake.set_oauth_faults("none")
    s.fake.set_oauth_account([s.fake.orgs[1].id])
    with pytest.raises(costledger.OrgMismatchError):
        s.ledger.rotate_plan_oauth(s.plan.id, sign_in(s.client))
    s.fake.set_oauth_account([s.fake.orgs[0].id])
    plan = s.ledger.rotate_plan_oauth(s.plan.id, sign_in(s.client))
    assert (plan.status, plan.key_hint) == ("active", "OAuth (org:admin)")
    assert sync(s.ledger).is_ok


_CHILD = """
import json, os, sys
from datetime import datetime
import costledger

a = json.loads(sys.argv[1])
ledger = costledger.Ledger.open(
    a["url"], postgres_schema=a["schema"], master_key=os.environ["CL_CHILD_MASTER_KEY"],
    anthropic_base_url=a["fake"], now=datetime.fromisoformat(a["now"]), request_interval=0,
)
print("READY", flush=True)
sys.stdin.readline()  # the parent starts both children at once
try:
    if a["what"] == "sync":
        report = ledger.sync(
            plan_id=a["plan"], initial_backfill_days=a["days"],
            streams=["metadata", "usage", "cost", "claude_code"],
        )
        print(json.dumps({"ok": report.is_ok, "status": report.plans[0].status}))
    else:
        print(json.dumps({"ok": True, "org": ledger.check_plan(a["plan"]).id}))
except costledger.CostLedgerError as e:
    print(json.dumps({"ok": False, "code": e.code, "message": str(e)}))
"""

_SQLITE_WRITE_LOCK = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
conn.execute("BEGIN IMMEDIATE")
print("LOCKED", flush=True)
sys.stdin.readline()
conn.execute("ROLLBACK")
conn.close()
"""


@contextmanager
def refreshes_held(db: Db, plan_id: int) -> Iterator[None]:
    """Hold, in a child process, the lock a refresh takes first (Postgres: the credential's
    row; SQLite: the database's write lock) until the block ends: refreshes wait, reads and
    requests go on. Both children then surely send the expired token before either can
    refresh, however the machine schedules them."""
    if db.sqlite_path is not None:
        command = [sys.executable, "-c", _SQLITE_WRITE_LOCK, str(db.sqlite_path)]
        take, release = "", "release\n"
    else:
        command = ["psql", db.url, "-qAtX", "-v", "ON_ERROR_STOP=1"]
        take = (
            f"SET search_path TO {db.schema};\nBEGIN;\n"
            f"SELECT plan_id FROM costledger_credentials WHERE plan_id = {plan_id} FOR UPDATE;\n"
            "\\echo LOCKED\n"
        )
        release = "ROLLBACK;\n"
    holder = subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert holder.stdin is not None and holder.stdout is not None
    try:
        holder.stdin.write(take)
        holder.stdin.flush()
        while (line := holder.stdout.readline()) != "LOCKED\n":
            assert line, holder.communicate(timeout=10)[1]
        yield
    finally:
        holder.communicate(release, timeout=60)
    assert holder.returncode == 0


def test_two_processes_refreshing_at_once_keep_the_newest_refresh_token(setup: Setup) -> None:
    s = setup
    s.fake.expire_oauth()
    # On Postgres one child syncs while the other checks the plan. On SQLite a sync's first
    # write (its lease) would wait for the held lock before its first request, so both check.
    whats = ("sync", "check") if s.db.schema is not None else ("check", "check")
    children = []
    for what in whats:
        args = {
            "url": s.db.url, "schema": s.db.schema, "fake": s.fake.base_url,
            "now": FAKE_NOW.isoformat(), "plan": s.plan.id, "days": DAYS + 1, "what": what,
        }  # fmt: skip
        children.append(subprocess.Popen(
            [sys.executable, "-c", _CHILD, json.dumps(args)],
            env={**os.environ, "CL_CHILD_MASTER_KEY": MASTER_KEY},
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        ))  # fmt: skip
    for child in children:  # both have opened the ledger
        assert child.stdout is not None
        ready = child.stdout.readline()
        assert ready == "READY\n", ready + child.communicate(timeout=60)[1]
    with refreshes_held(s.db, s.plan.id):
        for child in children:
            assert child.stdin is not None
            child.stdin.write("go\n")
            child.stdin.flush()
        # Both sent the expired token and were refused; now both wait to refresh.
        deadline = time.monotonic() + 60
        while s.fake.oauth_stats()["bearer_refused"] < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert s.fake.oauth_stats()["refreshes"] == 0
    results = []
    for child in children:
        out, err = child.communicate(timeout=300)
        assert child.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))
    org = s.fake.orgs[0].id
    expected = {"sync": {"ok": True, "status": "ok"}, "check": {"ok": True, "org": org}}
    assert results == [expected[w] for w in whats], results
    oauth = s.fake.oauth_stats()
    # Both were refused (the race happened), one rotated the tokens, the other adopted the
    # rotation: no refresh token was presented twice, so the grant lives on.
    assert oauth["bearer_refused"] == 2, oauth
    assert (oauth["refreshes"], oauth["reuse_detected"]) == (1, 0), oauth
    s.fake.expire_oauth()
    assert sync(s.ledger).is_ok
    assert s.fake.oauth_stats()["refreshes"] == 2


# --- disconnect -----------------------------------------------------------------------------


async def test_disconnect_revokes_and_survives_a_provider_that_is_down(
    kind: str, db: Db, fake: Fake
) -> None:
    client = costledger.OAuthClient(**client_kwargs(fake))
    ledger = await open_any(kind, **ledger_kwargs(db, fake))
    try:
        plan = await ledger.add_plan("OAuth org", oauth_tokens=sign_in(client))
        done = await ledger.disconnect_plan_reporting(plan.id)
        assert isinstance(done, costledger.Disconnected)
        assert done.revocation == costledger.Revocation(status="revoked")
        assert (done.plan.status, done.plan.key_hint) == ("disconnected", None)
        assert fake.oauth_stats()["revocations"] == 1
        assert credential_rows(db) == []

        # The organisation reconnects its plan; then the provider is down at disconnect:
        # reported, and the local credential is destroyed regardless.
        again = await ledger.add_plan("OAuth org", oauth_tokens=sign_in(client))
        assert again.id == plan.id and again.status == "active"
        fake.set_oauth_faults("down")
        done = await ledger.disconnect_plan_reporting(plan.id, purge=True)
        revocation = done.revocation
        assert (revocation.status, revocation.code) == ("failed", "UPSTREAM")
        assert revocation.message is not None and "503" in revocation.message
        assert done.plan.status == "disconnected"
        assert credential_rows(db) == []
        assert fake.oauth_stats()["revocations"] == 1
        fake.set_oauth_faults("none")

        # An admin-key plan has nothing to revoke; disconnect_plan still returns the plan.
        admin = await ledger.add_plan("Admin", admin_api_key=fake.orgs[2].admin_key)
        done = await ledger.disconnect_plan_reporting(admin.id)
        assert done.revocation == costledger.Revocation(status="not_applicable")
        assert (await ledger.disconnect_plan(admin.id)).status == "disconnected"
        with pytest.raises(costledger.NotFoundError):
            await ledger.disconnect_plan_reporting(999)
        plans = await ledger.list_plans(include_disconnected=True)
        assert_no_token_in(fake, db, done, revocation, plans)
    finally:
        await ledger.close()
