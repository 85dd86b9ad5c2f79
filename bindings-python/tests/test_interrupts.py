"""A sync stopped from Python: Ctrl-C during a blocking ``Ledger.sync()`` and a cancelled
``AsyncLedger.sync()`` task stop it gracefully (interrupted events, leases released, the next
sync not held back), on SQLite and Postgres."""

from __future__ import annotations

import asyncio
import os
import signal
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

import costledger
from conftest import Db, Fake


# The syncs below run against a fake that answers each request after 250 ms and cover 60
# days. Once the fake has answered usage pages, every later request is held for a minute
# (hold_after_usage_pages), so however slowly this machine polls, the sync is still running
# when a committed page is seen and the interruption lands.
def committed_a_page(db: Db) -> bool:
    return int(db.query("SELECT COUNT(*) FROM costledger_sync_state")[0][0]) > 0


def usage_pages(fake: Fake) -> int:
    """Usage pages the fake has served since it started (it serves other tests too)."""
    return int(fake.stats()["by_endpoint"].get("usage_report/messages", 0))


def hold_after_usage_pages(fake: Fake, db: Db, served_before: int) -> None:
    """Wait until the fake has served a few usage pages more than ``served_before``, then
    hold every later request, and wait until a page is committed (the answers already on
    their way still arrive)."""
    wait_until("usage pages are served", lambda: usage_pages(fake) >= served_before + 3)
    fake.set_faults("slow:60000")
    wait_until("a page is committed", lambda: committed_a_page(db))


def wait_until(what: str, check: Any) -> None:
    deadline = time.monotonic() + 60
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        time.sleep(0.02)


def assert_interrupted_and_released(ledger: costledger.Ledger, db: Db, plans: list[Any]) -> None:
    assert db.query("SELECT COUNT(*) FROM costledger_sync_leases") == [("0",)]
    for plan in plans:
        (event,) = ledger.sync_history(plan_id=plan.id, stream="plan")
        assert event.status == "interrupted"
        assert event.error_code == "INTERRUPTED"
    again = ledger.sync(initial_backfill_days=10, streams=["metadata", "usage", "cost"])
    assert [p.status for p in again.plans] == ["ok"] * len(plans), again


@pytest.fixture
def ctrl_c_raises() -> Iterator[None]:
    """SIGINT raising KeyboardInterrupt, as in any interactive Python. A shell starts the
    commands it runs in the background (`cmd &`, as scripts/test.sh runs the suites side by
    side) with SIGINT ignored, and Python then leaves it ignored."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@pytest.mark.usefixtures("ctrl_c_raises")
def test_ctrl_c_stops_a_blocking_sync_gracefully(
    open_kwargs: dict[str, Any], db: Db, fake: Fake
) -> None:
    with costledger.Ledger.open(**open_kwargs) as ledger:
        plans = [ledger.add_plan(o.name, admin_api_key=o.admin_key) for o in fake.orgs[:2]]

        served_before = usage_pages(fake)

        def interrupt_after_a_page() -> None:
            hold_after_usage_pages(fake, db, served_before)
            os.kill(os.getpid(), signal.SIGINT)

        fake.set_faults("slow:250")
        try:
            killer = threading.Thread(target=interrupt_after_a_page)
            killer.start()
            with pytest.raises(KeyboardInterrupt):
                ledger.sync(initial_backfill_days=60, streams=["metadata", "usage", "cost"])
            killer.join()
        finally:
            fake.set_faults("")
        assert_interrupted_and_released(ledger, db, plans)


def test_cancelling_an_async_sync_stops_it_gracefully(
    open_kwargs: dict[str, Any], db: Db, fake: Fake
) -> None:
    async def scenario() -> list[Any]:
        ledger = await costledger.AsyncLedger.open(**open_kwargs)
        plans = [await ledger.add_plan(o.name, admin_api_key=o.admin_key) for o in fake.orgs[:2]]
        fake.set_faults("slow:250")
        served_before = usage_pages(fake)
        try:
            task = asyncio.ensure_future(
                ledger.sync(initial_backfill_days=60, streams=["metadata", "usage", "cost"])
            )
            await asyncio.to_thread(hold_after_usage_pages, fake, db, served_before)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            # The graceful stop finished before the cancellation was raised.
            assert db.query("SELECT COUNT(*) FROM costledger_sync_leases") == [("0",)]
        finally:
            fake.set_faults("")
        await ledger.close()
        return plans

    plans = asyncio.run(scenario())
    with costledger.Ledger.open(**open_kwargs) as ledger:
        assert_interrupted_and_released(ledger, db, plans)
