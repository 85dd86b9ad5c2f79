# Installs the two ccusage versions the Claude Code logs source is compared with, from the npm
# registry into a cache directory, and exports where they are:
#   COSTLEDGER_CCUSAGE20  ccusage 20.0.24's native binary (its Rust build; 20.0.26 has no
#                         Linux binary in the registry)
#   COSTLEDGER_CCUSAGE17  ccusage 17.2.1's entry point (the last TypeScript version, run by node)
# Source it, then call install_ccusage. Without node/npm, or on a platform without a native
# build, it says so and exports nothing: the parity tests then skip, saying why.

install_ccusage() {
    local cache="${COSTLEDGER_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/costledger}"
    if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
        echo "ccusage: node and npm are not installed; the ccusage comparisons will be skipped" >&2
        return 0
    fi
    local platform
    case "$(uname -s)-$(uname -m)" in
        Linux-x86_64) platform=linux-x64 ;;
        Linux-aarch64) platform=linux-arm64 ;;
        Darwin-arm64) platform=darwin-arm64 ;;
        Darwin-x86_64) platform=darwin-x64 ;;
        *) platform="" ;;
    esac
    local v20="$cache/ccusage-20.0.24" v17="$cache/ccusage-17.2.1"
    if [ -n "$platform" ]; then
        local bin="$v20/node_modules/@ccusage/ccusage-$platform/bin/ccusage"
        if [ ! -f "$bin" ]; then
            npm install --prefix "$v20" --no-audit --no-fund --loglevel=error \
                ccusage@20.0.24 "@ccusage/ccusage-$platform@20.0.24" >/dev/null
        fi
        # npm does not keep the binary's execute bit; ccusage's launcher sets it the same way.
        chmod +x "$bin"
        export COSTLEDGER_CCUSAGE20="$bin"
    else
        echo "ccusage: no native ccusage 20 build for $(uname -s)-$(uname -m); skipping it" >&2
    fi
    local entry="$v17/node_modules/ccusage/dist/index.js"
    if [ ! -f "$entry" ]; then
        npm install --prefix "$v17" --no-audit --no-fund --loglevel=error ccusage@17.2.1 >/dev/null
    fi
    export COSTLEDGER_CCUSAGE17="$entry"
}
