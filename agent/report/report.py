"""The report: one per agent run, tied to an asset code, posted to the central inventory."""

from __future__ import annotations

from agent._datetime import UTC, datetime
from agent._record import field
from agent._typing import TYPE_CHECKING
from agent._uuid import UUID, uuid4
from agent.report._base import Model
from agent.report.disk import Disk
from agent.report.hardware import Battery, Cpu, Display, Gpu, Memory, NetworkInterface
from agent.report.machine import Machine
from agent.report.probe import CommandRecord, ProbeError

if TYPE_CHECKING:
    # Read from the text annotations when a report is validated (`agent.report._base`); an
    # inventory, which holds no certificate and no check yet, does not load their classes.
    from agent.report.certificate import SignedCertificate
    from agent.report.checks import CheckResult, Grade

#: Major.minor. A minor bump only adds optional fields; a reader refuses a newer major.
SCHEMA_VERSION = "1.0"


def _now() -> datetime:
    return datetime.now(UTC)


class Station(Model):
    name: str | None = None
    key_fingerprint: str | None = None


class Report(Model):
    schema_version: str = SCHEMA_VERSION
    report_id: UUID = field(default_factory=uuid4)
    """Idempotency key of the upload."""
    asset_code: str | None = None
    agent_version: str
    started_at: datetime = field(default_factory=_now)
    finished_at: datetime | None = None
    #: "live" for a real machine, "capture" when replayed from a capture.
    source: str = "live"
    station: Station | None = None
    operator: str | None = None
    lang: str = "fr"
    machine: Machine = field(default_factory=Machine)
    cpus: list[Cpu] = field(default_factory=list)
    memory: Memory = field(default_factory=Memory)
    disks: list[Disk] = field(default_factory=list)
    gpus: list[Gpu] = field(default_factory=list)
    network: list[NetworkInterface] = field(default_factory=list)
    batteries: list[Battery] = field(default_factory=list)
    displays: list[Display] = field(default_factory=list)
    checks: list[CheckResult] = field(default_factory=list)
    certificates: list[SignedCertificate] = field(default_factory=list)
    grade: Grade | None = None
    #: Donor batch reference when the agent knows it (from config or the server).
    batch: str | None = None
    notes: list[str] = field(default_factory=list)
    probe_errors: list[ProbeError] = field(default_factory=list)
    probe_log: list[CommandRecord] = field(default_factory=list)


def schema_major(version: str) -> int:
    try:
        return int(version.split(".", 1)[0])
    except ValueError:
        return -1


__all__ = ["SCHEMA_VERSION", "Report", "Station", "schema_major"]
