"""Hardware probes on real outputs replayed through the host, and on this live VM (no DMI at all)."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.host import LiveHost, ReplayHost
from agent.parsers.cpuinfo import parse_cpuinfo
from agent.parsers.dmidecode import machine_from_dmidecode, memory_from_dmidecode
from agent.parsers.edid import parse_edid
from agent.parsers.lscpu import parse_lscpu
from agent.parsers.power_supply import battery_from_uevent, parse_uevent
from agent.probes._context import ProbeContext
from agent.probes.battery import probe_batteries
from agent.probes.cpu import probe_cpus
from agent.probes.display import probe_displays
from agent.probes.machine import SECURE_BOOT_VAR, SETUP_MODE_VAR, SMBIOS_TABLE, probe_machine
from agent.probes.memory import DMIDECODE_ARGV as MEMORY_ARGV
from agent.probes.memory import probe_memory
from agent.probes.network import probe_network
from agent.probes.pci import probe_gpus

from ._hw_samples import (
    CPUINFO_XEON_2_SOCKETS,
    DMIDECODE_SODIMM_NO_TABS,
    DMIDECODE_ZENBOOK,
    EDID_AUO_PANEL,
    EDID_DELL_D1918H,
    EDID_LGD_PANEL,
    UEVENT_ACAD,
    UEVENT_CHARGE,
    UEVENT_THINKPAD_ENERGY,
    UEVENT_USBC,
    UEVENT_WORN,
)

GiB = 1 << 30
PCI_IDS = Path("/usr/share/misc/pci.ids")


# --- machine identity ---------------------------------------------------------------------


def test_zenbook_identity_from_dmidecode() -> None:
    machine = machine_from_dmidecode(DMIDECODE_ZENBOOK)
    assert machine.system.manufacturer == "ASUSTeK COMPUTER INC."
    assert machine.system.product == "ZenBook UX534FTC_UX534FT"
    assert machine.system.family == "ZenBook"
    assert machine.system.sku is None
    # The poster blanked serials and UUID with dashes: unknown, raw value kept.
    assert machine.system.serial is None and machine.system.uuid is None
    assert machine.placeholders["system.serial"] == "------------------"
    assert machine.baseboard.product == "UX534FTC"
    assert (machine.chassis.type, machine.chassis.type_code, machine.chassis.form_factor) == (
        "Notebook",
        10,
        "laptop",
    )
    assert machine.chassis.asset_tag is None
    assert machine.placeholders["chassis.asset_tag"] == "No Asset Tag"
    assert machine.bios.vendor == "American Megatrends Inc."
    assert machine.bios.version == "UX534FTC.304"
    assert machine.bios.date == "2019-12-16"
    assert machine.bios.release == "5.15"


def _dmi_sysfs(values: dict[str, str]) -> dict[str, str | bytes]:
    return {f"/sys/class/dmi/id/{k}": v + "\n" for k, v in values.items()}


def test_machine_from_sysfs_with_uefi_secure_boot_and_tpm2() -> None:
    # The ZenBook's values laid out as sysfs shows them (chassis_type as a number).
    files = _dmi_sysfs(
        {
            "sys_vendor": "ASUSTeK COMPUTER INC.",
            "product_name": "ZenBook UX534FTC_UX534FT",
            "product_version": "1.0",
            "product_serial": "------------------",
            "product_family": "ZenBook",
            "chassis_type": "10",
            "chassis_vendor": "ASUSTeK COMPUTER INC.",
            "board_vendor": "ASUSTeK COMPUTER INC.",
            "board_name": "UX534FTC",
            "bios_vendor": "American Megatrends Inc.",
            "bios_version": "UX534FTC.304",
            "bios_date": "12/16/2019",
            "bios_release": "5.15",
        }
    )
    # efivarfs: 4 attribute bytes (NV|BS|RT = 0x07 / BS|RT = 0x06) then the value byte.
    files[SECURE_BOOT_VAR] = b"\x06\x00\x00\x00\x01"
    files[SETUP_MODE_VAR] = b"\x06\x00\x00\x00\x00"
    files["/sys/class/tpm/tpm0/tpm_version_major"] = "2\n"
    ctx = ProbeContext(ReplayHost.build(files=files))
    machine = probe_machine(ctx)
    assert ctx.errors == []
    assert ctx.log == []  # sysfs was enough: no dmidecode
    assert machine.system.product == "ZenBook UX534FTC_UX534FT"
    assert machine.system.serial is None
    assert machine.placeholders["system.serial"] == "------------------"
    assert machine.chassis.type == "Notebook" and machine.chassis.form_factor == "laptop"
    assert machine.bios.date == "2019-12-16"
    fw = machine.firmware
    assert (fw.boot_mode, fw.secure_boot, fw.uefi_capable) == ("uefi", "enabled", True)
    assert (fw.tpm_present, fw.tpm_version) == (True, "2.0")
    assert machine.virtual is False  # a real maker in DMI, no hypervisor name


def test_secure_boot_setup_mode_and_tpm12_caps() -> None:
    files: dict[str, str | bytes] = {
        **_dmi_sysfs({"sys_vendor": "LENOVO", "chassis_type": "10"}),
        SECURE_BOOT_VAR: b"\x06\x00\x00\x00\x00",
        SETUP_MODE_VAR: b"\x06\x00\x00\x00\x01",
        # TPM 1.2 "caps" as tpm_tis prints it (kernels before 5.6 have no tpm_version_major).
        "/sys/class/tpm/tpm0/device/caps": (
            "Manufacturer: 0x49465800\nTCG version: 1.2\nFirmware version: 3.17\n"
        ),
    }
    machine = probe_machine(ProbeContext(ReplayHost.build(files=files)))
    assert machine.firmware.secure_boot == "setup-mode"
    assert (machine.firmware.tpm_version, machine.firmware.tpm_manufacturer) == ("1.2", "IFX")


def test_legacy_boot_without_tpm_and_virtual_from_dmi() -> None:
    files = _dmi_sysfs({"sys_vendor": "QEMU", "product_name": "Standard PC (Q35 + ICH9, 2009)"})
    machine = probe_machine(ProbeContext(ReplayHost.build(files=files)))
    assert machine.firmware.boot_mode == "legacy"
    assert machine.firmware.secure_boot is None
    assert machine.firmware.tpm_present is False
    assert machine.virtual is True


def test_uefi_without_efivarfs_is_a_probe_error() -> None:
    files: dict[str, str | bytes] = {
        **_dmi_sysfs({"sys_vendor": "HP"}),
        "/sys/firmware/efi/fw_platform_size": "64",
    }
    ctx = ProbeContext(ReplayHost.build(files=files))
    machine = probe_machine(ctx)
    assert machine.firmware.boot_mode == "uefi"
    assert machine.firmware.secure_boot is None
    assert any("Secure Boot" in e.message for e in ctx.errors)


# --- processors -------------------------------------------------------------------------------


def test_two_sockets_from_cpuinfo_without_lscpu() -> None:
    packages = parse_cpuinfo(CPUINFO_XEON_2_SOCKETS)
    assert [(p.physical_id, p.cores, p.threads) for p in packages] == [("0", 4, 4), ("1", 4, 4)]
    ctx = ProbeContext(ReplayHost.build(files={"/proc/cpuinfo": CPUINFO_XEON_2_SOCKETS}))
    cpus = probe_cpus(ctx)
    assert ctx.log == []  # /proc/cpuinfo said everything: lscpu not run
    assert [c.socket for c in cpus] == ["0", "1"]
    for cpu in cpus:
        assert cpu.model == "Intel(R) Xeon(R) Gold 5218 CPU @ 2.30GHz"
        assert (cpu.vendor, cpu.family, cpu.model_number, cpu.stepping) == ("Intel", 6, 85, 7)
        assert (cpu.cores, cpu.threads, cpu.microcode) == (4, 4, "0x5002f00")
        assert cpu.base_mhz == 2300.0  # from the name: no cpufreq in a VM
    # The poster kept the flags of the last CPU only (socket 1): socket 0's are unknown, not empty.
    assert cpus[0].is_64bit is None and cpus[0].flags == []
    assert cpus[1].is_64bit is True
    assert {"avx512f", "avx2", "aes", "hypervisor"} <= set(cpus[1].flags)


@pytest.mark.skipif(not Path("/proc/cpuinfo").is_file(), reason="no /proc/cpuinfo")
def test_cpuinfo_parser_agrees_with_lscpu_here() -> None:
    result = LiveHost().run(["lscpu"], timeout=10)
    if not result.ok:
        pytest.skip("lscpu not available")
    ls = parse_lscpu(result.stdout)
    packages = parse_cpuinfo(Path("/proc/cpuinfo").read_text())
    assert len(packages) == (ls.sockets or 1)
    assert sum(p.threads or 0 for p in packages) == ls.cpus
    for package in packages:
        assert package.model_name == ls.model_name
        assert package.cores == ls.cores_per_socket
        assert (package.family, package.model, package.stepping) == (ls.family, ls.model, ls.stepping)


# --- memory -------------------------------------------------------------------------------


def test_soldered_lpddr3_zenbook() -> None:
    memory = memory_from_dmidecode(DMIDECODE_ZENBOOK)
    assert (memory.slots_total, memory.slots_used, memory.max_capacity_bytes, memory.ecc) == (
        2,
        2,
        16 * GiB,
        False,
    )
    assert [m.slot for m in memory.modules] == ["ChannelA-DIMM0", "ChannelB-DIMM0"]
    for module in memory.modules:
        assert module.size_bytes == 8 * GiB
        assert module.type == "LPDDR3"
        assert (module.speed_mts, module.configured_speed_mts) == (2133, 2133)
        assert module.manufacturer == "Samsung"
        assert module.part_number == "K4EBE3 4ED-EGCG"
        assert module.serial is None  # 00000000
        assert module.form_factor == "Row Of Chips" and module.soldered is True
        assert module.voltage_v == 1.2
        assert module.ecc is False


def test_sodimms_without_tabs() -> None:
    memory = memory_from_dmidecode(DMIDECODE_SODIMM_NO_TABS)
    assert (memory.slots_total, memory.slots_used, memory.max_capacity_bytes) == (2, 2, 32 * GiB)
    assert [(m.slot, m.bank) for m in memory.modules] == [
        ("ChannelA-DIMM0", "BANK 0"),
        ("ChannelB-DIMM0", "BANK 2"),
    ]
    for module in memory.modules:
        assert (module.size_bytes, module.type, module.speed_mts) == (4 * GiB, "DDR4", 2400)
        assert (module.part_number, module.form_factor, module.soldered) == (
            "M471A5244CB0-CRC",
            "SODIMM",
            False,
        )


def test_empty_slot_is_counted_not_listed() -> None:
    # One SO-DIMM and one empty slot: the records a Dell XPS printed, as quoted in a public
    # write-up (its Handle lines were cut by grep there; re-added so the records stand alone).
    text = (
        "Handle 0x003B, DMI type 16, 23 bytes\nPhysical Memory Array\n\tUse: System Memory\n"
        "\tNumber Of Devices: 2\n\n"
        "Handle 0x003C, DMI type 17, 84 bytes\nMemory Device\n\tArray Handle: 0x003B\n"
        "\tTotal Width: 64 bits\n\tData Width: 64 bits\n\tSize: 8 GB\n\tForm Factor: SODIMM\n"
        "\tLocator: SODIMM1\n\tBank Locator: Memory Channel A\n\tType: DDR4\n\tType Detail: Synchronous\n"
        "\tSpeed: 3200 MT/s\n\tManufacturer: Samsung\n\tSerial Number: 501C3279\n\tAsset Tag: 9876543210\n"
        "\tPart Number: M471A1K43DB1-CWE    \n\tRank: 1\n\tConfigured Memory Speed: 2400 MT/s\n\n"
        "Handle 0x003D, DMI type 17, 84 bytes\nMemory Device\n\tArray Handle: 0x003B\n"
        "\tTotal Width: Unknown\n\tData Width: Unknown\n\tSize: No Module Installed\n\tForm Factor: Unknown\n"
        "\tLocator: SODIMM2\n\tBank Locator: Memory Channel B\n\tType: Unknown\n\tType Detail: None\n"
    )
    memory = memory_from_dmidecode(text)
    assert (memory.slots_total, memory.slots_used) == (2, 1)
    (module,) = memory.modules
    assert (module.slot, module.size_bytes, module.serial) == ("SODIMM1", 8 * GiB, "501C3279")
    assert (module.speed_mts, module.configured_speed_mts) == (3200, 2400)
    assert module.part_number == "M471A1K43DB1-CWE"


def test_memory_probe_replayed() -> None:
    host = ReplayHost.build(
        files={
            "/proc/meminfo": "MemTotal:       16252068 kB\nMemFree:         8123456 kB\n",
            SMBIOS_TABLE: b"",  # present (its bytes are not needed: dmidecode's output is replayed)
        },
        commands={MEMORY_ARGV: (0, DMIDECODE_ZENBOOK)},
    )
    ctx = ProbeContext(host)
    memory = probe_memory(ctx)
    assert memory.total_bytes == 16252068 * 1024
    assert len(memory.modules) == 2
    assert ctx.errors == []


def test_memory_probe_without_smbios_table_runs_no_dmidecode() -> None:
    ctx = ProbeContext(ReplayHost.build(files={"/proc/meminfo": "MemTotal:        2048000 kB\n"}))
    memory = probe_memory(ctx)
    assert memory.total_bytes == 2048000 * 1024
    assert memory.modules == [] and memory.slots_total is None
    assert [e.probe for e in ctx.errors] == ["memory"]
    assert ctx.log == []


def test_memory_probe_when_dmidecode_is_refused() -> None:
    host = ReplayHost.build(
        files={"/proc/meminfo": "MemTotal:        2048000 kB\n", "/dev/mem": b""},
        commands={MEMORY_ARGV: (1, "# dmidecode 3.4\n", "/dev/mem: Permission denied\n")},
    )
    ctx = ProbeContext(host)
    memory = probe_memory(ctx)
    assert memory.total_bytes == 2048000 * 1024 and memory.modules == []
    assert [e.message for e in ctx.errors] == ["memory modules unknown: dmidecode failed"]
    assert "Permission denied" in (ctx.errors[0].detail or "")


# --- displays -------------------------------------------------------------------------------


def test_edid_laptop_panel_without_name() -> None:
    info = parse_edid(EDID_LGD_PANEL)
    assert info.header_ok and info.checksum_ok and info.problems == []
    assert (info.manufacturer_id, info.manufacturer, info.product_code) == ("LGD", "LG Display", 513)
    assert (info.year, info.week, info.version) == (2010, None, "1.4")
    assert (info.width_cm, info.height_cm, info.width_mm, info.height_mm) == (31, 17, 310, 174)
    assert (info.native_width, info.native_height) == (1366, 768)
    assert info.diagonal_inches == 14.0
    assert info.model is None and info.serial is None


def test_edid_monitor_with_name_serial_and_extension() -> None:
    info = parse_edid(EDID_DELL_D1918H)
    assert info.checksum_ok
    assert (info.manufacturer_id, info.manufacturer, info.product_code) == ("DEL", "Dell", 8197)
    assert (info.name, info.model, info.serial) == ("D1918H", "D1918H", "2C8FJ8255K5E")
    assert (info.year, info.week) == (2018, 6)
    assert (info.native_width, info.native_height, info.diagonal_inches) == (1366, 768, 18.5)


def test_edid_panel_part_number_in_text_descriptor() -> None:
    info = parse_edid(EDID_AUO_PANEL)
    assert (info.manufacturer_id, info.product_code, info.year, info.week) == ("AUO", 12606, 2010, 33)
    # edid-decode stops at the 0x80 byte ("T6N3N"); the panel part number B140RW3 follows it.
    assert info.model == "T6N3N B140RW3"
    assert (info.native_width, info.native_height, info.diagonal_inches) == (1600, 900, 14.0)


@pytest.mark.parametrize("cut", [0, 7, 8, 10, 20, 60, 100, 127])
def test_truncated_edid_gives_what_it_has(cut: int) -> None:
    info = parse_edid(EDID_DELL_D1918H[:cut])
    assert any("truncated" in p for p in info.problems)
    assert info.checksum_ok is False
    assert info.manufacturer_id == ("DEL" if cut >= 10 else None)
    assert info.product_code == (8197 if cut >= 12 else None)
    assert info.native_width == (1366 if cut >= 72 else None)


def test_corrupt_edid() -> None:
    flipped = bytearray(EDID_LGD_PANEL)
    flipped[60] ^= 0x01
    info = parse_edid(bytes(flipped))
    assert info.problems == ["EDID checksum mismatch"]
    assert info.manufacturer_id == "LGD"
    garbage = parse_edid(b"\x01\x02\x03" * 50)
    assert garbage.header_ok is False and garbage.manufacturer_id is None


def test_display_probe_replayed() -> None:
    host = ReplayHost.build(
        files={
            "/sys/class/drm/card0-eDP-1/edid": EDID_AUO_PANEL,
            "/sys/class/drm/card0-HDMI-A-1/edid": EDID_DELL_D1918H,
            "/sys/class/drm/card0-DP-1/edid": b"",  # nothing plugged in
            "/sys/class/drm/card0-VGA-1/edid": EDID_LGD_PANEL[:100],
            "/sys/class/drm/version": "drm 1.1.0 20060810\n",
        }
    )
    ctx = ProbeContext(host)
    displays = probe_displays(ctx)
    by_connector = {d.connector: d for d in displays}
    assert sorted(by_connector) == ["HDMI-A-1", "VGA-1", "eDP-1"]
    panel = by_connector["eDP-1"]
    assert (panel.internal, panel.manufacturer, panel.model, panel.diagonal_inches) == (
        True,
        "AU Optronics",
        "T6N3N B140RW3",
        14.0,
    )
    monitor = by_connector["HDMI-A-1"]
    assert (monitor.internal, monitor.model, monitor.serial, monitor.native_width) == (
        False,
        "D1918H",
        "2C8FJ8255K5E",
        1366,
    )
    assert by_connector["VGA-1"].manufacturer_id == "LGD"
    assert [e.message for e in ctx.errors] == ["VGA-1: truncated EDID: 100 of 128 bytes"]


# --- batteries ----------------------------------------------------------------------------


def test_battery_energy_based() -> None:
    battery = battery_from_uevent("BAT0", parse_uevent(UEVENT_WORN))
    assert (battery.manufacturer, battery.model, battery.serial, battery.chemistry) == (
        "SMP",
        "5B10W139",
        "1253",
        "Li-poly",
    )
    assert (battery.design_capacity_wh, battery.full_capacity_wh, battery.now_capacity_wh) == (
        57.02,
        48.97,
        20.48,
    )
    assert battery.health_percent == 85.9
    assert (battery.cycle_count, battery.status, battery.present) == (419, "Discharging", True)


def test_battery_charge_based() -> None:
    battery = battery_from_uevent("BAT0", parse_uevent(UEVENT_CHARGE))
    # 2,200,000 µAh × 14.8 V = 32.56 Wh; 2,167,000 µAh × 14.8 V = 32.07 Wh.
    assert (battery.design_capacity_wh, battery.full_capacity_wh) == (32.56, 32.07)
    assert battery.health_percent == 98.5
    assert battery.serial is None
    assert battery.manufacturer == "SMP-SDI2"


def test_battery_probe_skips_adapters_and_reads_type_file() -> None:
    base = "/sys/class/power_supply"
    host = ReplayHost.build(
        files={
            f"{base}/BAT0/uevent": UEVENT_THINKPAD_ENERGY,
            f"{base}/BAT0/type": "Battery\n",  # this kernel put no TYPE in uevent
            f"{base}/ACAD/uevent": UEVENT_ACAD,
            f"{base}/ucsi-source-psy-USBC000:001/uevent": UEVENT_USBC,
        }
    )
    ctx = ProbeContext(host)
    (battery,) = probe_batteries(ctx)
    assert (battery.name, battery.model, battery.serial) == ("BAT0", "L14M4P23", "756")
    assert (battery.design_capacity_wh, battery.full_capacity_wh, battery.health_percent) == (
        60.0,
        52.26,
        87.1,
    )
    assert ctx.errors == []


# --- network (peracotta net.txt: `name mac [speed]` from /sys/class/net/*/{address,speed}) ---


def _net_host(net_txt: str) -> ReplayHost:
    files: dict[str, str | bytes] = {"/sys/class/net/lo/address": "00:00:00:00:00:00\n"}
    links: dict[str, str] = {}
    for line in net_txt.splitlines():
        name, mac, *speed = line.split()
        base = f"/sys/class/net/{name}"
        files[f"{base}/address"] = mac + "\n"
        files[f"{base}/type"] = "1\n"
        if speed:
            files[f"{base}/speed"] = speed[0] + "\n"
        # The fixture has no device links; systemd's names say where the device sits
        # (enp3s2 = PCI bus 3 slot 2, wlp0s19f2u1 = USB behind 00:13.2, "wl" = wireless).
        links[f"{base}/device"] = "../../../usb1-1" if "u" in name[3:] else "../../../0000:03:02.0"
        if name.startswith("wl"):
            links[f"{base}/phy80211"] = "../../ieee80211/phy0"
    return ReplayHost.build(files=files, links=links)


@pytest.mark.parametrize(
    ("machine", "expected"),
    [
        ("alecase", [("enp5s0", "cc:ae:c5:12:a4:32", "wired", 1000)]),
        (
            "dismone",
            [
                ("enp3s2", "00:c0:11:fe:fe:11", "wired", 1000),
                ("enp4s2", "00:c0:11:fe:fe:22", "wired", 1000),
                ("wlp0s19f2u1", "18:d6:c7:0c:ad:c3", "wireless", None),
            ],
        ),
        (
            "schifomacchina",
            [
                ("enp3s0", "04:7d:7b:13:bd:b6", "wired", 1000),
                ("wlp2s0", "74:de:2b:d1:d5:e0", "wireless", None),
            ],
        ),
        ("castes-pc", []),
    ],
)
def test_network_probe_peracotta(
    fixtures: Path, machine: str, expected: list[tuple[str, str, str, int | None]]
) -> None:
    net_txt = (fixtures / "machines" / "peracotta" / machine / "net.txt").read_text()
    interfaces = probe_network(ProbeContext(_net_host(net_txt)))
    assert [(i.name, i.mac, i.kind, i.speed_mbps) for i in interfaces] == expected
    assert [i.bus for i in interfaces if i.name.startswith("wlp0s19")] in ([], ["usb"])


# --- GPUs -----------------------------------------------------------------------------------


@pytest.mark.skipif(not PCI_IDS.is_file(), reason="pciutils' pci.ids not installed")
def test_gpu_probe_names_and_integration() -> None:
    # Devices of peracotta's jm11 (Intel HD 4000), castes-pc (GTX 1060) and 77 (SiS 771 chipset
    # graphics behind an internal bridge), with the ids pci.ids gives their lspci names.
    pci = "/sys/bus/pci/devices"
    devices = {
        "0000:00:00.0": ("0x060000", "0x8086", "0x0154", None),  # host bridge: not a GPU
        "0000:00:02.0": ("0x030000", "0x8086", "0x0166", "i915"),
        "0000:01:00.0": ("0x030000", "0x10de", "0x1c03", "nouveau"),
        "0000:02:00.0": ("0x030000", "0x1039", "0x6351", None),
    }
    files: dict[str, str | bytes] = {"/usr/share/misc/pci.ids": PCI_IDS.read_bytes()}
    links: dict[str, str] = {}
    for slot, (cls, vendor, device, driver) in devices.items():
        files[f"{pci}/{slot}/class"] = cls + "\n"
        files[f"{pci}/{slot}/vendor"] = vendor + "\n"
        files[f"{pci}/{slot}/device"] = device + "\n"
        if driver:
            links[f"{pci}/{slot}/driver"] = f"../../../bus/pci/drivers/{driver}"
    gpus = probe_gpus(ProbeContext(ReplayHost.build(files=files, links=links)))
    assert [(g.pci_slot, g.vendor, g.model, g.driver, g.integrated) for g in gpus] == [
        ("0000:00:02.0", "Intel Corporation", "3rd Gen Core processor Graphics Controller", "i915", True),
        ("0000:01:00.0", "NVIDIA Corporation", "GP106 [GeForce GTX 1060 6GB]", "nouveau", False),
        ("0000:02:00.0", "Silicon Integrated Systems [SiS]", "771/671 PCIE VGA Display Adapter", None, True),
    ]


# --- this VM: no DMI, no battery, no display ---------------------------------------------------


def test_live_vm_probes_give_unknowns_not_tracebacks() -> None:
    ctx = ProbeContext(LiveHost())
    machine = probe_machine(ctx)
    cpus = probe_cpus(ctx)
    memory = probe_memory(ctx)
    gpus = probe_gpus(ctx)
    interfaces = probe_network(ctx)
    batteries = probe_batteries(ctx)
    displays = probe_displays(ctx)
    assert cpus and all(c.model and c.threads for c in cpus)
    assert memory.total_bytes and memory.total_bytes > 0
    assert all(i.name != "lo" for i in interfaces)
    assert isinstance(gpus, list) and isinstance(displays, list) and isinstance(batteries, list)
    if not Path("/sys/class/dmi/id").exists():  # this VM
        assert machine.system.manufacturer is None and machine.chassis.type is None
        assert any(e.probe == "machine" and "DMI" in e.message for e in ctx.errors)
        assert any(e.probe == "memory" for e in ctx.errors)
        assert machine.virtual is True  # the CPU's hypervisor flag says so


def test_live_capture_replays_to_the_same_hardware(tmp_path: Path) -> None:
    from agent.host import RecordingHost

    def everything(ctx: ProbeContext) -> list[object]:
        return [
            probe_machine(ctx),
            probe_cpus(ctx),
            probe_memory(ctx),
            probe_gpus(ctx),
            probe_network(ctx),
            probe_batteries(ctx),
            probe_displays(ctx),
        ]

    recording = RecordingHost(LiveHost())
    live_ctx = ProbeContext(recording)
    live = everything(live_ctx)
    recording.save(tmp_path / "capture")
    replay_ctx = ProbeContext(ReplayHost.load(tmp_path / "capture"))
    assert everything(replay_ctx) == live
    assert replay_ctx.errors == live_ctx.errors


def test_serials_unreadable_without_root_are_reported() -> None:
    # What a capture made by a non-root user holds: the 0400 attributes failed with EACCES.
    dmi_dir = "/sys/class/dmi/id"
    manifest = {
        "format": "atelier-capture",
        "format_version": 1,
        "files": {
            f"{dmi_dir}/sys_vendor": {"blob": "v", "size": 7},
            f"{dmi_dir}/product_serial": {"error": 13, "message": "Permission denied"},
            f"{dmi_dir}/board_serial": {"error": 13, "message": "Permission denied"},
        },
        "dirs": {
            "/sys/class/dmi": {"entries": ["id"]},
            dmi_dir: {"entries": ["board_serial", "product_serial", "sys_vendor"]},
        },
    }
    ctx = ProbeContext(ReplayHost(manifest, {"v": b"LENOVO\n"}))
    machine = probe_machine(ctx)
    assert machine.system.manufacturer == "LENOVO"
    assert machine.system.serial is None
    assert [(e.message, e.detail) for e in ctx.errors] == [
        ("serial numbers unreadable: run as root", "product_serial, board_serial")
    ]
