"""The README's Python examples run as written, against the fake Admin API."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import MASTER_KEY, Fake

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_examples_run(fake: Fake, tmp_path: Path) -> None:
    pytest.importorskip("pandas")  # the reports example makes a DataFrame
    pytest.importorskip("pyarrow")  # whose money columns are exact pyarrow decimals
    quickstart, with_asyncio, reports = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)
    env = {
        **os.environ,
        "COSTLEDGER_MASTER_KEY": MASTER_KEY,
        "COSTLEDGER_ANTHROPIC_BASE_URL": fake.base_url,
        "ANTHROPIC_ADMIN_API_KEY": fake.orgs[0].admin_key,
    }
    outputs = []
    # In order, in one directory: the quickstart adds the plan the others sync and report on.
    for code in (quickstart, with_asyncio, reports):
        out = subprocess.run(
            [sys.executable, "-c", code], cwd=tmp_path, env=env,
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert out.returncode == 0, out.stderr
        outputs.append(out.stdout.split())
    label, status, rows = " ".join(outputs[0][:2]), outputs[0][2], int(outputs[0][3])
    assert (label, status) == ("Prod org", "ok") and rows > 0
    assert outputs[1] == ["['ok']"]
    billed, estimated = (Decimal(v) for v in outputs[2][:2])
    assert billed > 0 and estimated >= 0
    assert outputs[2][-1] == "30"  # the daily DataFrame: every day of November
    assert (tmp_path / "ada-2026-11.csv").read_text().startswith("period,section,subject_id")


ROOT_README = Path(__file__).resolve().parents[2] / "README.md"


def test_root_readme_quickstart_runs(fake: Fake, tmp_path: Path) -> None:
    """The repository README's Python quickstart, as written, against the fake."""
    (quickstart,) = re.findall(r"```python\n(.*?)```", ROOT_README.read_text(), re.S)
    env = {
        **os.environ,
        "COSTLEDGER_MASTER_KEY": MASTER_KEY,
        "COSTLEDGER_ANTHROPIC_BASE_URL": fake.base_url,
        "ANTHROPIC_ADMIN_API_KEY": fake.orgs[0].admin_key,
    }
    for run in (1, 2):  # the second run finds the plan and syncs incrementally
        out = subprocess.run(
            [sys.executable, "-c", quickstart], cwd=tmp_path, env=env,
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert out.returncode == 0, out.stderr
        plan_line, totals = out.stdout.splitlines()
        assert plan_line.startswith("Prod org ok "), (run, plan_line)
        billed, estimated = (Decimal(v) for v in totals.split())
        assert billed > 0 and estimated >= 0
