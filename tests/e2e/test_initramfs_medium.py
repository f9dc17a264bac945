"""The initramfs script that waits for the boot stick's label before live-boot looks for its medium
(image/config/.../initramfs-tools/scripts/live-premount/atelier-medium), run here with `sh` on
replayed kernel command lines: /proc/cmdline and /dev/kmsg are swapped for files, nothing else.
In the VM, `make e2e` checks its kernel-log line and that no internal disk got mounted."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pytest

from tests.e2e.vm import ROOT

SCRIPT = (
    ROOT
    / "image/config/includes.chroot_before_packages/etc/initramfs-tools/scripts/live-premount/atelier-medium"
)

pytestmark = pytest.mark.skipif(shutil.which("sh") is None, reason="no sh")


def _run(tmp_path: Path, cmdline: str) -> tuple[str, float]:
    """(what it wrote to the kernel log, seconds it took)."""
    cmdline_file = tmp_path / "cmdline"
    cmdline_file.write_text(cmdline + "\n")
    kmsg = tmp_path / "kmsg"
    kmsg.write_text("")
    text = SCRIPT.read_text()
    assert text.count("/proc/cmdline") == 1 and text.count("/dev/kmsg") == 1
    script = tmp_path / "atelier-medium"
    script.write_text(text.replace("/proc/cmdline", str(cmdline_file)).replace("/dev/kmsg", str(kmsg)))
    started = time.monotonic()
    subprocess.run(["sh", str(script)], check=True, timeout=30)
    return kmsg.read_text(), time.monotonic() - started


def test_prereqs_answer_for_mkinitramfs(tmp_path: Path) -> None:
    result = subprocess.run(["sh", str(SCRIPT), "prereqs"], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


def test_present_medium_is_taken_at_once(tmp_path: Path) -> None:
    # Only /dev/ paths are waited for (the menus' value): /dev/null stands for the label's link.
    log, took = _run(tmp_path, "boot=live live-media=/dev/null quiet")
    assert log == "<6>atelier-medium: /dev/null present\n"
    assert took < 5


def test_missing_medium_waits_then_lets_live_boot_scan(tmp_path: Path) -> None:
    log, took = _run(
        tmp_path, "boot=live live-media=/dev/disk/by-label/NO-SUCH-STICK atelier.media-wait=1 quiet"
    )
    assert log == (
        "<6>atelier-medium: /dev/disk/by-label/NO-SUCH-STICK not found after 1 s: "
        "live-boot will scan every disk\n"
    )
    assert 0.9 < took < 10


@pytest.mark.parametrize(
    "cmdline",
    [
        "boot=live quiet",  # no medium named: live-boot's own search
        "boot=live live-media=removable quiet",  # a live-boot keyword, not a device
        # network boots have no local medium to wait for, whatever else the line says
        "boot=live live-media=/dev/disk/by-label/ATELIER-LIVE fetch=http://10.0.0.1/live/filesystem.squashfs",
        "boot=live live-media=/dev/disk/by-label/ATELIER-LIVE findiso=/atelier.iso",
    ],
)
def test_nothing_to_wait_for(tmp_path: Path, cmdline: str) -> None:
    log, took = _run(tmp_path, cmdline)
    assert log == ""
    assert took < 5


def test_a_bad_wait_value_falls_back_to_the_default(tmp_path: Path) -> None:
    log, _took = _run(tmp_path, "boot=live live-media=/dev/null atelier.media-wait=soon")
    assert log == "<6>atelier-medium: /dev/null present\n"
