"""Read scan on real loop devices; read errors injected where this kernel cannot make them."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from agent.checks.read_scan import ScanSettings, check_read_scan, scan_device, slow_regions

MIB = 1 << 20


def test_clean_loop_device_passes(loop_device: Callable[..., str]) -> None:
    dev = loop_device(64 * MIB)
    seen: list[float] = []
    result = check_read_scan(dev, ScanSettings(samples=32), progress=seen.append)
    assert result.status == "pass", result.message
    assert result.measurements["read_errors"] == 0
    assert result.measurements["direct_io"] is True
    assert result.measurements["reads"] == 32
    assert result.measurements["bytes_read"] == 32 * MIB
    assert seen[-1] == 1.0


def test_sampled_scan_reads_the_very_end(loop_device: Callable[..., str]) -> None:
    dev = loop_device(64 * MIB + 8192)
    offsets: list[int] = []

    def spy(fd: int, buffers: list[memoryview], offset: int) -> int:
        offsets.append(offset)
        return os.preadv(fd, buffers, offset)

    scan = scan_device(dev, ScanSettings(samples=8), preadv=spy)
    assert offsets[0] == 0 and offsets[-1] == 64 * MIB + 8192 - MIB
    assert all(o % 4096 == 0 for o in offsets)
    assert scan.bytes_read == 8 * MIB


def test_full_mode_reads_every_byte(loop_device: Callable[..., str]) -> None:
    dev = loop_device(48 * MIB + 4096)  # not a multiple of the chunk: the tail is read too
    scan = scan_device(dev, ScanSettings(mode="full"))
    assert scan.bytes_read == 48 * MIB + 4096
    assert not scan.errors


def _eio_between(start: int, end: int) -> Callable[[int, list[memoryview], int], int]:
    def preadv(fd: int, buffers: list[memoryview], offset: int) -> int:
        length = sum(len(b) for b in buffers)
        if offset < end and offset + length > start:
            raise OSError(errno.EIO, "Input/output error")
        return os.preadv(fd, buffers, offset)

    return preadv


def test_read_errors_are_located(loop_device: Callable[..., str]) -> None:
    # This kernel has no device-mapper (no dm "error" target): EIO is injected for 8 KiB in the
    # middle of a real loop device, the rest is read from the device.
    dev = loop_device(32 * MIB)
    bad_start = 20 * MIB + 12288
    result = check_read_scan(dev, ScanSettings(mode="full"), preadv=_eio_between(bad_start, bad_start + 8192))
    assert result.status == "fail"
    assert result.measurements["read_errors"] == 1
    assert result.measurements["error_ranges"] == f"{bad_start}+8192"
    assert "illisible" in result.message


def _has_device_mapper() -> bool:
    try:
        return "device-mapper" in Path("/proc/misc").read_text() and shutil.which("dmsetup") is not None
    except OSError:
        return False


@pytest.mark.skipif(not _has_device_mapper(), reason="no device-mapper in this kernel (dm_mod not built in)")
def test_dm_error_target_gives_real_eio(loop_device: Callable[..., str]) -> None:
    dev = loop_device(16 * MIB)
    sectors = 16 * MIB // 512
    table = f"0 8192 linear {dev} 0\n8192 16 error\n8208 {sectors - 8208} linear {dev} 8208\n"
    name = f"atelier-test-{os.getpid()}"
    subprocess.run(["dmsetup", "create", name], input=table, text=True, check=True)
    try:
        result = check_read_scan(f"/dev/mapper/{name}", ScanSettings(mode="full"))
        assert result.status == "fail"
        assert result.measurements["error_ranges"] == f"{8192 * 512}+8192"
    finally:
        subprocess.run(["dmsetup", "remove", name], check=False)


def test_slow_regions_from_recorded_timings() -> None:
    timings = [(i * MIB, 0.004) for i in range(100)]
    timings[40] = (40 * MIB, 0.9)  # a retried sector: 225 x the median
    timings[41] = (41 * MIB, 0.12)  # slow-ish but under 150 ms: not counted
    slow = slow_regions(timings, MIB)
    assert [(r.offset, r.seconds) for r in slow] == [(40 * MIB, 0.9)]
    assert slow_regions(timings[:5], MIB) == []  # too few reads to judge


def test_missing_device_is_an_error_not_a_crash(tmp_path: Path) -> None:
    result = check_read_scan(str(tmp_path / "nope"))
    assert result.status == "error"
