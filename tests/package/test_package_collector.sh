#!/usr/bin/env bash
# The collector's Debian package, buurtkiosk-collector, built from this
# build tree and checked from outside, as test_package.sh does for the
# kiosk's:
#   usage: test_package_collector.sh BINARY_DIR SOURCE_DIR VERSION RELEASE
#  1. cpack --config CPackCollectorConfig.cmake -G DEB, twice with the same
#     SOURCE_DATE_EPOCH: the two .deb files must be identical bytes; and the
#     kiosk's package once, which must hold none of the collector's files;
#  2. contents (dpkg-deb -c): exactly the expected files, no more, no fewer,
#     with their modes; control fields (dpkg-deb -f), maintainer scripts
#     (present, executable, sh -n), conffiles;
#  3. lintian: no errors;
#  4. systemd-analyze verify of the unit as shipped (ExecStart pointed at the
#     extracted binary), and the directives of its supervision and hardening;
#  5. the manual page names every command and every option that
#     `buurtkiosk-collector CMD --help` prints, and renders without warnings;
#     the shipped configuration is valid: the shipped binary serves with it
#     (its database moved into a temporary folder, any free port), tells
#     READY=1 on NOTIFY_SOCKET after "listening on", takes a kiosk and a
#     sqlite3 .backup while serving, and stops with status 0 on SIGTERM;
#  6. as root: dpkg --root installs into a throwaway root (maintainer scripts
#     run chrootless, with DPKG_ROOT): user, data folder, service enabled; an
#     upgrade keeps a changed conffile and the database; remove keeps them;
#     purge deletes them after a warning; beside the kiosk's package, a
#     purge of the collector leaves the kiosk's files alone. The running
#     system is never touched.
set -euo pipefail

if [ $# -ne 4 ]; then
    echo "usage: $0 BINARY_DIR SOURCE_DIR VERSION RELEASE" >&2
    exit 2
fi
BIN_DIR=$1 SRC_DIR=$2 VERSION=$3 RELEASE=$4
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

need_tools cpack dpkg-deb dpkg-shlibdeps lintian systemd-analyze python3 man

TMP=$(mktemp -d /tmp/bk-package-collector.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
SECONDS=0
NAME=buurtkiosk-collector
UNIT_NAME=$NAME.service
STATE=/var/lib/$NAME
CONFFILE=/etc/buurtkiosk/collector.ini

# ---- 1. build, twice; and the kiosk's package once ----
CONFIG="$BIN_DIR/CPackCollectorConfig.cmake"
if [ ! -f "$CONFIG" ]; then
    echo "FAIL: $CONFIG is missing (cmake/PackagingCollector.cmake makes it)"
    exit 1
fi
build_twice "$CONFIG" "$NAME"
expect "only the collector's package was made" \
    [ "$(find "$TMP/a" -maxdepth 1 -name '*.deb' | wc -l)" = 1 ]

mkdir -p "$TMP/kiosk"
KIOSK_DEB="$TMP/kiosk/buurtkiosk_${VERSION}-${RELEASE}_${ARCH}.deb"
if cpack --config "$BIN_DIR/CPackConfig.cmake" -G DEB -B "$TMP/kiosk" >"$TMP/cpack-kiosk.log" 2>&1 &&
    [ -f "$KIOSK_DEB" ]; then
    ok "cpack made the kiosk's package beside it"
else
    fail "cpack of the kiosk's package"
    sed 's/^/      /' "$TMP/cpack-kiosk.log"
fi

# ---- 2. contents ----
dpkg-deb -c "$DEB" >"$TMP/contents"
# Every file (not folder) the package must hold, with its mode; the package
# holds exactly these, so a file missing or one too many fails.
cat >"$TMP/expected" <<EOF
-rwxr-xr-x ./usr/bin/$NAME
-rw-r--r-- .$CONFFILE
-rw-r--r-- ./lib/systemd/system/$UNIT_NAME
-rw-r--r-- ./usr/share/man/man1/$NAME.1.gz
-rw-r--r-- ./usr/share/doc/$NAME/copyright
-rw-r--r-- ./usr/share/doc/$NAME/changelog.Debian.gz
-rw-r--r-- ./usr/share/doc/$NAME/collector-deploy.md
-rw-r--r-- ./usr/share/doc/$NAME/collector.md
-rw-r--r-- ./usr/share/doc/$NAME/dashboard.md
-rw-r--r-- ./usr/share/doc/$NAME/protocol.md
-rw-r--r-- ./usr/share/$NAME/web/style.css
-rw-r--r-- ./usr/share/$NAME/web/app.js
-rw-r--r-- ./usr/share/$NAME/web/favicon.svg
EOF
grep -v '^d' "$TMP/contents" | awk '{print $1" "$6}' | sort >"$TMP/files"
sort -o "$TMP/expected" "$TMP/expected"
while read -r mode path; do
    expect "$path, $mode" grep -qxF -e "$mode $path" "$TMP/files"
done <"$TMP/expected"
if cmp -s "$TMP/expected" "$TMP/files"; then
    ok "the package holds exactly these $(grep -c '' "$TMP/expected") files"
else
    fail "the package's files differ from the expected ones (< expected, > in the package):"
    diff "$TMP/expected" "$TMP/files" | grep '^[<>]' | sed 's/^/      /' || true
fi
for f in copyright collector-deploy.md collector.md; do
    expect "/usr/share/doc/$NAME/$f is not empty" \
        bash -c "dpkg-deb --fsys-tarfile '$DEB' | tar -xO ./usr/share/doc/$NAME/$f | grep -q ."
done
expect "no data shipped under /var (the database is made on the server)" \
    bash -c "! grep -q ' \\./var/' '$TMP/contents'"
expect "every entry owned by root/root" bash -c "! awk '{print \$2}' '$TMP/contents' | grep -vqx root/root"
expect "every time stamp is SOURCE_DATE_EPOCH ($(date -u -d "@$SOURCE_DATE_EPOCH" '+%F %R'))" \
    bash -c "[ \"\$(dpkg-deb --fsys-tarfile '$DEB' | tar -t -v --full-time --utc | awk '{print \$4\" \"\$5}' | sort -u)\" = \"$(date -u -d "@$SOURCE_DATE_EPOCH" '+%F %T')\" ]"
if [ -f "$KIOSK_DEB" ]; then
    dpkg-deb -c "$KIOSK_DEB" | grep -v '^d' | awk '{print $6}' | sort >"$TMP/kiosk-files"
    expect "the kiosk's package holds none of the collector's files" \
        bash -c "! awk '{print \$2}' '$TMP/files' | grep -qxF -f - '$TMP/kiosk-files'"
    expect "the kiosk's package holds no collector at all" \
        bash -c "! grep -q collector '$TMP/kiosk-files'"
fi

# ---- control fields ----
field() { dpkg-deb -f "$DEB" "$1"; }
expect "Package: $NAME" [ "$(field Package)" = "$NAME" ]
expect "Version: $VERSION-$RELEASE" [ "$(field Version)" = "$VERSION-$RELEASE" ]
expect "Architecture: $ARCH" [ "$(field Architecture)" = "$ARCH" ]
expect "Maintainer is \"Name <address>\" ($(field Maintainer))" \
    bash -c "[[ \"\$(dpkg-deb -f '$DEB' Maintainer)\" =~ ^[^\<]+\ \<[^@\>]+@[^\>]+\>$ ]]"
expect "Description has a summary and a long description" \
    bash -c "[ \"\$(dpkg-deb -f '$DEB' Description | wc -l)\" -ge 3 ]"
expect "Section: $(field Section), Priority: $(field Priority)" \
    bash -c "[ -n \"\$(dpkg-deb -f '$DEB' Section)\" ] && [ -n \"\$(dpkg-deb -f '$DEB' Priority)\" ]"
DEPENDS=$(field Depends)
echo "      Depends: $DEPENDS"
for dep in libc6 libmicrohttpd12 libpq5 libsqlite3-0 libjansson4 libinih1 libsodium23 zlib1g libuuid1 \
    libsystemd0 libxlsxwriter4 libjs-chart.js passwd init-system-helpers; do
    expect "Depends on $dep" bash -c "grep -Eq '(^|, )$dep( \\(|,|\$)' <<<'$DEPENDS'"
done
for dep in libsdl2-2.0-0 libcurl4; do
    expect "does not depend on $dep (the kiosk's libraries)" \
        bash -c "! grep -Eq '(^|, )$dep( \\(|,|\$)' <<<'$DEPENDS'"
done
expect "shared-library dependencies carry versions from dpkg-shlibdeps" \
    bash -c "grep -Eq 'libmicrohttpd12 \\(>= [0-9]' <<<'$DEPENDS'"

# ---- maintainer scripts ----
dpkg-deb -e "$DEB" "$TMP/control"
for s in postinst prerm postrm; do
    p="$TMP/control/$s"
    expect "$s present and executable" [ -x "$p" ]
    expect "$s starts with #!/bin/sh" [ "$(head -1 "$p")" = "#!/bin/sh" ]
    expect "$s: sh -n" sh -n "$p"
    if command -v dash >/dev/null; then expect "$s: dash -n" dash -n "$p"; fi
    if command -v checkbashisms >/dev/null; then expect "$s: checkbashisms" checkbashisms "$p"; fi
done
expect "conffiles lists exactly $CONFFILE" [ "$(cat "$TMP/control/conffiles")" = "$CONFFILE" ]
expect "every file under /etc is a conffile" \
    [ "$(grep -E '^-' "$TMP/contents" | awk '{print $6}' | sed -n 's#^\./etc/#/etc/#p')" = \
    "$(cat "$TMP/control/conffiles")" ]
expect "md5sums present" [ -s "$TMP/control/md5sums" ]

# ---- 3. lintian ----
# The same tolerance as the kiosk's package: no errors. Suppressed, inherent
# to this package: initial-upload-closes-no-bugs (not uploaded to Debian).
if lintian --fail-on error --suppress-tags initial-upload-closes-no-bugs \
    "$DEB" >"$TMP/lintian.log" 2>&1; then
    ok "lintian: no errors ($(grep -c '^W: ' "$TMP/lintian.log" || true) warnings)"
else
    fail "lintian reports errors"
fi
sed 's/^/      /' "$TMP/lintian.log" | grep -v 'running with root privileges' || true

# ---- 4. the systemd unit ----
X="$TMP/root-x"
mkdir -p "$X" "$TMP/units"
dpkg-deb -x "$DEB" "$X"
UNIT="$X/lib/systemd/system/$UNIT_NAME"
sed -e "s#^ExecStart=/usr/bin/$NAME #ExecStart=$X/usr/bin/$NAME #" "$UNIT" >"$TMP/units/$UNIT_NAME"
if (cd "$TMP/units" && systemd-analyze verify --man=no "./$UNIT_NAME") >"$TMP/verify.log" 2>&1 &&
    ! grep -v -e '^$' -e 'Failed to create .*/init.scope control group' \
        -e 'Failed to initialize manager' "$TMP/verify.log" | grep -q .; then
    ok "systemd-analyze verify $UNIT_NAME"
else
    fail "systemd-analyze verify $UNIT_NAME"
    sed 's/^/      /' "$TMP/verify.log"
fi
for line in Type=notify NotifyAccess=main Restart=on-failure \
    "ExecStart=/usr/bin/$NAME serve --config $CONFFILE" \
    User=$NAME Group=$NAME StateDirectory=$NAME StateDirectoryMode=0750 UMask=0077 \
    NoNewPrivileges=yes CapabilityBoundingSet= AmbientCapabilities= ProtectSystem=strict \
    ProtectHome=yes PrivateTmp=yes PrivateDevices=yes ProtectKernelTunables=yes \
    ProtectKernelModules=yes ProtectControlGroups=yes RestrictNamespaces=yes \
    RestrictSUIDSGID=yes LockPersonality=yes MemoryDenyWriteExecute=yes \
    SystemCallArchitectures=native SystemCallFilter=@system-service \
    "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX" WantedBy=multi-user.target; do
    expect "$UNIT_NAME: $line" grep -qxF "$line" "$UNIT"
done
expect "$UNIT_NAME: no ReadWritePaths (StateDirectory is the only writable place)" \
    bash -c "! grep -q '^ReadWritePaths=' '$UNIT'"
if systemd-analyze security --help 2>/dev/null | grep -q -- --offline; then
    if (cd "$TMP/units" && systemd-analyze security --offline=yes --no-pager "./$UNIT_NAME") \
        >"$TMP/security.log" 2>&1 || true; then
        echo "      $(grep -i 'overall exposure' "$TMP/security.log" || echo 'no exposure level')"
    fi
fi

# ---- 5. the manual page, the shipped configuration and binary ----
BIN="$X/usr/bin/$NAME"
MAN="$X/usr/share/man/man1/$NAME.1.gz"
if LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$MAN" >"$TMP/man.txt" 2>"$TMP/man.log" &&
    ! grep -q . "$TMP/man.log"; then
    ok "man $NAME renders without warnings"
else
    fail "man $NAME renders with warnings"
    sed 's/^/      /' "$TMP/man.log"
fi
# The synopsis has one line per command (.br), so render it wide.
LC_ALL=C.UTF-8 MANWIDTH=250 man -l "$MAN" 2>/dev/null >"$TMP/man-wide.txt" || true
if python3 - "$BIN" "$TMP/man-wide.txt" <<'PY'; then
# Every command's usage and options, as `CMD --help` prints them, against the
# manual page's SYNOPSIS (one line per command) and its text.
import re
import subprocess
import sys

binary, man_path = sys.argv[1], sys.argv[2]
man = open(man_path, encoding="utf-8").read()
synopsis = man.split("SYNOPSIS", 1)[1].split("DESCRIPTION", 1)[0]
syn_lines = [" ".join(l.split()) for l in synopsis.splitlines() if l.strip()]
failed = 0


def check(good, message):
    global failed
    print(("ok:   " if good else "FAIL: ") + message)
    failed += not good


def usage_lines(text):
    """The usage lines of a --help text, continuation lines joined."""
    out = []
    for line in text.splitlines():
        s = line.strip()
        if line.startswith("usage: ") or (line.startswith(" ") and s.startswith("buurtkiosk-collector ")):
            out.append(s[len("usage: "):] if s.startswith("usage: ") else s)
        elif out and line.startswith("   ") and s.startswith(("[", "--")) and not line.startswith("  --"):
            out[-1] += " " + s
        elif not s:
            if out:
                break
    return out


def options(text):
    return set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", text))


top = subprocess.run([binary, "--help"], capture_output=True, text=True, check=True).stdout
commands = re.findall(r"^  ([a-z]+)  ", top.split("Commands:", 1)[1], re.M)
check(len(commands) == 8, "--help lists the commands " + ", ".join(commands))
for cmd in commands:
    text = subprocess.run([binary, cmd, "--help"], capture_output=True, text=True, check=True).stdout
    usages = usage_lines(text)
    check(bool(usages), f"{cmd} --help prints its usage")
    lines_of_cmd = [l for l in syn_lines if l.startswith(f"buurtkiosk-collector {cmd} ")]
    for usage in usages:
        words = []
        for w in usage.split()[1:]:
            if not re.fullmatch(r"[a-z]+", w):
                break
            words.append(w)
        head = "buurtkiosk-collector " + " ".join(words)
        match = [l for l in syn_lines if l == head or l.startswith(head + " ")]
        check(len(match) == 1, f"man SYNOPSIS has {head}")
        for opt in sorted(options(usage)):
            check(bool(match) and opt in options(match[0]), f"man SYNOPSIS: {head} ... {opt}")
    # An option that --help lists below its usage (such as --with-quarantined)
    # belongs to one of the command's synopsis lines.
    for opt in sorted(options(text)):
        in_syn = any(opt in options(l) for l in lines_of_cmd) or opt == "--help"
        check(in_syn and opt in man, f"man page: {cmd} {opt}")
check("--help" in man and "--version" in options(" ".join(syn_lines)), "man page: --help and --version")
sys.exit(1 if failed else 0)
PY
    ok "the manual page names every command and option of --help"
else
    fail "the manual page and --help differ"
fi
expect "the shipped binary reports version $VERSION" bash -c "'$BIN' --version | grep -qF '$VERSION'"

INI="$X$CONFFILE"
expect "collector.ini: database in $STATE" grep -qx "database = $STATE/collector.db" "$INI"
expect "collector.ini: listens on this computer only" grep -qx 'listen = 127.0.0.1' "$INI"
expect "collector.ini: no certificate set (none shipped)" \
    bash -c "grep -qx 'tls_cert =' '$INI' && grep -qx 'tls_key =' '$INI'"
expect "collector.ini: its comments name no demo path (data/, ./run.sh)" \
    bash -c "! grep -Eq 'data/|run\\.sh|DEMO' '$INI'"
expect "collector.ini: every key of config/collector.ini, in the same order" \
    bash -c "[ \"\$(grep -Eo '^[a-z_]+ *=|^\\[[a-z]+\\]' '$INI')\" = \"\$(grep -Eo '^[a-z_]+ *=|^\\[[a-z]+\\]' '$SRC_DIR/config/collector.ini')\" ]"
mkdir -p "$TMP/state"
sed -e "s#^database = $STATE/#database = $TMP/state/#" -e 's#^port = .*#port = 0#' "$INI" >"$TMP/shipped.ini"
if command -v sqlite3 >/dev/null; then SQLITE3=$(command -v sqlite3); else SQLITE3=""; fi
if python3 - "$BIN" "$TMP/shipped.ini" "$TMP" "$SQLITE3" <<'PY'; then
# The shipped binary and configuration as systemd runs them: NOTIFY_SOCKET,
# READY=1 after "listening on", work while serving, SIGTERM ends it with 0.
import os
import select
import signal
import socket
import subprocess
import sys
import time

binary, ini, tmp, sqlite3 = sys.argv[1:5]
failed = 0


def check(good, message):
    global failed
    print(("ok:   " if good else "FAIL: ") + message, flush=True)
    failed += not good


def run(*args):
    return subprocess.run([binary, *args, "--config", ini], capture_output=True, text=True, timeout=60)


sock_path = os.path.join(tmp, "notify")
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.bind(sock_path)
env = dict(os.environ, NOTIFY_SOCKET=sock_path)
proc = subprocess.Popen([binary, "serve", "--config", ini], stdout=subprocess.PIPE,
                        stderr=subprocess.PIPE, text=True, env=env)
try:
    ready, messages, deadline = False, [], time.monotonic() + 30
    while not ready and time.monotonic() < deadline and proc.poll() is None:
        if select.select([sock], [], [], 0.5)[0]:
            msg = sock.recv(4096).decode()
            messages.append(msg)
            ready = "READY=1" in msg.split("\n")
    check(ready, "serve with the shipped configuration tells systemd READY=1")
    line = proc.stdout.readline().strip() if ready else ""
    check(line.startswith("listening on http://127.0.0.1:"), f"before that it printed: {line}")
    if ready:
        added = run("kiosk", "add", "package-test-01", "--area", "centrum")
        token = added.stdout.strip().splitlines()[-1] if added.stdout.strip() else ""
        check(added.returncode == 0 and len(token) >= 20, "kiosk add while serving prints a token")
        listed = run("kiosk", "list")
        check(listed.returncode == 0 and "package-test-01" in listed.stdout, "kiosk list shows it")
        st = run("status")
        check(st.returncode == 0, "status while serving")
        if sqlite3:
            db = os.path.join(tmp, "state", "collector.db")
            backup = os.path.join(tmp, "backup.db")
            b = subprocess.run([sqlite3, db, f".backup {backup}"], capture_output=True, text=True, timeout=60)
            check(b.returncode == 0 and not b.stderr, "sqlite3 DB \".backup FILE\" while serving")
            q = subprocess.run([sqlite3, backup, "PRAGMA integrity_check; SELECT count(*) FROM kiosks;"],
                               capture_output=True, text=True, timeout=60)
            check(q.stdout.split() == ["ok", "1"], f"the backup is intact and holds the kiosk: {q.stdout.split()} {q.stderr.strip()}")
        else:
            print("skip: sqlite3 is missing, no backup while serving")
    proc.send_signal(signal.SIGTERM)
    try:
        rc = proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        rc = proc.wait()
    check(rc == 0, f"SIGTERM: stops with status 0 (got {rc})")
    while select.select([sock], [], [], 0)[0]:
        messages.append(sock.recv(4096).decode())
    check(any("STOPPING=1" in m.split("\n") for m in messages), "SIGTERM: tells systemd STOPPING=1")
    err = proc.stderr.read()
    if failed:
        print("      " + err.replace("\n", "\n      "))
finally:
    if proc.poll() is None:
        proc.kill()
        proc.wait()
sys.exit(1 if failed else 0)
PY
    ok "the shipped binary serves with the shipped configuration"
else
    fail "the shipped binary with the shipped configuration"
fi

# ---- 6. install into a throwaway root ----
if [ "$(id -u)" -ne 0 ]; then
    echo "skip: installing into a throwaway root needs root (dpkg --root); run as root to test it"
else
    R="$TMP/root"
    new_root() {
        rm -rf "$R"
        mkdir -p "$R/var/lib/dpkg/info" "$R/var/lib/dpkg/updates" "$R/etc"
        : >"$R/var/lib/dpkg/status"
        : >"$R/var/lib/dpkg/available"
        echo 'root:x:0:0:root:/root:/bin/sh' >"$R/etc/passwd"
        echo 'root:x:0:' >"$R/etc/group"
        echo 'root:*:19000:0:99999:7:::' >"$R/etc/shadow"
        echo 'root:*::' >"$R/etc/gshadow"
    }
    new_root
    host_before=$(getent passwd "$NAME" || true; ls -d "$STATE" "$CONFFILE" 2>/dev/null || true)
    dpkgr() { dpkg --root="$R" --force-script-chrootless --force-depends --force-not-root "$@"; }
    if dpkgr -i "$DEB" >"$TMP/install.log" 2>&1; then
        ok "dpkg --root installs the package ($(grep -c '' "$R/var/lib/dpkg/info/$NAME.list") paths)"
    else
        fail "dpkg --root -i"
        sed 's/^/      /' "$TMP/install.log"
    fi
    expect "installed status" bash -c "grep -A2 '^Package: $NAME\$' '$R/var/lib/dpkg/status' | grep -q 'install ok installed'"
    pw=$(grep "^$NAME:" "$R/etc/passwd" || true)
    expect "system user $NAME (uid < 1000, nologin, home $STATE): $pw" \
        bash -c "IFS=: read -r n x uid gid c home sh <<<'$pw' && [ \"\$uid\" -lt 1000 ] && [ \"\$home\" = $STATE ] && [ \"\$sh\" = /usr/sbin/nologin ]"
    uid=$(cut -d: -f3 <<<"$pw")
    gid=$(cut -d: -f4 <<<"$pw")
    expect "group $NAME exists and is the user's" bash -c "grep -q '^$NAME:x:$gid:' '$R/etc/group'"
    expect "$STATE: mode 0750, owner $NAME" [ "$(stat -c '%a %u %g' "$R$STATE" 2>/dev/null)" = "750 $uid $gid" ]
    expect "$CONFFILE: mode 0644, owner root" [ "$(stat -c '%a %u' "$R$CONFFILE" 2>/dev/null)" = "644 0" ]
    expect "service enabled (multi-user.target.wants)" \
        [ "$(readlink "$R/etc/systemd/system/multi-user.target.wants/$UNIT_NAME")" = "/lib/systemd/system/$UNIT_NAME" ]
    expect "conffile registered" grep -q "^ $CONFFILE [0-9a-f]" "$R/var/lib/dpkg/status"

    # An upgrade (the same version again runs the upgrade paths) keeps
    # everything the administrator and the collector made.
    echo "; changed by the administrator" >>"$R$CONFFILE"
    echo "answers" >"$R$STATE/collector.db"
    if dpkgr --force-confold -i "$DEB" >"$TMP/upgrade.log" 2>&1; then ok "upgrade"; else
        fail "upgrade"
        sed 's/^/      /' "$TMP/upgrade.log"
    fi
    expect "upgrade keeps the changed conffile" grep -qx '; changed by the administrator' "$R$CONFFILE"
    expect "upgrade keeps the database" grep -qx answers "$R$STATE/collector.db"
    expect "upgrade makes no second user" [ "$(grep -c "^$NAME:" "$R/etc/passwd")" = 1 ]
    expect "upgrade keeps the service enabled" [ -L "$R/etc/systemd/system/multi-user.target.wants/$UNIT_NAME" ]

    dpkgr -r "$NAME" >"$TMP/remove.log" 2>&1 || fail "dpkg -r"
    expect "remove deletes the program" [ ! -e "$R/usr/bin/$NAME" ]
    expect "remove deletes the unit" [ ! -e "$R/lib/systemd/system/$UNIT_NAME" ]
    expect "remove keeps the database" grep -qx answers "$R$STATE/collector.db"
    expect "remove keeps the configuration" [ -f "$R$CONFFILE" ]
    expect "remove says how the data can be deleted" grep -q "purge $NAME" "$TMP/remove.log"

    dpkgr -P "$NAME" >"$TMP/purge.log" 2>&1 || fail "dpkg -P"
    expect "purge warns before deleting the database" grep -q "WARNING: purge deletes $STATE" "$TMP/purge.log"
    expect "purge deletes the database" [ ! -e "$R$STATE" ]
    expect "purge deletes the configuration (and the empty /etc/buurtkiosk)" [ ! -e "$R/etc/buurtkiosk" ]
    expect "purge removes the service's enable link" \
        [ ! -e "$R/etc/systemd/system/multi-user.target.wants/$UNIT_NAME" ]
    expect "purge keeps the system user (as Debian does)" grep -q "^$NAME:" "$R/etc/passwd"
    expect "purge leaves nothing of the package in dpkg's status" \
        bash -c "! grep -q '^Package: $NAME\$' '$R/var/lib/dpkg/status'"

    # Beside the kiosk's package on one computer: /etc/buurtkiosk is shared;
    # neither package's files or users touch the other's.
    if [ -f "$KIOSK_DEB" ]; then
        new_root
        if dpkgr -i "$KIOSK_DEB" "$DEB" >"$TMP/both.log" 2>&1; then
            ok "the kiosk's and the collector's packages install together"
        else
            fail "dpkg -i of both packages"
            sed 's/^/      /' "$TMP/both.log"
        fi
        expect "both users exist, apart" bash -c "grep -q '^buurtkiosk:' '$R/etc/passwd' && grep -q '^$NAME:' '$R/etc/passwd'"
        dpkgr -P "$NAME" >"$TMP/purge-both.log" 2>&1 || fail "dpkg -P $NAME beside the kiosk"
        expect "purging the collector keeps the kiosk's configuration and token" \
            bash -c "[ -f '$R/etc/buurtkiosk/buurtkiosk.ini' ] && [ -f '$R/etc/buurtkiosk/token' ]"
        expect "purging the collector keeps the kiosk's data folder" [ -d "$R/var/lib/buurtkiosk" ]
        expect "purging the collector deletes its own configuration and data" \
            bash -c "[ ! -e '$R$CONFFILE' ] && [ ! -e '$R$STATE' ]"
        expect "the kiosk's package is still installed" \
            bash -c "grep -A2 '^Package: buurtkiosk\$' '$R/var/lib/dpkg/status' | grep -q 'install ok installed'"
    fi
    host_after=$(getent passwd "$NAME" || true; ls -d "$STATE" "$CONFFILE" 2>/dev/null || true)
    expect "the running system was not touched" [ "$host_before" = "$host_after" ]
fi

echo "collector package test: ${SECONDS} s"
if [ "$FAILS" -ne 0 ]; then
    echo "$FAILS check(s) failed"
    exit 1
fi
echo "all collector package checks passed"
