#!/usr/bin/env bash
# Builds the agent's Debian package (scripts/build-agent-deb.sh: release build, Swift runtime linked in) and checks it
# as a node would use it:
#   1. the control fields, the files with their modes, the conffile;
#   2. the binary needs no Swift runtime library (only libc, libstdc++, libgcc, libm, zlib);
#   3. postinst, run in a private mount namespace (its own /etc/day2-agent, /var/lib/day2-agent and a fake
#      /sys/class/dmi/id/product_uuid; systemd hidden), writes GUID in lower case and the right modes;
#   4. the packaged binary updates simulated nodes end to end over TLS (scripts/fault-run.py --scenario plain).
# Needs root (unshare -m). Usage: scripts/test-agent-deb.sh
set -euo pipefail
cd "$(dirname "$0")/.."

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
fail() { echo "agent .deb: $*" >&2; exit 1; }

DEB=$(scripts/build-agent-deb.sh 0.0.0-test "$WORK/out")
echo "built $DEB ($(du -h "$DEB" | cut -f1))"

# 1. Control fields and contents.
[ "$(dpkg-deb --field "$DEB" Package)" = "day2-agent" ] || fail "Package field"
[ "$(dpkg-deb --field "$DEB" Version)" = "0.0.0-test" ] || fail "Version field"
[ "$(dpkg-deb --field "$DEB" Architecture)" = "$(dpkg --print-architecture)" ] || fail "Architecture field"
CONTENTS=$(dpkg-deb --contents "$DEB")
for expected in "-rwxr-xr-x root/root .* ./usr/bin/day2-agent" \
    "-rw------- root/root .* ./etc/day2-agent/day2-agent.yaml" \
    "-rw-r--r-- root/root .* ./lib/systemd/system/day2-agent.service"; do
    grep -Eq -- "$expected" <<<"$CONTENTS" || fail "missing or wrong mode: $expected"
done
dpkg-deb -x "$DEB" "$WORK/root"
dpkg-deb -e "$DEB" "$WORK/root/DEBIAN"
grep -qx "/etc/day2-agent/day2-agent.yaml" "$WORK/root/DEBIAN/conffiles" || fail "the configuration is not a conffile"

# 2. A node has no Swift toolchain.
AGENT="$WORK/root/usr/bin/day2-agent"
if ldd "$AGENT" | grep -i swift; then fail "the binary links a Swift runtime library"; fi
"$AGENT" --help >/dev/null || fail "the packaged binary does not start"

# 3. postinst on a pretend node.
unshare -m sh -euc '
    root=$1
    mkdir -p /etc/day2-agent /var/lib/day2-agent
    mount -t tmpfs none /etc/day2-agent
    mount -t tmpfs none /var/lib/day2-agent
    if [ -d /run/systemd ]; then mount -t tmpfs none /run/systemd; fi
    mount -t tmpfs none /sys/class
    mkdir -p /sys/class/dmi/id
    echo "4C4C4544-0042-3510-8052-B4C04F4E4D32" > /sys/class/dmi/id/product_uuid
    install -m 0644 "$root/etc/day2-agent/day2-agent.yaml" /etc/day2-agent/day2-agent.yaml
    sh "$root/DEBIAN/postinst" configure
    grep -qx "GUID: \"4c4c4544-0042-3510-8052-b4c04f4e4d32\"" /etc/day2-agent/day2-agent.yaml
    [ "$(stat -c %a /etc/day2-agent/day2-agent.yaml)" = 600 ]
    [ "$(stat -c %a /var/lib/day2-agent)" = 700 ]
' sh "$WORK/root" || fail "postinst did not write GUID and modes"
echo "postinst: GUID written from product_uuid, configuration 0600, state folder 0700"

# 4. The packaged binary, end to end.
ORCHESTRATOR="${DAY2_ORCHESTRATOR:-$(swift build --show-bin-path)/day2-orchestrator}"
[ -x "$ORCHESTRATOR" ] || swift build --product day2-orchestrator
DAY2_ORCHESTRATOR="$ORCHESTRATOR" DAY2_AGENT="$AGENT" \
    python3 scripts/fault-run.py --scenario plain --nodes 4 --tls --timeout 180 | tail -1
echo "agent .deb: all checks passed"
