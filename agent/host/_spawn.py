"""Run a command and capture its output: the part of `subprocess.run` the probes use.

Why not `subprocess`: importing it loads `signal` (three enums built by scanning the module),
`locale` (a regular expression compiled), `selectors` and its own 2,000 lines — about a tenth
of the instructions `atelier inventory` runs, and more of its time under the emulated CPUs of
test VMs, where it must keep up with `lshw` (issue 2). What the probes need is small: start a
program with stdin on /dev/null, read its stdout and stderr to the end or to a deadline, kill it
at the deadline, and report its exit status. `os.posix_spawnp` and `select.poll` do exactly that.

Like `subprocess`: the child gets only fds 0–2 (Python opens every other fd close-on-exec), its
SIGPIPE and SIGXFSZ are back to their defaults (Python ignores them), and a command killed at
its deadline is waited for, so no zombie is left behind.
"""

from __future__ import annotations

import os
import select
import time
from collections.abc import Mapping, Sequence

# Linux signal numbers, named here rather than importing `signal` (see the module's docstring).
_SIGKILL = 9
_SIGPIPE = 13
_SIGXFSZ = 25
_CHUNK = 65536


class Completed:
    """What a command did: exit status (negative: killed by that signal), output, deadline hit."""

    __slots__ = ("returncode", "stderr", "stdout", "timed_out")

    def __init__(self, returncode: int, stdout: bytes, stderr: bytes, timed_out: bool) -> None:
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr
        self.timed_out = timed_out


def run_captured(argv: Sequence[str], *, env: Mapping[str, str], timeout: float, limit: int) -> Completed:
    """Run `argv` (searched in PATH) with `env`; keep at most `limit` + 1 bytes of each stream.

    Raises OSError when the program cannot be started (not found, not executable).
    """
    out_read, out_write = os.pipe()
    err_read, err_write = os.pipe()
    devnull = os.open(os.devnull, os.O_RDONLY | os.O_CLOEXEC)
    try:
        pid = os.posix_spawnp(
            argv[0],
            list(argv),
            dict(env),
            file_actions=[
                (os.POSIX_SPAWN_DUP2, devnull, 0),
                (os.POSIX_SPAWN_DUP2, out_write, 1),
                (os.POSIX_SPAWN_DUP2, err_write, 2),
            ],
            setsigdef=(_SIGPIPE, _SIGXFSZ),
        )
    except BaseException:
        for fd in (out_read, err_read):
            os.close(fd)
        raise
    finally:
        for fd in (out_write, err_write, devnull):
            os.close(fd)
    try:
        (stdout, stderr), timed_out = _read_until(out_read, err_read, time.monotonic() + timeout, limit)
    finally:
        os.close(out_read)
        os.close(err_read)
    if timed_out:
        os.kill(pid, _SIGKILL)  # not reaped yet: the pid is still this child's, even if it exited
    _, status = os.waitpid(pid, 0)
    return Completed(os.waitstatus_to_exitcode(status), stdout, stderr, timed_out)


def _read_until(out_fd: int, err_fd: int, deadline: float, limit: int) -> tuple[tuple[bytes, bytes], bool]:
    """Both streams to their end, or what came before `deadline` (then True)."""
    chunks: dict[int, list[bytes]] = {out_fd: [], err_fd: []}
    kept = dict.fromkeys(chunks, 0)
    poller = select.poll()
    for fd in chunks:
        poller.register(fd, select.POLLIN)
    open_fds = len(chunks)
    timed_out = False
    while open_fds:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            timed_out = True
            break
        for fd, _ in poller.poll(remaining * 1000):
            data = os.read(fd, _CHUNK)
            if not data:
                poller.unregister(fd)
                open_fds -= 1
            elif kept[fd] <= limit:
                # Past the limit the output is still drained (the command must not block on a
                # full pipe) but no longer kept.
                chunks[fd].append(data)
                kept[fd] += len(data)
    return (b"".join(chunks[out_fd]), b"".join(chunks[err_fd])), timed_out


__all__ = ["Completed", "run_captured"]
