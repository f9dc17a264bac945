"""The 21 real PCs of the peracotta corpus (plus its decode-dimms folder), through parsers AND probes.

Every expected value below was read by eye from the fixture files (baseboard.txt, chassis.txt,
lscpu.txt, dimms.txt), not computed by the code under test. Each machine is replayed through a
ReplayHost: `dmidecode -t baseboard` + `-t chassis` outputs answer the machine probe's dmidecode
call (there is no /sys/class/dmi in a replay of these files), lscpu.txt answers `lscpu`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from agent.host import ReplayHost
from agent.parsers.decode_dimms import parse_decode_dimms
from agent.parsers.lscpu import parse_lscpu
from agent.probes._context import ProbeContext
from agent.probes.cpu import LSCPU_ARGV, probe_cpus
from agent.probes.machine import DMIDECODE_ARGV, SMBIOS_TABLE, probe_machine

MiB = 1 << 20


@dataclass(frozen=True)
class Dimm:
    bank: str
    type: str | None
    size_mib: int | None
    speed: int | None
    manufacturer: str | None
    part: str | None
    serial: str | None
    ecc: bool | None
    voltage: float | None


@dataclass(frozen=True)
class Pc:
    chassis: str
    chassis_code: int
    form: str | None
    board_vendor: str
    board_model: str
    cpu: str
    vendor: str
    sockets: int
    cores: int  # per socket
    threads: int  # per socket
    is_64bit: bool
    max_mhz: float | None
    dimms: tuple[Dimm, ...] = ()


_CRUCIAL = "Crucial Technology"
_GSKILL = "G Skill Intl"

MACHINES: dict[str, Pc] = {
    "2014-castes-mbp": Pc(
        "Notebook", 10, "laptop", "Apple Inc.", "Mac-2BD1B31983FE1663",
        "Intel(R) Core(TM) i7-4980HQ CPU @ 2.80GHz", "Intel", 1, 4, 8, True, 4000.0,
    ),
    "2018-castes-mbp": Pc(
        "Laptop", 9, "laptop", "Apple Inc.", "Mac-937A206F2EE63C01",
        "Intel(R) Core(TM) i7-8750H CPU @ 2.20GHz", "Intel", 1, 6, 12, True, 4100.0,
    ),
    "77": Pc(
        "Desktop", 3, "desktop", "ASUSTeK Computer INC.", "P5SD2-VM",
        "Intel(R) Celeron(R) CPU 2.80GHz", "Intel", 1, 1, 1, False, None,
    ),
    "77-no-disks": Pc(
        "Desktop", 3, "desktop", "ASUSTeK Computer INC.", "P5SD2-VM",
        "Intel(R) Celeron(R) CPU 2.80GHz", "Intel", 1, 1, 1, False, None,
    ),
    "Thinkpad-R500": Pc(
        "Notebook", 10, "laptop", "LENOVO", "2718V8C",
        "Intel(R) Core(TM)2 Duo CPU P8600 @ 2.40GHz", "Intel", 1, 2, 2, True, 2401.0,
    ),
    "alecase": Pc(
        "Desktop", 3, "desktop", "ASUSTeK Computer INC.", "P8H67-M LE",
        "Intel(R) Core(TM) i7-2600 CPU @ 3.40GHz", "Intel", 1, 4, 8, True, 3800.0,
        (
            Dimm("bank 1", "DDR3", 8192, 1600, _CRUCIAL, "CT102464BA160B.C16", "0x74370000", False, 1.5),
            Dimm("bank 3", "DDR3", 8192, 1600, _CRUCIAL, "CT102464BA160B.C16", "0x81820000", False, 1.5),
        ),
    ),
    "asdpc": Pc(
        "Desktop", 3, "desktop", "Gigabyte Technology Co., Ltd.", "970A-DS3P FX",
        "AMD FX-8370E Eight-Core Processor", "AMD", 1, 4, 8, True, 3300.0,
        (
            Dimm("bank 3", "DDR3", 8192, 1333, _GSKILL, "F3-1600C7-8GTX", None, False, 1.5),
            Dimm("bank 4", "DDR3", 8192, 1333, _GSKILL, "F3-1600C7-8GTX", None, False, 1.5),
        ),
    ),
    "asdpc2": Pc(
        "Notebook", 10, "laptop", "ASUSTeK COMPUTER INC.", "UX305CA",
        "Intel(R) Core(TM) m3-6Y30 CPU @ 0.90GHz", "Intel", 1, 2, 4, True, 2200.0,
    ),
    "cassone": Pc(
        "Desktop", 3, "desktop", "Matsonic", "MS8318E",
        "AMD Athlon(tm) 4", "AMD", 1, 1, 1, False, None,
    ),
    "castes-HP-dc7600": Pc(
        "Low Profile Desktop", 4, "desktop", "Hewlett-Packard", "09F8h",
        "Intel(R) Pentium(R) 4 CPU 2.80GHz", "Intel", 1, 1, 2, True, None,
    ),
    "castes-SurfacePro4": Pc(
        "Laptop", 9, "laptop", "Microsoft Corporation", "Surface Pro 4",
        "Intel(R) Core(TM) m3-6Y30 CPU @ 0.90GHz", "Intel", 1, 2, 4, True, 2200.0,
    ),
    "castes-pc": Pc(
        "Desktop", 3, "desktop", "ASRock", "H110M-ITX/ac",
        "Intel(R) Core(TM) i5-6500 CPU @ 3.20GHz", "Intel", 1, 4, 4, True, 3600.0,
        # decode-dimms of 2014 did not know DDR4 ("Unknown (0x0c)"): type from the SPD code,
        # nothing else trusted (it printed "Synertek" from the wrong bytes).
        (
            Dimm("bank 1", "DDR4", None, None, None, None, None, None, None),
            Dimm("bank 3", "DDR4", None, None, None, None, None, None, None),
        ),
    ),
    "dismone": Pc(
        "Desktop", 3, "desktop", "ASUSTeK Computer INC.", "P6T DELUXE V2",
        "Intel(R) Core(TM) i7 CPU 930 @ 2.80GHz", "Intel", 1, 4, 8, True, 2801.0,
    ),
    "jm11": Pc(
        "Notebook", 10, "laptop", "LENOVO", "246837G",
        "Intel(R) Core(TM) i5-3210M CPU @ 2.50GHz", "Intel", 1, 2, 4, True, 3100.0,
    ),
    "polveroso": Pc(
        "Desktop", 3, "desktop", "ASUSTeK Computer INC.", "P5QL-E",
        "Intel(R) Core(TM)2 Duo CPU E7300 @ 2.66GHz", "Intel", 1, 2, 2, True, 2670.0,
    ),
    "rottame": Pc(
        "Desktop", 3, "desktop", "ASUSTeK Computer INC.", "P5VDC-MX",
        "Intel(R) Pentium(R) D CPU 2.66GHz", "Intel", 1, 2, 2, True, None,
        (Dimm("bank 1", "DDR2", 512, 533, "Kingston", None, "0xB12DE3A2", False, 1.8),),
    ),
    "schifomacchina": Pc(
        "Desktop", 3, "desktop", "Quanta", "2AC5",
        "Intel(R) Pentium(R) CPU G630 @ 2.70GHz", "Intel", 1, 2, 2, True, 2700.0,
    ),
    "travasato": Pc(
        "Unknown", 2, None, "Intel Corporation", "D975XBX2",
        "Intel(R) Core(TM)2 Quad CPU Q6600 @ 2.40GHz", "Intel", 1, 4, 4, True, 2394.0,
        (
            Dimm("bank 1", "DDR2", 2048, 666, "Kingston", "K", "0xC933C14E", True, 1.8),
            Dimm("bank 3", "DDR2", 2048, 666, "Kingston", "K", "0xCA33B14E", True, 1.8),
        ),
    ),
    "viabork": Pc(
        "Desktop", 3, "desktop", "ASUSTeK Computer INC.", "P5V-VM-ULTRA",
        "Intel(R) Pentium(R) 4 CPU 3.00GHz", "Intel", 1, 1, 2, True, None,
    ),
    "viavai": Pc(
        "Desktop", 3, "desktop", "ASUSTeK Computer INC.", "P5VD2-VM",
        "Intel(R) Celeron(R) CPU 2.80GHz", "Intel", 1, 1, 1, True, None,
        (Dimm("bank 1", "DDR2", 1024, 666, "Kingston", "KD6502-ELG", "0xB726E21C", True, 1.8),),
    ),
    "workstation": Pc(
        "Tower", 7, "desktop", "Dell Inc.", "0MY171",
        "Intel(R) Xeon(R) CPU 5160 @ 3.00GHz", "Intel", 2, 2, 2, True, 3000.0,
    ),
}  # fmt: skip

#: decode-dimms/ folder: (file, [(bank, size MiB, speed, maker, part, serial, ecc)]).
DECODE_DIMMS: dict[str, list[tuple[str, int, int, str, str | None, str, bool]]] = {
    "ECC/R451-R450.txt": [
        ("bank 1", 2048, 666, "Kingston", "K", "0xC933C26C", True),
        ("bank 3", 2048, 666, "Kingston", "K", "0xCA33B36C", True),
    ],
    # The serial of the first module is not hex: kept as the tool printed it.
    "ECC/R451-R450-notanhex.txt": [
        ("bank 1", 2048, 666, "Kingston", "K", "0F00xb4r", True),
        ("bank 3", 2048, 666, "Kingston", "K", "0xCA33B3RC", True),
    ],
    "ECC/R480-R479.txt": [
        ("bank 1", 1024, 666, "Kingston", None, "0xAA169FCC", True),
        ("bank 3", 1024, 666, "Kingston", None, "0xA91695CC", True),
    ],
    "non ECC/R469-R470-R471-R472.txt": [
        (
            "bank 1",
            1024,
            800,
            "SK Hynix (former Hyundai Electronics)",
            "HYMP112U64CP8-S6",
            "0x00004020",
            False,
        ),
        (
            "bank 2",
            1024,
            800,
            "SK Hynix (former Hyundai Electronics)",
            "HYMP112U64CP8-S6",
            "0x00002020",
            False,
        ),
        (
            "bank 3",
            1024,
            800,
            "SK Hynix (former Hyundai Electronics)",
            "HYMP112U64CP8-S6",
            "0x00003020",
            False,
        ),
        (
            "bank 4",
            1024,
            800,
            "SK Hynix (former Hyundai Electronics)",
            "HYMP112U64CP8-S6",
            "0x00002021",
            False,
        ),
    ],
}


@pytest.fixture(scope="module")
def corpus(fixtures: Path) -> Path:
    return fixtures / "machines" / "peracotta"


def replay(folder: Path) -> ProbeContext:
    smbios = (folder / "baseboard.txt").read_text() + "\n" + (folder / "chassis.txt").read_text()
    host = ReplayHost.build(
        # dmidecode printed "Getting SMBIOS data from sysfs": the table file was there. Its bytes
        # are not in the corpus; only its presence matters to the probe.
        files={SMBIOS_TABLE: b""},
        commands={
            DMIDECODE_ARGV: (0, smbios),
            LSCPU_ARGV: (0, (folder / "lscpu.txt").read_text()),
        },
    )
    return ProbeContext(host)


def test_corpus_is_complete(corpus: Path) -> None:
    machines = sorted(p.name for p in corpus.iterdir() if (p / "lscpu.txt").is_file())
    assert machines == sorted(MACHINES)
    assert len(list(corpus.rglob("lscpu.txt"))) == len(MACHINES) == 21


@pytest.mark.parametrize("name", sorted(MACHINES))
def test_machine_probe(corpus: Path, name: str) -> None:
    pc = MACHINES[name]
    ctx = replay(corpus / name)
    machine = probe_machine(ctx)
    assert machine.chassis.type == pc.chassis
    assert machine.chassis.type_code == pc.chassis_code
    assert machine.chassis.form_factor == pc.form
    assert machine.baseboard.manufacturer == pc.board_vendor
    assert machine.baseboard.product == pc.board_model
    # No sysfs DMI in a replay of these files: said so, and answered by dmidecode.
    assert [e.message for e in ctx.errors] == ["no DMI table in sysfs (/sys/class/dmi/id missing)"]


@pytest.mark.parametrize("name", sorted(MACHINES))
def test_cpu_probe(corpus: Path, name: str) -> None:
    pc = MACHINES[name]
    cpus = probe_cpus(replay(corpus / name))
    assert len(cpus) == pc.sockets
    for cpu in cpus:
        assert cpu.model == pc.cpu
        assert cpu.vendor == pc.vendor
        assert (cpu.cores, cpu.threads) == (pc.cores, pc.threads)
        assert cpu.is_64bit is pc.is_64bit
        assert cpu.max_mhz == pc.max_mhz


@pytest.mark.parametrize("name", sorted(MACHINES))
def test_decode_dimms(corpus: Path, name: str) -> None:
    modules = parse_decode_dimms((corpus / name / "dimms.txt").read_text())
    got = tuple(
        Dimm(
            m.bank or "",
            m.type,
            m.size_bytes // MiB if m.size_bytes else None,
            m.speed_mts,
            m.manufacturer,
            m.part_number,
            m.serial,
            m.ecc,
            m.voltage_v,
        )
        for m in modules
    )
    assert got == MACHINES[name].dimms


@pytest.mark.parametrize("file", sorted(DECODE_DIMMS))
def test_decode_dimms_folder(corpus: Path, file: str) -> None:
    modules = parse_decode_dimms((corpus / "decode-dimms" / file).read_text())
    got = [
        (m.bank, (m.size_bytes or 0) // MiB, m.speed_mts, m.manufacturer, m.part_number, m.serial, m.ecc)
        for m in modules
    ]
    assert got == DECODE_DIMMS[file]
    assert all(m.type == "DDR2" and m.form_factor == "DIMM" and m.soldered is False for m in modules)


def test_placeholders_are_dropped_but_kept(corpus: Path) -> None:
    asdpc = probe_machine(replay(corpus / "asdpc"))
    assert asdpc.baseboard.serial is None
    assert asdpc.placeholders["baseboard.serial"] == "To be filled by O.E.M."
    assert asdpc.chassis.serial is None
    assert asdpc.placeholders["chassis.serial"] == "To Be Filled By O.E.M."
    alecase = probe_machine(replay(corpus / "alecase"))
    assert alecase.chassis.manufacturer is None
    assert alecase.placeholders["chassis.manufacturer"] == "Chassis Manufacture"
    assert alecase.chassis.asset_tag is None
    rottame = probe_machine(replay(corpus / "rottame"))
    assert rottame.baseboard.serial is None
    assert rottame.placeholders["baseboard.serial"] == "MB-1234567890"
    surface = probe_machine(replay(corpus / "castes-SurfacePro4"))
    assert surface.chassis.asset_tag is None
    assert surface.placeholders["chassis.asset_tag"] == "<BAD INDEX>"
    # Real serials survive, including Dell's dotted one.
    workstation = probe_machine(replay(corpus / "workstation"))
    assert workstation.baseboard.serial == "..CN125321L404Q."
    assert workstation.chassis.serial == "5ASDL3L"


def test_lscpu_decimal_comma(corpus: Path) -> None:
    info = parse_lscpu((corpus / "2014-castes-mbp" / "lscpu.txt").read_text())
    assert (info.max_mhz, info.min_mhz, info.mhz) == (4000.0, 800.0, 3891.994)
    assert (info.family, info.model, info.stepping) == (6, 70, 1)
    assert info.vendor == "GenuineIntel"
    assert "avx2" in info.flags


# lscpu as a French user ran it (LANG=fr_FR), quoted in a public French blog post on hardware:
# labels are translated and the colon is preceded by a space.
LSCPU_FR = """\
Architecture : x86_64
Mode(s) opératoire(s) des processeurs : 32-bit, 64-bit
Boutisme : Little Endian
Processeur(s) : 8
Liste de processeur(s) en ligne : 0-7
Thread(s) par cœur : 2
Cœur(s) par socket : 4
Socket(s) : 1
Identifiant constructeur : GenuineIntel
Famille de processeur : 6
Modèle : 142
Nom de modèle : Intel(R) Core(TM) i7-8565U CPU @ 1.80GHz
Révision : 11
Vitesse du processeur en MHz : 1000.001
Vitesse maximale du processeur en MHz : 4600,0000
Vitesse minimale du processeur en MHz : 400,0000
"""


def test_lscpu_french_labels() -> None:
    info = parse_lscpu(LSCPU_FR)
    assert info.model_name == "Intel(R) Core(TM) i7-8565U CPU @ 1.80GHz"
    assert (info.cpus, info.threads_per_core, info.cores_per_socket, info.sockets) == (8, 2, 4, 1)
    assert (info.family, info.model, info.stepping) == (6, 142, 11)
    assert (info.max_mhz, info.min_mhz) == (4600.0, 400.0)
