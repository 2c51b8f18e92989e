#!/usr/bin/env bash
# Builds the day2-agent Debian package with dpkg-deb: the release binary, the systemd unit, the configuration
# file (a conffile) and a postinst that writes GUID from /sys/class/dmi/id/product_uuid.
# Usage: scripts/build-agent-deb.sh [VERSION] [OUTPUT_DIR]   (defaults: 0.1.0, .build/deb)
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=${1:-0.1.0}
OUT=${2:-.build/deb}
ARCH=$(dpkg --print-architecture)

# The Swift runtime is linked in (a node has no Swift toolchain).
swift build -c release --static-swift-stdlib --product day2-agent >&2
BIN="$(swift build -c release --static-swift-stdlib --show-bin-path)/day2-agent"

ROOT=$(mktemp -d)
trap 'rm -rf "$ROOT"' EXIT
chmod 0755 "$ROOT"
install -d "$ROOT/DEBIAN" "$ROOT/usr/bin" "$ROOT/lib/systemd/system" "$ROOT/etc/day2-agent" \
    "$ROOT/usr/share/doc/day2-agent"
install -m 0755 "$BIN" "$ROOT/usr/bin/day2-agent"
strip --strip-unneeded "$ROOT/usr/bin/day2-agent" 2>/dev/null || true
install -m 0644 packaging/agent/day2-agent.service "$ROOT/lib/systemd/system/day2-agent.service"
install -m 0600 packaging/agent/day2-agent.yaml "$ROOT/etc/day2-agent/day2-agent.yaml"
install -m 0644 docs/agent.md "$ROOT/usr/share/doc/day2-agent/agent.md"
install -m 0755 packaging/agent/debian/postinst packaging/agent/debian/prerm "$ROOT/DEBIAN/"
install -m 0644 packaging/agent/debian/conffiles "$ROOT/DEBIAN/conffiles"

SIZE=$(du -sk "$ROOT" | cut -f1)
cat > "$ROOT/DEBIAN/control" <<CONTROL
Package: day2-agent
Version: $VERSION
Architecture: $ARCH
Maintainer: Day2 <day2@localhost>
Section: admin
Priority: optional
Installed-Size: $SIZE
Depends: libc6, libstdc++6, libgcc-s1, zlib1g
Recommends: grub-common | systemd-boot
Description: Day2 Platform Update Agent
 Polls the Day2 (EIM-compatible) Maintenance Manager and applies OS updates inside maintenance windows:
 apt updates on mutable nodes, A/B image updates with one-time boot, health checks and commit on immutable
 nodes. Survives reboots and power loss.
CONTROL

mkdir -p "$OUT"
DEB="$OUT/day2-agent_${VERSION}_${ARCH}.deb"
dpkg-deb --root-owner-group --build "$ROOT" "$DEB" >&2
echo "$DEB"
