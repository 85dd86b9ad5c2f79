"""Subjects, projects, key mappings and plan metadata of Ledger and AsyncLedger, on SQLite
and Postgres; the not-found codes of each."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

import costledger
from conftest import Fake


def at(day: int) -> datetime:
    return datetime(2026, 10, day, tzinfo=timezone.utc)


async def test_subjects(ledger: Any) -> None:
    ada = await ledger.upsert_subject(" u-1 ", email=" Ada@Example.com ", name="Ada")
    assert isinstance(ada, costledger.Subject)
    assert (ada.id, ada.email, ada.name) == ("u-1", "Ada@Example.com", "Ada")
    assert ada.created_at.tzinfo is timezone.utc
    renamed = await ledger.upsert_subject("u-1", email="ada@example.com", name="Ada L.")
    assert renamed.name == "Ada L." and renamed.created_at == ada.created_at
    await ledger.upsert_subject("u-2")
    assert [s.id for s in await ledger.list_subjects()] == ["u-1", "u-2"]
    assert await ledger.get_subject("u-2") == (await ledger.list_subjects())[1]

    with pytest.raises(costledger.ConflictError):
        await ledger.upsert_subject("u-3", email="ADA@example.com")
    with pytest.raises(costledger.InvalidInputError) as bad:
        await ledger.upsert_subject("u-3", email="not-an-email")
    assert "email must look like name@domain" in str(bad.value)
    with pytest.raises(costledger.InvalidInputError) as empty:
        await ledger.upsert_subject("")
    assert str(empty.value) == "subject id must be 1-200 characters, got 0"

    await ledger.delete_subject("u-2")
    for call in (ledger.get_subject("u-2"), ledger.delete_subject("u-2")):
        with pytest.raises(costledger.NotFoundError) as missing:
            await call
        assert missing.value.code == "SUBJECT_NOT_FOUND"
        assert isinstance(missing.value, LookupError)


async def test_projects(ledger: Any) -> None:
    await ledger.upsert_subject("u-1")
    (default,) = await ledger.list_projects("u-1")
    assert default.is_default and default.name == "Default" and default.subject_id == "u-1"
    research = await ledger.create_project("u-1", "Research")
    assert isinstance(research, costledger.Project) and not research.is_default
    with pytest.raises(costledger.ConflictError):
        await ledger.create_project("u-1", "Research")
    await ledger.upsert_subject("u-2")
    assert len(await ledger.list_projects()) == 3
    assert [p.id for p in await ledger.list_projects("u-1")] == [default.id, research.id]
    with pytest.raises(costledger.NotFoundError) as no_subject:
        await ledger.create_project("nobody", "X")
    assert no_subject.value.code == "SUBJECT_NOT_FOUND"
    with pytest.raises(costledger.InvalidInputError):
        await ledger.delete_project(default.id)
    await ledger.delete_project(research.id)
    with pytest.raises(costledger.NotFoundError) as missing:
        await ledger.delete_project(research.id)
    assert missing.value.code == "PROJECT_NOT_FOUND"


async def test_mappings_and_metadata(ledger: Any, fake: Fake) -> None:
    plan = await ledger.add_plan("Prod", admin_api_key=fake.orgs[0].admin_key)
    empty = await ledger.plan_metadata(plan.id)
    assert empty.api_keys == () and empty.users == ()
    await ledger.sync(plan_id=plan.id, streams=["metadata"])
    metadata = await ledger.plan_metadata(plan.id)
    assert isinstance(metadata, costledger.OrgMetadata)
    assert metadata.api_keys and metadata.users and metadata.workspaces
    key = metadata.api_keys[0]
    assert key.id.startswith("apikey_") and key.partial_key_hint
    assert metadata.creator(key) is None or metadata.creator(key).id == key.created_by_id
    with pytest.raises(costledger.NotFoundError) as no_plan:
        await ledger.plan_metadata(999)
    assert no_plan.value.code == "PLAN_NOT_FOUND"

    await ledger.upsert_subject("u-1")
    await ledger.upsert_subject("u-2")
    project = await ledger.create_project("u-2", "Robots")
    first = await ledger.map_key(plan.id, key.id, "u-1")
    assert isinstance(first, costledger.KeyMapping)
    assert (first.plan_id, first.api_key_id, first.subject_id) == (plan.id, key.id, "u-1")
    assert first.valid_from is None and first.valid_to is None and first.project_id is None
    # The key changes hands on October 10th: the first mapping closes there.
    second = await ledger.map_key(plan.id, key.id, "u-2", project_id=project.id,
                                  valid_from=at(10))  # fmt: skip
    assert second.valid_from == at(10) and second.project_id == project.id
    (closed,) = await ledger.list_mappings(subject_id="u-1")
    assert closed.id == first.id and closed.valid_to == at(10)
    assert [m.id for m in await ledger.list_mappings(plan_id=plan.id)] == [first.id, second.id]
    assert [m.id for m in await ledger.list_mappings(api_key_id=key.id, subject_id="u-2")] == [
        second.id
    ]
    assert await ledger.list_mappings(plan_id=999) == []
    with pytest.raises(costledger.ConflictError):
        await ledger.map_key(plan.id, key.id, "u-1", valid_from=at(1), valid_to=at(20))

    ended = await ledger.end_mapping(second.id, at(20))
    assert ended.valid_to == at(20)
    with pytest.raises(costledger.InvalidInputError) as naive:
        await ledger.end_mapping(second.id, datetime(2026, 10, 21))
    assert "timezone-aware" in str(naive.value)
    with pytest.raises(costledger.InvalidInputError) as backwards:
        await ledger.map_key(plan.id, "apikey_x", "u-1", valid_from=at(5), valid_to=at(4))
    assert "a mapping must end after it starts" in str(backwards.value)
    await ledger.delete_mapping(second.id)
    for call in (ledger.delete_mapping(second.id), ledger.end_mapping(second.id, at(25))):
        with pytest.raises(costledger.NotFoundError) as missing:
            await call
        assert missing.value.code == "MAPPING_NOT_FOUND"
    with pytest.raises(costledger.NotFoundError) as no_subject:
        await ledger.map_key(plan.id, key.id, "nobody", valid_from=at(25))
    assert no_subject.value.code == "SUBJECT_NOT_FOUND"


async def test_add_a_claude_code_logs_plan(ledger: Any, tmp_path: Any) -> None:
    plan = await ledger.add_plan("My Max plan", directories=[str(tmp_path)])
    assert plan.provider == "claude_code_logs" and plan.directories == (str(tmp_path),)
    assert plan.key_hint is None
    bare = await ledger.add_plan("Bare", directories=tmp_path)
    assert bare.directories == (str(tmp_path),)
    for kwargs in ({}, {"admin_api_key": "sk-ant-admin01-x", "directories": []}):
        with pytest.raises(costledger.InvalidInputError) as refused:
            await ledger.add_plan("Other", **kwargs)
        assert "give admin_api_key" in str(refused.value)
