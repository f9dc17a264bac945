#!/usr/bin/env bash
# make-stick.sh ISO OUT.img [DATA_MiB]
# Writes a USB stick image: the hybrid ISO as is, then a FAT32 partition labelled ATELIER (the
# agent's writable data: atelier.toml, station key, spool, logs) appended after it with
# `sfdisk --append` — the stick still boots on BIOS and UEFI (notes/image.md). Write the result to
# a stick with `dd if=OUT.img of=/dev/sdX bs=4M conv=fsync` (or Raspberry Pi Imager, Etcher...).
# Needs no root and no loop device: mkfs.fat --offset and mtools work on the image file.
# Prints "data_offset=BYTES data_size=BYTES" (what the e2e test uses to check that nothing outside
# the data partition changed).
set -euo pipefail
ISO=${1:?usage: make-stick.sh ISO OUT.img [DATA_MiB]}
OUT=${2:?usage: make-stick.sh ISO OUT.img [DATA_MiB]}
DATA_MIB=${3:-256}
HERE=$(cd "$(dirname "$0")" && pwd)

[ "$DATA_MIB" -ge 64 ] || { echo "the data partition needs at least 64 MiB (FAT32)" >&2; exit 2; }
iso_bytes=$(stat -c %s "$ISO")
mib=$((1024 * 1024))
start_bytes=$(((iso_bytes + mib - 1) / mib * mib)) # first MiB boundary after the ISO
data_bytes=$((DATA_MIB * mib))

rm -f "$OUT"
cp --sparse=always "$ISO" "$OUT"
truncate -s $((start_bytes + data_bytes)) "$OUT"
echo "start=$((start_bytes / 512)), size=$((data_bytes / 512)), type=c" |
	sfdisk --append --no-reread --no-tell-kernel --quiet "$OUT" >/dev/null
# With --offset, mkfs.fat sizes clusters from the whole image file: give the cluster size
# explicitly, or a small partition gets too few clusters for FAT32 (mtools then refuses it, and so
# may Windows). 512-byte clusters up to 512 MiB, 4 KiB above.
spc=1
[ "$DATA_MIB" -le 512 ] || spc=8
mkfs.fat -F 32 -s "$spc" -n ATELIER --offset $((start_bytes / 512)) "$OUT" $((data_bytes / 1024)) >/dev/null
export MTOOLS_SKIP_CHECK=1
img="$OUT@@$start_bytes"
mmd -i "$img" ::/spool ::/logs
mcopy -i "$img" "${ATELIER_TOML:-$HERE/atelier.toml.template}" ::/atelier.toml
echo "data_offset=$start_bytes data_size=$data_bytes"
