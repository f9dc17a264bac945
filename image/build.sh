#!/usr/bin/env bash
# Builds the Atelier live ISO (+ PXE files + manifest) into image/out/ with Debian live-build.
#
#   image/build.sh            build unless out/ already holds an ISO built from the same inputs
#   FORCE=1 image/build.sh    build anyway
#   SNAPSHOT=20261128T000000Z pin the Debian archive to snapshot.debian.org (reproducible)
#   ATELIER_SRC=worktree      package the working tree instead of the last commit (development)
#
# Inputs hashed into out/input-key: config/, lb-config.sh, this script, the pinned wheel list and
# the downloaded wheels' sha256, the Atelier sources (git tree of HEAD, or the working tree's
# files), SNAPSHOT. The apt cache (image/cache/, gitignored) survives between builds.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(dirname "$HERE")
BUILD="$HERE/build"
OUT="$HERE/out"
CACHE="$HERE/cache"
SRC_MODE=${ATELIER_SRC:-head}
PYTHON=${PYTHON:-$REPO/.venv/bin/python}
[ -x "$PYTHON" ] || PYTHON=python3

log() { printf '[image %s] %s\n' "$(date -u +%H:%M:%S)" "$*"; }

[ "$(id -u)" = 0 ] || { echo "make image needs root (live-build runs debootstrap and chroot)" >&2; exit 5; }
for tool in lb debootstrap xorriso mksquashfs git; do
	command -v "$tool" >/dev/null || {
		echo "missing $tool: apt-get install live-build xorriso squashfs-tools mtools" >&2
		exit 5
	}
done

# Reproducibility: one timestamp for every file of the image, the last commit touching what goes in.
SOURCE_DATE_EPOCH=$(git -C "$REPO" log -1 --format=%ct -- agent pyproject.toml image)
export SOURCE_DATE_EPOCH

mkdir -p "$BUILD" "$OUT" "$CACHE"
START=$(date +%s)

# 1. Wheels: Atelier from the repository, its pinned dependencies for CPython 3.11 x86_64.
WHEELS="$BUILD/wheels"
rm -rf "$WHEELS" "$BUILD/src"
mkdir -p "$WHEELS" "$BUILD/src"
COMMIT=$(git -C "$REPO" rev-parse HEAD) # taken once: other work may commit during the build
if [ "$SRC_MODE" = worktree ]; then
	git -C "$REPO" ls-files -co --exclude-standard -- agent pyproject.toml |
		tar -C "$REPO" -cf - -T - | tar -C "$BUILD/src" -xf -
else
	git -C "$REPO" archive "$COMMIT" agent pyproject.toml | tar -C "$BUILD/src" -xf -
fi
touch "$BUILD/src/README.md"
log "building the Atelier wheel ($SRC_MODE)"
"$PYTHON" -m pip wheel -q --no-deps -w "$WHEELS" "$BUILD/src" >"$BUILD/wheel.log" 2>&1 || { cat "$BUILD/wheel.log"; exit 1; }
log "downloading the pinned agent dependencies"
"$PYTHON" -m pip download -q --only-binary=:all: --python-version 3.11 --implementation cp --abi cp311 \
	--platform manylinux2014_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux_2_28_x86_64 \
	--no-deps -r "$HERE/requirements-agent.txt" -d "$WHEELS" 2>&1 | grep -v "^WARNING: Location" || true
ls "$WHEELS"/atelier-*.whl >/dev/null

# 2. Input key: skip the build when nothing that goes into the ISO changed.
input_key() {
	{
		(cd "$HERE" && find config lb-config.sh build.sh requirements-agent.txt -type f -print0 | sort -z | xargs -0 sha256sum)
		(cd "$BUILD/src" && find . -type f ! -name '*.pyc' ! -path '*/__pycache__/*' -print0 | sort -z | xargs -0 sha256sum)
		(cd "$WHEELS" && sha256sum -- *.whl | grep -v ' atelier-')
		echo "snapshot=${SNAPSHOT:-none}"
	} | sha256sum | cut -d' ' -f1
}
KEY=$(input_key)
if [ -z "${FORCE:-}" ] && [ -f "$OUT/atelier-amd64.iso" ] && [ "$(cat "$OUT/input-key" 2>/dev/null)" = "$KEY" ]; then
	log "out/atelier-amd64.iso is up to date (input key $KEY)"
	exit 0
fi

# 3. live-build, from a full clean every time (partial rebuilds fail: notes/image.md).
LB="$BUILD/lb"
remove_lb() {
	# A build killed half-way can leave /proc, /sys or /dev bind-mounted in the chroot: `rm -rf`
	# would then walk into the host's /dev. Unmount first, refuse if anything is still mounted.
	[ -d "$LB" ] || return 0
	(cd "$LB" && lb clean --all >/dev/null 2>&1) || true
	if grep -q " $LB/" /proc/mounts; then
		echo "still mounted under $LB (see /proc/mounts): unmount, then rerun" >&2
		exit 1
	fi
	rm -rf "$LB"
}
remove_lb
mkdir -p "$LB"
cp -a "$HERE/config" "$LB/config"
mkdir -p "$LB/config/includes.chroot/opt/atelier-wheels" "$LB/config/includes.chroot/usr/share/doc/atelier"
cp "$WHEELS"/*.whl "$LB/config/includes.chroot/opt/atelier-wheels/"
[ ! -f "$HERE/README.md" ] || cp "$HERE/README.md" "$LB/config/includes.chroot/usr/share/doc/atelier/README.md"
ln -s "$CACHE" "$LB/cache"
cd "$LB"
log "lb config"
"$HERE/lb-config.sh" >/dev/null
log "lb build (first build ~7 min; apt cache in image/cache)"
lb build
ISO="$LB/live-image-amd64.hybrid.iso"
[ -f "$ISO" ] || { echo "lb build produced no ISO" >&2; exit 1; }

# 4. Outputs: the ISO, PXE files, manifest.
rm -rf "$OUT"
mkdir -p "$OUT/pxe"
mv "$ISO" "$OUT/atelier-amd64.iso"
cp binary/live/vmlinuz "$OUT/pxe/vmlinuz"
cp binary/live/initrd.img "$OUT/pxe/initrd.img"
cp binary/live/filesystem.squashfs "$OUT/pxe/filesystem.squashfs"
cp "$HERE/pxe/boot.ipxe" "$OUT/pxe/boot.ipxe"
{
	echo "# Atelier live image manifest"
	echo "built: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "source_date_epoch: $SOURCE_DATE_EPOCH"
	echo "atelier_commit: $COMMIT ($SRC_MODE)"
	echo "suite: bookworm"
	echo "snapshot: ${SNAPSHOT:-none (deb.debian.org of the build day)}"
	echo "live_build: $(dpkg-query -W -f='${Version}' live-build)"
	echo "input_key: $KEY"
	echo
	echo "## files (sha256)"
	(cd "$OUT" && sha256sum atelier-amd64.iso pxe/*)
	echo
	echo "## wheels installed in /opt/atelier (sha256)"
	(cd "$WHEELS" && sha256sum -- *.whl)
	echo
	echo "## Debian packages (name version)"
	sed 's/\t/ /' "$LB/live-image-amd64.packages"
} >"$OUT/manifest.txt"
echo "$KEY" >"$OUT/input-key"
SIZE=$(stat -c %s "$OUT/atelier-amd64.iso")
log "done in $(($(date +%s) - START)) s: out/atelier-amd64.iso $((SIZE / 1048576)) MiB"
if [ "$SIZE" -gt $((600 * 1000 * 1000)) ]; then
	echo "WARNING: the ISO exceeds 600 MB" >&2
fi
# The chroot (~1.5 GB) is only useful to debug a failed build.
cd "$HERE" && remove_lb
