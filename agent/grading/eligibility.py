"""Operating systems a machine can take: Windows 11 (Microsoft's requirements) and a Linux desktop.

Not being eligible for Windows 11 is not a defect: such a machine leaves the workshop with Linux.
Unknown facts (no TPM probe, firmware not read) make the answer unknown (None), never "no".
"""

from __future__ import annotations

from agent.checks._text import Text, text
from agent.grading.cpu_support import windows11_cpu_support
from agent.grading.facts import cpu_facts, memory_gb, storage_gb
from agent.i18n import N_
from agent.report import Eligibility, Report

WIN11_RAM_GB = 4
WIN11_STORAGE_GB = 64
LINUX_RAM_GB = 2
LINUX_STORAGE_GB = 20


def _eligibility(blockers: list[Text], unknowns: list[Text], ok: list[Text]) -> Eligibility:
    if blockers:
        return Eligibility(
            eligible=False, reasons_fr=[t.fr for t in blockers], reasons_en=[t.en for t in blockers]
        )
    if unknowns:
        return Eligibility(
            eligible=None, reasons_fr=[t.fr for t in unknowns], reasons_en=[t.en for t in unknowns]
        )
    return Eligibility(eligible=True, reasons_fr=[t.fr for t in ok], reasons_en=[t.en for t in ok])


def windows11(report: Report, *, storage_min_gb: float = WIN11_STORAGE_GB) -> Eligibility:
    blockers: list[Text] = []
    unknowns: list[Text] = []
    cpu = cpu_facts(report)
    if cpu is None:
        unknowns.append(text(N_("processor unknown")))
    else:
        support = windows11_cpu_support(
            cpu.model, vendor=cpu.vendor, family=cpu.family, model=cpu.model_number, stepping=cpu.stepping
        )
        if support.supported is False:
            blockers.append(text(N_("processor {model} is not on Microsoft's list"), model=cpu.model or "?"))
        elif support.supported is None:
            unknowns.append(text(N_("processor {model} not recognised"), model=cpu.model or "?"))
    fw = report.machine.firmware
    if fw.tpm_version is not None and not fw.tpm_version.startswith("2"):
        blockers.append(text(N_("TPM {version} (2.0 required)"), version=fw.tpm_version))
    elif fw.tpm_present is False:
        blockers.append(text(N_("no TPM 2.0 (it may be disabled in the firmware settings)")))
    elif fw.tpm_version is None:
        unknowns.append(text(N_("TPM not detected")))
    uefi = fw.uefi_capable if fw.uefi_capable is not None else (True if fw.boot_mode == "uefi" else None)
    if uefi is False:
        blockers.append(text(N_("no UEFI firmware (legacy BIOS only)")))
    elif uefi is None:
        unknowns.append(text(N_("UEFI support unknown (booted in legacy mode)")))
    elif fw.secure_boot is None:
        unknowns.append(text(N_("Secure Boot support unknown")))
    ram = memory_gb(report.memory)
    if ram is None:
        unknowns.append(text(N_("memory size unknown")))
    elif ram < WIN11_RAM_GB:
        blockers.append(text(N_("{ram:g} GB of memory (4 GB required)"), ram=ram))
    storage = storage_gb(report)
    if storage is None:
        unknowns.append(text(N_("no internal disk")))
    elif storage < storage_min_gb:
        blockers.append(text(N_("disk of {size:.0f} GB (64 GB required)"), size=storage))
    return _eligibility(
        blockers,
        unknowns,
        [text(N_("processor, TPM 2.0, UEFI and Secure Boot, memory and disk meet the requirements"))],
    )


def linux_desktop(report: Report, *, storage_min_gb: float = LINUX_STORAGE_GB) -> Eligibility:
    blockers: list[Text] = []
    unknowns: list[Text] = []
    cpu = cpu_facts(report)
    if cpu is None or cpu.is_64bit is None:
        unknowns.append(text(N_("64-bit support unknown")))
    elif not cpu.is_64bit:
        blockers.append(text(N_("32-bit processor: current Linux desktops need 64-bit")))
    ram = memory_gb(report.memory)
    if ram is None:
        unknowns.append(text(N_("memory size unknown")))
    elif ram < LINUX_RAM_GB:
        blockers.append(text(N_("{ram:g} GB of memory (2 GB required)"), ram=ram))
    storage = storage_gb(report)
    if storage is None:
        unknowns.append(text(N_("no internal disk")))
    elif storage < storage_min_gb:
        blockers.append(text(N_("disk of {size:.0f} GB (20 GB required)"), size=storage))
    return _eligibility(blockers, unknowns, [text(N_("64-bit, memory and disk meet the requirements"))])


__all__ = ["linux_desktop", "windows11"]
