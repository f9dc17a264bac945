"""Firmware erasure: the drive erases itself (NVMe Sanitize/Format, ATA SANITIZE/SECURITY ERASE,
SCSI SANITIZE). Every wrapper returns what the drive *claims*; the caller trusts it only after
the canaries planted before it are all gone (`agent.erase.canaries`) and the read-back passes.
"""

from __future__ import annotations

from agent.erase.firmware import ata, nvme, scsi
from agent.erase.firmware._common import Clock, FirmwareOutcome, ProgressFn
from agent.erase.firmware.hidden import HiddenAreas, inspect_hidden_areas
from agent.erase.firmware.probe import family, probe_capabilities
from agent.host import Host
from agent.report import Disk, Technique

DEFAULT_TIMEOUT_S = 4 * 3600.0


def run_firmware_erase(
    host: Host,
    disk: Disk,
    technique: Technique,
    *,
    progress: ProgressFn | None = None,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    restore_hidden: bool = False,
    clock: Clock | None = None,
    poll_s: float = 10.0,
) -> FirmwareOutcome:
    """Run one firmware technique on `disk`; ATA techniques first look at (and, when
    `restore_hidden`, lift) HPA/DCO so the certificate says what stayed hidden."""
    hidden: HiddenAreas | None = None
    if technique.startswith("ata_"):
        hidden = inspect_hidden_areas(host, disk, restore=restore_hidden)
    if technique in ("ata_security_erase", "ata_security_erase_enhanced"):
        out = ata.security_erase(
            host, disk, enhanced=technique.endswith("enhanced"), timeout_s=timeout_s, progress=progress
        )
    elif technique in ata.SANITIZE_FLAGS:
        out = ata.sanitize(
            host, disk, technique, timeout_s=timeout_s, progress=progress, clock=clock, poll_s=poll_s
        )
    elif technique in nvme.SANACT:
        out = nvme.sanitize(
            host, disk, technique, timeout_s=timeout_s, progress=progress, clock=clock, poll_s=poll_s
        )
    elif technique in nvme.SES:
        out = nvme.format_ses(host, disk, technique, timeout_s=timeout_s, progress=progress)
    elif technique in scsi.FLAGS:
        out = scsi.sanitize(host, disk, technique, timeout_s=timeout_s, progress=progress)
    else:
        raise ValueError(f"{technique} is not a firmware technique")
    if hidden is not None:
        out.commands[:0] = hidden.commands
        out.errors[:0] = hidden.errors
        out.hpa_dco = hidden.summary()
    return out


__all__ = [
    "DEFAULT_TIMEOUT_S",
    "Clock",
    "FirmwareOutcome",
    "HiddenAreas",
    "family",
    "inspect_hidden_areas",
    "probe_capabilities",
    "run_firmware_erase",
]
