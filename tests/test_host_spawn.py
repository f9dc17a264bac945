"""agent.host._spawn: the command runner behind LiveHost.run, on real programs."""

from __future__ import annotations

import os
import time

import pytest

from agent.host import LiveHost
from agent.host._spawn import run_captured

ENV = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C"}


def test_output_status_and_environment() -> None:
    done = run_captured(
        ["sh", "-c", 'echo out; echo err >&2; echo "$LC_ALL"; exit 3'], env=ENV, timeout=10, limit=1 << 20
    )
    assert (done.returncode, done.stdout, done.stderr, done.timed_out) == (3, b"out\nC\n", b"err\n", False)


def test_stdin_is_empty_and_sigpipe_is_default() -> None:
    # stdin on /dev/null: `cat` ends at once. SIGPIPE back to default: `yes | head` ends at once
    # instead of `yes` spinning on EPIPE (Python itself ignores SIGPIPE).
    done = run_captured(["sh", "-c", "cat; yes | head -n 2"], env=ENV, timeout=10, limit=1 << 20)
    assert (done.returncode, done.stdout) == (0, b"y\ny\n")


def test_killed_by_a_signal_is_negative() -> None:
    done = run_captured(["sh", "-c", "kill -TERM $$"], env=ENV, timeout=10, limit=1 << 20)
    assert done.returncode == -15


def test_deadline_kills_and_keeps_what_came_before() -> None:
    start = time.monotonic()
    done = run_captured(["sh", "-c", "echo early; exec sleep 30"], env=ENV, timeout=0.5, limit=1 << 20)
    assert done.timed_out and done.stdout == b"early\n"
    assert time.monotonic() - start < 10
    assert done.returncode == -9  # waited for: no zombie left


def test_output_past_the_limit_is_drained_not_kept() -> None:
    # 4 MiB through a 64 KiB pipe: the command must not block once the limit is reached.
    done = run_captured(["sh", "-c", "head -c 4194304 /dev/zero"], env=ENV, timeout=30, limit=100_000)
    assert done.returncode == 0 and 100_000 < len(done.stdout) <= 100_000 + 65536


def test_program_that_cannot_start_raises() -> None:
    with pytest.raises(OSError):
        run_captured(["/nonexistent/program"], env=ENV, timeout=5, limit=100)


def test_no_descriptor_leaks() -> None:
    before = len(os.listdir("/proc/self/fd"))
    for _ in range(20):
        run_captured(["true"], env=ENV, timeout=5, limit=100)
    with pytest.raises(OSError):
        run_captured(["/nonexistent/program"], env=ENV, timeout=5, limit=100)
    assert len(os.listdir("/proc/self/fd")) == before


def test_live_host_marks_truncated_output(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("agent.host._live.MAX_OUTPUT", 1000)
    result = LiveHost().run(["sh", "-c", "head -c 5000 /dev/zero"], timeout=10)
    assert result.truncated and len(result.stdout) == 1000 and result.returncode == 0
