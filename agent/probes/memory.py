"""Memory: the kernel's total, and the modules SMBIOS lists (`dmidecode -t 16 -t 17`)."""

from __future__ import annotations

from agent.parsers.dmidecode import memory_from_dmidecode
from agent.probes._context import ProbeContext
from agent.probes.commands import DMIDECODE_ARGV, DMIDECODE_TIMEOUT
from agent.probes.machine import SMBIOS_TABLE, smbios_reachable
from agent.report import Memory

PROBE = "memory"


def mem_total_bytes(meminfo: str) -> int | None:
    """MemTotal from /proc/meminfo ("MemTotal:  16309412 kB")."""
    for line in meminfo.splitlines():
        if line.startswith("MemTotal:"):
            parts = line.split()
            if len(parts) >= 2 and parts[1].isdecimal():
                factor = 1024 if len(parts) < 3 or parts[2].lower() == "kb" else 1
                return int(parts[1]) * factor
            return None
    return None


def probe_memory(ctx: ProbeContext) -> Memory:
    # psutil.virtual_memory().total reads this same line; reading it through the host keeps a
    # capture replayable (and spares importing psutil).
    meminfo = ctx.read_text(PROBE, "/proc/meminfo")
    total = mem_total_bytes(meminfo) if meminfo else None
    if meminfo is not None and total is None:
        ctx.error(PROBE, "MemTotal missing from /proc/meminfo")
    memory = Memory(total_bytes=total)
    if not smbios_reachable(ctx):
        ctx.error(PROBE, "memory modules unknown: no SMBIOS table on this machine", SMBIOS_TABLE)
        return memory
    result = ctx.run(PROBE, DMIDECODE_ARGV, timeout=DMIDECODE_TIMEOUT)
    if result.ok:
        memory = memory_from_dmidecode(result.stdout)
        if not memory.modules:
            ctx.error(PROBE, "SMBIOS lists no memory module", " ".join(DMIDECODE_ARGV))
    elif not result.missing and not result.timed_out:
        # The table is there but unreadable (not root: "Permission denied") or corrupt.
        ctx.error(
            PROBE,
            "memory modules unknown: dmidecode failed",
            f"exit {result.returncode}: {result.stderr.strip()[:200]}",
        )
    memory.total_bytes = total
    return memory


__all__ = ["mem_total_bytes", "probe_memory"]
