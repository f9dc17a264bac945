"""What every firmware wrapper shares: the outcome record, command logging, device names."""

from __future__ import annotations

import re
import shlex
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from agent.host import CommandResult, Host
from agent.report import Disk

ProgressFn = Callable[[float], None]


@dataclass
class FirmwareOutcome:
    """What a firmware erase command *claims*. Never proof: canaries and read-back decide."""

    ok_claimed: bool
    commands: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    hpa_dco: str | None = None
    frozen: bool = False
    #: One French (or English) paragraph telling the technician what to do next, when stuck.
    message_for_technician: str | None = None
    #: The drive was still working when `timeout_s` ran out (progress may be stuck, e.g. at 655/65536).
    timed_out: bool = False
    last_progress: float | None = None


@dataclass
class Clock:
    """Time seam for polling loops: tests replay a stuck drive without waiting hours."""

    now: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep


class Runner:
    """Runs commands through the host, logs them as shell-quoted lines, and keeps stderr errors."""

    def __init__(self, host: Host, outcome: FirmwareOutcome) -> None:
        self.host = host
        self.outcome = outcome

    def run(self, argv: Sequence[str], *, timeout: float = 60.0, log: bool = True) -> CommandResult:
        result = self.host.run(list(argv), timeout=timeout)
        if log:
            self.outcome.commands.append(shlex.join(argv))
        if result.missing:
            self.outcome.errors.append(f"{argv[0]} is not installed")
        elif result.timed_out:
            self.outcome.errors.append(f"{shlex.join(argv)} timed out after {timeout:g} s")
        return result


def text_of(result: CommandResult) -> str:
    return f"{result.stdout}\n{result.stderr}"


def nvme_controller(path: str) -> str:
    """/dev/nvme0n1 -> /dev/nvme0: Sanitize and its log page belong to the controller."""
    m = re.match(r"^(/dev/nvme\d+)(?:n\d+)?$", path)
    return m.group(1) if m else path


def describe(disk: Disk) -> str:
    parts = [p for p in (disk.model, disk.serial) if p]
    return f"{disk.path} ({', '.join(parts)})" if parts else disk.path


__all__ = ["Clock", "FirmwareOutcome", "ProgressFn", "Runner", "describe", "nvme_controller", "text_of"]
