"""billed_costs of Ledger and AsyncLedger, on SQLite and Postgres: after a sync with the
``analytics`` stream, the billed cost per actor and per day (net and list) equals the fake's
Analytics truth exactly; members carry their e-mail and the subject with it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

import costledger
from conftest import Fake, open_any, running_fake

DAYS = 10
NANO = Decimal("1e-9")


@pytest.fixture(scope="module")
def small_fake() -> Iterator[Fake]:
    """A fake of its own with a short history: the analytics stream reads it hour by hour."""
    with running_fake(DAYS) as started:
        yield started


def actor_key(actor: dict[str, Any]) -> tuple[str, str]:
    kind = actor["type"]
    ids = {
        "user_actor": "user_id",
        "api_actor": "api_key_id",
        "service_account_actor": "service_account_id",
    }
    if kind in ids:
        return kind, actor[ids[kind]]
    return kind, f"{actor['provider']} {actor['subject']}"


def line_key(line: costledger.BilledCostLine) -> tuple[str, str]:
    a = line.actor
    assert a is not None
    if a.actor_type == "federated_actor":
        return a.actor_type, f"{a.federated_provider} {a.federated_subject}"
    assert a.id is not None
    return a.actor_type, a.id


@pytest.mark.parametrize("kind", ["blocking", "async"])
async def test_billed_per_actor_equals_the_truth(
    kind: str, open_kwargs: dict[str, Any], small_fake: Fake
) -> None:
    ledger = await open_any(kind, **{**open_kwargs, "anthropic_base_url": small_fake.base_url})
    try:
        plans = {
            o.id: await ledger.add_plan(o.name, admin_api_key=o.admin_key) for o in small_fake.orgs
        }
        report = await ledger.sync(
            streams=["metadata", "usage", "cost", "analytics"], initial_backfill_days=DAYS
        )
        assert report.is_ok, report
        truth = small_fake.truth()
        want: dict[tuple[int, date, tuple[str, str]], tuple[Decimal, Decimal]] = {}
        members: dict[str, dict[str, Any]] = {}
        for org in truth["orgs"]:
            for row in org["analytics"]["by_actor"]:
                if row["net_nanos"] == 0 and row["list_nanos"] == 0:
                    continue
                plan_id = plans[org["org_id"]].id
                key = (plan_id, date.fromisoformat(row["day"]), actor_key(row["actor"]))
                want[key] = (row["net_nanos"] * NANO, row["list_nanos"] * NANO)
                if row["actor"]["type"] == "user_actor" and not row["actor"]["deleted"]:
                    members[row["actor"]["user_id"]] = row["actor"]
        assert want and members
        user_id, member = sorted(members.items())[0]
        await ledger.upsert_subject("member", email=member["email_address"].upper())

        lines = await ledger.billed_costs(date(2026, 11, 1), date(2026, 11, 21))
        assert lines and all(isinstance(x, costledger.BilledCostLine) for x in lines)
        got = {(x.plan_id, x.day, line_key(x)): (x.net, x.list) for x in lines}
        assert len(got) == len(lines)
        assert got == want
        for x in lines:
            assert isinstance(x.net, Decimal) and isinstance(x.actor, costledger.BilledActor)
            assert (x.by, x.basis, x.requests) == ("actor", "billed", None)
            assert x.discount == x.list - x.net
        mine = [x.actor for x in lines if x.actor is not None and x.actor.id == user_id]
        assert mine and all(
            (a.subject_id, a.email, a.name, a.deleted)
            == ("member", member["email_address"], member["name"], False)
            for a in mine
        )

        # Per day: the truth's by_day, net and list, for one plan.
        one = plans[small_fake.orgs[1].id].id
        days = await ledger.billed_costs(
            date(2026, 11, 1), date(2026, 11, 21), by="day", plan_ids=[one]
        )
        org = next(o for o in truth["orgs"] if o["org_id"] == small_fake.orgs[1].id)
        by_day = {
            date.fromisoformat(r["day"]): (r["net_nanos"] * NANO, r["list_nanos"] * NANO)
            for r in org["analytics"]["by_day"]
            if r["net_nanos"] or r["list_nanos"]
        }
        assert {x.day: (x.net, x.list) for x in days} == by_day
        assert {x.plan_id for x in days} == {one} and all(x.actor is None for x in days)

        with pytest.raises(costledger.InvalidInputError):
            await ledger.billed_costs(date(2026, 11, 21), date(2026, 11, 1))
        with pytest.raises(costledger.InvalidInputError):
            await ledger.billed_costs(date(2026, 11, 1), date(2026, 11, 21), by="person")
        with pytest.raises(costledger.NotFoundError):
            await ledger.billed_costs(
                date(2026, 11, 1), date(2026, 11, 21), plan_ids=[9999]
            )
        assert await ledger.billed_costs(date(2026, 1, 1), date(2026, 1, 2)) == []
    finally:
        await ledger.close()
