"""user_costs, dashboard, forecast and focus_export of Ledger and AsyncLedger, on SQLite and
Postgres: the numbers against the fake's truth, periods in every accepted form, exports and
DataFrames."""

from __future__ import annotations

import csv
import io
import json
import sys
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any

import pytest

import costledger
from conftest import Fake, add_and_sync

NANO = Decimal("1e-9")
OCT = (datetime(2026, 10, 1, tzinfo=timezone.utc), datetime(2026, 11, 1, tzinfo=timezone.utc))


def dollars(nanos: int) -> Decimal:
    return Decimal(nanos) * NANO


async def test_dashboard_billed_equals_the_truth(ledger: Any, fake: Fake) -> None:
    plans = await add_and_sync(ledger, fake)
    truth = fake.billed_nanos(*OCT)
    dash = await ledger.dashboard(period="2026-10")
    assert isinstance(dash, costledger.Dashboard)
    assert dash.period == costledger.Period(date(2026, 10, 1), date(2026, 11, 1), "UTC")
    assert dash.totals.billed == dollars(sum(truth.values()))
    assert dash.totals.billed == (
        dash.totals.billed_per_key + dash.totals.allocated + dash.totals.unallocated
    )
    assert dash.totals.total == (dash.totals.billed + dash.totals.estimated
                                 + dash.totals.subscription)  # fmt: skip
    assert isinstance(dash.totals.billed, Decimal) and float(dash.totals) > 0
    by_plan = {line.plan_id: line for line in dash.per_plan}
    for plan in plans:
        assert by_plan[plan.id].cost.billed == dollars(truth[plan.org_id])
        assert by_plan[plan.id].label == plan.label and by_plan[plan.id].provider == "anthropic"
    assert len(dash.per_day) == 31 and dash.per_day[0].date == date(2026, 10, 1)
    assert sum((d.cost.billed for d in dash.per_day), Decimal(0)) == dash.totals.billed
    assert dash.daily is dash.per_day  # the name before, kept as an alias
    assert sum((m.cost.total for m in dash.per_model), Decimal(0)) == dash.totals.total
    assert all(m.tokens.output > 0 for m in dash.per_model if m.model)
    # Nobody is a subject yet: everything is unattributed.
    assert dash.top_subjects == () and dash.unattributed.usage == dash.totals.usage

    # One plan, and one workspace of it.
    only = await ledger.dashboard(period="2026-10", plan_ids=[plans[1].id])
    assert only.totals.billed == dollars(truth[plans[1].org_id])
    workspaces = [w for w in dash.per_workspace if w.workspace.plan_id == plans[1].id]
    ws = workspaces[0].workspace
    one = await ledger.dashboard(period="2026-10", workspace=ws)
    assert one.totals == workspaces[0].cost
    pair = await ledger.dashboard(period="2026-10", workspace=(ws.plan_id, ws.workspace_id))
    assert pair.totals == one.totals
    with pytest.raises(costledger.NotFoundError) as missing:
        await ledger.dashboard(period="2026-10", plan_ids=[999])
    assert missing.value.code == "PLAN_NOT_FOUND"


async def test_periods_as_text_dates_and_pairs(ledger: Any, fake: Fake) -> None:
    await add_and_sync(ledger, fake)
    month = await ledger.dashboard(period="2026-10")
    pair = await ledger.dashboard(period=(date(2026, 10, 1), date(2026, 11, 1)))
    assert pair.totals == month.totals and pair.period == month.period
    text_range = await ledger.dashboard(period="2026-10-01..2026-11-01")
    assert text_range.totals == month.totals
    again = await ledger.dashboard(period=month.period)
    assert again.totals == month.totals

    day = await ledger.dashboard(period=date(2026, 10, 5))
    truth = fake.billed_nanos(datetime(2026, 10, 5, tzinfo=timezone.utc),
                              datetime(2026, 10, 6, tzinfo=timezone.utc))  # fmt: skip
    assert day.totals.billed == dollars(sum(truth.values()))
    assert day.period.end == date(2026, 10, 6) and len(day.per_day) == 1
    assert (await ledger.dashboard(period="2026-10-05")).totals == day.totals
    week = await ledger.dashboard(period="2026-W41")
    assert (week.period.start, week.period.end) == (date(2026, 10, 5), date(2026, 10, 12))

    la = await ledger.dashboard(period="2026-10 America/Los_Angeles")
    assert la.period.time_zone == "America/Los_Angeles"
    la_kw = await ledger.dashboard(period="2026-10", time_zone="america/los_angeles")
    assert la_kw.totals == la.totals and la_kw.period.time_zone == "America/Los_Angeles"
    assert la.totals != month.totals  # seven hours later at each end

    bad: list[tuple[Any, str]] = [
        ("2026-13", "month must be 1-12"),
        ("November", "period must look like 2026-11"),
        ((date(2026, 10, 5), date(2026, 10, 1)), "a period must end after it starts"),
        (datetime(2026, 10, 5, tzinfo=timezone.utc), "not a datetime"),
        (202610, "period must be text such as '2026-11'"),
    ]
    for period, message in bad:
        with pytest.raises(costledger.InvalidInputError) as refused:
            await ledger.dashboard(period=period)
        assert message in str(refused.value), period
    with pytest.raises(costledger.InvalidInputError) as zone:
        await ledger.user_costs("nobody", period="2026-10", time_zone="Mars/Olympus")
    assert "IANA" in str(zone.value)


async def test_user_costs_add_up_to_the_dashboard(ledger: Any, fake: Fake) -> None:
    plans = await add_and_sync(ledger, fake)
    metadata = await ledger.plan_metadata(plans[0].id)
    # Everyone who created a key of the first plan becomes a subject, by email.
    creators = {metadata.creator(k) for k in metadata.api_keys} - {None}
    for i, user in enumerate(sorted(creators, key=lambda u: u.id)):
        await ledger.upsert_subject(f"u-{i}", email=user.email.upper(), name=user.name)
    # And one key is mapped explicitly to a subject without an email.
    await ledger.upsert_subject("contractor")
    key = metadata.api_keys[-1]
    await ledger.map_key(plans[0].id, key.id, "contractor")

    dash = await ledger.dashboard(period="2026-10", top_subjects=100)
    lines = {line.subject_id: line for line in dash.top_subjects}
    assert lines, "some subject owns some cost"
    attributed = Decimal(0)
    for subject in await ledger.list_subjects():
        costs = await ledger.user_costs(subject.id, period="2026-10")
        assert isinstance(costs, costledger.UserCosts) and costs.subject == subject
        if subject.id in lines:
            assert costs.total == lines[subject.id].cost
        else:
            assert costs.total.total == 0
        assert len(costs.per_day) == 31
        assert sum((d.cost.total for d in costs.per_day), Decimal(0)) == costs.total.total
        assert sum((p.cost.total for p in costs.per_plan), Decimal(0)) == costs.total.total
        assert sum((p.cost.total for p in costs.per_project), Decimal(0)) == costs.total.total
        attributed += costs.total.usage
    assert attributed + dash.unattributed.usage == dash.totals.usage

    october = (date(2026, 10, 1), date(2026, 11, 1))
    contractor = await ledger.user_costs("contractor", period=october)
    assert contractor.per_plan and {p.plan_id for p in contractor.per_plan} == {plans[0].id}
    assert contractor.per_project[0].name == "Default"
    la = await ledger.user_costs("contractor", period="2026-10", time_zone="America/Los_Angeles")
    assert la.period.time_zone == "America/Los_Angeles"
    with pytest.raises(costledger.NotFoundError) as missing:
        await ledger.user_costs("nobody", period="2026-10")
    assert missing.value.code == "SUBJECT_NOT_FOUND"


async def test_forecast(ledger: Any, fake: Fake) -> None:
    plans = await add_and_sync(ledger, fake)
    november = await ledger.dashboard(period="2026-11")
    forecast = await ledger.forecast(scope="global", period="2026-11")
    assert isinstance(forecast, costledger.Forecast)
    assert forecast.spent == november.totals.usage
    assert forecast.as_of == fake.now and forecast.daily_rate > 0
    assert forecast.projected > forecast.spent and "7 complete days" in forecast.method
    one = await ledger.forecast(scope=f"plan:{plans[0].id}", period="2026-11")
    assert one.spent == next(p.cost.usage for p in november.per_plan if p.plan_id == plans[0].id)
    past = await ledger.forecast(scope="global", period=date(2026, 10, 5))
    assert past.projected == past.spent and past.daily_rate == 0
    with pytest.raises(costledger.NotFoundError) as missing:
        await ledger.forecast(scope="plan:999", period="2026-11")
    assert missing.value.code == "PLAN_NOT_FOUND"
    with pytest.raises(costledger.InvalidInputError) as bad:
        await ledger.forecast(scope="everything", period="2026-11")
    assert "budget scope must be global" in str(bad.value)


async def test_exports_are_the_cores(ledger: Any, fake: Fake) -> None:
    plans = await add_and_sync(ledger, fake)
    await ledger.upsert_subject("u-1", email="someone@example.com")
    dash = await ledger.dashboard(period="2026-10")
    data = json.loads(dash.to_json())
    assert Decimal(data["totals"]["billed"]) == dash.totals.billed
    assert len(data["daily"]) == 31
    rows = list(csv.DictReader(io.StringIO(dash.to_csv())))
    assert dash.to_csv().startswith(
        "period,section,plan_id,plan_label,workspace_id,name,model,service_tier,"
        "context_window,subject_id,date,tokens,total,billed,billed_per_key,allocated,unallocated,estimated,"
        "subscription\r\n"
    )
    total = next(r for r in rows if r["section"] == "total")
    assert Decimal(total["billed"]) == dash.totals.billed

    costs = await ledger.user_costs("u-1", period="2026-10")
    assert json.loads(costs.to_json())["subject"]["id"] == "u-1"
    assert costs.to_csv().splitlines()[0].startswith("period,section,subject_id,plan_id")

    forecast = await ledger.forecast(scope="global", period="2026-11")
    assert Decimal(json.loads(forecast.to_json())["spent"]) == forecast.spent
    assert forecast.to_csv().splitlines()[0].startswith("period.start,period.end")

    focus = await ledger.focus_export(period="2026-10", plan_ids=[plans[0].id])
    header = focus.split("\r\n", 1)[0].split(",")
    assert header[:4] == ["BilledCost", "BillingAccountId", "BillingAccountName",
                          "BillingCurrency"]  # fmt: skip
    focus_rows = list(csv.DictReader(io.StringIO(focus)))
    billed = sum((Decimal(r["BilledCost"]) for r in focus_rows), Decimal(0))
    assert billed == dollars(fake.billed_nanos(*OCT)[plans[0].org_id])
    assert {r["BillingAccountId"] for r in focus_rows} == {plans[0].org_id}
    everything = await ledger.focus_export(period=date(2026, 10, 5))
    assert everything.startswith("BilledCost,")


async def test_dataframes(ledger: Any, fake: Fake, monkeypatch: pytest.MonkeyPatch) -> None:
    pd = pytest.importorskip("pandas")
    pa = pytest.importorskip("pyarrow")
    await add_and_sync(ledger, fake)
    dash = await ledger.dashboard(period="2026-10")
    daily = dash.to_pandas()
    assert list(daily.columns) == ["date", "total", "billed", "billed_per_key", "allocated",
                                   "unallocated", "estimated", "subscription"]  # fmt: skip
    assert len(daily) == 31 and daily["date"].dtype.kind == "M"
    # Money stays exact and numeric: pyarrow decimals, whose sums are exact Decimals.
    exact = pd.ArrowDtype(pa.decimal128(38, 9))
    assert all(daily[c].dtype == exact for c in daily.columns if c != "date")
    assert pd.api.types.is_numeric_dtype(daily["billed"])
    assert daily["billed"].sum() == dash.totals.billed
    assert isinstance(daily["billed"].sum(), Decimal)
    assert list(daily["total"]) == [d.cost.total for d in dash.per_day]
    assert daily.equals(dash.to_pandas("daily"))  # the table's name before, an alias
    floats = dash.to_pandas(money="float")
    assert floats["billed"].dtype == "float64"
    assert floats["billed"].sum() == pytest.approx(float(dash.totals.billed))
    models = dash.to_pandas("per_model")
    assert {"model", "total", "output", "cache_read"} <= set(models.columns)
    assert models["output"].dtype == "int64" and models["total"].dtype == exact
    workspaces = dash.to_pandas("per_workspace")
    assert {"plan_id", "workspace_id", "name", "total"} <= set(workspaces.columns)
    with pytest.raises(ValueError, match="table must be one of per_day, per_plan"):
        dash.rows("nope")
    with pytest.raises(ValueError, match="money must be 'decimal' or 'float', got 'exact'"):
        dash.to_pandas(money="exact")
    events = (await ledger.sync_history(limit=5)).to_pandas()
    assert len(events) == 5 and "stream" in events.columns
    budgets = (await ledger.list_budgets()).to_pandas()  # an empty list: an empty frame
    assert budgets.empty

    try:
        import polars as pl
    except ImportError:
        pass
    else:
        frame = dash.to_polars()
        assert frame.height == 31 and frame["date"].dtype == pl.Date
        assert frame["billed"].dtype == pl.Decimal(38, 9)
        assert Decimal(str(frame["billed"].sum())) == dash.totals.billed
        assert dash.to_polars(money="float")["billed"].dtype == pl.Float64
        assert dash.to_polars("daily").equals(frame)

    monkeypatch.setitem(sys.modules, "pyarrow", None)
    with pytest.raises(ImportError, match=r"pip install pyarrow, or pass money='float'"):
        dash.to_pandas()
    assert dash.to_pandas(money="float")["billed"].dtype == "float64"  # needs no pyarrow
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match=r"to_pandas\(\) needs pandas.*pip install pandas"):
        dash.to_pandas()
    monkeypatch.setitem(sys.modules, "polars", None)
    with pytest.raises(ImportError, match="pip install polars"):
        dash.to_polars()


async def test_no_key_in_any_report(ledger: Any, fake: Fake) -> None:
    plans = await add_and_sync(ledger, fake, days=3)
    await ledger.upsert_subject("u-1")
    results = [
        await ledger.dashboard(period="2026-11"),
        await ledger.user_costs("u-1", period="2026-11"),
        await ledger.forecast(scope="global", period="2026-11"),
        await ledger.plan_metadata(plans[0].id),
        await ledger.create_budget("b", scope="global", amount=10),
        await ledger.budget_statuses(),
    ]
    for result in results:
        for text in (repr(result), str(result)):
            for org in fake.orgs:
                assert org.admin_key not in text
    dash = results[0]
    for text in (dash.to_json(), dash.to_csv(), repr(dash._report)):
        assert all(org.admin_key not in text for org in fake.orgs)


async def test_a_model_without_a_price_is_in_per_model_with_its_cost_unknown(
    ledger: Any, tmp_path: Any
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    lines = [
        '{"timestamp":"%s","sessionId":"s-1","requestId":"req_%d","type":"assistant",'
        '"message":{"id":"msg_%d","model":"%s","usage":{"input_tokens":1000,"output_tokens":500}}}'
        % (at, n, n, model)
        for n, (model, at) in enumerate(
            [
                ("claude-imaginary-9", "2026-11-18T10:00:00.000Z"),
                ("claude-imaginary-9", "2026-11-19T01:00:00.000Z"),
                ("claude-sonnet-4-5-20250929", "2026-11-18T11:00:00.000Z"),
            ]
        )
    ]
    (project / "s-1.jsonl").write_text("\n".join(lines) + "\n")
    plan = await ledger.add_plan("Laptop", directories=[tmp_path])
    assert (await ledger.sync(plan_id=plan.id)).is_ok
    # A UTC day and the same date in Los Angeles (07:00 to 07:00 UTC) count their own hours.
    for period, unpriced in [("2026-11-18", 1500), ("2026-11-18 America/Los_Angeles", 3000)]:
        d = await ledger.dashboard(period=period)
        unknown = next(m for m in d.per_model if m.model == "claude-imaginary-9")
        assert (unknown.cost_unknown, unknown.unpriced_tokens) == (True, unpriced), period
        assert unknown.cost.total == 0
        assert [(m.model, m.tokens) for m in d.missing_prices] == [
            ("claude-imaginary-9", unpriced)
        ]
    sonnet = next(m for m in (await ledger.dashboard(period="2026-11-18")).per_model
                  if m.model == "claude-sonnet-4-5-20250929")  # fmt: skip
    assert (sonnet.cost_unknown, sonnet.unpriced_tokens) == (False, 0)
