"""The one seam between the agent and a machine: files, directories, commands, udev."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from agent._record import Record, field
from agent._typing import Protocol


class HostFileError(OSError):
    """A file or directory could not be read through the host (missing, permission, I/O)."""


class CommandResult(Record, frozen=True):
    """What one command did. Recorded in captures and in the report's probe log."""

    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    duration_s: float = 0.0
    timed_out: bool = False
    truncated: bool = False
    #: True when the program is not installed on this host (returncode is then 127).
    missing: bool = False

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out and not self.missing


class Prefetch(Record, frozen=True):
    """A read-only query to start before a probe asks for it (see `PrefetchingHost`).

    The probe asks for `argv`; the host may run `run_argv` instead, a faster command with the same
    answer (smartctl with a smaller drive database, for instance), and then deletes `scratch`, the
    file it wrote for that command. When `accept` says the faster answer may differ, `argv` runs.
    """

    argv: tuple[str, ...]
    timeout: float
    run_argv: tuple[str, ...] | None = None
    scratch: str | None = None
    accept: Callable[[CommandResult], bool] | None = None


class UdevDevice(Record, frozen=True):
    """A udev device as libudev (and pyudev) lists it: kernel name, sysfs path and properties (ID_*, DEVLINKS…)."""

    sys_name: str
    sys_path: str
    properties: Mapping[str, str] = field(default_factory=dict)


class Host(Protocol):
    """Everything a probe may learn about a machine goes through these methods.

    Probes never call `open()` or `subprocess` themselves, so a live machine and a recorded
    capture are interchangeable (`LiveHost`, `ReplayHost`, `RecordingHost`).
    """

    def read_bytes(self, path: str, *, limit: int | None = None) -> bytes:
        """Read a file; raises HostFileError when it cannot."""
        ...

    def read_text(self, path: str) -> str:
        """Read a text file (UTF-8, undecodable bytes replaced); raises HostFileError."""
        ...

    def list_dir(self, path: str) -> list[str]:
        """Sorted entry names of a directory; raises HostFileError."""
        ...

    def exists(self, path: str) -> bool: ...

    def readlink(self, path: str) -> str:
        """Target of a symbolic link as stored (sysfs links are relative); raises HostFileError."""
        ...

    def run(self, argv: Sequence[str], *, timeout: float = 30.0) -> CommandResult:
        """Run a command without a shell; never raises for a missing program or a timeout."""
        ...

    def udev_devices(self, subsystem: str) -> list[UdevDevice]:
        """Devices udev knows in a subsystem; empty properties where there is no udev database."""
        ...


__all__ = ["CommandResult", "Host", "HostFileError", "Prefetch", "UdevDevice"]
