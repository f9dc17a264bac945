"""What went wrong while probing, and every command the probes ran."""

from __future__ import annotations

from agent.report._base import Model


class ProbeError(Model):
    """One probe could not learn something; the field it fills stays unknown (null)."""

    probe: str
    """Probe id, e.g. 'dmi', 'smart:/dev/sda', 'battery'."""
    message: str
    """What failed, in English (stable, for support)."""
    detail: str | None = None
    """Command, path, return code or exception text."""


class CommandRecord(Model):
    """A command a probe ran (sos-style log): argv, exit status, timing, timeout and truncation."""

    argv: list[str]
    returncode: int
    duration_s: float
    timed_out: bool = False
    truncated: bool = False
    missing: bool = False


__all__ = ["CommandRecord", "ProbeError"]
