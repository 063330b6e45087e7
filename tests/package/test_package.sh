#!/usr/bin/env bash
# The Debian package, built from this build tree and checked from outside:
#   usage: test_package.sh BINARY_DIR SOURCE_DIR VERSION RELEASE
#  1. cpack -G DEB in a temporary directory, twice with the same
#     SOURCE_DATE_EPOCH: the two .deb files must be identical bytes;
#  2. contents (dpkg-deb -c), control fields (dpkg-deb -f), maintainer
#     scripts (present, executable, sh -n), conffiles;
#  3. lintian: no errors;
#  4. systemd-analyze verify on both units as shipped (ExecStart pointed at
#     binaries that exist here), and the directives the service relies on;
#  5. the shipped configuration is valid and the shipped binary finds the
#     shipped fonts and surveys (buurtkiosk render on the extracted package);
#  6. as root: dpkg --root installs into a throwaway root (maintainer scripts
#     run chrootless, with DPKG_ROOT): user, token, data folder, service
#     enabled; an upgrade keeps a changed conffile, the token and the data;
#     remove keeps the data; purge deletes it after a warning. The running
#     system is never touched.
set -euo pipefail

if [ $# -ne 4 ]; then
    echo "usage: $0 BINARY_DIR SOURCE_DIR VERSION RELEASE" >&2
    exit 2
fi
BIN_DIR=$1 SRC_DIR=$2 VERSION=$3 RELEASE=$4
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

need_tools cpack dpkg-deb dpkg-shlibdeps lintian systemd-analyze

TMP=$(mktemp -d /tmp/bk-package.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
SECONDS=0

# ---- 1. build, twice ----
build_twice "$BIN_DIR/CPackConfig.cmake" buurtkiosk

# ---- 2. contents ----
dpkg-deb -c "$DEB" >"$TMP/contents"
has() { # has MODE OWNER PATH
    grep -Eq "^$1 $2 +[0-9]+ [0-9-]+ [0-9:]+ \\.$3\$" "$TMP/contents"
}
expect "/usr/bin/buurtkiosk, 0755 root" has -rwxr-xr-x root/root /usr/bin/buurtkiosk
for f in /etc/buurtkiosk/buurtkiosk.ini \
    /usr/share/buurtkiosk/assets/fonts/NotoSans-Regular.ttf \
    /usr/share/buurtkiosk/assets/fonts/NotoSans-Bold.ttf \
    /usr/share/buurtkiosk/assets/fonts/NotoSansArabic-Regular.ttf \
    /usr/share/buurtkiosk/assets/fonts/NotoSansArabic-Bold.ttf \
    /usr/share/buurtkiosk/assets/fonts/OFL.txt \
    /usr/share/buurtkiosk/surveys/buurtpeiling.json \
    /usr/share/buurtkiosk/surveys/symposium.json \
    /lib/systemd/system/buurtkiosk.service \
    /lib/systemd/system/buurtkiosk-cage.service \
    /usr/share/doc/buurtkiosk/copyright \
    /usr/share/doc/buurtkiosk/changelog.Debian.gz \
    /usr/share/doc/buurtkiosk/deploy.md \
    /usr/share/man/man1/buurtkiosk.1.gz; do
    expect "$f, 0644 root" has -rw-r--r-- root/root "$f"
done
expect "no data shipped under /var (the database and token are never in the package)" \
    bash -c "! grep -q ' \\./var/' '$TMP/contents'"
expect "no token shipped" bash -c "! grep -q 'token' '$TMP/contents'"
expect "every entry owned by root/root" bash -c "! awk '{print \$2}' '$TMP/contents' | grep -vqx root/root"
expect "every time stamp is SOURCE_DATE_EPOCH ($(date -u -d "@$SOURCE_DATE_EPOCH" '+%F %R'))" \
    bash -c "[ \"\$(dpkg-deb --fsys-tarfile '$DEB' | tar -t -v --full-time --utc | awk '{print \$4\" \"\$5}' | sort -u)\" = \"$(date -u -d "@$SOURCE_DATE_EPOCH" '+%F %T')\" ]"

# ---- control fields ----
field() { dpkg-deb -f "$DEB" "$1"; }
expect "Package: buurtkiosk" [ "$(field Package)" = buurtkiosk ]
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
for dep in libc6 libsdl2-2.0-0 libsdl2-ttf-2.0-0 libsdl2-image-2.0-0 libsqlite3-0 libcurl4 \
    libjansson4 libinih1 libsodium23 zlib1g libuuid1 libsystemd0 passwd init-system-helpers; do
    expect "Depends on $dep" bash -c "grep -Eq '(^|, )$dep( \\(|,|\$)' <<<'$DEPENDS'"
done
expect "shared-library dependencies carry versions from dpkg-shlibdeps" \
    bash -c "grep -Eq 'libsdl2-2\\.0-0 \\(>= [0-9]' <<<'$DEPENDS'"
for dep in libpq5 libmicrohttpd12; do
    expect "does not depend on $dep (the collector's libraries)" \
        bash -c "! grep -Eq '(^|, )$dep( \\(|,|\$)' <<<'$DEPENDS'"
done

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
expect "conffiles lists exactly /etc/buurtkiosk/buurtkiosk.ini" \
    [ "$(cat "$TMP/control/conffiles")" = /etc/buurtkiosk/buurtkiosk.ini ]
expect "every file under /etc is a conffile" \
    [ "$(grep -E '^-' "$TMP/contents" | awk '{print $6}' | sed -n 's#^\./etc/#/etc/#p')" = \
    "$(cat "$TMP/control/conffiles")" ]
expect "md5sums present" [ -s "$TMP/control/md5sums" ]

# ---- 3. lintian ----
# Suppressed, inherent to this package (see docs/deploy.md):
#   duplicate-font-file: the bundled Noto fonts are also in fonts-noto-core;
#   initial-upload-closes-no-bugs: the package is not uploaded to Debian.
if lintian --fail-on error --suppress-tags duplicate-font-file,initial-upload-closes-no-bugs \
    "$DEB" >"$TMP/lintian.log" 2>&1; then
    ok "lintian: no errors ($(grep -c '^W: ' "$TMP/lintian.log" || true) warnings)"
else
    fail "lintian reports errors"
fi
sed 's/^/      /' "$TMP/lintian.log" | grep -v 'running with root privileges' || true

# ---- 4. systemd units ----
mkdir -p "$TMP/root-x"
dpkg-deb -x "$DEB" "$TMP/root-x"
X="$TMP/root-x"
mkdir -p "$TMP/units"
CAGE=$(command -v cage || command -v true)
for u in buurtkiosk.service buurtkiosk-cage.service; do
    sed -e "s#^ExecStart=/usr/bin/cage #ExecStart=$CAGE #" \
        -e "s#ExecStart=/usr/bin/buurtkiosk #ExecStart=$X/usr/bin/buurtkiosk #" \
        "$X/lib/systemd/system/$u" >"$TMP/units/$u"
    if (cd "$TMP/units" && systemd-analyze verify --man=no "./$u") >"$TMP/verify.log" 2>&1 &&
        ! grep -v -e '^$' -e 'Failed to create .*/init.scope control group' \
            -e 'Failed to initialize manager' "$TMP/verify.log" | grep -q .; then
        ok "systemd-analyze verify $u"
    else
        fail "systemd-analyze verify $u"
        sed 's/^/      /' "$TMP/verify.log"
    fi
done
UNIT="$X/lib/systemd/system/buurtkiosk.service"
for line in Type=notify WatchdogSec=30 Restart=on-failure RestartSec=2 StartLimitIntervalSec=0 \
    NoNewPrivileges=yes ProtectSystem=strict StateDirectory=buurtkiosk PrivateTmp=yes \
    LoadCredential=token:/etc/buurtkiosk/token User=buurtkiosk \
    "SupplementaryGroups=video input render" Environment=SDL_VIDEODRIVER=kmsdrm \
    "ExecStart=/usr/bin/buurtkiosk run --config /etc/buurtkiosk/buurtkiosk.ini --fullscreen" \
    WantedBy=multi-user.target; do
    expect "buurtkiosk.service: $line" grep -qxF "$line" "$UNIT"
done
CAGE_UNIT="$X/lib/systemd/system/buurtkiosk-cage.service"
for line in Type=notify NotifyAccess=all WatchdogSec=30 Restart=always Environment=SDL_VIDEODRIVER=wayland \
    "ExecStart=/usr/bin/cage -- /usr/bin/buurtkiosk run --config /etc/buurtkiosk/buurtkiosk.ini --fullscreen" \
    "Conflicts=buurtkiosk.service getty@tty1.service"; do
    expect "buurtkiosk-cage.service: $line" grep -qxF "$line" "$CAGE_UNIT"
done
if systemd-analyze security --help 2>/dev/null | grep -q -- --offline; then
    if (cd "$TMP/units" && systemd-analyze security --offline=yes --no-pager ./buurtkiosk.service) \
        >"$TMP/security.log" 2>&1 || true; then
        echo "      $(grep -i 'overall exposure' "$TMP/security.log" || echo 'no exposure level')"
    fi
fi

# ---- 5. the shipped configuration, fonts and surveys ----
INI="$X/etc/buurtkiosk/buurtkiosk.ini"
expect "buurtkiosk.ini: database in /var/lib/buurtkiosk" grep -qx 'database = /var/lib/buurtkiosk/buurtkiosk.db' "$INI"
expect "buurtkiosk.ini: surveys from /usr/share/buurtkiosk/surveys" grep -qx 'directory = /usr/share/buurtkiosk/surveys' "$INI"
expect "buurtkiosk.ini: full screen, native size" bash -c \
    "grep -qx 'fullscreen = true' '$INI' && grep -qx 'width =' '$INI' && grep -qx 'height =' '$INI'"
expect "buurtkiosk.ini: token from the systemd credential" \
    grep -qx 'token_file = /run/credentials/buurtkiosk.service/token' "$INI"
mkdir -p "$TMP/state"
sed -e "s#/usr/share/buurtkiosk#$X/usr/share/buurtkiosk#" -e "s#/var/lib/buurtkiosk#$TMP/state#" \
    "$INI" >"$TMP/shipped.ini"
if BK_ASSETS="$X/usr/share/buurtkiosk/assets" SDL_VIDEODRIVER=offscreen \
    "$X/usr/bin/buurtkiosk" render --config "$TMP/shipped.ini" --out "$TMP/png" >"$TMP/render.log" 2>&1; then
    ok "the shipped binary renders every screen with the shipped configuration, fonts and surveys ($(ls "$TMP/png" | wc -l) screens)"
else
    fail "buurtkiosk render with the shipped configuration"
    sed 's/^/      /' "$TMP/render.log"
fi
expect "the shipped demo surveys are valid (buurtkiosk check)" \
    bash -c "'$X/usr/bin/buurtkiosk' check '$X'/usr/share/buurtkiosk/surveys/*.json >/dev/null"
expect "the shipped binary reports version $VERSION" \
    bash -c "'$X/usr/bin/buurtkiosk' --version | grep -qF '$VERSION'"

# ---- 6. install into a throwaway root ----
if [ "$(id -u)" -ne 0 ]; then
    echo "skip: installing into a throwaway root needs root (dpkg --root); run as root to test it"
else
    R="$TMP/root"
    mkdir -p "$R/var/lib/dpkg/info" "$R/var/lib/dpkg/updates" "$R/etc"
    : >"$R/var/lib/dpkg/status"
    : >"$R/var/lib/dpkg/available"
    echo 'root:x:0:0:root:/root:/bin/sh' >"$R/etc/passwd"
    echo 'root:x:0:' >"$R/etc/group"
    echo 'root:*:19000:0:99999:7:::' >"$R/etc/shadow"
    echo 'root:*::' >"$R/etc/gshadow"
    host_before=$(getent passwd buurtkiosk || true; ls -d /etc/buurtkiosk /var/lib/buurtkiosk 2>/dev/null || true)
    dpkgr() { dpkg --root="$R" --force-script-chrootless --force-depends --force-not-root "$@"; }
    if dpkgr -i "$DEB" >"$TMP/install.log" 2>&1; then
        ok "dpkg --root installs the package ($(grep -c '' "$R/var/lib/dpkg/info/buurtkiosk.list") paths)"
    else
        fail "dpkg --root -i"
        sed 's/^/      /' "$TMP/install.log"
    fi
    expect "installed status" bash -c "grep -A2 '^Package: buurtkiosk' '$R/var/lib/dpkg/status' | grep -q 'install ok installed'"
    pw=$(grep '^buurtkiosk:' "$R/etc/passwd" || true)
    expect "system user buurtkiosk (uid < 1000, nologin, home /var/lib/buurtkiosk): $pw" \
        bash -c "IFS=: read -r n x uid gid c home sh <<<'$pw' && [ \"\$uid\" -lt 1000 ] && [ \"\$home\" = /var/lib/buurtkiosk ] && [ \"\$sh\" = /usr/sbin/nologin ]"
    uid=$(cut -d: -f3 <<<"$pw")
    for g in buurtkiosk video input render; do
        expect "group $g exists" grep -q "^$g:" "$R/etc/group"
    done
    expect "token: mode 0600, owner buurtkiosk" \
        [ "$(stat -c '%a %u' "$R/etc/buurtkiosk/token" 2>/dev/null)" = "600 $uid" ]
    expect "/var/lib/buurtkiosk: mode 0750, owner buurtkiosk" \
        [ "$(stat -c '%a %u' "$R/var/lib/buurtkiosk" 2>/dev/null)" = "750 $uid" ]
    expect "service enabled (multi-user.target.wants)" \
        [ "$(readlink "$R/etc/systemd/system/multi-user.target.wants/buurtkiosk.service")" = /lib/systemd/system/buurtkiosk.service ]
    expect "cage variant not enabled" bash -c "! find '$R/etc/systemd' -name 'buurtkiosk-cage*' | grep -q ."
    expect "conffile registered" grep -q '^ /etc/buurtkiosk/buurtkiosk.ini [0-9a-f]' "$R/var/lib/dpkg/status"

    # An upgrade (the same version again runs the upgrade paths) keeps
    # everything the administrator and the kiosk made.
    echo "; changed by the administrator" >>"$R/etc/buurtkiosk/buurtkiosk.ini"
    echo "secret-token" >"$R/etc/buurtkiosk/token"
    echo "answers" >"$R/var/lib/buurtkiosk/buurtkiosk.db"
    if dpkgr --force-confold -i "$DEB" >"$TMP/upgrade.log" 2>&1; then ok "upgrade"; else
        fail "upgrade"
        sed 's/^/      /' "$TMP/upgrade.log"
    fi
    expect "upgrade keeps the changed conffile" grep -qx '; changed by the administrator' "$R/etc/buurtkiosk/buurtkiosk.ini"
    expect "upgrade keeps the token, 0600" bash -c "[ \"\$(cat '$R/etc/buurtkiosk/token')\" = secret-token ] && [ \"\$(stat -c %a '$R/etc/buurtkiosk/token')\" = 600 ]"
    expect "upgrade keeps the database" grep -qx answers "$R/var/lib/buurtkiosk/buurtkiosk.db"
    expect "upgrade makes no second user" [ "$(grep -c '^buurtkiosk:' "$R/etc/passwd")" = 1 ]

    dpkgr -r buurtkiosk >"$TMP/remove.log" 2>&1 || fail "dpkg -r"
    expect "remove deletes the program" [ ! -e "$R/usr/bin/buurtkiosk" ]
    expect "remove keeps the database" grep -qx answers "$R/var/lib/buurtkiosk/buurtkiosk.db"
    expect "remove keeps the token" [ -f "$R/etc/buurtkiosk/token" ]
    expect "remove keeps the configuration" [ -f "$R/etc/buurtkiosk/buurtkiosk.ini" ]
    expect "remove says how the data can be deleted" grep -q 'purge' "$TMP/remove.log"

    dpkgr -P buurtkiosk >"$TMP/purge.log" 2>&1 || fail "dpkg -P"
    expect "purge warns before deleting the answers" grep -q 'WARNING: purge deletes /var/lib/buurtkiosk' "$TMP/purge.log"
    expect "purge deletes the database" [ ! -e "$R/var/lib/buurtkiosk" ]
    expect "purge deletes the token and the configuration" [ ! -e "$R/etc/buurtkiosk" ]
    expect "purge removes the service's enable link" [ ! -e "$R/etc/systemd/system/multi-user.target.wants/buurtkiosk.service" ]
    host_after=$(getent passwd buurtkiosk || true; ls -d /etc/buurtkiosk /var/lib/buurtkiosk 2>/dev/null || true)
    expect "the running system was not touched" [ "$host_before" = "$host_after" ]
fi

echo "package test: ${SECONDS} s"
if [ "$FAILS" -ne 0 ]; then
    echo "$FAILS check(s) failed"
    exit 1
fi
echo "all package checks passed"
