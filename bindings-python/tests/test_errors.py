"""The exception hierarchy: one class per code family, codes in step with the core,
picklable, chained to their cause, and no key in any text."""

from __future__ import annotations

import pickle
import typing
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import costledger
import costledger.types
from costledger import _native, exceptions
from conftest import MASTER_KEY, Fake, open_any

FAMILIES: dict[str, tuple[type[costledger.CostLedgerError], tuple[type[Exception], ...]]] = {
    "INVALID_INPUT": (costledger.InvalidInputError, (ValueError,)),
    "PLAN_NOT_FOUND": (costledger.NotFoundError, (LookupError,)),
    "SUBJECT_NOT_FOUND": (costledger.NotFoundError, (LookupError,)),
    "PROJECT_NOT_FOUND": (costledger.NotFoundError, (LookupError,)),
    "MAPPING_NOT_FOUND": (costledger.NotFoundError, (LookupError,)),
    "BUDGET_NOT_FOUND": (costledger.NotFoundError, (LookupError,)),
    "CONFLICT": (costledger.ConflictError, ()),
    "CREDENTIAL_REJECTED": (costledger.CredentialRejectedError, ()),
    "ORG_MISMATCH": (costledger.OrgMismatchError, ()),
    "RATE_LIMITED": (costledger.RateLimitedError, ()),
    "UPSTREAM": (costledger.UpstreamError, ()),
    "CRYPTO": (costledger.CryptoError, ()),
    "STORAGE": (costledger.StorageError, ()),
    "CLOSED": (costledger.ClosedError, ()),
    "INTERRUPTED": (costledger.SyncInterruptedError, ()),
    "INTERNAL": (costledger.InternalError, ()),
}


def test_every_core_code_has_its_class() -> None:
    assert list(exceptions.CODES) == list(_native.ERROR_CODES)
    assert set(FAMILIES) == set(_native.ERROR_CODES)
    for code, (cls, builtins) in FAMILIES.items():
        assert exceptions.CODES[code] is cls
        error = exceptions._from_native("message", code, None)
        assert type(error) is cls and error.code == code
        assert isinstance(error, costledger.CostLedgerError)
        for builtin in builtins:
            assert isinstance(error, builtin)
    unknown = exceptions._from_native("new", "SOMETHING_NEW", None)
    assert type(unknown) is costledger.CostLedgerError and unknown.code == "SOMETHING_NEW"


def test_literal_types_match_the_core_enumerations() -> None:
    for name, values in _native.ENUM_VALUES.items():
        assert list(typing.get_args(getattr(costledger.types, name))) == values, name


@pytest.mark.parametrize("code", sorted(FAMILIES))
def test_exceptions_pickle(code: str) -> None:
    error = exceptions._from_native(f"what went wrong with {code}", code, "the cause")
    assert isinstance(error.__cause__, costledger.UnderlyingError)
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error)
    assert (copy.code, str(copy), copy.message) == (code, str(error), error.message)
    assert repr(copy) == f"{type(error).__name__}({error.message!r}, code={code!r})"


def test_user_constructed_exceptions_default_their_code() -> None:
    assert costledger.NotFoundError("no plan").code == "PLAN_NOT_FOUND"
    assert costledger.InvalidInputError("bad").code == "INVALID_INPUT"
    assert costledger.CostLedgerError("x").code == "INTERNAL"


def test_raised_errors_pickle_with_their_code(tmp_path: Path) -> None:
    with costledger.Ledger.open(f"sqlite://{tmp_path}/l.db", master_key=MASTER_KEY) as ledger:
        with pytest.raises(costledger.NotFoundError) as raised:
            ledger.get_plan(42)
    copy = pickle.loads(pickle.dumps(raised.value))
    assert isinstance(copy, LookupError) and copy.code == "PLAN_NOT_FOUND"
    assert str(copy) == "plan 42 not found; list the plans to see their ids"


def test_storage_error_is_chained_to_its_cause(tmp_path: Path) -> None:
    with pytest.raises(costledger.StorageError) as raised:
        costledger.Ledger.open(f"sqlite://{tmp_path}/no/such/dir/l.db", master_key=MASTER_KEY)
    error = raised.value
    assert error.code == "STORAGE" and str(error).startswith("storage error:")
    assert isinstance(error.__cause__, costledger.UnderlyingError)
    assert "unable to open database file" in str(error.__cause__)


async def test_no_key_in_any_repr_or_message(kind: str, open_kwargs: dict[str, Any], fake: Fake) -> None:
    ledger = await open_any(kind, **open_kwargs)
    key = fake.new_admin_key(fake.orgs[0].id)
    subscription = costledger.Subscription(
        tier="max_20x", anchor_date=date(2026, 3, 1), price_per_seat=Decimal("200")
    )
    plan = await ledger.add_plan("Prod", admin_api_key=key, subscription=subscription)
    report = await ledger.sync(streams=["metadata"])
    fake.revoke(key)
    failed = await ledger.sync(streams=["metadata"])
    errors: list[BaseException] = []
    for call in (
        lambda: ledger.check_plan(plan.id),
        lambda: ledger.rotate_plan_credential(plan.id, fake.orgs[1].admin_key),
        lambda: ledger.add_plan("Again", admin_api_key=key),
        lambda: ledger.rotate_master_key(key),
    ):
        with pytest.raises(costledger.CostLedgerError) as raised:
            await call()
        errors.append(raised.value)
    events = await ledger.sync_history()
    handle = getattr(ledger, "ledger", ledger)  # the Ledger behind a blocking wrapper
    texts = [repr(handle), str(handle), repr(plan), str(plan), repr(report), repr(failed)]
    texts += [repr(e) for e in events] + [repr(await ledger.get_plan(plan.id))]
    for error in errors:
        texts += [repr(error), str(error), repr(error.__cause__), str(pickle.loads(pickle.dumps(error)))]
    for text in texts:
        assert key not in text and key[15:40] not in text
        assert MASTER_KEY not in text and MASTER_KEY[:20] not in text
    assert f"…{key[-4:]}" in repr(plan)  # the hint is all that shows
    await ledger.close()
