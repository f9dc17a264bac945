"""Host Protected Area and Device Configuration Overlay: space a drive hides from the system.

An HPA or a DCO-shrunk size leaves sectors that neither an overwrite nor the OS can reach, and
that may hold an OEM recovery image — or the donor's data. Detect both; restore the full size
before erasing when the policy allows, otherwise record what stays hidden on the certificate.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from agent.erase.firmware._common import FirmwareOutcome, Runner, text_of
from agent.host import Host
from agent.parsers.hdparm import DcoIdentify, HpaStatus, parse_dco, parse_hpa
from agent.report import Disk

YES = "--yes-i-know-what-i-am-doing"


@dataclass
class HiddenAreas:
    hpa: HpaStatus | None = None
    dco: DcoIdentify | None = None
    restored: list[str] = field(default_factory=list)
    commands: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def native_sectors(self) -> int | None:
        if self.hpa is not None and not self.hpa.bogus and self.hpa.native_sectors:
            return self.hpa.native_sectors
        return None

    @property
    def hidden(self) -> bool | None:
        """True when sectors are hidden (HPA set, or DCO real max above the native max)."""
        answers: list[bool] = []
        if self.hpa is not None and not self.hpa.bogus and self.hpa.enabled is not None:
            answers.append(bool(self.hpa.hidden_sectors))
        if self.dco is not None and not self.dco.failed and self.dco.real_max_sectors and self.native_sectors:
            answers.append(self.dco.real_max_sectors > self.native_sectors)
        return any(answers) if answers else None

    def summary(self) -> str | None:
        parts: list[str] = []
        hpa = self.hpa
        if hpa is not None:
            word = "Accessible Max Address" if hpa.ama else "HPA"
            if hpa.bogus or hpa.enabled is None:
                parts.append(f"{word}: no trustworthy answer from the drive")
            elif hpa.enabled:
                parts.append(
                    f"{word} enabled: {hpa.visible_sectors}/{hpa.native_sectors} sectors visible, "
                    f"{hpa.hidden_sectors} hidden"
                )
            else:
                parts.append(f"{word} disabled ({hpa.visible_sectors}/{hpa.native_sectors} sectors)")
        dco = self.dco
        if dco is not None:
            if dco.failed:
                parts.append("DCO: not supported or refused by the drive")
            elif dco.real_max_sectors is not None:
                native = self.native_sectors
                if native is not None and dco.real_max_sectors > native:
                    parts.append(
                        f"DCO limits the drive: real max {dco.real_max_sectors} sectors, "
                        f"{dco.real_max_sectors - native} hidden"
                    )
                else:
                    parts.append(f"DCO real max {dco.real_max_sectors} sectors (nothing hidden)")
        parts += [f"restored: {r}" for r in self.restored]
        return "; ".join(parts) or None


def inspect_hidden_areas(host: Host, disk: Disk, *, restore: bool = False) -> HiddenAreas:
    """Read HPA/AMA and DCO; with `restore`, lift them (HPA first: `--dco-restore` fails under an HPA)."""
    scratch = FirmwareOutcome(ok_claimed=False)
    runner = Runner(host, scratch)
    areas = HiddenAreas()
    hpa_res = runner.run(["hdparm", "-N", disk.path], timeout=30)
    if not hpa_res.missing:
        areas.hpa = parse_hpa(text_of(hpa_res))
    dco_res = runner.run(["hdparm", "--dco-identify", disk.path], timeout=30)
    if not dco_res.missing:
        areas.dco = parse_dco(text_of(dco_res))
    if (
        restore
        and areas.hpa is not None
        and areas.hpa.enabled
        and not areas.hpa.bogus
        and areas.hpa.native_sectors
    ):
        native = areas.hpa.native_sectors
        res = runner.run(["hdparm", YES, "-N", f"p{native}", disk.path], timeout=60)
        after = parse_hpa(text_of(res))
        if res.ok and after.visible_sectors == native:
            areas.restored.append(f"HPA removed, {native} sectors visible")
            areas.hpa = after
        else:
            areas.errors.append(f"could not remove the HPA: {text_of(res).strip()[-200:]}")
    if (
        restore
        and areas.dco is not None
        and not areas.dco.failed
        and areas.dco.real_max_sectors
        and areas.native_sectors
        and areas.dco.real_max_sectors > areas.native_sectors
    ):
        res = runner.run(["hdparm", YES, "--dco-restore", disk.path], timeout=60)
        if res.ok:
            areas.restored.append("DCO restored to factory size (takes effect after a power cycle)")
        else:
            areas.errors.append(f"could not restore the DCO: {text_of(res).strip()[-200:]}")
    areas.commands = scratch.commands
    areas.errors = scratch.errors + areas.errors
    return areas


__all__ = ["HiddenAreas", "inspect_hidden_areas"]
