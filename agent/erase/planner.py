"""The erase plan: per disk, erase / skip / refuse, which technique, how long, and why.

Technique choice follows NIST SP 800-88 Rev. 1 (Clear / Purge) and IEEE 2883-2022 (issue 3 §1):

| medium            | first choice → fallbacks                                                    |
|-------------------|------------------------------------------------------------------------------|
| NVMe              | Sanitize crypto → Sanitize block → Format SES=2 → Format SES=1 → overwrite    |
| SATA SSD          | SANITIZE crypto → SANITIZE block → SECURITY ERASE enhanced → normal → overwrite |
| HDD (ATA)         | verified overwrite (Clear); Purge policy: SANITIZE overwrite → SECURITY ERASE |
| SCSI / SAS        | SANITIZE crypto → block → overwrite (sg_sanitize) → overwrite                  |
| USB flash/SD/eMMC | overwrite, "Purge not achievable on this medium"                               |

Firmware techniques are always verified afterwards (canaries + sampled read); when that fails
the runner falls back to a verified overwrite if the policy allows it.
Reasons are English msgids translated when shown (`Reason.text()`), so the certificate can keep
the English sentence and the screen shows French.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from agent.erase.patterns import Pattern
from agent.erase.policy import Policy, VerifyLevel
from agent.i18n import N_, _
from agent.report import Disk, Technique

Action = Literal["erase", "skip", "refuse"]
Category = Literal["clear", "purge"]
Medium = Literal["nvme", "sata_ssd", "hdd", "scsi", "flash", "other"]

#: Bytes per second assumed when no measurement is given (conservative, for the estimate only).
ASSUMED_THROUGHPUT: dict[Medium, float] = {
    "nvme": 1500e6,
    "sata_ssd": 400e6,
    "hdd": 120e6,
    "scsi": 150e6,
    "flash": 25e6,
    "other": 150e6,
}
#: Seconds a firmware technique takes when the drive announces nothing.
ASSUMED_FIRMWARE_S: dict[str, float] = {
    "crypto": 60.0,
    "block": 300.0,
}

PURGE_TECHNIQUES: frozenset[str] = frozenset(
    {
        "nvme_sanitize_crypto",
        "nvme_sanitize_block",
        "nvme_sanitize_overwrite",
        "nvme_format_crypto",
        "ata_sanitize_crypto",
        "ata_sanitize_block",
        "ata_sanitize_overwrite",
        "ata_security_erase_enhanced",
        "scsi_sanitize_crypto",
        "scsi_sanitize_block",
        "scsi_sanitize_overwrite",
    }
)


class Msg(str):
    """A Reason argument that is itself an English msgid, translated when the reason is shown."""

    __slots__ = ()


TECHNIQUE_LABELS: dict[str, str] = {
    "overwrite": N_("overwrite"),
    "ata_sanitize_crypto": N_("ATA SANITIZE crypto scramble"),
    "ata_sanitize_block": N_("ATA SANITIZE block erase"),
    "ata_sanitize_overwrite": N_("ATA SANITIZE overwrite"),
    "ata_security_erase": N_("ATA SECURITY ERASE UNIT"),
    "ata_security_erase_enhanced": N_("ATA SECURITY ERASE UNIT (enhanced)"),
    "nvme_sanitize_crypto": N_("NVMe Sanitize crypto erase"),
    "nvme_sanitize_block": N_("NVMe Sanitize block erase"),
    "nvme_sanitize_overwrite": N_("NVMe Sanitize overwrite"),
    "nvme_format_crypto": N_("NVMe Format, crypto erase (SES=2)"),
    "nvme_format_user_data": N_("NVMe Format, user data erase (SES=1)"),
    "scsi_sanitize_crypto": N_("SCSI SANITIZE crypto erase"),
    "scsi_sanitize_block": N_("SCSI SANITIZE block erase"),
    "scsi_sanitize_overwrite": N_("SCSI SANITIZE overwrite"),
    "external": N_("erasure by another tool"),
}


def technique_label(technique: str | None) -> str:
    return _(TECHNIQUE_LABELS.get(technique or "", technique or "?"))


@dataclass(frozen=True)
class Reason:
    """A sentence with named fields: English msgid, translated when displayed."""

    msgid: str
    args: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def of(cls, msgid: str, **args: Any) -> Reason:
        return cls(msgid, tuple(sorted(args.items())))

    def text(self) -> str:
        args = {
            k: _(v) if isinstance(v, Msg) else v.local() if isinstance(v, UsageReasons) else v
            for k, v in self.args
        }
        return _(self.msgid).format(**args)

    def english(self) -> str:
        return self.msgid.format(**dict(self.args))


class UsageReasons(tuple[str, ...]):
    """Why a disk is in use, as `agent.probes.usage` words it (stable English), shown translated."""

    def local(self) -> str:
        from agent.probes.usage import describe_reason

        return ", ".join(describe_reason(reason) for reason in self) or "?"

    def __format__(self, spec: str) -> str:
        return ", ".join(self) or "?"


@dataclass
class DiskPlan:
    disk: Disk
    action: Action
    medium: Medium
    technique: Technique | None = None
    category: Category | None = None
    passes: tuple[Pattern, ...] = ()
    verification: VerifyLevel = "full"
    sample_percent: float = 10.0
    sample_sections: int = 1000
    #: What the runner does when the firmware technique fails or its verification does.
    fallback: Technique | None = None
    expected_seconds: float | None = None
    reasons: list[Reason] = field(default_factory=list)
    purge_note: Reason | None = None

    @property
    def path(self) -> str:
        return self.disk.path

    @property
    def is_firmware(self) -> bool:
        return self.technique is not None and self.technique != "overwrite"

    def why(self) -> str:
        return " ".join(r.text() for r in self.reasons)

    def why_english(self) -> str:
        return " ".join(r.english() for r in self.reasons)


@dataclass
class ErasePlan:
    policy: Policy
    disks: list[DiskPlan]

    def to_erase(self) -> list[DiskPlan]:
        return [d for d in self.disks if d.action == "erase"]

    def find(self, path: str) -> DiskPlan | None:
        for item in self.disks:
            if path in (item.disk.path, item.disk.by_id, f"/dev/{item.disk.name}", item.disk.name):
                return item
        return None


def medium_of(disk: Disk) -> Medium:
    """Which row of the table applies; USB/MMC first: a bridge hides the drive's own commands."""
    if disk.transport == "nvme" or disk.media_type == "nvme" or disk.name.startswith("nvme"):
        return "nvme"
    if disk.transport == "mmc" or disk.name.startswith("mmcblk"):
        return "flash"
    if disk.transport == "usb":
        return "hdd" if disk.rotational or disk.media_type == "hdd" else "flash"
    if disk.media_type == "flash":
        return "flash"
    if disk.transport in ("scsi", "sas"):
        return "scsi"
    if disk.transport in ("sata", "ata"):
        if disk.media_type == "hdd" or (disk.rotational and disk.media_type != "ssd"):
            return "hdd"
        return "sata_ssd"
    if disk.media_type == "hdd":
        return "hdd"
    return "other"


def _firmware_choice(disk: Disk, medium: Medium, policy: Policy, reasons: list[Reason]) -> Technique | None:
    caps = disk.capabilities
    if caps is None:
        return None
    if medium == "nvme":
        if "crypto" in caps.nvme_sanitize:
            return "nvme_sanitize_crypto"
        if "block" in caps.nvme_sanitize:
            return "nvme_sanitize_block"
        if caps.nvme_format_crypto:
            return "nvme_format_crypto"
        if caps.nvme_format_supported:
            return "nvme_format_user_data"
        return None
    if medium in ("sata_ssd", "hdd"):
        sec = caps.ata_security
        if medium == "sata_ssd":
            if "crypto" in caps.ata_sanitize:
                return "ata_sanitize_crypto"
            if "block" in caps.ata_sanitize:
                return "ata_sanitize_block"
        elif "overwrite" in caps.ata_sanitize:
            return "ata_sanitize_overwrite"
        if sec is not None and sec.supported:
            if sec.frozen:
                reasons.append(
                    Reason.of(
                        N_(
                            "The drive's security is frozen by the BIOS: suspend and wake the computer "
                            "(or unplug and replug the disk's power) to use its Security Erase."
                        )
                    )
                )
                return None
            if sec.locked:
                return None
            return "ata_security_erase_enhanced" if sec.enhanced_erase_supported else "ata_security_erase"
        return None
    if medium == "scsi":
        for kind, technique in (
            ("crypto", "scsi_sanitize_crypto"),
            ("block", "scsi_sanitize_block"),
            ("overwrite", "scsi_sanitize_overwrite"),
        ):
            if kind in caps.scsi_sanitize:
                return technique  # type: ignore[return-value]
        return None
    return None


def _category(technique: Technique, medium: Medium) -> Category:
    if technique in PURGE_TECHNIQUES:
        return "purge"
    if technique == "ata_security_erase" and medium == "hdd":
        return "purge"  # NIST SP 800-88 Table A-7: Security Erase Unit purges an ATA hard disk
    return "clear"


def _expected_seconds(disk: Disk, plan: DiskPlan, policy: Policy, throughput: float) -> float | None:
    size = disk.size_bytes
    if size is None:
        return None
    verify_factor = {"full": 1.0, "sampled": policy.sample_percent / 100.0, "none": 0.0}[plan.verification]
    if plan.technique == "overwrite":
        return size * (len(plan.passes) + verify_factor) / throughput
    sec = disk.capabilities.ata_security if disk.capabilities else None
    firmware_s: float
    if plan.technique == "ata_security_erase_enhanced" and sec and sec.enhanced_erase_minutes:
        firmware_s = 60.0 * sec.enhanced_erase_minutes
    elif plan.technique == "ata_security_erase" and sec and sec.erase_minutes:
        firmware_s = 60.0 * sec.erase_minutes
    elif plan.technique and "crypto" in plan.technique:
        firmware_s = ASSUMED_FIRMWARE_S["crypto"]
    elif plan.technique and "overwrite" in plan.technique:
        firmware_s = size / throughput
    else:
        firmware_s = ASSUMED_FIRMWARE_S["block"]
    # A firmware erase is verified by sampling even under a "full" policy (its pattern is unknown).
    return firmware_s + size * max(verify_factor, policy.sample_percent / 100.0) / throughput


def plan_disk(
    disk: Disk,
    policy: Policy,
    *,
    usage_reasons: list[str],
    boot: bool,
    selected: bool,
    throughput: float | None = None,
) -> DiskPlan:
    medium = medium_of(disk)
    plan = DiskPlan(
        disk=disk,
        action="erase",
        medium=medium,
        verification=policy.verification,
        sample_percent=policy.sample_percent,
        sample_sections=policy.sample_sections,
    )
    reasons = plan.reasons
    if boot or disk.is_boot_medium:
        plan.action = "refuse"
        reasons.append(Reason.of(N_("This is the boot medium (the Atelier stick or the running system).")))
    if usage_reasons or disk.mounted or disk.in_use:
        plan.action = "refuse"
        detail = UsageReasons(
            dict.fromkeys([*usage_reasons, *disk.in_use, *(f"mounted at {m}" for m in disk.mountpoints)])
        )
        reasons.append(Reason.of(N_("The disk is in use: {detail}."), detail=detail))
    if disk.read_only:
        plan.action = "refuse"
        reasons.append(Reason.of(N_("The disk is read-only (write-protected); it cannot be erased.")))
    if plan.action == "refuse":
        return plan
    if not selected:
        plan.action = "skip"
        reasons.append(Reason.of(N_("Not selected for erasure.")))
        return plan
    caps = disk.capabilities
    sec = caps.ata_security if caps else None
    if sec is not None and sec.locked:
        plan.action = "skip"
        reasons.append(
            Reason.of(
                N_(
                    "The drive is locked by a password (ATA security): it cannot be read or written. "
                    "Ask the donor for the password, or set the disk aside."
                )
            )
        )
        return plan

    firmware: Technique | None = None
    if policy.mode != "overwrite-only" and (medium != "hdd" or policy.hdd_purge):
        firmware = _firmware_choice(disk, medium, policy, reasons)
    if policy.mode == "firmware-only" and firmware is None:
        plan.action = "skip"
        reasons.append(
            Reason.of(
                N_("Policy {policy} allows only firmware erasure and this drive offers none."),
                policy=policy.name,
            )
        )
        return plan

    if firmware is not None:
        plan.technique = firmware
        plan.category = _category(firmware, medium)
        plan.passes = policy.passes
        plan.fallback = "overwrite" if policy.fallback_to_overwrite else None
        reasons.append(
            Reason.of(
                N_(
                    "The drive supports {technique}: NIST SP 800-88 {category} using its own firmware, then verified."
                ),
                technique=Msg(TECHNIQUE_LABELS[firmware]),
                category=plan.category.capitalize(),
            )
        )
    else:
        plan.technique = "overwrite"
        plan.category = "clear"
        plan.passes = policy.passes
        if policy.mode == "overwrite-only":
            reasons.append(
                Reason.of(
                    N_("Policy {policy}: overwrite with {passes} pass(es), then verification."),
                    policy=policy.name,
                    passes=len(policy.passes),
                )
            )
        elif medium == "hdd":
            reasons.append(Reason.of(N_("Hard disk: one verified overwrite pass is a NIST SP 800-88 Clear.")))
        else:
            reasons.append(
                Reason.of(N_("No usable firmware erase reported by the drive: verified overwrite (Clear)."))
            )
    if medium == "flash":
        plan.purge_note = Reason.of(
            N_("Purge not achievable on this medium: a USB stick, SD card or eMMC hides worn-out cells.")
        )
    elif medium in ("sata_ssd", "nvme", "scsi") and plan.technique == "overwrite" and medium != "scsi":
        plan.purge_note = Reason.of(
            N_("An overwrite cannot reach the spare flash cells of an SSD: Clear only, not Purge.")
        )
    if caps is not None and caps.hpa_enabled:
        if policy.allow_hpa_dco_restore:
            reasons.append(Reason.of(N_("A hidden area (HPA) is set: it will be removed before erasing.")))
        else:
            reasons.append(
                Reason.of(
                    N_(
                        "A hidden area (HPA) is set and the policy forbids removing it: the result will be incomplete."
                    )
                )
            )
    if not policy.can_certify:
        reasons.append(
            Reason.of(
                N_("Policy {policy} skips verification: the certificate cannot say erased."),
                policy=policy.name,
            )
        )
    rate = throughput or ASSUMED_THROUGHPUT[medium]
    plan.expected_seconds = _expected_seconds(disk, plan, policy, rate)
    return plan


def plan_erasure(
    disks: list[Disk],
    policy: Policy,
    *,
    usages: Mapping[str, Any],
    selected: Iterable[str] | None,
    throughputs: Mapping[str, float] | None = None,
) -> ErasePlan:
    """Plan every disk; `selected` holds paths or names to erase (None = all that may be erased).

    `usages` maps kernel names to `agent.probes.usage.DiskUsage` (in_use, is_boot_medium, reasons);
    a disk absent from it is refused — never erase what could not be checked.
    """
    wanted = (
        {os.path.realpath(s) if s.startswith("/dev/") else s for s in selected}
        if selected is not None
        else None
    )
    items: list[DiskPlan] = []
    for disk in disks:
        usage = usages.get(disk.name)
        if usage is None:
            reasons = ["usage could not be checked"]
            boot = False
        else:
            reasons = list(usage.reasons) if usage.in_use else []
            if usage.in_use and not reasons:
                reasons = ["in use"]
            boot = bool(usage.is_boot_medium)
        names = {disk.path, disk.name, f"/dev/{disk.name}", os.path.realpath(disk.path)}
        if disk.by_id:
            names |= {disk.by_id, os.path.realpath(disk.by_id)}
        chosen = wanted is None or bool(names & wanted)
        items.append(
            plan_disk(
                disk,
                policy,
                usage_reasons=reasons,
                boot=boot,
                selected=chosen,
                throughput=(throughputs or {}).get(disk.name),
            )
        )
    return ErasePlan(policy=policy, disks=items)


__all__ = [
    "ASSUMED_THROUGHPUT",
    "TECHNIQUE_LABELS",
    "Action",
    "Category",
    "DiskPlan",
    "ErasePlan",
    "Medium",
    "Msg",
    "Reason",
    "medium_of",
    "plan_disk",
    "plan_erasure",
    "technique_label",
]
