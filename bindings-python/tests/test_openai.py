"""OpenAI beside Anthropic, on SQLite and Postgres, with Ledger and AsyncLedger: the provider
catalog, an OpenAI plan added with a read-only admin key and synced against the fake OpenAI
API, and a dashboard across both providers whose billed total is both fakes' bills."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import costledger
from conftest import FAKE_NOW, REPO, Fake, open_any

NANOS = Decimal(1_000_000_000)


@pytest.fixture(scope="module")
def openai() -> Iterator[tuple[Fake, list[dict[str, str]]]]:
    """The fake OpenAI API as a process (1 org, seed 7, 30 days up to ``FAKE_NOW``), and its
    organisations with their keys."""
    admin = os.environ.get("COSTLEDGER_FAKE_ADMIN_API") or str(
        REPO / "target" / "debug" / "fake-admin-api"
    )
    binary = Path(admin).with_name("fake-openai-api")
    if not binary.exists():
        pytest.fail(f"{binary} not found: `cargo test --workspace --no-run` builds it")
    process = subprocess.Popen(
        [str(binary), "--port", "0", "--seed", "7", "--orgs", "1", "--days", "30",
         "--now", FAKE_NOW.strftime("%Y-%m-%dT%H:%M:%SZ")],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert process.stdout is not None
    listening = process.stdout.readline().split()
    assert listening[0] == "LISTENING", listening
    orgs = json.loads(process.stdout.readline())["orgs"]
    try:
        yield Fake(process, int(listening[1]), []), orgs
    finally:
        process.terminate()
        process.wait(timeout=10)


def november_bill(fake: Fake) -> Decimal:
    """The fake's bill of November 2026 in dollars, from its ground truth."""
    nanos = sum(
        int(amount)
        for org in fake.truth()["orgs"]
        for day, amount in org["cost_per_day"].items()
        if day.startswith("2026-11")
    )
    return Decimal(nanos) / NANOS


@pytest.mark.parametrize("kind", ["blocking", "async"])
async def test_openai_beside_anthropic(
    kind: str,
    open_kwargs: dict[str, Any],
    fake: Fake,
    openai: tuple[Fake, list[dict[str, str]]],
) -> None:
    openai_fake, orgs = openai
    ledger = await open_any(kind, **open_kwargs, openai_base_url=openai_fake.base_url)
    try:
        catalog = await ledger.providers()
        assert [(p.provider, p.credential_kinds, p.per_key_billed_cost) for p in catalog] == [
            ("anthropic", ("admin_key", "oauth"), False),
            ("openai", ("admin_key",), True),
            ("claude_code_logs", (), False),
        ]
        assert isinstance(catalog[0], costledger.ProviderInfo)

        key = orgs[0]["read_only_key"]
        gpt = await ledger.add_plan("OpenAI org", provider="openai", admin_api_key=key)
        claude = await ledger.add_plan("Claude org", admin_api_key=fake.orgs[0].admin_key)
        assert (gpt.provider, gpt.org_id, gpt.status) == ("openai", orgs[0]["slug"], "active")
        assert gpt.key_hint is not None and gpt.key_hint.endswith(key[-4:])
        for shown in (repr(gpt), repr(await ledger.list_plans())):
            assert key[12:-4] not in shown
        with pytest.raises(costledger.InvalidInputError):
            await ledger.add_plan("Logs with a key", provider="claude_code_logs", admin_api_key=key)

        report = await ledger.sync(initial_backfill_days=30)
        assert report.is_ok, report
        # Both fakes' bills, exactly; the Anthropic fake serves three orgs, one is connected.
        # The default streams bill the Anthropic days from the Analytics API (net).
        anthropic_bill = Decimal(
            fake.analytics_net_nanos(FAKE_NOW.replace(day=1), FAKE_NOW)[fake.orgs[0].id]
        ) / NANOS
        openai_bill = november_bill(openai_fake)
        d = await ledger.dashboard(period="2026-11")
        assert d.totals.billed == anthropic_bill + openai_bill
        lines = {p.plan_id: p for p in d.per_plan}
        assert (lines[gpt.id].provider, lines[claude.id].provider) == ("openai", "anthropic")
        assert lines[gpt.id].cost.billed == openai_bill
        only = await ledger.dashboard(period="2026-11", providers=["openai"])
        assert [p.plan_id for p in only.per_plan] == [gpt.id]
        assert only.totals.billed == openai_bill
        with pytest.raises(costledger.InvalidInputError):
            await ledger.dashboard(period="2026-11", providers=["azure"])

        # Usage that is not tokens: per day, with list-price estimates; none for Anthropic.
        units = await ledger.unit_usage(date(2026, 11, 10), date(2026, 11, 13))
        assert units and all(isinstance(u, costledger.UnitUsageLine) for u in units)
        assert {u.plan_id for u in units} == {gpt.id}
        assert {u.day for u in units} == {date(2026, 11, d) for d in (10, 11, 12)}
        truth = openai_fake.truth()["orgs"][0]
        images = sum(
            r["counts"]["images"] for r in truth["usage"]
            if r["endpoint"] == "images" and "2026-11-10" <= r["day"] < "2026-11-13"
        )  # fmt: skip
        assert sum(u.quantity for u in units if u.unit == "images") == images > 0
        priced = [u for u in units if u.estimate is not None]
        assert priced and all(isinstance(u.estimate, Decimal) for u in priced)
        only = await ledger.unit_usage(
            date(2026, 11, 10), date(2026, 11, 13), plan_ids=[gpt.id], units=["storage_bytes"]
        )
        assert only and {u.unit for u in only} == {"storage_bytes"}
        assert await ledger.unit_usage(
            date(2026, 11, 10), date(2026, 11, 13), plan_ids=[claude.id]
        ) == []
        with pytest.raises(costledger.InvalidInputError):
            await ledger.unit_usage(date(2026, 11, 10), date(2026, 11, 13), units=["pixels"])
        with pytest.raises(costledger.InvalidInputError):
            await ledger.unit_usage(date(2026, 11, 13), date(2026, 11, 10))
    finally:
        await ledger.close()
