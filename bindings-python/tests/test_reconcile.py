"""``Ledger.reconcile`` and its AsyncLedger twin on SQLite and Postgres: after syncing the legacy
streams and the Analytics API, a day's three columns and differences equal the fake's truth."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

import costledger
from conftest import Fake

STREAMS = ["metadata", "usage", "cost", "analytics"]
DAY = "2026-11-18"


def dollars(nanos: int) -> Decimal:
    return Decimal(nanos) / Decimal(10**9)


async def test_a_day_reconciles_with_the_truth(ledger: Any, fake: Fake) -> None:
    plan = await ledger.add_plan("Org 1", admin_api_key=fake.orgs[0].admin_key)
    report = await ledger.sync(initial_backfill_days=4, streams=STREAMS)
    assert report.is_ok, report
    lines = await ledger.reconcile(date(2026, 11, 17), date(2026, 11, 19))
    assert [(x.plan_id, x.day) for x in lines] == [
        (plan.id, date(2026, 11, 17)), (plan.id, date(2026, 11, 18))
    ]  # fmt: skip
    line = lines[1]
    assert isinstance(line, costledger.ReconcileLine)
    org = next(o for o in fake.truth()["orgs"] if o["org_id"] == fake.orgs[0].id)
    analytics = next(r for r in org["analytics"]["by_day"] if r["day"] == DAY)
    rows = [r for r in org["cost"] if r["day"] == DAY]
    code = sum(r["amount_nanos"] for r in rows if r["cost_type"] == "code_execution")
    residual = org["analytics"]["legacy_rounding_residual_by_day"][DAY]
    assert (line.status, line.analytics_state, line.legacy_state) == (
        "reconciled", "complete", "complete"
    )  # fmt: skip
    assert line.analytics_net == dollars(analytics["net_nanos"])
    assert line.analytics_list == dollars(analytics["list_nanos"])
    assert line.legacy == dollars(org["cost_per_day"][DAY])
    assert line.unallocated == dollars(code)
    assert line.allocated == dollars(org["cost_per_day"][DAY] - code)
    assert line.rounding == dollars(residual)
    assert (line.priority_tier, line.late) == (Decimal(0), None)
    assert line.analytics_list - line.discount == line.analytics_net  # type: ignore[operator]

    assert await ledger.reconcile(
        date(2026, 11, 18), date(2026, 11, 19), plan_ids=[plan.id]
    ) == [line]  # fmt: skip
    with pytest.raises(costledger.InvalidInputError):
        await ledger.reconcile(date(2026, 11, 19), date(2026, 11, 18))
    with pytest.raises(costledger.NotFoundError):
        await ledger.reconcile(date(2026, 11, 18), date(2026, 11, 19), plan_ids=[999])
