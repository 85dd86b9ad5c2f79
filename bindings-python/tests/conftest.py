"""Fixtures: the fake Admin API as a process, a fresh database per test on SQLite and
Postgres, and both ledger classes behind one awaitable interface.

Environment:
    COSTLEDGER_FAKE_ADMIN_API: path of the fake-admin-api binary (default
        ``<repo>/target/debug/fake-admin-api``).
    COSTLEDGER_TEST_DATABASE_URL: the Postgres test database; Postgres cases are skipped
        without it unless COSTLEDGER_REQUIRE_POSTGRES=1, which makes them fail instead.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import subprocess
import sys
import urllib.request
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

import costledger

REPO = Path(__file__).resolve().parents[2]
FAKE_NOW = datetime(2026, 11, 20, tzinfo=timezone.utc)
FAKE_DAYS = 90
MASTER_KEY = costledger.generate_master_key()


@dataclass
class Org:
    id: str
    name: str
    admin_key: str


class Fake:
    """The fake Admin API process and its control endpoints."""

    def __init__(self, process: subprocess.Popen[str], port: int, orgs: list[Org]) -> None:
        self.process = process
        self.base_url = f"http://127.0.0.1:{port}"
        self.orgs = orgs
        self.now = FAKE_NOW

    def _request(self, method: str, path: str, body: str | None = None) -> Any:
        data = None if body is None else body.encode()
        request = urllib.request.Request(self.base_url + path, data=data, method=method)
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())

    def truth(self) -> dict[str, Any]:
        return self._request("GET", "/_fake/truth")  # type: ignore[no-any-return]

    def billed_nanos(self, start: datetime, end: datetime) -> dict[str, int]:
        """Each org's billed cost in ``[start, end)``, nanodollars, by org id."""
        query = f"?starting_at={start:%Y-%m-%dT%H:%M:%SZ}&ending_at={end:%Y-%m-%dT%H:%M:%SZ}"
        truth = self._request("GET", "/_fake/truth" + query)
        return {o["org_id"]: int(o["cost_total_nanos"]) for o in truth["orgs"]}

    def analytics_net_nanos(self, start: datetime, end: datetime) -> dict[str, int]:
        """Each org's Analytics API net cost in ``[start, end)``, nanodollars, by org id: what
        a sync of the default streams bills the days it covers with."""
        query = f"?starting_at={start:%Y-%m-%dT%H:%M:%SZ}&ending_at={end:%Y-%m-%dT%H:%M:%SZ}"
        truth = self._request("GET", "/_fake/truth" + query)
        return {o["org_id"]: int(o["analytics"]["net_total_nanos"]) for o in truth["orgs"]}

    def set_faults(self, faults: str) -> None:
        self._request("POST", "/_fake/faults", faults)

    def new_admin_key(self, org_id: str) -> str:
        return self._request("POST", "/_fake/admin_keys", org_id)["admin_key"]  # type: ignore[no-any-return]

    def revoke(self, admin_key: str) -> None:
        assert self._request("POST", "/_fake/revoke", admin_key)["revoked"] is True

    def stats(self) -> dict[str, Any]:
        """Admin API request counts: ``requests``, and ``by_key`` per credential sent."""
        return self._request("GET", "/_fake/stats")  # type: ignore[no-any-return]

    def oauth_stats(self) -> dict[str, int]:
        """What the authorization server did: ``refreshes``, ``bearer_refused``, …"""
        return self._request("GET", "/_fake/oauth")["stats"]  # type: ignore[no-any-return]

    def set_oauth_faults(self, faults: str) -> None:
        """``refuse_refresh``, ``down``, both comma-separated, or ``none``."""
        self._request("POST", "/_fake/oauth/faults", faults)

    def expire_oauth(self, what: str = "access") -> None:
        """Expire every access token (``access``) or unexchanged code (``codes``) issued."""
        self._request("POST", "/_fake/oauth/expire", what)

    def set_oauth_account(self, org_ids: list[str]) -> None:
        """The organisations the next sign-ins reach, the first being the tokens' own."""
        self._request("POST", "/_fake/oauth/account", json.dumps(org_ids))


@pytest.fixture(scope="session")
def fake() -> Iterator[Fake]:
    with running_fake(FAKE_DAYS) as started:
        yield started


@contextmanager
def running_fake(days: int) -> Iterator[Fake]:
    """A fake Admin API process of its own (3 orgs, seed 7, ``days`` of data up to
    ``FAKE_NOW``), for tests that change its state; stopped on exit."""
    binary = os.environ.get("COSTLEDGER_FAKE_ADMIN_API") or str(
        REPO / "target" / "debug" / "fake-admin-api"
    )
    if not Path(binary).exists():
        pytest.fail(f"{binary} not found: run `cargo build -p fake-admin-api` first")
    process = subprocess.Popen(
        [binary, "--port", "0", "--seed", "7", "--orgs", "3", "--days", str(days),
         "--now", FAKE_NOW.strftime("%Y-%m-%dT%H:%M:%SZ")],
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    assert process.stdout is not None
    listening = process.stdout.readline().split()
    assert listening[0] == "LISTENING", listening
    orgs = [Org(**o) for o in json.loads(process.stdout.readline())["orgs"]]
    try:
        yield Fake(process, int(listening[1]), orgs)
    finally:
        process.terminate()
        process.wait(timeout=10)


_schemas = itertools.count()

_SQLITE_QUERY = """
import json, sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
try:
    rows = [[str(v) for v in row] for row in conn.execute(sys.argv[2])]
    conn.commit()
    print(json.dumps(rows))
finally:
    conn.close()
"""


@dataclass
class Db:
    """One test's database: a SQLite file, or a fresh schema of the Postgres database."""

    backend: str
    url: str
    schema: str | None
    sqlite_path: Path | None

    def query(self, sql: str) -> list[tuple[str, ...]]:
        """Rows of a query run directly on the database, as text."""
        if self.sqlite_path is not None:
            # In a child process: Python's sqlite3 is another copy of SQLite than the one in
            # costledger's native module, and two copies in one process break each other's
            # POSIX locks on the same file (closing one's descriptor drops the other's locks)
            # and can fault on the WAL index they both map.
            out = subprocess.run(
                [sys.executable, "-c", _SQLITE_QUERY, str(self.sqlite_path), sql],
                check=True, capture_output=True, text=True,
            )  # fmt: skip
            return [tuple(row) for row in json.loads(out.stdout)]
        out = subprocess.run(
            ["psql", self.url, "-qAtX", "-F", "\t", "-c", f"SET search_path TO {self.schema}; {sql}"],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        return [tuple(line.split("\t")) for line in out.stdout.splitlines() if line]


def _postgres_url() -> str | None:
    url = os.environ.get("COSTLEDGER_TEST_DATABASE_URL", "").strip()
    if url:
        return url
    if os.environ.get("COSTLEDGER_REQUIRE_POSTGRES") == "1":
        pytest.fail("COSTLEDGER_TEST_DATABASE_URL is unset but COSTLEDGER_REQUIRE_POSTGRES=1")
    pytest.skip("COSTLEDGER_TEST_DATABASE_URL is not set")


@pytest.fixture(params=["sqlite", "postgres"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Db]:
    if request.param == "sqlite":
        path = tmp_path / "ledger.db"
        yield Db("sqlite", f"sqlite://{path}", None, path)
        return
    url = _postgres_url()
    assert url is not None
    schema = f"cltest_py_{os.getpid()}_{next(_schemas)}"
    try:
        yield Db("postgres", url, schema, None)
    finally:
        subprocess.run(
            ["psql", url, "-qAtX", "-c", f"DROP SCHEMA IF EXISTS {schema} CASCADE"],
            check=True, capture_output=True,
        )  # fmt: skip


@pytest.fixture
def open_kwargs(db: Db, fake: Fake) -> dict[str, Any]:
    """Ledger.open arguments for this test's database, pointed at the fake."""
    return {
        "database_url": db.url,
        "postgres_schema": db.schema,
        "master_key": MASTER_KEY,
        "anthropic_base_url": fake.base_url,
        "now": fake.now,
        "request_interval": 0,
        "retry_backoff": 0.01,
    }


class Blocking:
    """A blocking Ledger seen through awaitable methods: each call runs in a thread (so the
    test also proves the GIL is released), and results are the same as AsyncLedger's."""

    def __init__(self, ledger: costledger.Ledger) -> None:
        self.ledger = ledger

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.ledger, name)
        if not callable(attr):
            return attr

        async def call(*args: Any, **kwargs: Any) -> Any:
            return await asyncio.to_thread(attr, *args, **kwargs)

        return call


async def open_any(kind: str, **kwargs: Any) -> Any:
    """Open a ledger of either class; the result's methods are all awaitable."""
    if kind == "async":
        return await costledger.AsyncLedger.open(**kwargs)
    return Blocking(await asyncio.to_thread(lambda: costledger.Ledger.open(**kwargs)))


@pytest.fixture(params=["blocking", "async"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest_asyncio.fixture
async def ledger(kind: str, open_kwargs: dict[str, Any]) -> AsyncIterator[Any]:
    """A ledger of each class on each backend; every method awaitable."""
    handle = await open_any(kind, **open_kwargs)
    try:
        yield handle
    finally:
        await handle.close()


async def add_and_sync(ledger: Any, fake: Fake, days: int = 60) -> list[costledger.Plan]:
    """Add every org of the fake as a plan and sync their metadata, usage and cost."""
    plans = [await ledger.add_plan(o.name, admin_api_key=o.admin_key) for o in fake.orgs]
    report = await ledger.sync(streams=["metadata", "usage", "cost"], initial_backfill_days=days)
    assert report.is_ok, report
    return plans
