"""The package as a whole: both classes have the same methods, stubs match the native module,
the package and its DataFrame methods type-check, blocking calls release the GIL, a forked child
gets an error instead of a hang."""

from __future__ import annotations

import asyncio
import importlib.metadata
import inspect
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

import costledger
from conftest import MASTER_KEY, Fake



def public_methods(cls: type) -> dict[str, Any]:
    return {
        name: member
        for name, member in inspect.getmembers(cls)
        if not name.startswith("_") and callable(member)
    }


def test_both_classes_have_the_same_methods_and_signatures() -> None:
    blocking = public_methods(costledger.Ledger)
    awaitable = public_methods(costledger.AsyncLedger)
    assert set(blocking) == set(awaitable)
    for name, method in awaitable.items():
        assert inspect.iscoroutinefunction(method), name
        assert inspect.signature(method).parameters.keys() == (
            inspect.signature(blocking[name]).parameters.keys()
        ), name
        assert not inspect.iscoroutinefunction(blocking[name]), name
        assert blocking[name].__doc__, name


def test_native_stubs_match_the_module() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "costledger._native"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert out.returncode == 0, out.stdout + out.stderr


def test_package_types_check_strictly() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "-p", "costledger"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert out.returncode == 0, out.stdout + out.stderr


def test_dataframes_are_typed(tmp_path: Path) -> None:
    # With pandas-stubs and polars installed, to_pandas() and to_polars() are their
    # DataFrames to mypy, not Any: a misuse is an error (each `ignore` must be needed).
    pytest.importorskip("pandas")
    pytest.importorskip("polars")
    try:
        importlib.metadata.version("pandas-stubs")
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("pandas-stubs is not installed")
    sample = tmp_path / "frames.py"
    sample.write_text(
        "import pandas as pd\n"
        "import polars as pl\n"
        "import costledger\n"
        "def use(d: costledger.Dashboard, u: costledger.UserCosts) -> None:\n"
        "    frame: pd.DataFrame = d.to_pandas()\n"
        "    polar: pl.DataFrame = u.to_polars(money='float')\n"
        "    wrong: int = d.to_pandas('per_model')  # type: ignore[assignment]\n"
        "    d.to_polars().no_such_method()  # type: ignore[attr-defined]\n"
        "    d.to_pandas(money='exact')  # type: ignore[arg-type]\n"
        "    print(frame, polar, wrong)\n"
    )
    out = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--warn-unused-ignores", str(sample)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert out.returncode == 0, out.stdout + out.stderr


def test_blocking_calls_release_the_gil(open_kwargs: dict[str, Any], fake: Fake) -> None:
    with costledger.Ledger.open(**open_kwargs) as ledger:
        plan = ledger.add_plan("Prod", admin_api_key=fake.orgs[0].admin_key)
        ticks = 0
        done = threading.Event()

        def sync() -> None:
            try:
                ledger.sync(plan_id=plan.id, streams=["usage"], initial_backfill_days=30)
            finally:
                done.set()

        fake.set_faults("slow:100")
        try:
            worker = threading.Thread(target=sync)
            started = time.monotonic()
            worker.start()
            while not done.is_set():
                ticks += 1  # pure Python: runs only while the sync does not hold the GIL
            worker.join()
        finally:
            fake.set_faults("")
        assert time.monotonic() - started > 0.3
        assert ticks > 100_000


def test_coroutines_need_no_running_loop_to_be_created(open_kwargs: dict[str, Any]) -> None:
    ledger = asyncio.run(costledger.AsyncLedger.open(**open_kwargs))
    assert asyncio.run(ledger.list_plans()) == []
    asyncio.run(ledger.close())


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_child_gets_an_error_not_a_hang(tmp_path: Path) -> None:
    url = f"sqlite://{tmp_path}/l.db"
    ledger = costledger.Ledger.open(url, master_key=MASTER_KEY)
    assert ledger.list_plans() == []  # the runtime runs in the parent
    pid = os.fork()
    if pid == 0:  # the child: report what it got through its exit status
        status = 1
        try:
            ledger.list_plans()
        except costledger.CostLedgerError as e:
            status = 10 if e.code == "FORKED" and "spawn" in str(e) else 2
        try:
            costledger.Ledger.open(url, master_key=MASTER_KEY)
            status += 50
        except costledger.CostLedgerError as e:
            status += 20 if e.code == "FORKED" else 30
        os._exit(status)
    deadline = time.monotonic() + 20
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            os.kill(pid, 9)
            pytest.fail("the forked child hung")
        time.sleep(0.05)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 30
    assert ledger.list_plans() == []  # the parent is unaffected
    ledger.close()
