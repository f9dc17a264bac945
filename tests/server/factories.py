"""Realistic agent reports (30–60 KB) for the server's tests and benchmarks.

Disks carry real SMART data: real smartctl JSON outputs from the fixture corpus, parsed by the
agent's own parser. Certificates are signed with a real station key (`agent.certs`).
"""

from __future__ import annotations

import datetime as dt
import os
import random
import uuid
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from agent.certs import StationKey, sign_certificate
from agent.parsers.smartctl import SmartctlDrive, parse_smartctl_json
from agent.report import (
    BaseboardInfo,
    Battery,
    BiosInfo,
    CertDisk,
    Certificate,
    CertMachine,
    CertOrganisation,
    ChassisInfo,
    CheckResult,
    CommandRecord,
    Cpu,
    Disk,
    Display,
    Eligibility,
    FirmwareInfo,
    Gpu,
    Grade,
    GradeReason,
    Machine,
    Memory,
    MemoryModule,
    NetworkInterface,
    PassRecord,
    ProbeError,
    Report,
    SignedCertificate,
    Station,
    SystemInfo,
    Upgrade,
    Verification,
)

ROOT = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("ATELIER_SHARED", ROOT.parent / "shared")).resolve()
SMARTCTL = SHARED / "fixtures" / "smartctl"

CPU_FLAGS = [
    "fpu",
    "vme",
    "de",
    "pse",
    "tsc",
    "msr",
    "pae",
    "mce",
    "cx8",
    "apic",
    "sep",
    "mtrr",
    "pge",
    "mca",
    "cmov",
    "pat",
    "pse36",
    "clflush",
    "dts",
    "acpi",
    "mmx",
    "fxsr",
    "sse",
    "sse2",
    "ss",
    "ht",
    "tm",
    "pbe",
    "syscall",
    "nx",
    "pdpe1gb",
    "rdtscp",
    "lm",
    "constant_tsc",
    "art",
    "arch_perfmon",
    "pebs",
    "bts",
    "rep_good",
    "nopl",
    "xtopology",
    "nonstop_tsc",
    "cpuid",
    "aperfmperf",
    "pni",
    "pclmulqdq",
    "dtes64",
    "monitor",
    "ds_cpl",
    "vmx",
    "est",
    "tm2",
    "ssse3",
    "sdbg",
    "fma",
    "cx16",
    "xtpr",
    "pdcm",
    "pcid",
    "sse4_1",
    "sse4_2",
    "x2apic",
    "movbe",
    "popcnt",
    "aes",
    "xsave",
    "avx",
    "f16c",
    "rdrand",
    "lahf_lm",
    "abm",
    "3dnowprefetch",
    "cpuid_fault",
    "epb",
    "invpcid_single",
    "pti",
    "ssbd",
    "ibrs",
    "ibpb",
    "stibp",
    "tpr_shadow",
    "vnmi",
    "flexpriority",
    "ept",
    "vpid",
    "ept_ad",
    "fsgsbase",
    "tsc_adjust",
    "bmi1",
    "avx2",
    "smep",
    "bmi2",
    "erms",
    "invpcid",
    "mpx",
    "rdseed",
    "adx",
    "smap",
    "clflushopt",
    "intel_pt",
    "xsaveopt",
    "xsavec",
    "xgetbv1",
    "xsaves",
    "dtherm",
    "ida",
    "arat",
    "pln",
    "pts",
    "hwp",
    "hwp_notify",
    "hwp_act_window",
    "hwp_epp",
]
MODELS = (
    ("Dell Inc.", "Latitude E7470", "Intel(R) Core(TM) i5-6300U CPU @ 2.40GHz"),
    ("LENOVO", "ThinkPad T460", "Intel(R) Core(TM) i5-6200U CPU @ 2.30GHz"),
    ("HP", "EliteBook 840 G3", "Intel(R) Core(TM) i5-6300U CPU @ 2.40GHz"),
    ("Dell Inc.", "OptiPlex 7040", "Intel(R) Core(TM) i5-6500 CPU @ 3.20GHz"),
    ("LENOVO", "ThinkCentre M700", "Intel(R) Core(TM) i3-6100T CPU @ 3.20GHz"),
)


@lru_cache(maxsize=1)
def real_drives() -> tuple[SmartctlDrive, ...]:
    """Every smartctl fixture that parses into a drive with SMART attributes or NVMe health."""
    drives = []
    for path in sorted(SMARTCTL.rglob("*.json")):
        try:
            drive = parse_smartctl_json(path.read_text(encoding="utf-8", errors="replace"))
        except Exception:  # a fixture the parser refuses is simply not used here
            continue
        if drive.smart.ata_attributes or drive.smart.nvme_health is not None:
            drives.append(drive)
    if not drives:
        raise RuntimeError(f"no usable smartctl fixture under {SMARTCTL}")
    return tuple(drives)


def _disk(drive: SmartctlDrive, name: str, rng: random.Random) -> Disk:
    nvme = drive.protocol == "NVMe"
    smart = drive.smart.model_copy()
    return Disk(
        name=name,
        path=f"/dev/{name}",
        by_id=f"/dev/disk/by-id/{'nvme' if nvme else 'ata'}-{(drive.model or 'disk').replace(' ', '_')}",
        model=drive.model,
        vendor=drive.vendor,
        serial=drive.serial or f"SN{rng.randrange(10**9):09d}",
        wwn=drive.wwn,
        firmware=drive.firmware,
        size_bytes=drive.capacity_bytes or 256_060_514_304,
        logical_sector_size=drive.logical_block_size or 512,
        physical_sector_size=drive.physical_block_size or 4096,
        rotational=bool(drive.rotation_rate),
        rotation_rate_rpm=drive.rotation_rate,
        transport="nvme" if nvme else "sata",
        media_type="nvme" if nvme else ("hdd" if drive.rotation_rate else "ssd"),
        form_factor=drive.form_factor,
        removable=False,
        read_only=False,
        smart=smart,
    )


def _certificate(
    disk: Disk,
    *,
    report_id: uuid.UUID,
    asset_code: str,
    machine: Machine,
    key: StationKey,
    start: dt.datetime,
) -> SignedCertificate:
    seconds = 1800.0 if disk.rotational else 120.0
    technique = (
        "overwrite"
        if disk.rotational
        else ("nvme_sanitize_crypto" if disk.transport == "nvme" else "ata_sanitize_crypto")
    )
    cert = Certificate(
        certificate_id=uuid.uuid4(),
        kind="erasure",
        result="erased",
        reason="verification passed",
        report_id=report_id,
        asset_code=asset_code,
        organisation=CertOrganisation(name="Atelier Solidaire du Marais", location="Paris 3e"),
        operator="Camille Martin",
        station="poste-2",
        machine=CertMachine(
            manufacturer=machine.system.manufacturer,
            product=machine.system.product,
            serial=machine.system.serial,
        ),
        disk=CertDisk(
            name=disk.name,
            model=disk.model,
            vendor=disk.vendor,
            serial=disk.serial,
            wwn=disk.wwn,
            firmware=disk.firmware,
            size_bytes=disk.size_bytes,
            media_type=disk.media_type,
            transport=disk.transport,
        ),
        category="clear" if technique == "overwrite" else "purge",
        technique=technique,  # type: ignore[arg-type]
        policy="default",
        passes=[
            PassRecord(
                pattern="zeros" if technique == "overwrite" else "firmware",
                bytes_written=disk.size_bytes or 0,
                seconds=seconds,
            )
        ],
        tool_version="0.1.0",
        commands=[f"atelier erase --device {disk.path}"],
        verification=Verification(
            method="sampled",
            target="pattern",
            coverage_percent=10.2,
            samples=1024,
            bytes_read=(disk.size_bytes or 0) // 10,
            passed=True,
        ),
        hpa_dco="HPA disabled; DCO not present",
        started_at=start,
        finished_at=start + dt.timedelta(seconds=seconds),
    )
    return sign_certificate(cert, key)


def make_report(
    *,
    asset_code: str | None = "AT-2026-0001",
    key: StationKey | None = None,
    rng: random.Random | None = None,
    disks: int = 2,
    certificates: bool = True,
    grade: str = "B",
    batch: str | None = None,
    serial: str | None = None,
    started_at: dt.datetime | None = None,
    probe_log: int = 120,
    **overrides: Any,
) -> Report:
    """A report like a real run: identity, CPU, RAM, disks with real SMART data, checks, grade, certificates."""
    rng = rng or random.Random()
    key = key or StationKey.generate()
    report_id = uuid.uuid4()
    start = started_at or dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC) + dt.timedelta(
        minutes=rng.randrange(40_000)
    )
    maker, product, cpu_model = rng.choice(MODELS)
    machine = Machine(
        system=SystemInfo(
            manufacturer=maker,
            product=product,
            serial=serial or f"{rng.randrange(16**7):07X}",
            uuid=str(uuid.UUID(int=rng.getrandbits(128))),
            sku="06DC",
            family="Latitude",
        ),
        chassis=ChassisInfo(type="Notebook", type_code=10, form_factor="laptop", manufacturer=maker),
        baseboard=BaseboardInfo(
            manufacturer=maker, product="0VHKV0", serial=f"/{rng.randrange(10**7)}/CN1296/"
        ),
        bios=BiosInfo(vendor=maker, version="1.21.6", date="2019-03-14"),
        firmware=FirmwareInfo(
            boot_mode="uefi", secure_boot="disabled", uefi_capable=True, tpm_present=True, tpm_version="2.0"
        ),
        virtual=False,
    )
    pool = real_drives()
    chosen: dict[str | None, SmartctlDrive] = {}
    while len(chosen) < disks:  # several fixtures are the same drive read twice: one serial per disk
        drive = rng.choice(pool)
        chosen.setdefault(drive.serial, drive)
    disk_list = [
        _disk(drive, f"sd{chr(97 + i)}" if i else "nvme0n1", rng) for i, drive in enumerate(chosen.values())
    ]
    disk_list.append(
        Disk(
            name="sdz",
            path="/dev/sdz",
            model="Ultra USB 3.0",
            vendor="SanDisk",
            serial="4C530001",
            transport="usb",
            media_type="flash",
            removable=True,
            is_boot_medium=True,
            size_bytes=32_000_000_000,
        )
    )
    certs = (
        [
            _certificate(
                d,
                report_id=report_id,
                asset_code=asset_code or "",
                machine=machine,
                key=key,
                start=start + dt.timedelta(minutes=10),
            )
            for d in disk_list
            if not d.is_boot_medium
        ]
        if certificates
        else []
    )
    checks = [
        CheckResult(
            id=f"disk-health:/dev/{d.name}",
            status="pass",
            message="Disque en bon état",
            message_en="Disk healthy",
            measurements={"power_on_hours": d.smart.power_on_hours if d.smart else None, "reallocated": 0},
            duration_s=0.4,
        )
        for d in disk_list
        if not d.is_boot_medium
    ]
    for check_id, message in (
        ("memory", "Mémoire testée : aucune erreur"),
        ("cpu", "Processeur : charge de 60 s sans erreur"),
        ("keyboard", "Toutes les touches répondent"),
        ("screen", "Aucun pixel mort"),
        ("webcam", "Webcam fonctionnelle"),
        ("audio", "Haut-parleurs et micro fonctionnent"),
        ("wifi", "Wi-Fi détecte 6 réseaux"),
        ("usb", "Ports USB fonctionnels"),
        ("battery", "Batterie à 78 % de sa capacité d'origine"),
    ):
        checks.append(
            CheckResult(
                id=check_id,
                status="pass",
                message=message,
                measurements={"score": rng.random(), "samples": 64},
                duration_s=rng.random() * 60,
                answered_by="auto",
            )
        )
    body: dict[str, Any] = {
        "report_id": report_id,
        "asset_code": asset_code,
        "agent_version": "0.1.0",
        "started_at": start,
        "finished_at": start + dt.timedelta(minutes=55),
        "station": Station(name="poste-2", key_fingerprint=key.fingerprint),
        "operator": "Camille Martin",
        "machine": machine,
        "cpus": [
            Cpu(
                socket="U3E1",
                model=cpu_model,
                vendor="GenuineIntel",
                family=6,
                model_number=78,
                stepping=3,
                cores=2,
                threads=4,
                base_mhz=2400.0,
                max_mhz=3000.0,
                is_64bit=True,
                flags=list(CPU_FLAGS),
                microcode="0xf0",
            )
        ],
        "memory": Memory(
            total_bytes=8 * 1024**3,
            modules=[
                MemoryModule(
                    slot=f"DIMM {c}",
                    bank=f"BANK {i}",
                    size_bytes=4 * 1024**3,
                    type="DDR4",
                    speed_mts=2133,
                    configured_speed_mts=2133,
                    manufacturer="Samsung",
                    part_number="M471A5143EB0-CPB",
                    serial=f"{rng.randrange(16**8):08X}",
                    form_factor="SODIMM",
                    soldered=False,
                    voltage_v=1.2,
                    ecc=False,
                )
                for i, c in enumerate("AB")
            ],
            slots_total=2,
            slots_used=2,
            max_capacity_bytes=32 * 1024**3,
            ecc=False,
        ),
        "disks": disk_list,
        "gpus": [
            Gpu(
                pci_slot="00:02.0",
                vendor="Intel Corporation",
                model="HD Graphics 520",
                vendor_id="8086",
                device_id="1916",
                driver="i915",
                integrated=True,
            )
        ],
        "network": [
            NetworkInterface(
                name="enp0s31f6",
                mac=f"18:db:f2:{rng.randrange(256):02x}:{rng.randrange(256):02x}:{rng.randrange(256):02x}",
                driver="e1000e",
                kind="wired",
                link=True,
                speed_mbps=1000,
                vendor="Intel Corporation",
                model="Ethernet Connection I219-LM",
                bus="pci",
            ),
            NetworkInterface(
                name="wlp2s0",
                mac=f"a4:34:d9:{rng.randrange(256):02x}:{rng.randrange(256):02x}:{rng.randrange(256):02x}",
                driver="iwlwifi",
                kind="wireless",
                link=False,
                vendor="Intel Corporation",
                model="Wireless 8260",
                bus="pci",
            ),
        ],
        "batteries": [
            Battery(
                name="BAT0",
                manufacturer="SMP",
                model="DELL GG4FM63",
                serial=str(rng.randrange(10**5)),
                chemistry="Li-poly",
                design_capacity_wh=55.0,
                full_capacity_wh=42.9,
                now_capacity_wh=40.1,
                health_percent=78.0,
                cycle_count=412,
                status="Full",
                present=True,
            )
        ],
        "displays": [
            Display(
                connector="eDP-1",
                manufacturer_id="LGD",
                manufacturer="LG Display",
                model="LP140WF6-SPB7",
                product_code=1190,
                width_cm=31,
                height_cm=17,
                diagonal_inches=14.0,
                native_width=1920,
                native_height=1080,
                year=2016,
                internal=True,
            )
        ],
        "checks": checks,
        "certificates": certs,
        "grade": Grade(
            grade=grade,  # type: ignore[arg-type]
            outcome="reuse",
            reasons=[
                GradeReason(
                    rule="ram-8g",
                    grade="B",
                    message_fr="8 Go de mémoire : suffisant pour la bureautique",
                    message_en="8 GB of RAM: enough for office work",
                ),
                GradeReason(
                    rule="battery-78", grade="B", message_fr="Batterie à 78 %", message_en="Battery at 78 %"
                ),
            ],
            upgrades=[
                Upgrade(part="ram", message_fr="Ajouter 8 Go de mémoire", message_en="Add 8 GB of RAM")
            ],
            windows11=Eligibility(eligible=True),
            linux_desktop=Eligibility(eligible=True),
            policy="default",
            next_step_fr="→ Réemploi : étiquette verte, étagère A",
            next_step_en="→ Reuse: green label, shelf A",
        ),
        "batch": batch,
        "notes": ["Rayure sur le capot"],
        "probe_errors": [
            ProbeError(
                probe="edid", message="no EDID for DP-1", detail="/sys/class/drm/card0-DP-1/edid: empty"
            )
        ],
        "probe_log": [
            CommandRecord(
                argv=["smartctl", "--json=c", "-x", f"/dev/sd{chr(97 + i % 4)}"],
                returncode=0,
                duration_s=round(rng.random(), 3),
            )
            for i in range(probe_log)
        ],
    }
    body.update(overrides)
    return Report(**body)


def report_json(report: Report) -> bytes:
    return report.model_dump_json().encode("utf-8")


def tamper(signed: SignedCertificate) -> SignedCertificate:
    """The same certificate with its result rewritten after signing (the signature no longer matches)."""
    data = signed.model_dump()
    data["certificate"]["disk"]["serial"] = "FORGED-" + str(data["certificate"]["disk"]["serial"])
    return SignedCertificate.model_validate(data)


def many(n: int, *, key: StationKey, seed: int = 1, prefix: str = "AT-B", **kwargs: Any) -> Sequence[Report]:
    rng = random.Random(seed)
    return [make_report(asset_code=f"{prefix}-{i:06d}", key=key, rng=rng, **kwargs) for i in range(n)]
