"""A host-supplied key cipher (a KMS stand-in) in place of the built-in AES-GCM keyring."""

from __future__ import annotations

import asyncio
import hashlib
from typing import Any

import pytest

import costledger
from conftest import Db, Fake, open_any


class ToyKms:
    """A reversible, aad-bound transform standing in for a KMS. Not encryption."""

    key_id = "toy-kms/v1"

    def __init__(self) -> None:
        self.calls: list[tuple[str, bytes]] = []

    def _pad(self, aad: bytes, n: int) -> bytes:
        stream = b""
        while len(stream) < n:
            stream += hashlib.sha256(aad + len(stream).to_bytes(4, "big")).digest()
        return stream[:n]

    def encrypt(self, plaintext: bytes, aad: bytes) -> bytes:
        self.calls.append(("encrypt", aad))
        tag = hashlib.sha256(aad + plaintext).digest()[:8]
        return tag + bytes(a ^ b for a, b in zip(plaintext, self._pad(aad, len(plaintext))))

    def decrypt(self, ciphertext: bytes, aad: bytes) -> bytes:
        self.calls.append(("decrypt", aad))
        tag, body = ciphertext[:8], ciphertext[8:]
        plaintext = bytes(a ^ b for a, b in zip(body, self._pad(aad, len(body))))
        if hashlib.sha256(aad + plaintext).digest()[:8] != tag:
            raise ValueError("toy kms: authentication failed")
        return plaintext


class AsyncToyKms(ToyKms):
    async def encrypt(self, plaintext: bytes, aad: bytes) -> bytes:  # type: ignore[override]
        await asyncio.sleep(0)
        return ToyKms.encrypt(self, plaintext, aad)

    async def decrypt(self, ciphertext: bytes, aad: bytes) -> bytes:  # type: ignore[override]
        await asyncio.sleep(0)
        return ToyKms.decrypt(self, ciphertext, aad)


class BrokenKms(ToyKms):
    def __init__(self, fail: str) -> None:
        super().__init__()
        self.fail = fail

    def encrypt(self, plaintext: bytes, aad: bytes) -> bytes:
        if self.fail == "encrypt":
            raise ConnectionError("kms unreachable")
        return super().encrypt(plaintext, aad)

    def decrypt(self, ciphertext: bytes, aad: bytes) -> bytes:
        if self.fail == "decrypt":
            raise PermissionError("kms denied decrypt")
        return super().decrypt(ciphertext, aad)


def cipher_kwargs(open_kwargs: dict[str, Any], cipher: Any) -> dict[str, Any]:
    return {**open_kwargs, "master_key": None, "cipher": cipher}


async def test_round_trip(kind: str, open_kwargs: dict[str, Any], fake: Fake, db: Db) -> None:
    kms = ToyKms()
    ledger = await open_any(kind, **cipher_kwargs(open_kwargs, kms))
    org = fake.orgs[0]
    plan = await ledger.add_plan("Prod", admin_api_key=org.admin_key)
    aad = f"costledger:credential:v1:plan={plan.id}:kind=admin_key".encode()
    assert kms.calls == [("encrypt", aad)]
    assert (await ledger.check_plan(plan.id)).id == org.id
    assert kms.calls[-1] == ("decrypt", aad)
    report = await ledger.sync(streams=["metadata"])
    assert report.is_ok
    ((key_id,),) = db.query("SELECT key_id FROM costledger_credentials")
    assert key_id == "toy-kms/v1"
    with pytest.raises(costledger.InvalidInputError) as rotate:
        await ledger.rotate_master_key(costledger.generate_master_key())
    assert "host-supplied cipher" in str(rotate.value)
    await ledger.close()


async def test_coroutine_cipher_with_async_ledger(open_kwargs: dict[str, Any], fake: Fake) -> None:
    kms = AsyncToyKms()
    async with await costledger.AsyncLedger.open(**cipher_kwargs(open_kwargs, kms)) as ledger:
        plans = [await ledger.add_plan(o.name, admin_api_key=o.admin_key) for o in fake.orgs]
        orgs = await asyncio.gather(*(ledger.check_plan(p.id) for p in plans))
        assert [o.id for o in orgs] == [o.id for o in fake.orgs]
    assert [c for c, _ in kms.calls].count("decrypt") == 3


def test_coroutine_cipher_with_blocking_ledger(open_kwargs: dict[str, Any], fake: Fake) -> None:
    with costledger.Ledger.open(**cipher_kwargs(open_kwargs, AsyncToyKms())) as ledger:
        with pytest.raises(costledger.CryptoError) as raised:
            ledger.add_plan("Prod", admin_api_key=fake.orgs[0].admin_key)
    assert "only costledger.AsyncLedger can await" in str(raised.value)


async def test_failing_cipher_is_a_crypto_error_naming_the_plan(
    kind: str, open_kwargs: dict[str, Any], fake: Fake
) -> None:
    org = fake.orgs[0]
    ledger = await open_any(kind, **cipher_kwargs(open_kwargs, BrokenKms("encrypt")))
    with pytest.raises(costledger.CryptoError) as sealing:
        await ledger.add_plan("Prod", admin_api_key=org.admin_key)
    assert sealing.value.code == "CRYPTO"
    assert "encrypt() failed for costledger:credential:v1:plan=" in str(sealing.value)
    assert "ConnectionError: kms unreachable" in str(sealing.value)
    assert await ledger.list_plans() == []  # nothing half-written
    await ledger.close()

    kms = BrokenKms("none")
    ledger = await open_any(kind, **cipher_kwargs(open_kwargs, kms))
    plan = await ledger.add_plan("Prod", admin_api_key=org.admin_key)
    kms.fail = "decrypt"
    with pytest.raises(costledger.CryptoError) as opening:
        await ledger.check_plan(plan.id)
    message = str(opening.value)
    assert f"plan {plan.id}" in message and "PermissionError: kms denied decrypt" in message
    assert org.admin_key not in message
    report = await ledger.sync(streams=["metadata"])
    assert report.plans[0].error is not None and report.plans[0].error.code == "CRYPTO"
    await ledger.close()


def test_a_cipher_needs_both_methods(open_kwargs: dict[str, Any]) -> None:
    class EncryptOnly:
        def encrypt(self, plaintext: bytes, aad: bytes) -> bytes:
            return plaintext

    with pytest.raises(TypeError, match="callable decrypt"):
        costledger.Ledger.open(**cipher_kwargs(open_kwargs, EncryptOnly()))
