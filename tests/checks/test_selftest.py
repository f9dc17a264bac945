"""SMART self-test: parsers on real recorded outputs, and the polling loop replayed through a host."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.checks.selftest import SelfTestSettings, check_selftests, run_selftest
from agent.host import LiveHost
from agent.parsers.selftest import parse_nvme_cli_selftest_log, parse_smartctl_selftest
from agent.report import Disk
from tests.checks._scripted import ScriptedHost


def _read(fixtures: Path, name: str) -> str:
    return (fixtures / "disk-tools" / "selftest" / name).read_text()


def test_ata_json_in_progress(fixtures: Path) -> None:
    status = parse_smartctl_selftest(
        _read(fixtures, "wdc-wd140edfz-smartctl7.0-aj-selftest-inprogress-10pct.json")
    )
    assert status.state == "running"
    assert status.remaining_percent == 10
    assert (status.short_minutes, status.extended_minutes) == (2, 1479)
    assert status.supported is True
    assert status.log[0].type == "short" and status.log[0].passed is True


def test_ata_text_in_progress_smartctl62(fixtures: Path) -> None:
    status = parse_smartctl_selftest(
        _read(fixtures, "wd-red-wd30efrx-smartctl6.2-a-selftest-inprogress-70pct.txt")
    )
    assert status.state == "running"
    assert status.remaining_percent == 70
    assert (status.short_minutes, status.extended_minutes) == (2, 394)
    assert status.log[0].status == "Aborted by host" and status.log[0].passed is None


def test_ata_json_log_with_read_failure(fixtures: Path) -> None:
    status = parse_smartctl_selftest(
        _read(fixtures, "hitachi-hds721050dle630-smartctl7.1-json-selftestlog-read-failure.json")
    )
    assert status.state == "idle"
    failed = [e for e in status.log if e.passed is False]
    assert failed and failed[0].status == "Completed: read failure" and failed[0].type == "extended"


def test_nvme_smartctl_text(fixtures: Path) -> None:
    running = parse_smartctl_selftest(
        _read(fixtures, "nvme-smartctl-l-selftest-extended-inprogress-14pct-ONE-LINE.txt")
    )
    assert (running.state, running.running_kind, running.remaining_percent) == ("running", "extended", 86)
    done = parse_smartctl_selftest(
        _read(fixtures, "nvme-smartctl7.4-selftestlog-short-completed-with-errlog-excerpt.txt")
    )
    assert done.state == "idle"
    assert [(e.type, e.status, e.passed, e.lifetime_hours) for e in done.log] == [
        ("short", "Completed without error", True, 2650)
    ]
    never = parse_smartctl_selftest(_read(fixtures, "intel-660p-512-smartctl7.4-a-nvme-no-selftests.txt"))
    assert never.state == "idle" and never.log == []


def test_nvme_cli_old_format(fixtures: Path) -> None:
    status = parse_nvme_cli_selftest_log(
        _read(fixtures, "ecclesia-nvme-cli-self-test-log-oldformat-2ext-1short.txt")
    )
    assert status.state == "idle"
    assert [(e.type, e.passed, e.lifetime_hours) for e in status.log] == [
        ("extended", True, 0x5F),
        ("extended", True, 0x5F),
        ("short", True, 0x5F),
    ]


def test_parsers_never_crash_on_garbage() -> None:
    for junk in ("", "{", "[]", "{}", "Self-test execution status: ( abc)", "\x00\xff"):
        assert parse_smartctl_selftest(junk).state in ("unknown", "idle", "running")
        assert parse_nvme_cli_selftest_log(junk).state in ("unknown", "idle", "running")


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def __call__(self) -> float:
        return self.now


def _poll(dev: str) -> tuple[str, ...]:
    return ("smartctl", "-j", "-c", "-l", "selftest", dev)


def test_nvme_short_test_replayed(fixtures: Path) -> None:
    # Before: nothing running; then the drive reports progress; then the log shows the result.
    idle_empty = _read(fixtures, "intel-660p-512-smartctl7.4-a-nvme-no-selftests.txt")
    running = _read(fixtures, "nvme-smartctl-l-selftest-extended-inprogress-14pct-ONE-LINE.txt")
    done = _read(fixtures, "nvme-smartctl7.4-selftestlog-short-completed-with-errlog-excerpt.txt")
    host = ScriptedHost(
        {
            _poll("/dev/nvme0n1"): [(0, idle_empty), (0, running), (0, running), (0, done)],
            ("smartctl", "-t", "short", "/dev/nvme0n1"): [(0, "Self-test has begun")],
        }
    )
    clock = FakeClock()
    seen: list[float] = []
    disk = Disk(name="nvme0n1", path="/dev/nvme0n1", transport="nvme")
    result = run_selftest(
        host, disk, SelfTestSettings(poll_interval_s=15), sleep=clock.sleep, clock=clock, progress=seen.append
    )
    assert result.status == "pass", result.message
    assert result.id == "selftest:/dev/nvme0n1"
    assert result.measurements["announced_minutes"] == 2  # NVMe: 2 minutes at most by the spec
    assert ("smartctl", "-t", "short", "/dev/nvme0n1") in host.calls
    assert seen[0] == pytest.approx(0.14)
    assert clock.sleeps == [15, 15, 15]


def test_ata_short_test_ends_in_read_failure(fixtures: Path) -> None:
    before = _read(fixtures, "wd-red-wd30efrx-smartctl6.2-a-selftest-inprogress-70pct.txt").replace(
        "( 247)", "(   0)"
    )
    running = _read(fixtures, "wd-red-wd30efrx-smartctl6.2-a-selftest-inprogress-70pct.txt")
    after = before.replace(
        "# 1  Extended offline    Aborted by host               90%     12246         -",
        "# 1  Short offline       Completed: read failure       90%     12247         123456\n"
        "# 2  Extended offline    Aborted by host               90%     12246         -",
    )
    host = ScriptedHost(
        {
            _poll("/dev/sda"): [(0, before), (0, running), (0, after)],
            ("smartctl", "-t", "short", "/dev/sda"): [(0, "")],
        }
    )
    clock = FakeClock()
    result = run_selftest(host, Disk(name="sda", path="/dev/sda"), sleep=clock.sleep, clock=clock)
    assert result.status == "fail"
    assert "read failure" in result.message
    assert result.measurements["announced_minutes"] == 2
    assert clock.sleeps == [15.0, 15.0]  # 2 min announced -> polls every 15 s


def test_test_that_never_ends_is_stopped(fixtures: Path) -> None:
    running = _read(fixtures, "wdc-wd140edfz-smartctl7.0-aj-selftest-inprogress-10pct.json")
    host = ScriptedHost({_poll("/dev/sdb"): [(0, running)], ("smartctl", "-X", "/dev/sdb"): [(0, "")]})
    clock = FakeClock()
    result = run_selftest(host, Disk(name="sdb", path="/dev/sdb"), sleep=clock.sleep, clock=clock)
    assert result.status == "warn"
    assert ("smartctl", "-X", "/dev/sdb") in host.calls  # the drive is not left busy
    assert ("smartctl", "-t", "short", "/dev/sdb") not in host.calls  # one was already running
    assert 240 < clock.now <= 260  # twice the announced 2 minutes, then stopped


def test_nvme_falls_back_to_nvme_cli(fixtures: Path) -> None:
    idle = _read(fixtures, "intel-660p-512-smartctl7.4-a-nvme-no-selftests.txt")
    log = _read(fixtures, "ecclesia-nvme-cli-self-test-log-oldformat-2ext-1short.txt")
    host = ScriptedHost(
        {
            _poll("/dev/nvme1n1"): [(0, idle)],
            ("smartctl", "-t", "short", "/dev/nvme1n1"): [(4, "NVMe Self-test not supported")],
            ("nvme", "device-self-test", "/dev/nvme1n1", "-s", "1"): [(0, "Device self-test started")],
            ("nvme", "self-test-log", "/dev/nvme1n1"): [(0, log)],
        }
    )
    clock = FakeClock()
    result = run_selftest(
        host, Disk(name="nvme1n1", path="/dev/nvme1n1", transport="nvme"), sleep=clock.sleep, clock=clock
    )
    assert result.status == "pass"


def test_live_loop_device_is_not_available(loop_device) -> None:  # type: ignore[no-untyped-def]
    dev = loop_device(16 * 1024 * 1024)
    results = check_selftests(LiveHost(), [Disk(name=dev.rsplit("/", 1)[1], path=dev)])
    assert results[0].status == "skipped"
    assert "non disponible sur cette machine" in results[0].message


def test_scsi_json_log_through_the_smartctl_parser() -> None:
    # No real SCSI self-test JSON is in the corpus: the layout is smartctl 7.x's `scsi_self_test_N`.
    doc = (
        '{"device": {"protocol": "SCSI"}, "scsi_self_test_0": {"code": {"value": 1, "string": "Background short"},'
        ' "result": {"value": 15, "string": "Self test in progress ..."}, "power_on_time": {"hours": 4210}},'
        ' "scsi_self_test_1": {"code": {"value": 1, "string": "Background short"},'
        ' "result": {"value": 0, "string": "Completed"}, "power_on_time": {"hours": 4100}}}'
    )
    status = parse_smartctl_selftest(doc)
    assert status.state == "running"
    assert [(e.type, e.passed) for e in status.log] == [("short", None), ("short", True)]
