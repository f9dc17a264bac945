"""The overwrite engine, verification and runner on real loop devices (fast: 16–32 MiB)."""

from __future__ import annotations

import os
import subprocess
import threading
from pathlib import Path
from typing import Any

import psutil
import pytest

from agent.erase.device import open_device
from agent.erase.engine import write_pass
from agent.erase.patterns import Pattern, PatternSource
from agent.erase.planner import plan_erasure
from agent.erase.policy import Policy, load_policy
from agent.erase.progress import Progress
from agent.erase.verify import verify_pattern
from agent.host import LiveHost
from agent.probes.usage import disk_usages
from agent.report import Disk
from tests.erase._erase_support import SENTINEL, MiB, backing_file, read_uncached

pytestmark = [
    pytest.mark.root,
    pytest.mark.skipif(os.geteuid() != 0, reason="needs root for loop devices and mounts (CI runs as root)"),
]


def _poke(dev: str, offset: int, data: bytes) -> None:
    fd = os.open(dev, os.O_WRONLY)
    try:
        os.pwrite(fd, data, offset)
        os.fsync(fd)
    finally:
        os.close(fd)


def test_random_pass_is_verified_against_the_regenerated_keystream(loop_device) -> None:
    dev = loop_device(16 * MiB)
    source = PatternSource(Pattern("random"))
    handle = open_device(dev, write=True)
    try:
        result = write_pass(handle, source, chunk=4 * MiB)
        assert result.bytes_written == 16 * MiB and not result.failed_ranges
        assert verify_pattern(handle, source, "full").passed
        assert verify_pattern(handle, source, "sampled").passed
        # A different random stream is not "our" pattern even though it looks just as random.
        assert not verify_pattern(handle, PatternSource(Pattern("random")), "sampled").passed
    finally:
        handle.close()
    # One byte changed anywhere is found, at its exact offset.
    _poke(dev, 12_345_679, b"\x00")
    handle = open_device(dev, write=True)
    try:
        check = verify_pattern(handle, source, "full")
    finally:
        handle.close()
        source.close()
    assert not check.passed
    assert check.first_mismatch_offset == 12_345_679
    assert check.to_model().first_mismatch_offset == 12_345_679


def test_tail_smaller_than_a_chunk_and_4k_sectors(tmp_path: Path) -> None:
    image = tmp_path / "odd.img"
    size = 16 * MiB + 3 * 4096
    with open(image, "wb") as handle:
        handle.truncate(size)
    dev = subprocess.run(
        ["losetup", "-f", "--show", "--direct-io=on", "-b", "4096", str(image)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    try:
        handle = open_device(dev, write=True)
        try:
            assert handle.sector == 4096 and handle.size == size
            source = PatternSource(Pattern("ones"))
            result = write_pass(handle, source, chunk=8 * MiB)
            assert result.bytes_written == size
            check = verify_pattern(handle, source, "full")
            assert check.passed and check.bytes_read == size
        finally:
            handle.close()
        assert read_uncached(image) == b"\xff" * size
    finally:
        subprocess.run(["losetup", "-d", dev], check=False)


def test_progress_reports_and_cancellation(loop_device) -> None:
    dev = loop_device(32 * MiB)
    seen: list[Progress] = []
    cancel = threading.Event()

    def progress(p: Progress) -> None:
        seen.append(p)

    handle = open_device(dev, write=True)
    try:
        source = PatternSource(Pattern("zeros"))
        done = write_pass(handle, source, chunk=1 * MiB, progress=progress, pass_index=2, passes=3)
        assert not done.cancelled
        assert seen[-1].bytes_done == seen[-1].bytes_total == 32 * MiB
        assert seen[-1].eta_s == 0.0 and seen[-1].throughput_bps > 0
        assert all(p.phase == "write" and p.pass_index == 2 and p.passes == 3 for p in seen)
        assert [p.bytes_done for p in seen] == sorted(p.bytes_done for p in seen)

        def stop_early(p: Progress) -> None:
            if p.bytes_done > 0:
                cancel.set()

        stopped = write_pass(handle, source, chunk=1 * MiB, progress=stop_early, cancel=cancel)
        assert stopped.cancelled
        assert stopped.bytes_written < 32 * MiB
    finally:
        handle.close()


def test_memory_per_disk_stays_far_below_64_mb(loop_device) -> None:
    dev = loop_device(64 * MiB)
    proc = psutil.Process()
    peak = 0
    base = proc.memory_info().rss

    def progress(_p: Progress) -> None:
        nonlocal peak
        peak = max(peak, proc.memory_info().rss - base)

    handle = open_device(dev, write=True)
    try:
        source = PatternSource(Pattern("random"))
        write_pass(handle, source, progress=progress)
        verify_pattern(handle, source, "full", progress=progress)
    finally:
        handle.close()
    assert peak < 64 * MiB


def _item(dev: str, policy: Policy, technique: str | None = None):  # type: ignore[no-untyped-def]
    host = LiveHost()
    name = os.path.basename(dev)
    disk = Disk(name=name, path=dev, size_bytes=16 * MiB, model="Loop", serial=f"LOOP-{name}")
    plan = plan_erasure([disk], policy, usages=disk_usages(host), selected=[dev])
    item = plan.disks[0]
    assert item.action == "erase", item.why_english()
    if technique is not None:
        # A loop device has no firmware erase; the plan is told it has one, like a real SSD.
        item.technique = technique  # type: ignore[assignment]
        item.category = "purge"
        item.fallback = "overwrite" if policy.fallback_to_overwrite else None
    return plan, item, host


def _lying_firmware(*, really_erase: bool) -> Any:
    """A drive whose firmware claims success — and, like QEMU's AHCI disk, may erase nothing."""
    from agent.erase.canaries import check_canaries, plant_canaries, scan_for_signatures
    from agent.erase.firmware import FirmwareOutcome

    def run(host: Any, disk: Disk, technique: str, **kwargs: Any) -> FirmwareOutcome:
        if really_erase:
            subprocess.run(
                ["dd", "if=/dev/zero", f"of={disk.path}", "bs=1M", "oflag=direct"], capture_output=True
            )
        return FirmwareOutcome(ok_claimed=True, commands=[f"fake {technique} {disk.path}"])

    return lambda: (plant_canaries, check_canaries, scan_for_signatures, run)


def _fill(dev: str) -> None:
    _poke(dev, 0, SENTINEL * 1000)
    _poke(dev, 8 * MiB, SENTINEL * 1000)


@pytest.mark.parametrize("fallback", [True, False])
def test_firmware_erase_that_lies_is_caught_by_canaries(loop_device, monkeypatch, fallback: bool) -> None:
    from agent.certs.keys import StationKey
    from agent.erase import runner

    dev = loop_device(16 * MiB)
    _fill(dev)
    monkeypatch.setattr(runner, "_firmware_api", _lying_firmware(really_erase=False))
    policy = Policy(name="test", fallback_to_overwrite=fallback, verification="full")
    plan, _, host = _item(dev, policy, "ata_sanitize_crypto")
    (signed,) = runner.execute_plan(
        plan, host, key=StationKey.generate(), context=runner.EraseContext(), out_dir=None
    )
    cert = signed.certificate
    assert cert.commands[0].startswith("fake ata_sanitize_crypto")
    if fallback:
        assert cert.result == "erased"
        assert cert.technique == "overwrite"
        assert cert.category == "clear"  # the Purge was not proven: only the overwrite counts
        assert any("not proven" in e for e in cert.errors)
        assert SENTINEL not in read_uncached(backing_file(dev))
    else:
        assert cert.result == "failed"
        assert cert.category is None
        assert cert.verification.target == "no-canary-no-signature"
        assert not cert.verification.passed
        assert "canaries survived" in cert.verification.details[0]


def test_firmware_erase_that_works_is_certified_as_purge(loop_device, monkeypatch) -> None:
    from agent.certs.keys import StationKey
    from agent.erase import runner

    dev = loop_device(16 * MiB)
    _fill(dev)
    monkeypatch.setattr(runner, "_firmware_api", _lying_firmware(really_erase=True))
    plan, _, host = _item(dev, Policy(name="test"), "nvme_sanitize_crypto")
    (signed,) = runner.execute_plan(
        plan, host, key=StationKey.generate(), context=runner.EraseContext(), out_dir=None
    )
    cert = signed.certificate
    assert cert.result == "erased", cert.verification.details
    assert cert.technique == "nvme_sanitize_crypto"
    assert cert.category == "purge"
    assert cert.verification.passed
    assert cert.verification.coverage_percent >= 10.0
    assert [p.pattern for p in cert.passes] == ["firmware"]


def test_runner_cancel_gives_incomplete_and_no_verification_policy_cannot_certify(loop_device) -> None:
    from agent.certs.keys import StationKey
    from agent.erase import runner

    dev = loop_device(16 * MiB)
    cancel = threading.Event()
    cancel.set()
    plan, _, host = _item(dev, load_policy("default"))
    (signed,) = runner.execute_plan(
        plan,
        host,
        key=StationKey.generate(),
        context=runner.EraseContext(asset_code="AT-1"),
        out_dir=None,
        cancel=cancel,
        restarted={dev},
    )
    assert signed.certificate.result == "incomplete"
    assert signed.certificate.restarted
    assert signed.certificate.asset_code == "AT-1"

    plan, _, host = _item(dev, Policy(name="fast", verification="none"))
    (signed,) = runner.execute_plan(
        plan, host, key=StationKey.generate(), context=runner.EraseContext(), out_dir=None
    )
    assert signed.certificate.result == "incomplete"
    assert "not verified" in (signed.certificate.reason or "")


def test_usage_is_checked_again_right_before_writing(loop_device, tmp_path: Path) -> None:
    """Mounted after the plan was made (a desktop automounting a stick): refused, untouched."""
    from agent.certs.keys import StationKey
    from agent.erase import runner
    from agent.errors import AtelierError

    dev = loop_device(16 * MiB)
    subprocess.run(["mkfs.ext4", "-q", "-F", dev], check=True, capture_output=True)
    plan, _, host = _item(dev, load_policy("default"))
    mnt = tmp_path / "late"
    mnt.mkdir()
    subprocess.run(["mount", "-o", "ro", dev, str(mnt)], check=True)
    try:
        before = read_uncached(dev)
        problems: list[AtelierError] = []
        certs = runner.execute_plan(
            plan,
            host,
            key=StationKey.generate(),
            context=runner.EraseContext(),
            out_dir=None,
            refusals=problems,
        )
        assert certs == []
        assert problems and problems[0].exit_code == 4
        assert read_uncached(dev) == before
    finally:
        subprocess.run(["umount", str(mnt)], check=False)
