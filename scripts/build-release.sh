#!/usr/bin/env bash
# Builds the two published artefacts as release builds and prints their sizes:
#
#   - the npm package: `npm run build` (the addon with Cargo's `dist` profile: release, no
#     debug info, symbols stripped), then `npm pack`;
#   - the Python wheel: abi3 (CPython 3.10+), the same `dist` profile, linked by zig against
#     an old glibc and tagged for it: manylinux_2_17 (manylinux2014: glibc 2.17+, so Debian
#     8+, Ubuntu 14.04+, RHEL 7+, Amazon Linux 2) unless MANYLINUX says otherwise;
#     `auditwheel show` confirms the tag.
#
# Then both are installed where nothing else is (the tarball offline into a fresh npm project,
# the wheel into a fresh venv) and loaded. Both land in target/release-artefacts/. Slow (two full release builds); scripts/test.sh never
# runs it: the tests use debug builds. The wheel builds in its own target directory
# (target/manylinux): zig compiles the C dependencies (SQLite, aws-lc) differently, and a
# shared directory would rebuild them for each artefact in turn.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
HOST_TRIPLE=$(rustc -vV | sed -n 's/^host: //p')
export CARGO_BUILD_TARGET="$HOST_TRIPLE"
OUT="$ROOT/target/release-artefacts"
VENV="${VENV:-$ROOT/.venv}"
MANYLINUX="${MANYLINUX:-manylinux_2_17}"

say() { printf '\n==> %s\n' "$*"; }
mkdir -p "$OUT"
rm -rf "$OUT"/costledger-*.tgz "$OUT"/costledger-*.whl "$OUT"/costledger.*.node "$OUT/wheel-contents"

say "npm package: release addon (profile dist), dist/, npm pack"
(cd bindings-node && npm ci --no-audit --no-fund && npm run build)
(cd bindings-node && npm pack --pack-destination "$OUT" >/dev/null)
TGZ=$(ls "$OUT"/costledger-*.tgz)
# A copy to measure: a later debug build (scripts/test.sh) overwrites the one in bindings-node.
ADDON="$OUT/$(basename "$(ls bindings-node/costledger.*.node)")"
cp bindings-node/costledger.*.node "$ADDON"

say "Python wheel: abi3, profile dist, linked by zig, tagged $MANYLINUX"
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install -q maturin==1.16.0 ziglang==0.17.1 auditwheel==6.8.2
# maturin finds zig through the ziglang package of the Python on PATH.
(cd bindings-python && PATH="$VENV/bin:$PATH" CARGO_TARGET_DIR="$ROOT/target/manylinux" \
    "$VENV/bin/maturin" build --locked --profile dist --zig --compatibility "$MANYLINUX" \
    -i "$VENV/bin/python" --out "$OUT")
WHEEL=$(ls "$OUT"/costledger-*.whl)
"$VENV/bin/auditwheel" show "$WHEEL"
case "$(basename "$WHEEL")" in
    *"$MANYLINUX"*) ;;
    *) echo "the wheel is not tagged $MANYLINUX: $WHEEL" >&2; exit 1 ;;
esac

say "both install and load: the tarball offline into a fresh npm project, the wheel into a fresh venv"
SMOKE="$OUT/smoke"
rm -rf "$SMOKE" && mkdir -p "$SMOKE/npm"
echo '{ "name": "smoke", "version": "1.0.0", "private": true }' > "$SMOKE/npm/package.json"
(cd "$SMOKE/npm" && npm install --offline --no-audit --no-fund "$TGZ" >/dev/null \
    && node -e "require('costledger').generateMasterKey()" \
    && node --input-type=module -e "(await import('costledger')).generateMasterKey()")
"$VENV/bin/python" -m venv "$SMOKE/venv"
"$SMOKE/venv/bin/python" -m pip install -q --no-index "$WHEEL"
(cd "$SMOKE" && "$SMOKE/venv/bin/python" -c "import costledger; costledger.generate_master_key()")
rm -rf "$SMOKE"

glibc_floor() { objdump -T "$1" | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -1; }
mib() { awk -v b="$(stat -c %s "$1")" 'BEGIN { printf "%.1f MiB", b / 1048576 }'; }
SO=$("$VENV/bin/python" - "$WHEEL" "$OUT/wheel-contents" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as wheel:
    (so,) = [n for n in wheel.namelist() if n.endswith(".so")]
    wheel.extract(so, sys.argv[2])
print(so)
PY
)

say "sizes"
printf '%-48s %10s  needs %s\n' "target/release-artefacts/$(basename "$ADDON")" "$(mib "$ADDON")" \
    "$(glibc_floor "$ADDON")"
printf '%-48s %10s\n' "target/release-artefacts/$(basename "$TGZ")" "$(mib "$TGZ")"
printf '%-48s %10s  needs %s\n' "  the wheel's $(basename "$SO")" "$(mib "$OUT/wheel-contents/$SO")" \
    "$(glibc_floor "$OUT/wheel-contents/$SO")"
printf '%-48s %10s\n' "target/release-artefacts/$(basename "$WHEEL")" "$(mib "$WHEEL")"
