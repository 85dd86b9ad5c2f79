#!/usr/bin/env bash
# The report benchmarks of docs/benchmarks.md: generate (once, kept on disk) a year of hourly
# usage, about 10 million rows over 6 plans and 600 keys, on SQLite and on Postgres, then time
# a month's dashboard and user_costs. Postgres: COSTLEDGER_BENCH_DATABASE_URL, a database of its
# own (default costledger_bench on the local server, created when missing), never the tests'.
set -euo pipefail
cd "$(dirname "$0")/.."
export COSTLEDGER_BENCH_DATABASE_URL=${COSTLEDGER_BENCH_DATABASE_URL:-postgres://postgres:postgres@127.0.0.1:5432/costledger_bench}
if command -v psql >/dev/null; then
    server=${COSTLEDGER_BENCH_DATABASE_URL%/*}
    name=${COSTLEDGER_BENCH_DATABASE_URL##*/}
    name=${name%%\?*}
    psql -q "$server/postgres" -tc "SELECT 1 FROM pg_database WHERE datname = '$name'" | grep -q 1 \
        || psql -q "$server/postgres" -c "CREATE DATABASE $name"
fi
cargo build --release -q -p costledger --example gen_report_data --example bench_reports
for backend in sqlite postgres; do
    target/release/examples/gen_report_data --backend "$backend"
    target/release/examples/bench_reports --backend "$backend" --runs "${RUNS:-50}"
done
