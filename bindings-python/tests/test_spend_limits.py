"""Spend limits through Ledger and AsyncLedger, on SQLite and Postgres, against a fake Admin
API whose second organisation is Claude Enterprise: limits read live, a member's limit set,
replaced and deleted, what a Console organisation cannot set refused clearly, no key shown."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import costledger
from conftest import FAKE_NOW, REPO, Fake, Org, open_any


@pytest.fixture(scope="module")
def enterprise_fake() -> Iterator[tuple[Fake, dict[str, Any]]]:
    """The fake Admin API (3 orgs, the second Claude Enterprise) and its ground truth, with
    the Enterprise org's scoped keys under ``"scoped_keys"``."""
    binary = os.environ.get("COSTLEDGER_FAKE_ADMIN_API") or str(
        REPO / "target" / "debug" / "fake-admin-api"
    )
    if not Path(binary).exists():
        pytest.fail(f"{binary} not found: `cargo test --workspace --no-run` builds it")
    process = subprocess.Popen(
        [binary, "--port", "0", "--seed", "7", "--orgs", "3", "--days", "10",
         "--enterprise-orgs", "1", "--now", FAKE_NOW.strftime("%Y-%m-%dT%H:%M:%SZ")],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert process.stdout is not None
    listening = process.stdout.readline().split()
    assert listening[0] == "LISTENING", listening
    orgs = [Org(**o) for o in json.loads(process.stdout.readline())["orgs"]]
    scoped = json.loads(process.stdout.readline())["scoped_keys"]
    fake = Fake(process, int(listening[1]), orgs)
    try:
        yield fake, {**fake.truth(), "scoped_keys": scoped}
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.parametrize("kind", ["blocking", "async"])
async def test_spend_limits_round_trip(
    kind: str, open_kwargs: dict[str, Any], enterprise_fake: tuple[Fake, dict[str, Any]]
) -> None:
    fake, truth = enterprise_fake
    kwargs = {**open_kwargs, "anthropic_base_url": fake.base_url}
    ledger = await open_any(kind, **kwargs)
    try:
        console = await ledger.add_plan("Console", admin_api_key=fake.orgs[0].admin_key)
        enterprise = await ledger.add_plan("Enterprise", admin_api_key=fake.orgs[1].admin_key)
        held = next(o for o in truth["orgs"] if o["org_id"] == fake.orgs[1].id)
        limits = await ledger.spend_limits(enterprise.id)
        assert len(limits) == len(held["spend_limits"]["limits"])
        assert all(isinstance(x, costledger.SpendLimit) for x in limits)

        effective = await ledger.effective_spend(enterprise.id)
        assert effective and all(isinstance(x, costledger.EffectiveSpend) for x in effective)
        member = next(e.user_id for e in effective if e.user_id is not None)
        assert all(isinstance(e.period_to_date_spend, Decimal) for e in effective)

        first = await ledger.set_spend_limit(enterprise.id, f"user:{member}", "daily", "50")
        assert (first.scope, first.period, first.amount) == (f"user:{member}", "daily", Decimal(50))
        again = await ledger.set_spend_limit(enterprise.id, f"user:{member}", "daily", Decimal("75.25"))
        assert (again.id, again.amount) == (first.id, Decimal("75.25"))
        mine = await ledger.effective_spend(enterprise.id, periods=["daily"], user_ids=[member])
        assert [e.spend_limit_id for e in mine] == [first.id]
        await ledger.delete_spend_limit(enterprise.id, first.id)
        assert all(x.id != first.id for x in await ledger.spend_limits(enterprise.id))

        # What a Console organisation cannot set, and bad input, are refused clearly.
        with pytest.raises(costledger.InvalidInputError, match="user"):
            await ledger.set_spend_limit(console.id, f"user:{member}", "daily", "50")
        for scope, period, amount in [("team:1", "daily", "5"), ("organization", "hourly", "5"),
                                      ("organization", "monthly", "0.001")]:  # fmt: skip
            with pytest.raises(costledger.InvalidInputError):
                await ledger.set_spend_limit(console.id, scope, period, amount)  # type: ignore[arg-type]
        with pytest.raises(costledger.InvalidInputError) as refused:
            await ledger.effective_spend(console.id)
        for shown in (repr(limits), repr(effective), str(refused.value)):
            assert all(o.admin_key not in shown for o in fake.orgs)
    finally:
        await ledger.close()


@pytest.mark.parametrize("kind", ["blocking", "async"])
async def test_plans_record_what_their_credential_reaches(
    kind: str, open_kwargs: dict[str, Any], enterprise_fake: tuple[Fake, dict[str, Any]]
) -> None:
    fake, truth = enterprise_fake
    kwargs = {**open_kwargs, "anthropic_base_url": fake.base_url}
    ledger = await open_any(kind, **kwargs)
    try:
        console = await ledger.add_plan("Console", admin_api_key=fake.orgs[0].admin_key)
        assert isinstance(console.reach, costledger.CredentialReach)
        assert (console.reach.legacy_reports, console.reach.analytics) == (True, None)
        full = next(k for k in truth["scoped_keys"] if "read:analytics" in k["scopes"])
        scoped = await ledger.add_plan("Enterprise", admin_api_key=full["key"])
        assert scoped.reach is not None
        assert (scoped.reach.legacy_reports, scoped.reach.analytics) == (False, None)
        assert scoped.reach.spend_limits
        assert full["key"] not in repr(scoped)
        limits_only = next(k for k in truth["scoped_keys"] if k["scopes"] == ["read:spend_limits"])
        with pytest.raises(costledger.InvalidInputError, match="read:analytics") as refused:
            await ledger.add_plan("Limits only", admin_api_key=limits_only["key"])
        assert limits_only["key"] not in str(refused.value)
    finally:
        await ledger.close()


@pytest.mark.parametrize("kind", ["blocking", "async"])
async def test_mirrored_budget_flags_a_forecast_over_the_provider_limit(
    kind: str, open_kwargs: dict[str, Any], enterprise_fake: tuple[Fake, dict[str, Any]]
) -> None:
    fake, _ = enterprise_fake
    kwargs = {**open_kwargs, "anthropic_base_url": fake.base_url}
    ledger = await open_any(kind, **kwargs)
    try:
        console = await ledger.add_plan("Console", admin_api_key=fake.orgs[0].admin_key)
        low = await ledger.set_spend_limit(console.id, "organization", "monthly", "0.01")
        await ledger.sync(initial_backfill_days=10)
        synced = await ledger.synced_spend_limits(console.id)
        assert isinstance(synced, costledger.SyncedSpendLimits)
        assert synced.synced_at is not None and synced.effective == ()
        assert synced.effective_unavailable
        assert any(x.id == low.id and x.amount == Decimal("0.01") for x in synced.limits)

        budget = await ledger.create_mirrored_budget(
            "org cap", plan_id=console.id, limit_scope="organization", period="month"
        )
        assert budget.mirror == costledger.LimitMirror(console.id, "organization")
        assert (budget.amount, str(budget.scope)) == (Decimal("0.01"), f"plan:{console.id}")
        status = await ledger.budget_status(budget.id)
        provider = status.provider_limit
        assert isinstance(provider, costledger.ProviderLimitStatus)
        assert (provider.state, provider.amount) == ("present", Decimal("0.01"))
        assert provider.forecast_over_provider_limit and provider.crosses_on is not None

        await ledger.set_spend_limit(console.id, "organization", "monthly", "100000000")
        await ledger.sync(streams=["spend_limits"])
        high = await ledger.budget_status(budget.id)
        assert high.budget.amount == Decimal(100000000)
        assert high.provider_limit is not None
        assert not high.provider_limit.forecast_over_provider_limit
        with pytest.raises(costledger.InvalidInputError):
            await ledger.update_budget(budget.id, amount="5")
    finally:
        await ledger.close()
