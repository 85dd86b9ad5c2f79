#!/usr/bin/env bash
# Runs every costledger test on a fresh machine: Rust on SQLite and Postgres, the Node
# package and the Python wheel (with their examples). Installs and starts what it needs;
# fails loudly on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

say() { printf '\n==> %s\n' "$*"; }
STARTED=$(date +%s)

# Every build targets the host triple explicitly. The napi CLI always passes --target, which
# puts its build in target/<triple>/; with CARGO_BUILD_TARGET set, cargo test, the wheel
# (maturin reads it too) and the addon share that one directory and what they compile alike.
# tools/workspace-hack gives the one-package builds of the addon and the wheel the same
# dependency features as the workspace test build, so they compile only their own crate.
HOST_TRIPLE=$(rustc -vV | sed -n 's/^host: //p')
export CARGO_BUILD_TARGET="$HOST_TRIPLE"
FAKE_BIN="$ROOT/target/$HOST_TRIPLE/debug/fake-admin-api"

# --- PostgreSQL -------------------------------------------------------------------------
PG_HOST=127.0.0.1
PG_PORT=5432
PG_DB=costledger_test
PG_PASSWORD=postgres

pg_answers() {
    if command -v pg_isready >/dev/null 2>&1; then
        pg_isready -q -h "$PG_HOST" -p "$PG_PORT"
    else
        (exec 3<>"/dev/tcp/$PG_HOST/$PG_PORT") 2>/dev/null
    fi
}

as_postgres() {
    # Run a command as the postgres OS user (peer auth on the local socket).
    if [ "$(id -un)" = postgres ]; then "$@"
    elif command -v runuser >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"
    elif command -v sudo >/dev/null 2>&1; then sudo -n -u postgres "$@"
    else return 1
    fi
}

start_postgres() {
    if ! command -v pg_ctlcluster >/dev/null 2>&1; then
        say "PostgreSQL is not installed: installing it with apt-get"
        export DEBIAN_FRONTEND=noninteractive
        SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo -n"
        $SUDO apt-get update -qq
        $SUDO apt-get install -y -qq postgresql >/dev/null
    fi
    say "starting PostgreSQL"
    local started=0
    for version in $(ls /etc/postgresql 2>/dev/null); do
        for cluster in $(ls "/etc/postgresql/$version"); do
            if pg_ctlcluster --skip-systemctl-redirect "$version" "$cluster" start 2>/dev/null \
                || pg_ctlcluster "$version" "$cluster" start; then started=1; fi
        done
    done
    [ "$started" = 1 ] || { echo "could not start any PostgreSQL cluster" >&2; exit 1; }
    for _ in $(seq 1 30); do pg_answers && return 0; sleep 1; done
    echo "PostgreSQL did not answer on $PG_HOST:$PG_PORT after starting" >&2
    exit 1
}

if [ -z "${COSTLEDGER_TEST_DATABASE_URL:-}" ]; then
    pg_answers || start_postgres
    # Debian's default wants a password over TCP; set one when we can (with trust auth it
    # is simply ignored).
    as_postgres psql -qAt -c "ALTER USER postgres PASSWORD '$PG_PASSWORD'" >/dev/null 2>&1 || true
    export COSTLEDGER_TEST_DATABASE_URL="postgres://postgres:$PG_PASSWORD@$PG_HOST:$PG_PORT/$PG_DB"
    ADMIN_URL="postgres://postgres:$PG_PASSWORD@$PG_HOST:$PG_PORT/postgres"
    if [ "$(psql "$ADMIN_URL" -qAt -c "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'")" != 1 ]; then
        psql "$ADMIN_URL" -q -c "CREATE DATABASE $PG_DB"
    fi
    # The suites create, migrate and drop a schema per Postgres test, each in many small
    # transactions, and Postgres is the busiest process of a run: commits of the test
    # database do not wait for the disk. A crash loses only the last moments of test data.
    psql "$ADMIN_URL" -q -c "ALTER DATABASE $PG_DB SET synchronous_commit = off"
fi
# Test schemas (cltest_*) that killed runs left (a passing test drops its own). Their names
# carry the test process's pid (cltest_[kind_]<pid>_…): a schema is dropped only when that
# process is gone, so a suite running beside this one on the same machine keeps its own. One
# DROP per transaction: a single transaction dropping hundreds of schemas runs out of lock
# slots (max_locks_per_transaction).
drop_test_schemas() {
    local schema pid
    psql "$COSTLEDGER_TEST_DATABASE_URL" -qAtX -c \
        "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'cltest\_%'" \
        | while read -r schema; do
            pid=$(echo "$schema" | sed -nE 's/^cltest_([a-z]+_)?([0-9]+)_.*/\2/p')
            if [ -n "$pid" ] && [ -d "/proc/$pid" ]; then continue; fi
            printf 'DROP SCHEMA IF EXISTS "%s" CASCADE;\n' "$schema"
        done \
        | PGOPTIONS='-c client_min_messages=warning' \
            psql "$COSTLEDGER_TEST_DATABASE_URL" -qAtX -v ON_ERROR_STOP=1 >/dev/null
}
drop_test_schemas
trap 'drop_test_schemas || true' EXIT
export COSTLEDGER_REQUIRE_POSTGRES=1
say "Postgres tests use $(echo "$COSTLEDGER_TEST_DATABASE_URL" | sed -E 's#://([^:]+):[^@]*@#://\1:***@#')"

# --- Installs, beside the Rust build --------------------------------------------------------
# Downloads and installs wait on the network and the disk while the build keeps both cores
# busy, so they run in the background from here, each with its own log, and each step that
# needs one waits for it (`await_install`); a failed install fails the run with its log.
# An install holds a lock (flock, in target/) while it runs, so that one left running by a
# killed run finishes before this run's starts; when this script exits early, it stops the
# installs it started.
PREP="$ROOT/target/test-installs"
rm -rf "$PREP"; mkdir -p "$PREP"
declare -A INSTALL_PIDS=()
start_install() {
    local name=$1; shift
    ( exec 9>"$ROOT/target/.install-$name.lock"; flock 9; "$@" ) >"$PREP/$name.log" 2>&1 &
    INSTALL_PIDS[$name]=$!
}
stop_tree() {
    local child
    for child in $(cat /proc/"$1"/task/*/children 2>/dev/null); do stop_tree "$child"; done
    kill "$1" 2>/dev/null || true
}
stop_installs() {
    local pid
    for pid in "${INSTALL_PIDS[@]}"; do stop_tree "$pid"; done
}
trap 'stop_installs; drop_test_schemas || true' EXIT
await_install() {
    local name=$1 status=0
    wait "${INSTALL_PIDS[$name]}" || status=$?
    unset 'INSTALL_PIDS[$name]'
    if [ "$status" != 0 ]; then
        cat "$PREP/$name.log" >&2
        echo "installing $name failed (exit $status): its output is above" >&2
        exit 1
    fi
}

# The Claude Code logs parity tests compare with ccusage 20.0.24 (native) and 17.2.1 (the last
# TypeScript version): both from npm into a cache dir; install_ccusage exports where they are
# (a second call installs nothing).
. scripts/ccusage.sh
start_install ccusage install_ccusage

# The Next.js example's dashboard is tested in a real browser: Debian's chromium, driven by
# playwright-core from the example's lock file, which never downloads a browser of its own.
# The test fails when /usr/bin/chromium is missing.
CHROMIUM=/usr/bin/chromium
install_chromium() {
    [ -x "$CHROMIUM" ] && return 0
    echo "Chromium is not installed: installing it with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo -n"
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
}
start_install chromium install_chromium

# The npm package's build tools, from its lock file.
start_install npm env -C bindings-node npm ci --no-audit --no-fund

# The examples' npm packages (Next.js, React and the example's build tools: the longest
# install of the run, which otherwise waits inside the Node suite), from their lock files.
# The examples' tests run `npm ci` themselves unless node_modules holds the marker of the same
# lock file, which this writes as they do; they then put the addon built later into the copy
# the Next.js example installs (install-links).
install_example() {
    local dir=$1 hash
    hash=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
    [ "$(cat "$dir/node_modules/.costledger-lock-sha256" 2>/dev/null)" = "$hash" ] && return 0
    (cd "$dir" && npm ci --no-audit --no-fund)
    printf '%s' "$hash" >"$dir/node_modules/.costledger-lock-sha256"
}
install_examples() { install_example examples/node && install_example examples/nextjs; }
start_install examples install_examples

# The repo's venv, with maturin and pytest; pandas, pyarrow (pandas' exact decimal columns)
# and polars make the DataFrame tests run, and pandas-stubs lets mypy check that to_pandas()
# returns a typed DataFrame (the package itself depends on none of them).
VENV="$ROOT/.venv"
install_python_tools() {
    [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
    "$VENV/bin/python" -m pip install -q maturin==1.16.0 pytest==9.2.0 pytest-asyncio==1.5.0 \
        pytest-xdist==3.8.0 mypy==2.4.1 pandas==3.1.1 pyarrow==26.0.1 polars==2.1.0 \
        pandas-stubs==3.1.0.261029
}
start_install python install_python_tools

# --- Builds -----------------------------------------------------------------------------
# Everything is compiled first, one suite after the other, in one target directory: the test
# binaries, then the addon and the wheel, which reuse the dependencies the tests compiled.
# `--tests` builds every library, binary and integration test of the workspace, but not its
# examples: they are the benchmarks' programs, which scripts/bench-*.sh build (release).
# The core's layering (no import cycle between its modules, no file over 600 lines), checked
# before anything compiles.
say "core structure (scripts/structure.py --check)"
python3 scripts/structure.py --check
# The bindings' types, written from the core's schema (bindings/schema.json; the Rust suite
# checks that file against the core's types).
python3 scripts/gen-bindings.py --check

say "Rust: build the workspace's tests (SQLite and Postgres)"
cargo test --workspace --locked --tests --no-run
# The fake's binary is built for its own integration tests; the Node and Python suites start it.
[ -x "$FAKE_BIN" ] || { echo "cargo did not build $FAKE_BIN" >&2; exit 1; }

# The npm package, built from its lock file and tested through its public entry point. A
# debug build, reusing the dependencies cargo test compiled; `npm run build` (or
# scripts/build-release.sh) makes the release addon. The tests include `npm pack` installed
# into a fresh project and imported with ESM and CommonJS.
say "Node: npm ci, native build, index.d.ts drift check"
await_install npm
bindings-node/scripts/check-dts.sh
(cd bindings-node && npx tsc -p tsconfig.json)

# The wheel as a user gets it: maturin builds the abi3 wheel (a debug build here, reusing the
# dependencies cargo test compiled; scripts/build-release.sh makes the published one), pip
# installs it into the repo's venv, and pytest imports the installed package (never the
# source tree).
say "Python: venv, maturin wheel, pip install"
await_install python
rm -f "$ROOT"/target/wheels/costledger-*.whl
(cd bindings-python && "$VENV/bin/maturin" build --locked -i "$VENV/bin/python" \
    --out "$ROOT/target/wheels")
"$VENV/bin/python" -m pip install -q --force-reinstall --no-deps "$ROOT"/target/wheels/costledger-*.whl

# --- The three suites, at once ------------------------------------------------------------
# They share no state (each test has its own SQLite file or Postgres schema, and its own fake
# Admin API), and much of their time is spent waiting on the fake's simulated latency, a
# browser or a child process: run side by side, the suite takes about the longest one's time.
# Each suite also runs more tests at once than the machine has cores (Rust 4 threads, pytest 3
# workers, node 3 files), so that one test's waiting is another's computing. The Rust suite is
# the longest: Node and Python run at a lower CPU priority (nice 10), so that they use the
# cores Rust leaves idle rather than delay it.
# Each writes its own log; the logs are printed whole, one after the other, when all are done.
LOGS="$ROOT/target/test-logs"
rm -rf "$LOGS"; mkdir -p "$LOGS"
run_suite() {
    local name=$1; shift
    local started; started=$(date +%s)
    if "$@" >"$LOGS/$name.log" 2>&1; then
        echo "$name: passed in $(( $(date +%s) - started )) s" >"$LOGS/$name.result"
    else
        echo "$name: FAILED (exit $?) after $(( $(date +%s) - started )) s" >"$LOGS/$name.result"
    fi
}
await_install ccusage
install_ccusage
await_install examples
say "ccusage 20.0.24 and 17.2.1 for the Claude Code logs parity tests"
await_install chromium
say "$("$CHROMIUM" --version 2>/dev/null) for the Next.js example's browser test"
say "running the Rust, Node and Python suites side by side (logs in target/test-logs/)"
# Rust on SQLite and Postgres, then the documentation's examples (doctests).
run_suite rust sh -c 'cargo test --workspace --locked --tests -- --test-threads=4 && cargo test --workspace --locked --doc' &
# Node: node --test on SQLite and Postgres against the fake Admin API, with the examples:
# examples/node's script, and examples/nextjs (its packages installed above) through `next
# build` and `next start`: its JSON route, and its dashboard driven in
# headless Chromium (screenshots in target/browser-screenshots/).
run_suite node nice -n 10 env -C bindings-node COSTLEDGER_FAKE_ADMIN_API="$FAKE_BIN" npm test &
# Python: pytest on SQLite and Postgres against the fake Admin API, with examples/python/.
run_suite python nice -n 10 env -C bindings-python COSTLEDGER_FAKE_ADMIN_API="$FAKE_BIN" \
    "$VENV/bin/python" -m pytest -q -p no:cacheprovider -n 3 tests &
wait
failed=0
for name in rust node python; do
    say "$name suite output"
    cat "$LOGS/$name.log"
    grep -q "passed in" "$LOGS/$name.result" || failed=1
done
say "summary"
cat "$LOGS"/rust.result "$LOGS"/node.result "$LOGS"/python.result
if [ "$failed" != 0 ]; then
    echo "some suites failed: see their output above" >&2
    exit 1
fi
say "all tests passed in $(( $(date +%s) - STARTED )) s"
