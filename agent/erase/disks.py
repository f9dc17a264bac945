"""The disks an erase run looks at: the inventory's disk probe, plus what each drive can erase itself.

The planner needs both: identity, size and usage from `agent.probes.disks.probe_disks` (SMART,
nvme id-ctrl), and the firmware erase capabilities (hdparm -I / -N, sg_opcodes) that only the
erase path asks for, since probing them costs a command per disk the inventory does not need.
"""

from __future__ import annotations

from collections.abc import Sequence

from agent.host import Host
from agent.probes._context import ProbeContext
from agent.probes.disks import probe_disks
from agent.report import Disk


def inventory_disks(host: Host, only: Sequence[str] | None) -> list[Disk]:
    """Disks to plan: the named devices (in that order) or every disk of the machine."""
    disks = probe_disks(ProbeContext(host), only=list(only) if only else None, smart=True)
    return [with_capabilities(host, d) for d in disks]


def with_capabilities(host: Host, disk: Disk) -> Disk:
    """Ask the drive what it can do to erase itself (hdparm -I / nvme id-ctrl / sg_opcodes).

    Without this the planner only ever sees "no firmware technique" and overwrites everything;
    a disk the inventory already described (NVMe: id-ctrl) keeps its capabilities.
    """
    if disk.capabilities is not None:
        return disk
    from agent.erase.firmware.probe import probe_capabilities

    try:
        caps = probe_capabilities(host, disk)
    except Exception:  # a wrapper bug must not stop the plan: the disk is then simply overwritten
        return disk
    return disk.model_copy(update={"capabilities": caps})


__all__ = ["inventory_disks", "with_capabilities"]
