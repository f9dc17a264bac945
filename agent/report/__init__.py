"""The report schema — defined once, here; the server imports it.

The certificate and check models load on first use (`__getattr__` below): an inventory, the
command that must keep up with `lshw` under emulated CPUs (issue 2), has neither, and building
their fifteen classes was a measurable part of its start.
"""

from agent._typing import TYPE_CHECKING
from agent.report.disk import (
    AtaAttribute,
    AtaSecurity,
    Disk,
    EraseCapabilities,
    NvmeHealth,
    ScsiHealth,
    SelfTestEntry,
    Smart,
)
from agent.report.hardware import Battery, Cpu, Display, Gpu, Memory, MemoryModule, NetworkInterface
from agent.report.machine import BaseboardInfo, BiosInfo, ChassisInfo, FirmwareInfo, Machine, SystemInfo
from agent.report.probe import CommandRecord, ProbeError
from agent.report.report import SCHEMA_VERSION, Report, Station, schema_major

if TYPE_CHECKING:
    from agent.report.certificate import (
        CERTIFICATE_VERSION,
        CertDisk,
        Certificate,
        CertMachine,
        CertOrganisation,
        ExternalReport,
        FailedRange,
        PassRecord,
        SignedCertificate,
        Technique,
        Verification,
        canonical_json,
    )
    from agent.report.checks import CheckResult, CheckStatus, Eligibility, Grade, GradeReason, Upgrade

#: Where the models loaded on first use live.
LAZY_MODULES = ("agent.report.certificate", "agent.report.checks")


def __getattr__(name: str) -> object:
    import importlib

    for module in LAZY_MODULES:
        value = getattr(importlib.import_module(module), name, __getattr__)
        if value is not __getattr__:
            globals()[name] = value
            return value
    raise AttributeError(f"module 'agent.report' has no attribute {name!r}")


__all__ = [
    "CERTIFICATE_VERSION",
    "SCHEMA_VERSION",
    "AtaAttribute",
    "AtaSecurity",
    "BaseboardInfo",
    "Battery",
    "BiosInfo",
    "CertDisk",
    "CertMachine",
    "CertOrganisation",
    "Certificate",
    "ChassisInfo",
    "CheckResult",
    "CheckStatus",
    "CommandRecord",
    "Cpu",
    "Disk",
    "Display",
    "Eligibility",
    "EraseCapabilities",
    "ExternalReport",
    "FailedRange",
    "FirmwareInfo",
    "Gpu",
    "Grade",
    "GradeReason",
    "Machine",
    "Memory",
    "MemoryModule",
    "NetworkInterface",
    "NvmeHealth",
    "PassRecord",
    "ProbeError",
    "Report",
    "ScsiHealth",
    "SelfTestEntry",
    "SignedCertificate",
    "Smart",
    "Station",
    "SystemInfo",
    "Technique",
    "Upgrade",
    "Verification",
    "canonical_json",
    "schema_major",
]
