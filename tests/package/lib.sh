# lib.sh: what the package tests share (sourced by test_package.sh and
# test_package_collector.sh, after they set BIN_DIR, SRC_DIR, VERSION,
# RELEASE and TMP): reporting, the tools check, and building a package
# twice to compare its bytes.
FAILS=0
ok() { echo "ok:   $*"; }
fail() {
    echo "FAIL: $*"
    FAILS=$((FAILS + 1))
}
expect() { # expect DESCRIPTION COMMAND...
    local what=$1
    shift
    if "$@"; then ok "$what"; else fail "$what"; fi
}

# need_tools TOOL...: stops the test, naming the first tool that is missing.
need_tools() {
    local tool
    for tool in "$@"; do
        if ! command -v "$tool" >/dev/null; then
            echo "FAIL: $tool is missing (scripts/deps.sh test installs it)"
            exit 1
        fi
    done
}

# build_twice CPACK_CONFIG PACKAGE: cpack -G DEB into $TMP/a and $TMP/b
# with one SOURCE_DATE_EPOCH; sets ARCH and DEB (the first .deb) and checks
# that the two are identical bytes. Stops the test when cpack fails.
build_twice() {
    local config=$1 name=$2 run
    SOURCE_DATE_EPOCH=$(git -C "$SRC_DIR" log -1 --format=%ct 2>/dev/null || echo 1700000000)
    export SOURCE_DATE_EPOCH
    for run in a b; do
        mkdir -p "$TMP/$run"
        if ! cpack --config "$config" -G DEB -B "$TMP/$run" >"$TMP/cpack-$run.log" 2>&1; then
            cat "$TMP/cpack-$run.log"
            echo "FAIL: cpack --config $(basename "$config") -G DEB"
            exit 1
        fi
    done
    ARCH=$(dpkg --print-architecture)
    DEB="$TMP/a/${name}_${VERSION}-${RELEASE}_${ARCH}.deb"
    if [ ! -f "$DEB" ]; then
        ls -l "$TMP/a"
        echo "FAIL: cpack did not make $(basename "$DEB")"
        exit 1
    fi
    ok "cpack made $(basename "$DEB"), $(stat -c %s "$DEB") bytes, in ${SECONDS} s for two builds"
    expect "two builds with SOURCE_DATE_EPOCH=$SOURCE_DATE_EPOCH give identical bytes" \
        cmp -s "$DEB" "$TMP/b/$(basename "$DEB")"
}
