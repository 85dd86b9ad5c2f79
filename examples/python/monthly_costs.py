"""Monthly costs per user: a data script on costledger's Python package.

It starts the fake Anthropic Admin API (the test binary, with three made-up organisations),
opens a ledger in a temporary SQLite file, adds the organisations as plans, makes every
organisation member who created an API key a subject (keys attribute to their creator's
email) and maps the keys nobody created to a "platform" subject, syncs, then writes:

- ``monthly-per-user-<month>.csv``: every user's costs for the month (the library's own CSV
  export of each user's report: a total, per plan, model, project and day, by basis), and
- ``monthly-per-user-<month>.png``: a chart of each user's month, when matplotlib is
  installed (skipped with a message otherwise).

Usage::

    cargo build -p fake-admin-api
    python examples/python/monthly_costs.py --out /tmp/costs --month 2026-10

Environment: ``COSTLEDGER_FAKE_ADMIN_API`` is the fake's binary (default
``target/debug/fake-admin-api`` in this repository).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import tempfile
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import costledger

REPO = Path(__file__).resolve().parents[2]
FAKE_NOW = datetime(2026, 11, 20, tzinfo=timezone.utc)


def start_fake() -> tuple[subprocess.Popen[str], str, list[dict[str, str]]]:
    """The fake Admin API on a free port; its base URL and its organisations' admin keys."""
    binary = os.environ.get("COSTLEDGER_FAKE_ADMIN_API") or str(
        REPO / "target" / "debug" / "fake-admin-api"
    )
    fake = subprocess.Popen(
        [binary, "--port", "0", "--seed", "7", "--orgs", "3", "--days", "60",
         "--now", FAKE_NOW.strftime("%Y-%m-%dT%H:%M:%SZ")],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert fake.stdout is not None
    port = int(fake.stdout.readline().split()[1])  # "LISTENING <port>"
    orgs = json.loads(fake.stdout.readline())["orgs"]
    return fake, f"http://127.0.0.1:{port}", orgs


def attribute(ledger: costledger.Ledger, plans: list[costledger.Plan]) -> None:
    """Subjects for the members who created keys; keys without a creator go to "platform"."""
    ledger.upsert_subject("platform", name="Platform team")
    for plan in plans:
        metadata = ledger.plan_metadata(plan.id)
        for key in metadata.api_keys:
            creator = metadata.creator(key)
            if creator is None:
                ledger.map_key(plan.id, key.id, "platform")
            else:
                subject_id = creator.email.split("@")[0]
                ledger.upsert_subject(subject_id, email=creator.email, name=creator.name)


def write_csv(reports: list[costledger.UserCosts], path: Path) -> None:
    """Each user's own CSV export, one header for all."""
    lines: list[str] = []
    for i, report in enumerate(reports):
        rows = report.to_csv().split("\r\n")
        lines.extend(rows if i == 0 else rows[1:])
    path.write_text("\r\n".join(line for line in lines if line) + "\r\n")


def write_chart(reports: list[costledger.UserCosts], month: str, path: Path) -> bool:
    """A bar per user, split into billed, estimated and subscription; False without
    matplotlib."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: skipping the chart (pip install matplotlib)")
        return False
    names = [r.subject.name or r.subject.id for r in reports]
    billed = [r.total.to_float("billed") for r in reports]
    estimated = [r.total.to_float("estimated") for r in reports]
    fees = [r.total.to_float("subscription") for r in reports]
    fig, ax = plt.subplots(figsize=(9, 0.45 * len(reports) + 1.5))
    ax.barh(names, billed, label="billed (allocated)")
    ax.barh(names, estimated, left=billed, label="estimated")
    ax.barh(names, fees, left=[b + e for b, e in zip(billed, estimated)], label="subscription")
    ax.invert_yaxis()
    ax.set_xlabel("US dollars")
    ax.set_title(f"AI spend per user, {month}")
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("."), help="where to write the files")
    parser.add_argument("--month", default="2026-10", help="the month, e.g. 2026-10")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    fake, base_url, orgs = start_fake()
    try:
        with tempfile.TemporaryDirectory() as tmp, costledger.Ledger.open(
            f"sqlite://{tmp}/ledger.db",
            master_key=costledger.generate_master_key(),
            anthropic_base_url=base_url,
            now=FAKE_NOW,  # the fake's clock
            request_interval=0,
        ) as ledger:
            plans = [ledger.add_plan(o["name"], admin_api_key=o["admin_key"]) for o in orgs]
            ledger.sync(streams=["metadata"])  # who the members and keys are
            attribute(ledger, plans)
            report = ledger.sync(initial_backfill_days=60)
            print(f"synced {len(report.plans)} plans, {report.rows_written} rows")

            reports = [ledger.user_costs(s.id, period=args.month) for s in ledger.list_subjects()]
            reports.sort(key=lambda r: r.total.total, reverse=True)
            dashboard = ledger.dashboard(period=args.month)
    finally:
        fake.terminate()
        fake.wait(timeout=10)

    csv_path = args.out / f"monthly-per-user-{args.month}.csv"
    write_csv(reports, csv_path)
    print(f"wrote {csv_path}")
    chart_path = args.out / f"monthly-per-user-{args.month}.png"
    if write_chart(reports, args.month, chart_path):
        print(f"wrote {chart_path}")
    for r in reports:
        print(f"{r.subject.id:>20}  ${r.total.total:>12.2f}  (billed ${r.total.billed:.2f})")
    attributed = sum((r.total.usage for r in reports), Decimal(0))
    print(f"{'unattributed':>20}  ${dashboard.unattributed.usage:>12.2f}")
    summed = attributed + dashboard.unattributed.usage
    print(f"{'everyone':>20}  ${dashboard.totals.usage:>12.2f}  "
          f"(attributed + unattributed = ${summed:.2f})")  # fmt: skip


if __name__ == "__main__":
    main()
