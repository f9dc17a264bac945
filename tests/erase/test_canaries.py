"""Canaries and surviving-data signatures on real loop devices."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from agent.erase.canaries import (
    canary_lbas,
    check_canaries,
    find_signatures,
    plant_canaries,
    scan_for_signatures,
)
from agent.erase.firmware import run_firmware_erase
from agent.erase.sampling import sampled_plan
from agent.host import ReplayHost
from agent.report import Disk

MiB = 1024 * 1024
pytestmark = pytest.mark.root


def test_canary_lbas_include_first_and_last() -> None:
    lbas = canary_lbas(131072, 256)
    assert len(lbas) == 256 and lbas[0] == 0 and lbas[-1] == 131071
    assert len(set(lbas)) == 256
    assert canary_lbas(1, 256) == [0] and canary_lbas(3, 256) == [0, 1, 2]


def test_canaries_survive_when_nothing_is_erased(loop_device: Callable[..., str]) -> None:
    dev = loop_device(32 * MiB)
    canaries = plant_canaries(dev, 32 * MiB)
    assert canaries.planted == 256 and canaries.write_errors == []
    assert canaries.offsets[0] == 0 and canaries.offsets[-1] == 32 * MiB - 512
    check = check_canaries(dev, canaries)
    assert (check.checked, check.survivors) == (256, 256) and not check.passed


@pytest.mark.parametrize("how", ["blkdiscard", "dd"])
def test_canaries_gone_after_zeroing(loop_device: Callable[..., str], how: str) -> None:
    dev = loop_device(32 * MiB)
    canaries = plant_canaries(dev, 32 * MiB)
    if how == "blkdiscard":
        subprocess.run(["blkdiscard", "-z", dev], check=True, capture_output=True)
    else:
        subprocess.run(
            ["dd", "if=/dev/zero", f"of={dev}", "bs=4M", "count=8", "oflag=direct", "status=none"],
            check=True,
            capture_output=True,
        )
    check = check_canaries(dev, canaries)
    assert check.checked == 256 and check.survivors == 0 and check.passed


def test_partial_erase_leaves_survivors(loop_device: Callable[..., str]) -> None:
    dev = loop_device(32 * MiB)
    canaries = plant_canaries(dev, 32 * MiB)
    # Only the first half zeroed: the last LBA's canary must be caught.
    subprocess.run(
        ["dd", "if=/dev/zero", f"of={dev}", "bs=1M", "count=16", "oflag=direct", "status=none"], check=True
    )
    check = check_canaries(dev, canaries)
    assert 0 < check.survivors < 256 and (32 * MiB - 512) in check.survivor_offsets


def test_exit_zero_firmware_erase_is_not_trusted(loop_device: Callable[..., str], fixtures: Path) -> None:
    """QEMU's AHCI disk: hdparm --security-erase exits 0, the drive aborts, the data stays."""
    dev = loop_device(16 * MiB)
    disk = Disk(name=os.path.basename(dev), path=dev, transport="sata")
    ident = (
        fixtures / "disk-tools/hdparm-I/intel-s3520-ssdsc2bb480g7k-full-notfrozen-sanitize-all3-SPACES.txt"
    ).read_text()
    host = ReplayHost.build(
        commands={
            ("hdparm", "-I", dev): (0, ident),
            ("hdparm", "--user-master", "u", "--security-set-pass", "atelier", dev): (0, ""),
            ("hdparm", "--user-master", "u", "--security-erase", "atelier", dev): (0, ""),
        }
    )
    canaries = plant_canaries(dev, 16 * MiB, count=64)
    outcome = run_firmware_erase(host, disk, "ata_security_erase", timeout_s=60)
    assert outcome.ok_claimed
    check = check_canaries(dev, canaries)
    assert check.survivors == 64 and not check.passed


def _write(image: Path, offset: int, data: bytes) -> None:
    with open(image, "r+b") as handle:
        handle.seek(offset)
        handle.write(data)


@pytest.mark.skipif(
    shutil.which("sfdisk") is None or shutil.which("mkfs.vfat") is None, reason="needs fdisk and dosfstools"
)
def test_signatures_found_then_gone(loop_device: Callable[..., str], tmp_path: Path) -> None:
    image = tmp_path / "donor.img"
    size = 64 * MiB
    with open(image, "wb") as handle:
        handle.truncate(size)
    subprocess.run(
        ["sfdisk", "-q", str(image)],
        input="label: gpt\nstart=2048, size=40960\nstart=43008, size=40960\n",
        text=True,
        check=True,
        capture_output=True,
    )
    subprocess.run(
        ["mkfs.ext4", "-q", "-F", "-E", f"offset={2048 * 512}", str(image), "20M"],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        ["mkfs.vfat", "-F", "32", "--offset", "43008", str(image), "20480"], check=True, capture_output=True
    )
    _write(image, 50 * MiB, b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    _write(image, 51 * MiB, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    _write(image, 52 * MiB, b"\xff\xd8\xff\xe0\x00\x10JFIF")
    _write(image, 53 * MiB, b"PK\x03\x04\x14\x00")
    _write(image, 54 * MiB, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
    _write(image, 55 * MiB, b"SQLite format 3\x00")
    _write(image, 56 * MiB, b"LUKS\xba\xbe\x00\x02")
    _write(image, 57 * MiB + 4086, b"SWAPSPACE2")
    _write(image, 58 * MiB, b"XFSB")
    _write(image, 59 * MiB + 65536 + 64, b"_BHRfS_M")
    _write(image, 60 * MiB + 3, b"NTFS    ")
    dev = loop_device(size, backing=image)
    found = scan_for_signatures(dev, [(0, size)])
    names = {f.split(" at byte ")[0] for f in found}
    assert {
        "MBR partition table",
        "GPT header",
        "ext2/3/4 superblock",
        "FAT32 boot sector",
        "PDF file",
        "PNG image",
        "JPEG image",
        "ZIP / Office document",
        "OLE2 document (old Office)",
        "SQLite database",
        "LUKS header",
        "Linux swap header",
        "XFS superblock",
        "btrfs superblock",
        "NTFS boot sector",
    } <= names
    assert "GPT header at byte 512" in found and f"ext2/3/4 superblock at byte {1 * MiB + 1024}" in found
    assert (
        f"Linux swap header at byte {57 * MiB}" in found
        and f"btrfs superblock at byte {59 * MiB + 65536}" in found
    )
    # Sampled ranges (NIST plan) still see the first and last LBAs: the GPT and its backup.
    sampled = scan_for_signatures(dev, sampled_plan(size, 512).ranges)
    assert "GPT header at byte 512" in sampled and f"GPT header at byte {size - 512}" in sampled
    subprocess.run(["blkdiscard", "-z", dev], check=True, capture_output=True)
    assert scan_for_signatures(dev, [(0, size)]) == []


def test_random_data_gives_no_false_alarm(loop_device: Callable[..., str]) -> None:
    dev = loop_device(32 * MiB)
    subprocess.run(
        ["dd", "if=/dev/urandom", f"of={dev}", "bs=4M", "count=8", "oflag=direct", "status=none"],
        check=True,
        capture_output=True,
    )
    assert scan_for_signatures(dev, [(0, 32 * MiB)]) == []


def test_signature_positions_matter() -> None:
    sector = bytearray(1024)
    sector[7:15] = b"EFI PART"  # not at a sector start: not a GPT header
    sector[512 + 56 : 512 + 58] = b"\x53\xef"  # a lone ext magic without a plausible superblock
    assert find_signatures(bytes(sector), 0) == []
