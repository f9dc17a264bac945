#!/bin/sh
# The one `lb config` call of the Atelier live image, run by build.sh in a fresh build directory
# (live-build keeps state in config/: a partial `lb clean --binary` + rebuild fails here —
# notes/image.md — so every build starts from a full clean and this script).
# Environment: SNAPSHOT=YYYYMMDDTHHMMSSZ pins the archive to snapshot.debian.org (reproducible
# builds); without it the build uses deb.debian.org's bookworm of the day.
set -eu

if [ -n "${SNAPSHOT:-}" ]; then
	MIRROR="http://snapshot.debian.org/archive/debian/${SNAPSHOT}/"
	SECURITY="http://snapshot.debian.org/archive/debian-security/${SNAPSHOT}/"
else
	MIRROR="http://deb.debian.org/debian/"
	# live-build's default security mirror answered HTTP 400 here (notes/image.md).
	SECURITY="http://deb.debian.org/debian-security/"
fi

# Boot parameters common to every menu entry (the entries add atelier.mode=...):
# - no live-config (not installed): nothing to configure at boot;
# - quiet kernel and systemd status: under TCG every console line costs time;
# - console on the serial port and the screen, the screen last so /dev/console (where the agent
#   talks) is the screen on a real PC;
# - noprompt: live-boot would otherwise wait for Enter after ejecting a CD at power-off;
# - live-media=: the stick (or DVD) by the ISO's volume label (--iso-volume below; udev links the
#   Joliet label, hyphen kept). Without it live-boot finds its medium by mounting, read-only, the
#   file system of every disk it sees — the donated PC's internal disks too, and a read-only ext4
#   mount still replays a dirty journal. The initramfs waits for this link before live-boot looks
#   (config/includes.chroot_before_packages/etc/initramfs-tools/scripts/live-premount/
#   atelier-medium); live-boot's scan remains the fallback when the label never shows up;
# - nonetworking: live-boot's "Netbase" step writes /etc/network/interfaces for ifupdown (masked
#   here: systemd-networkd does DHCP) and runs a full `udevadm trigger` + `udevadm settle` in the
#   initramfs just for that — udev replays every device again after the switch to the live root
#   anyway (network boot, boot.ipxe, does not use this line).
LIVE_LABEL="ATELIER-LIVE"
APPEND="boot=live live-media=/dev/disk/by-label/${LIVE_LABEL} nonetworking noprompt quiet loglevel=3 systemd.show_status=0 console=ttyS0,115200n8 console=tty1"

# squashfs in zstd: decompresses several times faster than xz (boot time under TCG and on old
# PCs); level 9 compresses far faster than mksquashfs' default 15 (the longest build step, minutes
# on 2 shared cores) for a few percent of size.
lb config noauto \
	--mode debian \
	--distribution bookworm \
	--architectures amd64 \
	--linux-flavours amd64 \
	--archive-areas "main non-free-firmware" \
	--mirror-bootstrap "$MIRROR" \
	--mirror-chroot "$MIRROR" \
	--mirror-binary "$MIRROR" \
	--mirror-chroot-security "$SECURITY" \
	--mirror-binary-security "$SECURITY" \
	--security true \
	--updates true \
	--binary-images iso-hybrid \
	--bootloaders "syslinux,grub-efi" \
	--debian-installer none \
	--memtest none \
	--apt-recommends false \
	--apt-indices false \
	--firmware-binary false \
	--firmware-chroot false \
	--initsystem systemd \
	--initramfs live-boot \
	--chroot-squashfs-compression-type zstd \
	--chroot-squashfs-compression-level 9 \
	--bootappend-live "$APPEND" \
	--bootappend-live-failsafe none \
	--iso-application "Atelier" \
	--iso-volume "$LIVE_LABEL" \
	--iso-publisher "Atelier" \
	--cache true \
	--cache-packages true \
	--cache-stages bootstrap \
	--checksums sha256 \
	--zsync false \
	"$@"
