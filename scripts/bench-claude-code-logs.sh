#!/usr/bin/env bash
# The Claude Code logs benchmark of docs/claude-code-logs.md: a generated corpus of about 1 GiB
# with ccusage's real-world file-size spread; the first scan's time and peak RSS (costledger
# into a new SQLite database) against `ccusage daily --json --offline` of ccusage 20.0.24
# (native) and 17.2.1 (TypeScript) on the same files; then the re-scan after appending 1 % new
# lines, against ccusage 20's full run on the grown corpus. Medians of --runs runs.
#
#   scripts/bench-claude-code-logs.sh [--size-mib 1024] [--shape ccusage|sessions] [--runs 3]
#
# Needs node and npm (ccusage is installed from the registry into a cache directory) and GNU
# time (installed with apt-get when missing). The corpus goes to $COSTLEDGER_BENCH_DIR
# (default target/bench-claude-code-logs).
set -euo pipefail
cd "$(dirname "$0")/.."

SIZE_MIB=1024
SHAPE=ccusage
RUNS=3
while [ $# -gt 0 ]; do
    case "$1" in
        --size-mib) SIZE_MIB=$2; shift 2 ;;
        --shape) SHAPE=$2; shift 2 ;;
        --runs) RUNS=$2; shift 2 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
WORK=${COSTLEDGER_BENCH_DIR:-target/bench-claude-code-logs}

if [ ! -x /usr/bin/time ]; then
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo -n"
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq time >/dev/null \
        || { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq time >/dev/null; }
fi
. scripts/ccusage.sh
install_ccusage
: "${COSTLEDGER_CCUSAGE20:?ccusage 20 is needed for the benchmark}"
: "${COSTLEDGER_CCUSAGE17:?ccusage 17 is needed for the benchmark}"

cargo build --release -q -p costledger --example claude_code_logs_bench
BENCH=target/release/examples/claude_code_logs_bench

rm -rf "$WORK"
mkdir -p "$WORK/home"
CONFIG=$(cd "$WORK" && pwd)/config
echo "== generating ${SIZE_MIB} MiB, shape $SHAPE"
"$BENCH" generate "$CONFIG/projects" --size-mib "$SIZE_MIB" --shape "$SHAPE"
du -sh "$CONFIG/projects" | cut -f1 | sed 's/^/on disk: /'
# Every contender reads from the page cache.
find "$CONFIG/projects" -name '*.jsonl' -exec cat {} + >/dev/null

# measure LABEL CMD...: one run under GNU time; appends "LABEL seconds peak_rss_kb" to results.
measure() {
    local label=$1; shift
    /usr/bin/time -v -o "$WORK/time.txt" "$@" >"$WORK/out.txt" 2>"$WORK/err.txt" \
        || { cat "$WORK/err.txt" >&2; exit 1; }
    python3 - "$label" "$WORK/time.txt" >>"$WORK/results.txt" <<'EOF'
import re, sys
text = open(sys.argv[2]).read()
wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", text).group(1)
seconds = sum(float(p) * 60 ** i for i, p in enumerate(reversed(wall.split(":"))))
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text).group(1))
print(sys.argv[1], seconds, rss)
EOF
    tail -n1 "$WORK/results.txt"
}
ccusage20() { env HOME="$WORK/home" TZ=UTC CLAUDE_CONFIG_DIR="$CONFIG" "$COSTLEDGER_CCUSAGE20" daily --json --offline; }
ccusage17() { env HOME="$WORK/home" TZ=UTC CLAUDE_CONFIG_DIR="$CONFIG" node "$COSTLEDGER_CCUSAGE17" daily --json --offline; }
export -f ccusage20 ccusage17
export WORK CONFIG COSTLEDGER_CCUSAGE20 COSTLEDGER_CCUSAGE17

: >"$WORK/results.txt"
echo "== first scan (run: seconds, peak RSS kB)"
for _ in $(seq "$RUNS"); do
    rm -f "$WORK"/ledger.db*
    measure costledger_first "$BENCH" sync "$CONFIG/projects" "$WORK/ledger.db"
    cat "$WORK/out.txt"
    measure ccusage20_full bash -c ccusage20
    measure ccusage17_full bash -c ccusage17
done
# Keep the database of the last first scan: every re-scan starts from it.
mkdir -p "$WORK/after-first"
cp "$WORK"/ledger.db* "$WORK/after-first/"

# rescan LABEL: the re-scans (each from the first scan's database) and ccusage 20's full runs.
rescan() {
    find "$CONFIG/projects" -name '*.jsonl' -exec cat {} + >/dev/null
    for _ in $(seq "$RUNS"); do
        rm -f "$WORK"/ledger.db*
        cp "$WORK"/after-first/ledger.db* "$WORK/"
        measure "costledger_rescan_$1" "$BENCH" sync "$CONFIG/projects" "$WORK/ledger.db"
        cat "$WORK/out.txt"
        measure "ccusage20_full_$1" bash -c ccusage20
    done
}
echo "== re-scan after appending 1 % new lines to 10 active sessions"
"$BENCH" append "$CONFIG/projects" --percent 1 --files 10
rescan active
"$BENCH" restore "$CONFIG/projects"
echo "== re-scan after appending 1 % new lines spread over every file (at least one each)"
"$BENCH" append "$CONFIG/projects" --percent 1
rescan spread

python3 - "$WORK/results.txt" <<'EOF'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    label, seconds, rss = line.split()
    runs.setdefault(label, []).append((float(seconds), int(rss)))
med = {k: (statistics.median(s for s, _ in v), statistics.median(r for _, r in v) / 1024) for k, v in runs.items()}
print("\n| run | median time | median peak RSS |\n|---|---|---|")
for k, (s, r) in med.items():
    print(f"| {k} | {s:.2f} s | {r:.0f} MB |")
first, c20, c17 = med["costledger_first"], med["ccusage20_full"], med["ccusage17_full"]
print(f"\nfirst scan vs ccusage 20: {c20[0] / first[0]:.2f}x faster, {first[1]:.0f} vs {c20[1]:.0f} MB (target: >= 1x, less memory)")
print(f"first scan vs ccusage 17: {c17[0] / first[0]:.1f}x faster, {first[1]:.0f} vs {c17[1]:.0f} MB (target: >= 5x)")
for case in ("active", "spread"):
    r, c = med[f"costledger_rescan_{case}"], med[f"ccusage20_full_{case}"]
    print(f"re-scan ({case}) vs ccusage 20's full run: {c[0] / r[0]:.1f}x faster (target: >= 20x)")
EOF
