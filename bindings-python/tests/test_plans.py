"""Plan methods of Ledger and AsyncLedger, on SQLite and Postgres, against the fake."""

from __future__ import annotations

from datetime import date, timezone
from decimal import Decimal
from typing import Any

import pytest

import costledger
from conftest import MASTER_KEY, Fake, open_any


async def test_add_get_list_update_disconnect(ledger: Any, fake: Fake) -> None:
    org = fake.orgs[0]
    plan = await ledger.add_plan("  Prod org ", admin_api_key=org.admin_key)
    assert isinstance(plan, costledger.Plan)
    assert (plan.provider, plan.label, plan.status) == ("anthropic", "Prod org", "active")
    assert (plan.org_id, plan.org_name) == (org.id, org.name)
    assert plan.key_hint == f"sk-ant-admin01-…{org.admin_key[-4:]}"
    assert plan.created_at.tzinfo is timezone.utc
    assert plan.subscription is None and plan.last_synced_at is None
    assert await ledger.get_plan(plan.id) == plan
    assert await ledger.list_plans() == [plan]

    subscription = costledger.Subscription(
        tier="team_premium", anchor_date=date(2026, 1, 31), seats=12,
        cycle="annual", price_per_seat=Decimal("123.456789012"),
    )  # fmt: skip
    updated = await ledger.update_plan(plan.id, label="Prod", subscription=subscription)
    assert updated.label == "Prod"
    assert updated.subscription == subscription  # the price is exact to the nanodollar
    assert costledger.money.to_float(updated.subscription.price_per_seat) == 123.456789012
    cleared = await ledger.update_plan(plan.id, clear_subscription=True)
    assert cleared.subscription is None and cleared.label == "Prod"

    gone = await ledger.disconnect_plan(plan.id)
    assert gone.status == "disconnected" and gone.key_hint is None
    assert await ledger.list_plans() == []
    assert [p.id for p in await ledger.list_plans(include_disconnected=True)] == [plan.id]
    assert (await ledger.disconnect_plan(plan.id, purge=True)).status == "disconnected"


async def test_plan_errors(ledger: Any, fake: Fake) -> None:
    with pytest.raises(costledger.NotFoundError) as missing:
        await ledger.get_plan(999)
    assert missing.value.code == "PLAN_NOT_FOUND"
    assert isinstance(missing.value, LookupError)
    assert str(missing.value).startswith("plan 999 not found")

    with pytest.raises(costledger.InvalidInputError) as label:
        await ledger.add_plan("   ", admin_api_key=fake.orgs[0].admin_key)
    assert isinstance(label.value, ValueError)
    assert (label.value.code, str(label.value)) == (
        "INVALID_INPUT",
        "label must be 1-200 characters, got 0",
    )

    regular = "sk-ant-api03-" + "x" * 40 + "Wxyz"
    with pytest.raises(costledger.InvalidInputError) as kind_of_key:
        await ledger.add_plan("Regular", admin_api_key=regular)
    assert "regular API key" in str(kind_of_key.value)
    assert regular not in str(kind_of_key.value)

    unknown = "sk-ant-admin01-" + "q" * 60
    with pytest.raises(costledger.CredentialRejectedError) as rejected:
        await ledger.add_plan("Unknown", admin_api_key=unknown)
    assert rejected.value.code == "CREDENTIAL_REJECTED"
    assert unknown not in str(rejected.value)

    plan = await ledger.add_plan("First", admin_api_key=fake.orgs[0].admin_key)
    with pytest.raises(costledger.ConflictError) as same_org:
        await ledger.add_plan("Second", admin_api_key=fake.orgs[0].admin_key)
    assert same_org.value.code == "CONFLICT"
    with pytest.raises(costledger.ConflictError):
        await ledger.add_plan("First", admin_api_key=fake.orgs[1].admin_key)

    with pytest.raises(costledger.InvalidInputError) as both:
        await ledger.update_plan(
            plan.id,
            subscription=costledger.Subscription(tier="pro", anchor_date=date(2026, 1, 1)),
            clear_subscription=True,
        )
    assert "not both" in str(both.value)
    bad_tier: Any = "gold"
    with pytest.raises(costledger.InvalidInputError) as tier:
        await ledger.update_plan(
            plan.id, subscription=costledger.Subscription(tier=bad_tier, anchor_date=date.today())
        )
    assert str(tier.value).startswith("subscription tier must be one of free, pro")


async def test_rotate_credential_and_check(ledger: Any, fake: Fake) -> None:
    org, other = fake.orgs[0], fake.orgs[1]
    plan = await ledger.add_plan("Prod", admin_api_key=org.admin_key)
    assert await ledger.check_plan(plan.id) == costledger.OrgInfo(id=org.id, name=org.name)

    new_key = fake.new_admin_key(org.id)
    rotated = await ledger.rotate_plan_credential(plan.id, new_key)
    assert rotated.key_hint == f"sk-ant-admin01-…{new_key[-4:]}"
    assert (await ledger.check_plan(plan.id)).id == org.id

    with pytest.raises(costledger.OrgMismatchError) as mismatch:
        await ledger.rotate_plan_credential(plan.id, other.admin_key)
    assert mismatch.value.code == "ORG_MISMATCH"
    assert other.admin_key not in str(mismatch.value)

    fake.revoke(new_key)
    with pytest.raises(costledger.CredentialRejectedError) as revoked:
        await ledger.check_plan(plan.id)
    assert f"of plan {plan.id}" in str(revoked.value)
    assert new_key not in str(revoked.value) and new_key not in repr(revoked.value)


async def test_import_plan_from_env(
    ledger: Any, fake: Fake, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ANTHROPIC_ADMIN_API_KEY", raising=False)
    assert await ledger.import_plan_from_env() is None
    monkeypatch.setenv("ANTHROPIC_ADMIN_API_KEY", fake.orgs[2].admin_key)
    plan = await ledger.import_plan_from_env()
    assert plan is not None
    assert (plan.label, plan.org_id) == (fake.orgs[2].name, fake.orgs[2].id)
    assert await ledger.import_plan_from_env() is None  # a plan exists: nothing to do


async def test_rotate_master_key(kind: str, open_kwargs: dict[str, Any], fake: Fake) -> None:
    ledger = await open_any(kind, **open_kwargs)
    plans = [await ledger.add_plan(o.name, admin_api_key=o.admin_key) for o in fake.orgs[:2]]
    with pytest.raises(costledger.InvalidInputError) as short:
        await ledger.rotate_master_key("c2hvcnQ=")
    assert "must be 32 bytes, got 5 bytes" in str(short.value)
    new_key = costledger.generate_master_key()
    assert await ledger.rotate_master_key(new_key) == 2
    await ledger.close()

    reopened = await open_any(kind, **{**open_kwargs, "master_key": new_key})
    assert (await reopened.check_plan(plans[1].id)).id == fake.orgs[1].id
    await reopened.close()
    # The old key is refused when the ledger opens, naming the key id it expects.
    with pytest.raises(costledger.CryptoError) as crypto:
        await open_any(kind, **{**open_kwargs, "master_key": MASTER_KEY})
    assert crypto.value.code == "CRYPTO"
    assert "wrong master key" in str(crypto.value) and "rotated away" in str(crypto.value)
    assert MASTER_KEY not in str(crypto.value) and new_key not in str(crypto.value)


async def test_a_second_master_key_is_refused(
    kind: str, open_kwargs: dict[str, Any], fake: Fake
) -> None:
    ledger = await open_any(kind, **open_kwargs)
    await ledger.add_plan("Prod", admin_api_key=fake.orgs[0].admin_key)
    await ledger.close()
    other = costledger.generate_master_key()
    with pytest.raises(costledger.CryptoError) as crypto:
        await open_any(kind, **{**open_kwargs, "master_key": other})
    assert crypto.value.code == "CRYPTO"
    assert "sealed with master key sha256:" in str(crypto.value)
    assert other not in str(crypto.value) and MASTER_KEY not in str(crypto.value)
    again = await open_any(kind, **open_kwargs)
    assert len(await again.list_plans()) == 1
    await again.close()


async def test_sync_without_a_master_key_is_refused_up_front(
    kind: str, open_kwargs: dict[str, Any], fake: Fake, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger = await open_any(kind, **open_kwargs)
    await ledger.add_plan("Prod", admin_api_key=fake.orgs[0].admin_key)
    await ledger.close()
    monkeypatch.delenv("COSTLEDGER_MASTER_KEY", raising=False)
    keyless = await open_any(kind, **{**open_kwargs, "master_key": None})
    with pytest.raises(costledger.InvalidInputError) as no_key:
        await keyless.sync()
    assert no_key.value.code == "INVALID_INPUT"
    assert "no master key is configured" in str(no_key.value)
    assert await keyless.sync_history() == []
    await keyless.close()


@pytest.mark.parametrize("cls", ["Ledger", "AsyncLedger"])
async def test_open_falls_back_to_the_database_url_variable(
    cls: str, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "from-env.db"
    monkeypatch.setenv("COSTLEDGER_DATABASE_URL", f"sqlite://{path}")
    monkeypatch.setenv("COSTLEDGER_MASTER_KEY", MASTER_KEY)
    if cls == "Ledger":
        with costledger.Ledger.open() as ledger:
            assert ledger.list_plans() == []
    else:
        async with await costledger.AsyncLedger.open() as ledger:
            assert await ledger.list_plans() == []
    assert path.exists(), "the variable's database was opened"


async def test_closed_ledger(kind: str, open_kwargs: dict[str, Any]) -> None:
    ledger = await open_any(kind, **open_kwargs)
    await ledger.close()
    await ledger.close()  # harmless
    with pytest.raises(costledger.ClosedError) as closed:
        await ledger.list_plans()
    assert closed.value.code == "CLOSED"


def test_blocking_context_manager(open_kwargs: dict[str, Any], fake: Fake) -> None:
    with costledger.Ledger.open(**open_kwargs) as ledger:
        plan = ledger.add_plan("Prod", admin_api_key=fake.orgs[0].admin_key)
        assert ledger.get_plan(plan.id).label == "Prod"
    with pytest.raises(costledger.ClosedError):
        ledger.list_plans()


async def test_async_context_manager(open_kwargs: dict[str, Any]) -> None:
    async with await costledger.AsyncLedger.open(**open_kwargs) as ledger:
        assert await ledger.list_plans() == []
    with pytest.raises(costledger.ClosedError):
        await ledger.list_plans()


def test_open_errors(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COSTLEDGER_MASTER_KEY", raising=False)
    url = f"sqlite://{tmp_path}/x.db"
    # Without a master key a ledger opens and reads; sealing a credential is refused early.
    with costledger.Ledger.open(url) as keyless:
        assert keyless.list_plans() == []
        with pytest.raises(costledger.InvalidInputError) as no_key:
            keyless.add_plan("Prod", admin_api_key="sk-ant-admin01-" + "x" * 40)
    assert "COSTLEDGER_MASTER_KEY" in str(no_key.value)
    monkeypatch.setenv("COSTLEDGER_MASTER_KEY", MASTER_KEY)  # the fallback the core reads
    costledger.Ledger.open(url).close()
    with pytest.raises(costledger.InvalidInputError) as naive:
        costledger.Ledger.open(url, now=__import__("datetime").datetime(2026, 1, 1))
    assert "timezone-aware" in str(naive.value)
    with pytest.raises(costledger.InvalidInputError) as timeout:
        costledger.Ledger.open(url, http_timeout=-1)
    assert str(timeout.value) == "http_timeout must be a non-negative number of seconds, got -1"
    with pytest.raises(costledger.StorageError) as storage:
        costledger.Ledger.open(f"sqlite://{tmp_path}/missing/dir/x.db")
    assert isinstance(storage.value.__cause__, costledger.UnderlyingError)
    assert str(storage.value.__cause__)
