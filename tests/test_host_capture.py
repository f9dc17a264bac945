"""The host seam: live reads, and a recorded capture that replays exactly."""

from __future__ import annotations

import json
import tarfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.host import CaptureFormatError, HostFileError, LiveHost, RecordingHost, ReplayHost


def test_live_missing_file_and_command() -> None:
    host = LiveHost()
    with pytest.raises(HostFileError):
        host.read_text("/nonexistent/file")
    result = host.run(["definitely-not-a-command-xyz"])
    assert result.missing and result.returncode == 127 and not result.ok


def test_live_timeout() -> None:
    result = LiveHost().run(["sleep", "5"], timeout=0.2)
    assert result.timed_out and not result.ok


@pytest.mark.parametrize("suffix", ["dir", "capture.tar.gz"])
def test_record_and_replay(tmp_path: Path, suffix: str) -> None:
    rec = RecordingHost(LiveHost())
    text = rec.read_text("/proc/version")
    entries = rec.list_dir("/proc/sys")
    with pytest.raises(HostFileError):
        rec.read_text("/nonexistent")
    result = rec.run(["echo", "bonjour"])
    out = rec.save(tmp_path / suffix)
    replay = ReplayHost.load(out)
    assert replay.read_text("/proc/version") == text
    assert replay.list_dir("/proc/sys") == entries
    with pytest.raises(HostFileError):
        replay.read_text("/nonexistent")
    again = replay.run(["echo", "bonjour"])
    assert (again.returncode, again.stdout) == (result.returncode, result.stdout)
    assert replay.run(["echo", "other"]).missing


def test_replay_refuses_garbage_and_newer(tmp_path: Path) -> None:
    bad = tmp_path / "bad.tar.gz"
    bad.write_bytes(b"not a tarball")
    with pytest.raises(CaptureFormatError):
        ReplayHost.load(bad)
    newer = tmp_path / "newer"
    newer.mkdir()
    (newer / "manifest.json").write_text(json.dumps({"format": "atelier-capture", "format_version": 99}))
    with pytest.raises(CaptureFormatError):
        ReplayHost.load(newer)
    empty = tmp_path / "empty.tar.gz"
    with tarfile.open(empty, "w:gz"):
        pass
    with pytest.raises(CaptureFormatError):
        ReplayHost.load(empty)


def test_build_from_fixtures() -> None:
    host = ReplayHost.build(
        files={"/sys/class/dmi/id/sys_vendor": "LENOVO\n"}, commands={("lscpu",): (0, "x")}
    )
    assert host.read_text("/sys/class/dmi/id/sys_vendor") == "LENOVO\n"
    assert host.list_dir("/sys/class/dmi/id") == ["sys_vendor"]
    assert host.exists("/sys/class/dmi")
    assert host.run(["lscpu"]).stdout == "x"


def test_prefetching_host_answers_once_then_runs_live() -> None:
    from agent.host import Prefetch, PrefetchingHost

    host = PrefetchingHost(LiveHost(), [Prefetch(("sh", "-c", "echo $$"), 5.0)])
    first = host.run(["sh", "-c", "echo $$"])
    second = host.run(["sh", "-c", "echo $$"])
    assert first.ok and second.ok
    assert first.stdout != second.stdout  # the second is a new process: a prefetched answer is used once
    assert host.read_text("/proc/version") == LiveHost().read_text("/proc/version")


def test_live_prefetch_names_only_the_given_disks() -> None:
    from agent.probes.commands import live_prefetch

    commands = [p.argv for p in live_prefetch(["/dev/loop-does-not-exist"], smart=True)]
    assert all(argv[0] == "dmidecode" for argv in commands)
    assert [p.argv for p in live_prefetch([], smart=True) if p.argv[0] == "smartctl"] == []


def test_prefetching_host_is_still_the_live_machine() -> None:
    """Probes that only make sense live (py-cpuinfo's CPUID) check `isinstance(host, LiveHost)`."""
    from agent.host import PrefetchingHost

    assert isinstance(PrefetchingHost(LiveHost(), []), LiveHost)


def test_smartctl_argv_gives_nvme_an_empty_drive_database() -> None:
    from agent.probes.commands import smartctl_argv

    assert smartctl_argv("/dev/nvme0n1") == ["smartctl", "--json", "-x", "-B", "/dev/null", "/dev/nvme0n1"]
    assert smartctl_argv("/dev/sda") == ["smartctl", "--json", "-x", "/dev/sda"]
    assert smartctl_argv("/dev/sdb", ("-d", "sat")) == ["smartctl", "--json", "-x", "-d", "sat", "/dev/sdb"]


def test_replay_of_a_capture_made_before_the_empty_drive_database() -> None:
    host = ReplayHost.build(commands={("smartctl", "--json", "-x", "/dev/nvme0n1"): (0, "{}")})
    result = host.run(["smartctl", "--json", "-x", "-B", "/dev/null", "/dev/nvme0n1"])
    assert result.stdout == "{}" and not result.missing
    assert host.run(["smartctl", "--json", "-x", "-B", "/dev/null", "/dev/nvme1n1"]).missing


def test_prefetching_host_waits_for_its_list_and_survives_a_broken_one(tmp_path: Path) -> None:
    """The commands are worked out in a thread: `run` waits for the list (no command runs twice),
    and a list that breaks part-way only means the rest runs when asked."""
    from agent.host import PrefetchingHost
    from agent.host._base import Prefetch

    ran = tmp_path / "ran"
    argv = ("sh", "-c", f"echo x >> {ran}; echo prefetched")

    def commands() -> Iterator[Prefetch]:
        time.sleep(0.3)
        yield Prefetch(argv, 10.0)
        raise RuntimeError("broken guess")

    host = PrefetchingHost(LiveHost(), commands())
    assert host.run(list(argv)).stdout == "prefetched\n"
    assert ran.read_text() == "x\n"  # run once, by the prefetch
    assert host.run(["sh", "-c", "echo live"]).stdout == "live\n"
