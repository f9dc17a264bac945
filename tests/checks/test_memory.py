"""Memory check: the agent's pattern engine on real RAM (small buffers), a flipped bit caught with
its address, and the external engines' outputs."""

from __future__ import annotations

import shutil

import pytest

from agent.checks.memory import MemorySettings, check_memory
from agent.checks.memory_patterns import BLOCK, Buffer, Pattern, pattern_set, run_patterns
from agent.host import LiveHost, ReplayHost

MEMINFO = "MemTotal:       16318420 kB\nMemFree:        12000000 kB\nMemAvailable:   14000000 kB\n"


def test_patterns_pass_on_good_ram() -> None:
    run = run_patterns(8 * BLOCK, pattern_set(True))
    assert run.passes == len(pattern_set(True)) == 9
    assert run.mismatches == [] and run.unlocated_bad_blocks == 0
    assert run.bytes_tested == 9 * 8 * BLOCK


def test_flipped_bit_is_caught_with_its_address() -> None:
    def flip(buf: Buffer, pattern: Pattern) -> None:
        if pattern.name == "walking-ones":
            buf.map[3 * BLOCK + 4321] ^= 0x08

    run = run_patterns(8 * BLOCK, pattern_set(False), fault_hook=flip)
    assert len(run.mismatches) == 1
    bad = run.mismatches[0]
    assert (bad.pattern, bad.first_offset, bad.last_offset, bad.bad_bytes) == (
        "walking-ones",
        3 * BLOCK + 4321,
        3 * BLOCK + 4321,
        1,
    )


def test_address_alias_is_caught() -> None:
    # A high address line stuck: block 5 reads back block 1 (own-address tags differ).
    def alias(buf: Buffer, pattern: Pattern) -> None:
        if pattern.own_address:
            buf.map[5 * BLOCK : 6 * BLOCK] = buf.map[1 * BLOCK : 2 * BLOCK]

    run = run_patterns(8 * BLOCK, pattern_set(False), fault_hook=alias)
    assert [m.pattern for m in run.mismatches] == ["own-address"]
    assert 5 * BLOCK <= run.mismatches[0].first_offset < 5 * BLOCK + 8  # in the block's address tag


def test_check_memory_live_small() -> None:
    result = check_memory(LiveHost(), MemorySettings(max_bytes=32 * BLOCK, workers=2))
    assert result.status == "pass", result.message
    assert result.measurements["tested_bytes"] == 32 * BLOCK
    assert result.measurements["workers"] == 2
    assert result.measurements["errors"] == 0


def test_check_memory_fails_with_the_range() -> None:
    def flip(buf: Buffer, pattern: Pattern) -> None:
        if pattern.name == "random":
            buf.map[2 * BLOCK + 7] ^= 0x01

    result = check_memory(LiveHost(), MemorySettings(max_bytes=8 * BLOCK, workers=1), fault_hook=flip)
    assert result.status == "fail"
    assert "random: 1 B @" in str(result.measurements["error_range"])
    assert "remplacer la barrette" in result.message


def test_memtester_failure_output_fails() -> None:
    # memtester 4.x prints FAILURE lines like this one when a compare differs.
    out = (
        "memtester version 4.5.1 (64-bit)\n  Random Value        : ok\n"
        "  Compare XOR         : FAILURE: 0x4e08c9a4a6a2e2c6 != 0x4e08c9a4a6a2e2c4 at offset 0x0001a2c8.\n"
    )
    host = ReplayHost.build(files={"/proc/meminfo": MEMINFO}, commands={("memtester", "64M", "1"): (1, out)})
    settings = MemorySettings(max_bytes=64 * BLOCK, engine="memtester")
    result = check_memory(host, settings)
    assert result.status == "fail"
    assert (
        result.measurements["error_range"] == "offset 0x0001a2c8 (0x4e08c9a4a6a2e2c6 != 0x4e08c9a4a6a2e2c4)"
    )


def test_missing_meminfo_is_an_error() -> None:
    assert check_memory(ReplayHost.build(files={}), MemorySettings()).status == "error"


@pytest.mark.skipif(shutil.which("stressapptest") is None, reason="stressapptest not installed")
def test_stressapptest_engine_live() -> None:
    settings = MemorySettings(max_bytes=16 * BLOCK, engine="stressapptest", time_budget_s=2)
    result = check_memory(LiveHost(), settings)
    assert result.status == "pass", result.message
    assert result.measurements["engine"] == "stressapptest"


@pytest.mark.skipif(shutil.which("memtester") is None, reason="memtester not installed")
def test_memtester_engine_live() -> None:
    result = check_memory(LiveHost(), MemorySettings(max_bytes=1 * BLOCK, engine="memtester"))
    assert result.status == "pass", result.message
    assert result.measurements["tested_bytes"] == BLOCK


def test_stressapptest_failure_output_fails() -> None:
    # Lines as stressapptest's worker.cc prints them on a miscompare, then its final status.
    out = (
        "Log: Starting worker threads\n"
        "Hardware Error: miscompare on CPU 1(0x2) at 0x7f3a2c001040(0x0:DIMM Unknown): "
        "read:0x00000000ffffffff, reread:0x00000000ffffffff expected:0x00000001ffffffff\n"
        "Stats: Completed: 1843.00M in 2.01s 916.77MB/s\n"
        "Status: FAIL - test discovered HW problems\n"
    )
    host = ReplayHost.build(
        files={"/proc/meminfo": MEMINFO}, commands={("stressapptest", "-M", "64", "-s", "2", "-W"): (1, out)}
    )
    settings = MemorySettings(max_bytes=64 * BLOCK, engine="stressapptest", time_budget_s=2)
    result = check_memory(host, settings)
    assert result.status == "fail"
    assert result.measurements["error_range"] == "address 0x7f3a2c001040"
