"""The Python call overhead on ``dashboard`` and ``user_costs``: the same calls on the same
database from Python (``costledger.Ledger``, blocking, and ``AsyncLedger``) and from Rust
(``core/examples/bench_calls.rs``), p50 of many calls each.

The Python figure includes everything a caller pays: converting the arguments, the core
call, serialising the report and building the frozen dataclasses with exact ``Decimal``
money. The database is made once from the fake Admin API (three organisations, 90 days of
hourly usage, subjects from the key creators) and reused.

Usage (release builds of both sides)::

    cargo build --release -p costledger --example bench_calls
    cargo build -p fake-admin-api
    cd bindings-python && maturin develop --release && cd ..
    python bindings-python/bench/call_overhead.py --runs 300 --rounds 3

Prints a table (p50 wall time, and CPU time of the whole process per call, which a busy
machine inflates less), and exits 1 when a blocking call's p50 ratio is above
``--max-ratio`` (1.3).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import costledger

REPO = Path(__file__).resolve().parents[2]
FAKE_NOW = datetime(2026, 11, 20, tzinfo=timezone.utc)
PERIOD = "2026-10"


def make_database(path: Path) -> None:
    """Sync three fake organisations into a new SQLite file, with subjects for key creators."""
    fake_bin = os.environ.get("COSTLEDGER_FAKE_ADMIN_API") or str(
        REPO / "target" / "debug" / "fake-admin-api"
    )
    fake = subprocess.Popen(
        [fake_bin, "--port", "0", "--seed", "7", "--orgs", "3", "--days", "90",
         "--now", FAKE_NOW.strftime("%Y-%m-%dT%H:%M:%SZ")],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert fake.stdout is not None
    port = int(fake.stdout.readline().split()[1])
    orgs = json.loads(fake.stdout.readline())["orgs"]
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    try:
        with costledger.Ledger.open(
            f"sqlite://{partial}", master_key=costledger.generate_master_key(),
            anthropic_base_url=f"http://127.0.0.1:{port}", now=FAKE_NOW, request_interval=0,
        ) as ledger:  # fmt: skip
            plans = [ledger.add_plan(o["name"], admin_api_key=o["admin_key"]) for o in orgs]
            ledger.sync(streams=["metadata"])
            for plan in plans:
                metadata = ledger.plan_metadata(plan.id)
                for key in metadata.api_keys:
                    creator = metadata.creator(key)
                    if creator is not None:
                        ledger.upsert_subject(creator.email.split("@")[0], email=creator.email)
            report = ledger.sync(initial_backfill_days=90)
            assert report.is_ok, report
    finally:
        fake.terminate()
        fake.wait(timeout=10)
    partial.rename(path)


def busiest_subject(url: str) -> str:
    with costledger.Ledger.open(url) as ledger:
        dash = ledger.dashboard(period=PERIOD, top_subjects=1)
        return dash.top_subjects[0].subject_id


Figures = tuple[float, float]
"""p50 wall time and CPU time (every thread of the process) per call, µs."""


def measure(call: Callable[[], Any], runs: int, warmup: int) -> Figures:
    for _ in range(warmup):
        call()
    times = []
    cpu = time.process_time_ns()
    for _ in range(runs):
        start = time.perf_counter_ns()
        call()
        times.append(time.perf_counter_ns() - start)
    return statistics.median(times) / 1000, (time.process_time_ns() - cpu) / runs / 1000


async def measure_async(call: Callable[[], Any], runs: int, warmup: int) -> Figures:
    for _ in range(warmup):
        await call()
    times = []
    cpu = time.process_time_ns()
    for _ in range(runs):
        start = time.perf_counter_ns()
        await call()
        times.append(time.perf_counter_ns() - start)
    return statistics.median(times) / 1000, (time.process_time_ns() - cpu) / runs / 1000


def python_round(url: str, subject: str, runs: int, warmup: int) -> dict[str, Figures]:
    out = {}
    with costledger.Ledger.open(url) as ledger:
        out["dashboard"] = measure(lambda: ledger.dashboard(period=PERIOD), runs, warmup)
        out["user_costs"] = measure(lambda: ledger.user_costs(subject, period=PERIOD), runs, warmup)

    async def run_async() -> None:
        async with await costledger.AsyncLedger.open(url) as ledger:
            out["async dashboard"] = await measure_async(
                lambda: ledger.dashboard(period=PERIOD), runs, warmup
            )
            out["async user_costs"] = await measure_async(
                lambda: ledger.user_costs(subject, period=PERIOD), runs, warmup
            )

    asyncio.run(run_async())
    return out


def rust_round(binary: str, url: str, subject: str, runs: int, warmup: int) -> dict[str, Figures]:
    out = subprocess.run(
        [binary, "--db", url, "--subject", subject, "--period", PERIOD, "--runs", str(runs),
         "--warmup", str(warmup)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    lines = [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]
    return {line["call"]: (float(line["p50_us"]), float(line["cpu_us"])) for line in lines}


def main() -> int:
    parser = argparse.ArgumentParser(description="Python vs Rust call time of two reports")
    parser.add_argument("--db", type=Path, default=REPO / "target" / "bench-python" / "calls.db")
    parser.add_argument("--runs", type=int, default=300, help="timed calls per round")
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=3, help="Rust/Python rounds, alternated")
    parser.add_argument("--max-ratio", type=float, default=1.3)
    rust = REPO / "target" / "release" / "examples" / "bench_calls"
    parser.add_argument("--rust", default=os.environ.get("COSTLEDGER_BENCH_CALLS") or str(rust))
    args = parser.parse_args()
    if not Path(args.rust).exists():
        sys.exit(f"{args.rust} not found: "
                 "cargo build --release -p costledger --example bench_calls")  # fmt: skip
    if not args.db.exists():
        print(f"making {args.db} from the fake Admin API …", flush=True)
        make_database(args.db)
    url = f"sqlite://{args.db}"
    subject = busiest_subject(url)

    rust: dict[str, list[Figures]] = {}
    python: dict[str, list[Figures]] = {}
    for _ in range(args.rounds):
        for name, figures in rust_round(args.rust, url, subject, args.runs, args.warmup).items():
            rust.setdefault(name, []).append(figures)
        for name, figures in python_round(url, subject, args.runs, args.warmup).items():
            python.setdefault(name, []).append(figures)

    def median(rounds: list[Figures], i: int) -> float:
        return statistics.median(r[i] for r in rounds)

    print(f"{args.rounds} rounds × {args.runs} calls, period {PERIOD}, subject {subject}; "
          "median over the rounds, µs per call")  # fmt: skip
    print(f"{'call':<18}{'Rust p50':>10}{'Py p50':>10}{'ratio':>8}"
          f"{'Rust CPU':>10}{'Py CPU':>10}{'ratio':>8}")  # fmt: skip
    worst = 0.0
    for name, rounds in python.items():
        base = rust[name.removeprefix("async ")]
        wall = median(rounds, 0) / median(base, 0)
        cpu = median(rounds, 1) / median(base, 1)
        if not name.startswith("async"):
            worst = max(worst, wall)
        print(f"{name:<18}{median(base, 0):>10.0f}{median(rounds, 0):>10.0f}{wall:>7.2f}×"
              f"{median(base, 1):>10.0f}{median(rounds, 1):>10.0f}{cpu:>7.2f}×")  # fmt: skip
    print(f"worst blocking p50 ratio {worst:.2f}× (limit {args.max_ratio}×)")
    return 0 if worst <= args.max_ratio else 1


if __name__ == "__main__":
    sys.exit(main())
