"""verify() of Ledger and AsyncLedger, on SQLite and Postgres: a consistent ledger verifies
clean, a stored rollup changed behind the library's back is found to the nanodollar, and
``repair=True`` fixes it."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

import costledger
from conftest import Db, Fake, add_and_sync


async def test_verify_finds_and_repairs_a_corrupted_rollup(
    ledger: Any, db: Db, fake: Fake
) -> None:
    plans = await add_and_sync(ledger, fake, days=10)
    clean = await ledger.verify()
    assert isinstance(clean, costledger.VerifyReport)
    assert clean.differences == 0 and clean.is_consistent and not clean.repair
    assert [p.plan_id for p in clean.plans] == [p.id for p in plans]
    assert all(p.days_checked >= 10 and p.stale_days == 0 for p in clean.plans)

    (row,) = db.query(
        "SELECT plan_id, day FROM costledger_cost_daily ORDER BY plan_id, day, dim_id, basis LIMIT 1"
    )
    db.query(
        "UPDATE costledger_cost_daily SET amount_nanos = amount_nanos + 1 "
        "WHERE (plan_id, day, dim_id, basis) IN (SELECT plan_id, day, dim_id, basis "
        "FROM costledger_cost_daily ORDER BY plan_id, day, dim_id, basis LIMIT 1)"
    )
    found = await ledger.verify(plan_id=int(row[0]))
    assert found.differences == 2 and not found.is_consistent  # the day, and its month
    (plan,) = found.plans
    (day,) = plan.days
    assert day.tables == ("cost_daily",)
    assert day.stored_daily.usage - day.recomputed.usage == Decimal("0.000000001")
    assert day.stored == day.recomputed and not day.repaired and not day.stale
    (month,) = plan.months
    assert month.tables == ("cost_monthly",)
    assert month.month == date(day.date.year, day.date.month, 1)

    one_day = (day.date, day.date + timedelta(days=1))
    narrow = await ledger.verify(plan_id=int(row[0]), start=one_day[0], end=one_day[1])
    assert narrow.plans[0].days_checked == 1 and len(narrow.plans[0].days) == 1

    repaired = await ledger.verify(repair=True)
    assert repaired.repair and repaired.differences == 2 and repaired.is_consistent
    assert all(d.repaired for p in repaired.plans for d in p.days)
    assert (await ledger.verify()).differences == 0

    with pytest.raises(costledger.InvalidInputError, match="both start and end"):
        await ledger.verify(start=date(2026, 11, 1))
    with pytest.raises(costledger.NotFoundError):
        await ledger.verify(plan_id=999)
