"""The planner on Disk models built from real drive outputs (../shared/fixtures/disk-tools).

One test per row of issue 3's table (NVMe, SATA SSD, HDD, SCSI/SAS, USB flash/SD/eMMC), plus the
policies (overwrite-only, firmware-only, HDD Purge, legacy multi-pass) and the refusals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from agent.erase.patterns import Pattern
from agent.erase.planner import medium_of, plan_erasure
from agent.erase.policy import Policy, load_policy
from agent.i18n import set_language
from agent.parsers.hdparm import parse_hpa, parse_identify
from agent.parsers.nvme_cli import parse_idctrl_erase
from agent.report import Disk, EraseCapabilities

GB = 1000**3


@dataclass(frozen=True)
class Usage:
    """Shape of agent.probes.usage.DiskUsage as the planner reads it."""

    name: str
    is_boot_medium: bool = False
    reasons: tuple[str, ...] = ()
    mountpoints: tuple[str, ...] = field(default=())

    @property
    def in_use(self) -> bool:
        return self.is_boot_medium or bool(self.reasons)


def _free(*disks: Disk) -> dict[str, Any]:
    return {d.name: Usage(d.name) for d in disks}


def ata_caps(fixtures: Path, name: str) -> EraseCapabilities:
    ident = parse_identify((fixtures / "disk-tools" / "hdparm-I" / name).read_text(errors="replace"))
    return EraseCapabilities(
        ata_security=ident.security,
        ata_sanitize=list(ident.sanitize_modes),
        ata_sanitize_antifreeze=ident.sanitize_antifreeze,
    )


def nvme_caps(fixtures: Path, name: str) -> EraseCapabilities:
    fields = parse_idctrl_erase((fixtures / "disk-tools" / "nvme-id-ctrl" / name).read_text(errors="replace"))
    return EraseCapabilities(
        nvme_sanitize=list(fields.sanitize_modes),
        nvme_format_supported=fields.format_supported,
        nvme_format_crypto=fields.format_crypto,
    )


def sata_ssd(caps: EraseCapabilities, name: str = "sda") -> Disk:
    return Disk(
        name=name,
        path=f"/dev/{name}",
        transport="sata",
        media_type="ssd",
        rotational=False,
        size_bytes=480 * GB,
        model="SSD",
        serial="S1",
        capabilities=caps,
    )


def sata_hdd(caps: EraseCapabilities, name: str = "sdb") -> Disk:
    return Disk(
        name=name,
        path=f"/dev/{name}",
        transport="sata",
        media_type="hdd",
        rotational=True,
        size_bytes=500 * GB,
        model="ST9500325AS",
        serial="5VE1",
        capabilities=caps,
    )


def nvme(caps: EraseCapabilities, name: str = "nvme0n1") -> Disk:
    return Disk(
        name=name,
        path=f"/dev/{name}",
        transport="nvme",
        media_type="nvme",
        size_bytes=256 * GB,
        model="NVMe",
        serial="N1",
        capabilities=caps,
    )


def one(disk: Disk, policy: Policy | None = None, **kwargs: Any):  # type: ignore[no-untyped-def]
    plan = plan_erasure([disk], policy or load_policy("default"), usages=_free(disk), selected=None, **kwargs)
    (item,) = plan.disks
    return item


# --- NVMe: Sanitize crypto > block > Format SES=2 > SES=1 > overwrite ---------------------------


@pytest.mark.parametrize(
    ("fixture", "technique"),
    [
        ("wdc-pc-sn730-256g-idctrl-json-fna4.json", "nvme_sanitize_crypto"),
        ("kioxia-toshiba-kxg6aznv512g-idctrl-text-sanicap0x3-fna0x4-ELIDED.txt", "nvme_sanitize_crypto"),
        ("crucial-p3plus-ct4000p3pssd8-idctrl-H-full-sanicap-blockonly-fna0x1.txt", "nvme_sanitize_block"),
        ("intel-SSDPEKKF256G8L-idctrl-H-grep-nosanitize.txt", "nvme_format_crypto"),
        ("wd-black-wds250g2x0c-idctrl-H-ELIDED-oacs0x17-fna0.txt", "nvme_format_user_data"),
    ],
)
def test_nvme_technique_from_real_id_ctrl(fixtures: Path, fixture: str, technique: str) -> None:
    item = one(nvme(nvme_caps(fixtures, fixture)))
    assert item.action == "erase"
    assert item.medium == "nvme"
    assert item.technique == technique
    assert item.category == ("clear" if technique == "nvme_format_user_data" else "purge")
    assert item.fallback == "overwrite"
    assert item.verification == "full"
    assert item.expected_seconds and item.expected_seconds > 0


def test_nvme_without_capabilities_is_overwritten_as_clear_with_a_note() -> None:
    item = one(nvme(EraseCapabilities()))
    assert item.technique == "overwrite"
    assert item.category == "clear"
    assert item.purge_note is not None and "Purge" in item.purge_note.english()


# --- SATA SSD: SANITIZE crypto > block > SECURITY ERASE enhanced > normal > overwrite ----------


@pytest.mark.parametrize(
    ("fixture", "technique"),
    [
        ("micron-5300-1.92tb-full-frozen-sanitize-all3-antifreeze.txt", "ata_sanitize_crypto"),
        ("intel-s3520-ssdsc2bb480g7k-full-notfrozen-sanitize-all3-SPACES.txt", "ata_sanitize_crypto"),
        ("skhynix-hfs128g39tnd-full-notfrozen-sanitize-crypto-block-SPACES.txt", "ata_sanitize_crypto"),
        ("shinedisk-m667-grep-sanitize-blockerase-only.txt", "ata_sanitize_block"),
        ("shinedisk-m667-security-enabled-level-high-grepA10.txt", "ata_security_erase_enhanced"),
    ],
)
def test_sata_ssd_technique_from_real_hdparm(fixtures: Path, fixture: str, technique: str) -> None:
    item = one(sata_ssd(ata_caps(fixtures, fixture)))
    assert item.medium == "sata_ssd"
    assert item.technique == technique
    assert item.category == "purge"


def test_sata_ssd_frozen_security_only_falls_back_to_overwrite_and_says_how_to_unfreeze(
    fixtures: Path,
) -> None:
    item = one(sata_ssd(ata_caps(fixtures, "shinedisk-m667-security-frozen-grepA10.txt")))
    assert item.technique == "overwrite"
    assert item.category == "clear"
    assert any("frozen" in r.english() for r in item.reasons)
    set_language("fr")
    assert any("veille" in r.text() for r in item.reasons)


def test_locked_drive_is_skipped_with_instructions(fixtures: Path) -> None:
    caps = ata_caps(fixtures, "crucial-m4-ct128m4ssd2-full-enabled-LOCKED-EXPIRED-blank-serial.txt")
    item = one(sata_ssd(caps))
    assert item.action == "skip"
    assert "password" in item.why_english()


def test_garbled_identify_behind_usb_bridge_gives_no_firmware_technique(fixtures: Path) -> None:
    caps = ata_caps(
        fixtures, "fujitsu-usb-bridge-GARBLED-identify-security-not-supported-integrity-word-bad.txt"
    )
    item = one(sata_ssd(caps))
    assert item.technique == "overwrite"


# --- HDD: verified overwrite (Clear) unless the policy asks for Purge ----------------------------


def test_hdd_default_is_one_verified_overwrite_clear(fixtures: Path) -> None:
    item = one(sata_hdd(ata_caps(fixtures, "seagate-st31000528as-usb-full-notfrozen-162min-nosanitize.txt")))
    assert item.medium == "hdd"
    assert item.technique == "overwrite"
    assert item.category == "clear"
    assert item.passes == (Pattern("zeros"),)
    # 500 GB at the assumed 120 MB/s, written then read back.
    assert item.expected_seconds == pytest.approx(2 * 500 * GB / 120e6)


def test_hdd_purge_policy_uses_security_erase_with_the_drives_announced_time(fixtures: Path) -> None:
    purge = Policy(name="hdd-purge", hdd_purge=True)
    item = one(
        sata_hdd(ata_caps(fixtures, "seagate-st31000528as-usb-full-notfrozen-162min-nosanitize.txt")), purge
    )
    assert item.technique == "ata_security_erase_enhanced"
    assert item.category == "purge"
    assert item.expected_seconds is not None and item.expected_seconds >= 162 * 60


def test_hdd_purge_policy_on_a_frozen_drive_overwrites_and_explains(fixtures: Path) -> None:
    purge = Policy(name="hdd-purge", hdd_purge=True)
    item = one(sata_hdd(ata_caps(fixtures, "seagate-st9500325as-hdd-full-frozen-132min-BBCODE.txt")), purge)
    assert item.technique == "overwrite"
    assert "frozen" in item.why_english()


def test_hdd_purge_prefers_sanitize_overwrite() -> None:
    item = one(sata_hdd(EraseCapabilities(ata_sanitize=["overwrite"])), Policy(name="p", hdd_purge=True))
    assert item.technique == "ata_sanitize_overwrite"
    assert item.category == "purge"


def test_hidden_area_from_real_hdparm_n_is_announced(fixtures: Path) -> None:
    hpa = parse_hpa((fixtures / "disk-tools" / "hdparm-N" / "forensicswiki-hpa-enabled.txt").read_text())
    caps = EraseCapabilities(
        hpa_enabled=hpa.enabled,
        hpa_visible_sectors=hpa.visible_sectors,
        hpa_native_sectors=hpa.native_sectors,
    )
    item = one(sata_hdd(caps))
    assert "HPA" in item.why_english()


# --- SCSI / SAS: SANITIZE (sg_sanitize) else overwrite -------------------------------------------


@pytest.mark.parametrize(
    ("modes", "technique"),
    [
        (["crypto", "block", "overwrite"], "scsi_sanitize_crypto"),
        (["block"], "scsi_sanitize_block"),
        (["overwrite"], "scsi_sanitize_overwrite"),
        ([], "overwrite"),
    ],
)
def test_scsi_sanitize_else_overwrite(modes: list[str], technique: str) -> None:
    # No real sg_opcodes output of a SAS drive exists in the corpus (fixtures README, "Gaps").
    disk = Disk(
        name="sdc",
        path="/dev/sdc",
        transport="sas",
        rotational=True,
        size_bytes=2000 * GB,
        capabilities=EraseCapabilities(scsi_sanitize=modes),
    )  # type: ignore[arg-type]
    item = one(disk)
    assert item.medium == "scsi"
    assert item.technique == technique


# --- USB flash / SD / eMMC: overwrite, Purge not achievable --------------------------------------


@pytest.mark.parametrize(
    "disk",
    [
        Disk(
            name="sdd", path="/dev/sdd", transport="usb", rotational=False, removable=True, size_bytes=8 * GB
        ),
        Disk(name="mmcblk0", path="/dev/mmcblk0", transport="mmc", size_bytes=32 * GB),
        Disk(name="sde", path="/dev/sde", transport="unknown", media_type="flash", size_bytes=16 * GB),
    ],
)
def test_flash_media_are_overwritten_and_marked_purge_not_achievable(disk: Disk) -> None:
    item = one(disk)
    assert item.medium == "flash"
    assert item.technique == "overwrite"
    assert item.category == "clear"
    assert item.purge_note is not None
    assert "Purge not achievable on this medium" in item.purge_note.english()
    set_language("fr")
    assert "Purge impossible sur ce support" in item.purge_note.text()


def test_usb_hard_disk_is_a_hard_disk() -> None:
    disk = Disk(name="sdf", path="/dev/sdf", transport="usb", rotational=True, size_bytes=GB)
    assert medium_of(disk) == "hdd"


# --- Policies -------------------------------------------------------------------------------------


def test_overwrite_only_policy_never_uses_firmware(fixtures: Path) -> None:
    item = one(
        nvme(nvme_caps(fixtures, "wdc-pc-sn730-256g-idctrl-json-fna4.json")), load_policy("overwrite-only")
    )
    assert item.technique == "overwrite"
    assert item.category == "clear"


def test_firmware_only_policy_skips_a_disk_without_firmware_erase() -> None:
    item = one(Disk(name="loop9", path="/dev/loop9", size_bytes=GB), load_policy("firmware-only"))
    assert item.action == "skip"
    assert "firmware" in item.why_english()


def test_firmware_only_policy_has_no_overwrite_fallback(fixtures: Path) -> None:
    item = one(
        nvme(nvme_caps(fixtures, "wdc-pc-sn730-256g-idctrl-json-fna4.json")), load_policy("firmware-only")
    )
    assert item.technique == "nvme_sanitize_crypto"
    assert item.fallback is None
    assert item.verification == "sampled"


@pytest.mark.parametrize(
    ("name", "passes"), [("dod-short", 3), ("hmg-is5-enhanced", 3), ("hmg-is5-baseline", 1)]
)
def test_legacy_schemes_are_multi_pass_overwrites(fixtures: Path, name: str, passes: int) -> None:
    item = one(
        sata_ssd(ata_caps(fixtures, "micron-5300-1.92tb-full-frozen-sanitize-all3-antifreeze.txt")),
        load_policy(name),
    )
    assert item.technique == "overwrite"
    assert len(item.passes) == passes
    assert item.purge_note is not None  # an SSD overwritten is a Clear only


def test_policy_without_verification_is_announced_as_unable_to_certify() -> None:
    item = one(Disk(name="loop9", path="/dev/loop9", size_bytes=GB), Policy(name="fast", verification="none"))
    assert "cannot say erased" in item.why_english()


def test_measured_throughput_drives_the_estimate() -> None:
    disk = Disk(name="loop9", path="/dev/loop9", size_bytes=10 * GB)
    plan = plan_erasure(
        [disk], load_policy("default"), usages=_free(disk), selected=None, throughputs={"loop9": 1e9}
    )
    assert plan.disks[0].expected_seconds == pytest.approx(20.0)


# --- Refusals and selection -----------------------------------------------------------------------


def test_boot_mounted_read_only_and_unchecked_disks_are_refused() -> None:
    boot = Disk(name="sda", path="/dev/sda", size_bytes=GB)
    mounted = Disk(name="sdb", path="/dev/sdb", size_bytes=GB)
    ro = Disk(name="sdc", path="/dev/sdc", size_bytes=GB, read_only=True)
    unknown = Disk(name="sdd", path="/dev/sdd", size_bytes=GB)
    free = Disk(name="sde", path="/dev/sde", size_bytes=GB)
    usages = {
        "sda": Usage("sda", is_boot_medium=True, reasons=("holds the root filesystem",)),
        "sdb": Usage("sdb", reasons=("mounted at /media/x",)),
        "sdc": Usage("sdc"),
        "sde": Usage("sde"),
    }
    plan = plan_erasure(
        [boot, mounted, ro, unknown, free], load_policy("default"), usages=usages, selected=None
    )
    actions = {d.disk.name: d.action for d in plan.disks}
    assert actions == {"sda": "refuse", "sdb": "refuse", "sdc": "refuse", "sdd": "refuse", "sde": "erase"}
    assert "boot medium" in plan.disks[0].why_english()
    assert "mounted at /media/x" in plan.disks[1].why_english()
    assert "read-only" in plan.disks[2].why_english()
    assert "could not be checked" in plan.disks[3].why_english()
    set_language("fr")
    assert "support de démarrage" in plan.disks[0].why()


def test_only_selected_disks_are_erased() -> None:
    a = Disk(name="sda", path="/dev/sda", size_bytes=GB)
    b = Disk(name="sdb", path="/dev/sdb", size_bytes=GB)
    plan = plan_erasure([a, b], load_policy("default"), usages=_free(a, b), selected=["/dev/sdb"])
    assert [d.action for d in plan.disks] == ["skip", "erase"]
    assert [d.disk.name for d in plan.to_erase()] == ["sdb"]
    assert plan.find("/dev/sda") is plan.disks[0]


# --- From the drive's own answers, replayed through the host ---------------------------------------


def test_capabilities_probed_through_the_host_drive_the_plan(fixtures: Path) -> None:
    """The real path of `atelier erase`: inventory → capability probe (hdparm, replayed) → plan."""
    from agent.erase.disks import with_capabilities
    from agent.host import ReplayHost

    tools = fixtures / "disk-tools"
    host = ReplayHost.build(
        commands={
            ("hdparm", "-I", "/dev/sda"): (
                0,
                (
                    tools / "hdparm-I" / "micron-5300-1.92tb-full-frozen-sanitize-all3-antifreeze.txt"
                ).read_text(),
            ),
            ("hdparm", "-N", "/dev/sda"): (
                0,
                (tools / "hdparm-N" / "forensicswiki-hpa-enabled.txt").read_text(),
            ),
        }
    )
    disk = with_capabilities(
        host, Disk(name="sda", path="/dev/sda", transport="sata", media_type="ssd", size_bytes=1920 * GB)
    )
    assert disk.capabilities is not None and disk.capabilities.hpa_enabled
    item = one(disk)
    assert item.technique == "ata_sanitize_crypto"
    assert item.category == "purge"
    assert "hidden area (HPA)" in item.why_english()
    # A disk the inventory already described is not probed again.
    assert with_capabilities(ReplayHost.build(), disk) is disk
