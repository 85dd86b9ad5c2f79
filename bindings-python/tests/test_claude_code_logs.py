"""Claude Code log reports of Ledger and AsyncLedger, on SQLite and Postgres: a plan reading
log files written here, its daily, monthly, session and block reports, and its files."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import costledger

SONNET = "claude-sonnet-4-5-20250929"


def line(session: str, message: str, at: datetime, output: int) -> str:
    usage = {"input_tokens": 10, "cache_creation_input_tokens": 0,
             "cache_read_input_tokens": 100, "output_tokens": output}  # fmt: skip
    entry = {
        "type": "assistant", "sessionId": session, "requestId": f"req_{message}",
        "uuid": f"u-{message}", "timestamp": at.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "message": {"id": f"msg_{message}", "type": "message", "role": "assistant",
                    "model": SONNET, "content": [], "usage": usage},
    }  # fmt: skip
    return json.dumps(entry) + "\n"


def write_logs(root: Path) -> None:
    utc = timezone.utc
    (root / "app").mkdir(parents=True)
    (root / "app" / "s1.jsonl").write_text(
        line("s1", "a", datetime(2026, 11, 18, 10, tzinfo=utc), 100)
        + line("s1", "b", datetime(2026, 11, 18, 11, tzinfo=utc), 200)
        + line("s1", "b", datetime(2026, 11, 18, 11, tzinfo=utc), 200)  # a duplicate
        + line("s1", "c", datetime(2026, 11, 19, 23, 30, tzinfo=utc), 400)
    )
    (root / "site").mkdir()
    (root / "site" / "s2.jsonl").write_text(
        line("s2", "d", datetime(2026, 10, 30, 9, tzinfo=utc), 800)
        + "{\"type\":\"assistant\",\"message\":{\"usage\":\n"  # a torn line
    )


async def test_log_reports(ledger: Any, tmp_path: Path) -> None:
    write_logs(tmp_path)
    plan = await ledger.add_plan("My Max plan", directories=[tmp_path])
    report = await ledger.sync(plan_id=plan.id)
    assert report.plans[0].status == "ok", report

    daily = await ledger.claude_code_logs_daily(plan.id)
    assert isinstance(daily, costledger.ReportList)
    assert [(d.period, d.usage.entries, d.usage.tokens.output) for d in daily] == [
        ("2026-10-30", 1, 800), ("2026-11-18", 2, 300), ("2026-11-19", 1, 400),
    ]  # fmt: skip
    first = daily[0].usage
    assert isinstance(first, costledger.LogUsage) and first.models[0].model == SONNET
    assert first.estimated_cost > 0 and first.models[0].estimated_cost == first.estimated_cost
    assert first.tokens.uncached_input == 10 and first.tokens.cache_read == 100
    tokyo = await ledger.claude_code_logs_daily(plan.id, time_zone="Asia/Tokyo",
                                                since=date(2026, 11, 1))  # fmt: skip
    assert [d.period for d in tokyo] == ["2026-11-18", "2026-11-20"]
    monthly = await ledger.claude_code_logs_monthly(plan.id)
    assert [(m.period, m.usage.tokens.output) for m in monthly] == [("2026-10", 800),
                                                                    ("2026-11", 700)]  # fmt: skip
    # ISO weeks, named by their Monday; a project's entries only.
    weekly = await ledger.claude_code_logs_weekly(plan.id)
    assert [(w.period, w.usage.tokens.output) for w in weekly] == [("2026-10-26", 800),
                                                                   ("2026-11-16", 700)]  # fmt: skip
    site = await ledger.claude_code_logs_weekly(plan.id, project="site")
    assert [(w.period, w.usage.tokens.output) for w in site] == [("2026-10-26", 800)]
    app_days = await ledger.claude_code_logs_daily(plan.id, project="app", time_zone="Asia/Kolkata")
    assert [(d.period, d.usage.tokens.output) for d in app_days] == [("2026-11-18", 300),
                                                                     ("2026-11-20", 400)]  # fmt: skip
    app_blocks = await ledger.claude_code_logs_blocks(plan.id, project="app")
    assert sum(b.usage.entries for b in app_blocks) == 3
    only_site = await ledger.claude_code_logs_sessions(plan.id, project="site")
    assert [s.session for s in only_site] == ["s2"]
    sessions = await ledger.claude_code_logs_sessions(plan.id)
    assert [(s.project, s.session, s.usage.entries) for s in sessions] == [
        ("app", "s1", 3), ("site", "s2", 1),
    ]  # fmt: skip
    assert sessions[0].last_at == datetime(2026, 11, 19, 23, 30, tzinfo=timezone.utc)
    blocks = await ledger.claude_code_logs_blocks(plan.id, until=date(2026, 11, 18))
    assert [(b.start.day, b.start.hour, b.usage.tokens.output) for b in blocks] == [
        (30, 9, 800), (18, 10, 300),
    ]  # fmt: skip
    assert not blocks[0].active
    files = await ledger.claude_code_log_files(plan.id)
    by_project = {f.project: f for f in files}
    assert set(by_project) == {"app", "site"}
    assert by_project["site"].malformed == 1 and by_project["app"].lines == 4
    assert by_project["app"].path.endswith("s1.jsonl")

    # Exports: the core's JSON, and its flattened CSV.
    assert json.loads(daily.to_json())[0]["usage"]["tokens"]["output"] == 800
    rows = list(csv.DictReader(io.StringIO(daily.to_csv())))
    assert [r["period"] for r in rows] == ["2026-10-30", "2026-11-18", "2026-11-19"]
    assert rows[0]["usage.tokens.output"] == "800"
    assert files.to_csv().splitlines()[0].startswith("id,path,project")
    frame_rows = daily.rows()
    assert frame_rows[0]["period"] == "2026-10-30" and frame_rows[0]["output"] == 800
    assert frame_rows[0]["estimated_cost"] == first.estimated_cost

    with pytest.raises(costledger.NotFoundError) as missing:
        await ledger.claude_code_logs_daily(999)
    assert missing.value.code == "PLAN_NOT_FOUND"
    with pytest.raises(costledger.InvalidInputError) as zone:
        await ledger.claude_code_logs_monthly(plan.id, time_zone="Mars/Olympus")
    assert "IANA" in str(zone.value)


async def test_log_reports_need_a_logs_plan(ledger: Any, fake: Any) -> None:
    plan = await ledger.add_plan("Org", admin_api_key=fake.orgs[0].admin_key)
    with pytest.raises(costledger.InvalidInputError) as wrong:
        await ledger.claude_code_log_files(plan.id)
    assert "log reports need a claude_code_logs plan" in str(wrong.value)


async def test_cost_modes(ledger: Any, tmp_path: Path) -> None:
    at = datetime(2026, 11, 18, 10, tzinfo=timezone.utc)
    with_cost = json.loads(line("s1", "a", at, 100))
    with_cost["costUSD"] = 0.25
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "s1.jsonl").write_text(
        json.dumps(with_cost) + "\n" + line("s1", "b", at, 200)
    )
    plan = await ledger.add_plan("Max", directories=[tmp_path])
    await ledger.sync(plan_id=plan.id)

    async def cost(mode: costledger.CostMode) -> Any:
        (day,) = await ledger.claude_code_logs_daily(plan.id, cost_mode=mode)
        return day.usage.estimated_cost

    calculated, auto, display = await cost("calculate"), await cost("auto"), await cost("display")
    assert display == Decimal("0.25")
    (day,) = await ledger.claude_code_logs_daily(plan.id)
    assert day.usage.estimated_cost == auto, "auto is the default"
    # auto: the line's costUSD where it has one, the other line calculated.
    assert Decimal("0.25") < auto < Decimal("0.25") + calculated
    with pytest.raises(costledger.InvalidInputError) as bad:
        await ledger.claude_code_logs_daily(plan.id, cost_mode="guess")
    assert "guess" in str(bad.value)
