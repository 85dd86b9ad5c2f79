#!/usr/bin/env bash
# Rebuild the native addon, regenerating the loader (index.js) and the types (index.d.ts)
# from the Rust sources, and fail when they differ from the committed files: a change to the
# Rust API must come with its regenerated types. Extra arguments go to `napi build`
# (`--release` for the published build; the tests use the faster debug build).
set -euo pipefail
cd "$(dirname "$0")/.."
npx napi build --platform "$@"
for f in index.d.ts index.js; do
    git ls-files --error-unmatch "$f" >/dev/null 2>&1 || { echo "$f is not committed" >&2; exit 1; }
done
if ! git diff --exit-code --stat -- index.d.ts index.js; then
    git --no-pager diff -- index.d.ts | head -100 >&2
    echo "bindings-node: index.d.ts or index.js differ from the committed ones; the Rust API" \
         "changed, so commit the regenerated files" >&2
    exit 1
fi
