"""Budgets of Ledger and AsyncLedger, on SQLite and Postgres: every scope form, status against
the dashboard, alerts in a sync report, exports, not-found codes."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

import costledger
from conftest import Fake, add_and_sync


async def test_budget_crud_and_scopes(ledger: Any, fake: Fake) -> None:
    plans = await add_and_sync(ledger, fake, days=3)
    metadata = await ledger.plan_metadata(plans[0].id)
    workspace = metadata.workspaces[0].id
    await ledger.upsert_subject("u-1")
    project = await ledger.create_project("u-1", "Robots")
    scopes = {
        "global": costledger.BudgetScope("global"),
        f"plan:{plans[0].id}": costledger.BudgetScope("plan", plan_id=plans[0].id),
        f"workspace:{plans[0].id}:default": costledger.BudgetScope(
            "workspace", plan_id=plans[0].id
        ),
        f"workspace:{plans[0].id}:{workspace}": costledger.BudgetScope(
            "workspace", plan_id=plans[0].id, workspace_id=workspace
        ),
        "subject:u-1": costledger.BudgetScope("subject", subject_id="u-1"),
        f"project:{project.id}": costledger.BudgetScope("project", project_id=project.id),
    }
    created = []
    for text, scope in scopes.items():
        budget = await ledger.create_budget(f"on {text}", scope=text, amount=Decimal("12.5"))
        assert isinstance(budget, costledger.Budget)
        assert budget.scope == scope and str(budget.scope) == text
        assert (budget.amount, budget.period, budget.time_zone, budget.thresholds) == (
            Decimal("12.5"), "month", "UTC", (50, 80, 100),
        )  # fmt: skip
        created.append(budget)
    # A scope a budget returned is accepted as it is.
    weekly = await ledger.create_budget(
        "weekly", scope=created[1].scope, amount="7.25", period="week",
        time_zone="europe/paris", thresholds=[90],
    )  # fmt: skip
    assert (weekly.period, weekly.time_zone, weekly.thresholds) == ("week", "Europe/Paris", (90,))
    assert [b.id for b in await ledger.list_budgets()] == [b.id for b in created] + [weekly.id]
    assert await ledger.get_budget(weekly.id) == weekly

    changed = await ledger.update_budget(weekly.id, name="daily", amount=3, period="day",
                                         thresholds=())  # fmt: skip
    assert (changed.name, changed.amount, changed.period, changed.thresholds) == (
        "daily", Decimal(3), "day", (),
    )  # fmt: skip
    assert changed.scope == weekly.scope and changed.time_zone == "Europe/Paris"
    await ledger.delete_budget(weekly.id)

    gone = weekly.id
    calls = [ledger.get_budget(gone), ledger.delete_budget(gone),
             ledger.update_budget(gone, name="x"), ledger.budget_status(gone)]  # fmt: skip
    for call in calls:
        with pytest.raises(costledger.NotFoundError) as missing:
            await call
        assert missing.value.code == "BUDGET_NOT_FOUND"
    not_found = [("plan:999", "PLAN_NOT_FOUND"), ("subject:nobody", "SUBJECT_NOT_FOUND"),
                 ("project:999", "PROJECT_NOT_FOUND")]  # fmt: skip
    for scope_text, code in not_found:
        with pytest.raises(costledger.NotFoundError) as missing:
            await ledger.create_budget("x", scope=scope_text, amount=1)
        assert missing.value.code == code
    invalid: list[tuple[dict[str, Any], str]] = [
        ({"scope": "team:1"}, "budget scope must be global, plan:ID"),
        ({"amount": 0}, "amount"),
        ({"amount": "ten"}, ""),
        ({"period": "year"}, "budget period must be one of day, week, month"),
        ({"time_zone": "Mars/Olympus"}, "IANA"),
        ({"thresholds": [80, 50]}, "increasing"),
        ({"thresholds": [-5]}, "thresholds must be percents of 1-1000, got -5"),
        ({"scope": f"workspace:{plans[0].id}:wrkspc_nope"}, "wrkspc_nope"),
    ]
    for change, message in invalid:
        args = {"scope": "global", "amount": 5, **change}
        with pytest.raises(costledger.InvalidInputError) as refused:
            await ledger.create_budget("bad", **args)
        assert message in str(refused.value), change


async def test_status_alerts_and_exports(ledger: Any, fake: Fake) -> None:
    plans = [await ledger.add_plan(o.name, admin_api_key=o.admin_key) for o in fake.orgs]
    small = await ledger.create_budget("small", scope=f"plan:{plans[0].id}", amount="0.01")
    huge = await ledger.create_budget("huge", scope="global", amount=10**9, thresholds=[50])
    report = await ledger.sync(streams=["metadata", "usage", "cost"], initial_backfill_days=30)
    assert report.is_ok
    alerts = [a for a in report.budget_alerts if a.budget_id == small.id]
    assert [a.threshold for a in alerts] == [50, 80, 100]
    assert all(isinstance(a, costledger.BudgetAlert) for a in alerts)
    assert alerts[0].period == costledger.Period(date(2026, 11, 1), date(2026, 12, 1), "UTC")
    assert alerts[0].amount == Decimal("0.01") and alerts[0].spent > alerts[0].amount
    assert not [a for a in report.budget_alerts if a.budget_id == huge.id]
    # The sync report exports its alerts too.
    rows = list(csv.DictReader(io.StringIO(report.to_csv())))
    assert {r["threshold"] for r in rows if r["section"] == "budget_alert"} == {"50", "80", "100"}
    assert len(json.loads(report.to_json())["budget_alerts"]) == 3
    # Each threshold alerts once per period.
    again = await ledger.sync(streams=["usage"])
    assert again.budget_alerts == ()

    november = await ledger.dashboard(period="2026-11", plan_ids=[plans[0].id])
    status = await ledger.budget_status(small.id)
    assert isinstance(status, costledger.BudgetStatus)
    assert status.spent.usage == november.totals.usage and status.spent.subscription == 0
    assert status.remaining == small.amount - status.spent.usage
    assert status.thresholds_crossed == (50, 80, 100) and status.percent_used > 100
    assert status.forecast.spent == status.spent.usage
    assert status.period == november.period and status.budget == small

    statuses = await ledger.budget_statuses()
    assert [s.budget.id for s in statuses] == [small.id, huge.id]
    assert isinstance(statuses, costledger.ReportList) and isinstance(statuses, list)
    status_rows = list(csv.DictReader(io.StringIO(statuses.to_csv())))
    assert [r["budget.name"] for r in status_rows] == ["small", "huge"]
    assert [s["budget"]["id"] for s in json.loads(statuses.to_json())] == [small.id, huge.id]
    assert json.loads(status.to_json())["budget"]["name"] == "small"
    assert status.to_csv().splitlines()[1].split(",")[:2] == [str(small.id), "small"]
    budgets = await ledger.list_budgets()
    assert budgets.to_csv().splitlines()[0].startswith("id,name,scope.kind")
    assert json.loads(small.to_json())["amount"] == "0.01"
    assert (await ledger.get_budget(small.id)).to_csv().count("\r\n") == 2
