"""sync and sync_history of Ledger and AsyncLedger, on SQLite and Postgres, against the fake:
exact totals, concurrency and leases, failures reported per plan, option checks."""

from __future__ import annotations

import asyncio
import json
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

import costledger
from conftest import FAKE_DAYS, Fake

TOKENS = {
    "uncached_input_tokens": "uncached_input",
    "cache_creation_ephemeral_5m_input_tokens": "cache_write_5m",
    "cache_creation_ephemeral_1h_input_tokens": "cache_write_1h",
    "cache_read_input_tokens": "cache_read",
    "output_tokens": "output",
    "web_search_requests": "web_search_requests",
}
TRUTH_STREAMS = ["metadata", "usage", "cost"]


async def stored_totals(ledger: Any, fake: Fake, plan_id: int) -> tuple[dict[str, int], Decimal]:
    """Token totals and billed cost of a plan over the fake's whole window, from the
    dashboard (per model tokens, the plan's billed line)."""
    start = fake.now.date() - timedelta(days=FAKE_DAYS)
    dash = await ledger.dashboard(period=(start, fake.now.date()), plan_ids=[plan_id])
    tokens = {
        truth_name: sum(getattr(m.tokens, name) for m in dash.per_model)
        for truth_name, name in TOKENS.items()
    }
    (line,) = dash.per_plan
    return tokens, line.cost.billed


async def test_sync_stores_the_exact_truth(ledger: Any, fake: Fake) -> None:
    plans = [await ledger.add_plan(o.name, admin_api_key=o.admin_key) for o in fake.orgs]
    report = await ledger.sync(initial_backfill_days=FAKE_DAYS, streams=TRUTH_STREAMS)
    assert isinstance(report, costledger.SyncReport)
    assert report.is_ok, report
    assert report.budget_alerts == ()
    assert [p.plan_id for p in report.plans] == [p.id for p in plans]
    for outcome in report.plans:
        usage = outcome.stream("usage")
        assert usage is not None and usage.status == "ok"
        assert usage.buckets_written == FAKE_DAYS * 24
        assert usage.window_end == fake.now
        assert usage.requests > 0 and usage.duration >= timedelta(0)
        cost = outcome.stream("cost")
        assert cost is not None and cost.buckets_written == FAKE_DAYS
    # The core's sums, as its JSON carries them: each plan's adds its streams'.
    assert report.rows_written == sum(p.rows_written for p in report.plans) > 0
    for outcome in report.plans:
        assert outcome.rows_written == sum(s.rows_written for s in outcome.streams)
    exported = json.loads(report.to_json())
    assert (exported["ok"], exported["rows_written"]) == (True, report.rows_written)

    truth = {org["org_id"]: org for org in fake.truth()["orgs"]}
    for plan in plans:
        tokens, billed = await stored_totals(ledger, fake, plan.id)
        assert tokens == truth[plan.org_id]["usage_totals"]
        assert billed == Decimal(truth[plan.org_id]["cost_total_nanos"]).scaleb(-9)
        assert (await ledger.get_plan(plan.id)).last_synced_at is not None

    events = await ledger.sync_history(plan_id=plans[0].id)
    assert [e.id for e in events] == sorted((e.id for e in events), reverse=True)
    by_stream = {e.stream: e for e in events}
    assert set(TRUTH_STREAMS) <= set(by_stream)
    assert all(isinstance(e, costledger.SyncEvent) and e.status == "ok" for e in events)
    assert by_stream["usage"].buckets_written == FAKE_DAYS * 24
    assert by_stream["usage"].plan_id == plans[0].id
    assert by_stream["usage"].window_end == fake.now
    only_usage = await ledger.sync_history(stream="usage", status="ok", limit=2)
    assert [e.stream for e in only_usage] == ["usage", "usage"]
    older = await ledger.sync_history(before_id=events[0].id, plan_id=plans[0].id)
    assert [e.id for e in older] == [e.id for e in events[1:]]
    assert await ledger.sync_history(status="error") == []


async def test_backfill_daily_width_and_options(ledger: Any, fake: Fake) -> None:
    plan = await ledger.add_plan("Prod", admin_api_key=fake.orgs[0].admin_key)
    report = await ledger.sync(
        plan_id=plan.id, streams=["usage"], usage_width="1d",
        backfill=(date(2026, 11, 1), datetime(2026, 11, 8, tzinfo=timezone.utc)),
        concurrency=1, usage_lookback_days=1, lease_ttl=timedelta(seconds=30),
    )  # fmt: skip
    usage = report.plan(plan.id).stream("usage")
    assert (usage.window_start, usage.buckets_written) == (
        datetime(2026, 11, 1, tzinfo=timezone.utc),
        7,
    )
    assert report.plan(999) is None

    bad: list[tuple[dict[str, Any], str]] = [
        ({"concurrency": 0}, "concurrency must be between 1 and 64, got 0"),
        ({"concurrency": -2}, "concurrency must be a positive number of plans, got -2"),
        ({"usage_width": "1m"}, "usage width must be 1h or 1d"),
        ({"streams": ["usage", "bogus"]}, "sync stream must be one of metadata, usage"),
        ({"backfill": (datetime(2026, 11, 2), date(2026, 11, 3))}, "must be timezone-aware"),
        ({"backfill": (date(2026, 11, 3), date(2026, 11, 2))}, "backfill range must end after"),
        ({"initial_backfill_days": -1}, "between 0 and 3660 days"),
    ]
    for options, message in bad:
        with pytest.raises(costledger.InvalidInputError) as refused:
            await ledger.sync(**options)
        assert message in str(refused.value), options
    with pytest.raises(costledger.NotFoundError):
        await ledger.sync(plan_id=999)
    await ledger.disconnect_plan(plan.id)
    with pytest.raises(costledger.InvalidInputError) as disconnected:
        await ledger.sync(plan_id=plan.id)
    assert "is disconnected" in str(disconnected.value)


async def test_a_failing_plan_is_reported_not_raised(ledger: Any, fake: Fake) -> None:
    key = fake.new_admin_key(fake.orgs[1].id)
    good = await ledger.add_plan("Good", admin_api_key=fake.orgs[0].admin_key)
    doomed = await ledger.add_plan("Doomed", admin_api_key=key)
    fake.revoke(key)
    report = await ledger.sync(streams=["metadata"])
    assert not report.is_ok
    assert report.plan(good.id).status == "ok"
    failed = report.plan(doomed.id)
    assert failed.status == "error"
    assert isinstance(failed.error, costledger.SyncFailure)
    assert failed.error.code == "CREDENTIAL_REJECTED"
    for text in (repr(report), str(report), failed.error.message):
        assert key not in text
    plan = await ledger.get_plan(doomed.id)
    assert plan.status == "error" and plan.last_error and key not in plan.last_error
    errors = await ledger.sync_history(plan_id=doomed.id, status="error")
    assert errors and errors[0].error_code == "CREDENTIAL_REJECTED"


@pytest.mark.parametrize("kind", ["async"])
async def test_concurrent_syncs_with_gather(ledger: Any, fake: Fake) -> None:
    plans = [await ledger.add_plan(o.name, admin_api_key=o.admin_key) for o in fake.orgs]
    # Different plans sync side by side.
    reports = await asyncio.gather(
        *(ledger.sync(plan_id=p.id, streams=["metadata", "usage"], initial_backfill_days=3) for p in plans)
    )
    assert [r.plans[0].status for r in reports] == ["ok"] * 3
    # The same plan twice at once: the second finds the lease held and skips (each request
    # answered after 100 ms, so the first still holds it on a loaded machine).
    fake.set_faults("slow:100")
    try:
        same = await asyncio.gather(
            ledger.sync(plan_id=plans[0].id, streams=["usage"]),
            ledger.sync(plan_id=plans[0].id, streams=["usage"]),
        )
    finally:
        fake.set_faults("")
    ok, skipped = sorted((r.plans[0] for r in same), key=lambda p: p.status)
    assert (ok.status, ok.skipped_reason) == ("ok", None)
    assert skipped.status == "skipped" and skipped.streams == ()
    assert skipped.skipped_reason is not None and skipped.skipped_reason.startswith("locked")


async def test_retries_through_faults(ledger: Any, fake: Fake) -> None:
    plan = await ledger.add_plan("Prod", admin_api_key=fake.orgs[0].admin_key)
    fake.set_faults("429:2:0.01")
    try:
        report = await ledger.sync(plan_id=plan.id, streams=["usage"], initial_backfill_days=10)
    finally:
        fake.set_faults("")
    usage = report.plans[0].stream("usage")
    assert usage.status == "ok" and usage.retries > 0 and usage.buckets_written == 240
