"""What every probe receives: the host, and the places to record errors and commands."""

from __future__ import annotations

import threading
from collections.abc import Sequence

from agent._record import Record, field
from agent.host import CommandResult, Host, HostFileError
from agent.report import CommandRecord, ProbeError


class ProbeContext(Record):
    """Thread-safe: per-disk probes run concurrently and record into the same context."""

    host: Host
    errors: list[ProbeError] = field(default_factory=list)
    log: list[CommandRecord] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def error(self, probe: str, message: str, detail: str | None = None) -> None:
        with self._lock:
            self.errors.append(ProbeError(probe=probe, message=message, detail=detail))

    def run(
        self, probe: str, argv: Sequence[str], *, timeout: float = 30.0, quiet: bool = False
    ) -> CommandResult:
        """Run a command, log it, and record a probe error when it is missing or timed out.

        A non-zero exit status is left to the caller (smartctl uses it as a bit field).
        `quiet=True` records nothing for an optional tool that is simply not installed.
        """
        result = self.host.run(argv, timeout=timeout)
        with self._lock:
            self.log.append(
                CommandRecord(
                    argv=list(result.argv),
                    returncode=result.returncode,
                    duration_s=round(result.duration_s, 4),
                    timed_out=result.timed_out,
                    truncated=result.truncated,
                    missing=result.missing,
                )
            )
        if result.missing and not quiet:
            self.error(probe, f"{argv[0]} is not installed", " ".join(argv))
        elif result.timed_out:
            self.error(probe, f"{argv[0]} timed out after {timeout:g} s", " ".join(argv))
        return result

    def read_text(self, probe: str, path: str, *, optional: bool = False) -> str | None:
        """File content, or None; a missing *optional* file is normal and records nothing."""
        try:
            return self.host.read_text(path)
        except HostFileError as err:
            if not optional:
                self.error(probe, f"cannot read {path}", str(err))
            return None

    def read_value(self, probe: str, path: str, *, optional: bool = True) -> str | None:
        """A one-line sysfs attribute, stripped; None when absent or empty."""
        text = self.read_text(probe, path, optional=optional)
        if text is None:
            return None
        text = text.strip()
        return text or None

    def list_dir(self, probe: str, path: str, *, optional: bool = True) -> list[str]:
        try:
            return self.host.list_dir(path)
        except HostFileError as err:
            if not optional:
                self.error(probe, f"cannot list {path}", str(err))
            return []


__all__ = ["ProbeContext"]
