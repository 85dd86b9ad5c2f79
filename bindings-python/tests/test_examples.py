"""examples/python/ runs as written against the fake Admin API binary, and its CSV is the
library's export of each user's month."""

from __future__ import annotations

import csv
import importlib.util
import io
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

from conftest import REPO

EXAMPLE = REPO / "examples" / "python" / "monthly_costs.py"


def test_monthly_costs_example(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, str(EXAMPLE), "--out", str(tmp_path), "--month", "2026-10"],
        env=dict(os.environ), capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    text = (tmp_path / "monthly-per-user-2026-10.csv").read_text()
    assert text.startswith("period,section,subject_id,plan_id,plan_label,model,project_id,")
    rows = list(csv.DictReader(io.StringIO(text)))
    totals = {r["subject_id"]: Decimal(r["total"]) for r in rows if r["section"] == "total"}
    assert "platform" in totals and len(totals) > 3
    assert sum(totals.values()) > 0
    days = [r for r in rows if r["section"] == "day"]
    assert len(days) == 31 * len(totals)
    assert all(r["period"] == "2026-10" for r in rows)
    # Attributed plus unattributed is everyone, to the cent in the printed summary.
    everyone = out.stdout.splitlines()[-1]
    shown, summed = (part.split("$")[1].split()[0].rstrip(")") for part in everyone.split("(", 1))
    assert shown == summed, everyone
    chart = tmp_path / "monthly-per-user-2026-10.png"
    if importlib.util.find_spec("matplotlib") is None:
        assert "matplotlib is not installed: skipping the chart" in out.stdout
        assert not chart.exists()
    else:
        assert chart.read_bytes().startswith(b"\x89PNG")
