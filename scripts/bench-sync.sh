#!/usr/bin/env bash
# The sync benchmarks of docs/benchmarks.md: end-to-end rows/s and peak RSS on SQLite and
# Postgres (90 vs 360 days), concurrency under added latency, and the store-only page write
# against a bare sqlx bulk insert. Postgres: COSTLEDGER_BENCH_DATABASE_URL (default: the test
# database scripts/test.sh prepares).
set -euo pipefail
cd "$(dirname "$0")/.."
export COSTLEDGER_BENCH_DATABASE_URL=${COSTLEDGER_BENCH_DATABASE_URL:-postgres://postgres:postgres@127.0.0.1:5432/costledger_test}
cargo build --release -q -p fake-admin-api -p costledger --bin fake-admin-api --example bench_sync
run() { target/release/examples/bench_sync "$@"; }
median_of_5() {
    for _ in 1 2 3 4 5; do run "$@"; done | python3 -c '
import json, sys, statistics
runs = [json.loads(l) for l in sys.stdin]
backend, days, rows = runs[0]["backend"], runs[0]["days"], runs[0]["rows"]
rate = statistics.median(x["rows_per_second"] for x in runs)
rss = statistics.median(x["peak_rss_mb"] for x in runs)
print(f"{backend:9} {days:4} days  rows {rows:7}  rows/s median {rate:9.0f}  peak RSS median {rss:5.1f} MB")'
}
echo "== end to end: 3 orgs of hourly usage + daily cost, fake on loopback (median of 5)"
for backend in sqlite postgres; do for days in 90 360; do median_of_5 --backend "$backend" --days "$days"; done; done
# A batch of pairs moves by about 0.05 in the ratio on a shared two-core machine: 9 pairs per
# backend, and the median of the pairs' own ratios beside the ratio of the medians.
echo "== with the Analytics API's billed cost: legacy streams alone vs legacy + analytics, 90 days, 9 alternating pairs"
for backend in sqlite postgres; do
    for _ in 1 2 3 4 5 6 7 8 9; do
        run --backend "$backend" --days 90 --streams legacy
        run --backend "$backend" --days 90 --streams analytics
    done | python3 -c '
import json, sys, statistics
runs = [json.loads(l) for l in sys.stdin]
legacy = statistics.median(r["seconds"] for r in runs if r["streams"] == "legacy")
both = statistics.median(r["seconds"] for r in runs if r["streams"] == "analytics")
pairs = statistics.median(b["seconds"] / a["seconds"] for a, b in zip(runs[0::2], runs[1::2]))
backend = runs[0]["backend"]
print(f"{backend:9} legacy {legacy:.3f} s  with analytics {both:.3f} s  ratio {both / legacy:.2f}  (pairwise median {pairs:.2f})")'
done
echo "== concurrency: 100 ms added to every request, 90 days: each plan alone, then all three"
for backend in sqlite postgres; do
    for plan in 1 2 3; do run --backend "$backend" --days 90 --slow-ms 100 --plan "$plan"; done
    run --backend "$backend" --days 90 --slow-ms 100
done | python3 -c '
import json, sys
runs = [json.loads(l) for l in sys.stdin]
for backend in ("sqlite", "postgres"):
    alone = [r["seconds"] for r in runs if r["backend"] == backend and r["plans_synced"] == 1]
    together = [r["seconds"] for r in runs if r["backend"] == backend and r["plans_synced"] == 3][0]
    print(f"{backend:9} slowest alone {max(alone):.3f} s  all three {together:.3f} s  ratio {together / max(alone):.2f}")'
echo "== store only: page replace vs bare sqlx bulk insert"
cargo bench -q -p costledger-benches --bench page_write 2>&1 | grep -E '^page_write|time:'
