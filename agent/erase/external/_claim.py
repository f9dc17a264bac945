"""What another tool's report claims, independent of the tool: the common shape both parsers fill."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

#: What the last pass should have left on the medium, when the method says so.
FinalPattern = Literal["zeros", "ones", "unknown"]


@dataclass
class ReportTarget:
    """One drive the report speaks about."""

    name: str | None = None
    serial: str | None = None
    model: str | None = None
    vendor: str | None = None
    size_bytes: int | None = None
    interface: str | None = None
    #: The tool's own words for this drive's outcome ("Erased", "Successful", "FAILED"…).
    status: str | None = None
    success: bool = False
    method: str | None = None
    final_pattern: FinalPattern = "unknown"
    started_at: str | None = None
    finished_at: str | None = None
    errors: list[str] = field(default_factory=list)


@dataclass
class ExternalClaim:
    tool: Literal["nwipe", "blancco"]
    tool_version: str | None = None
    report_id: str | None = None
    signature_present: bool = False
    targets: list[ReportTarget] = field(default_factory=list)
    #: Problems with the report itself (truncated, unreadable parts).
    problems: list[str] = field(default_factory=list)


__all__ = ["ExternalClaim", "FinalPattern", "ReportTarget"]
