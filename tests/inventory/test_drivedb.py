"""The drive-database subset smartctl reads for one ATA disk finds what the full database finds.

Proven on this machine's real drivedb.h and the real ATA drives of the smartctl fixture corpus:
smartctl itself (`-P showall MODEL FIRMWARE`, the database lookup without a device) must print the
same with the subset as with its full database.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from agent.parsers.drivedb import DrivedbError, is_always_kept, model_prefixes, parse_drivedb
from agent.probes import drivedb
from agent.probes.commands import DRIVEDB_PATHS
from agent.probes.drivedb import could_match

_ROOT = Path(__file__).resolve().parents[2]
SMARTCTL = Path(os.environ.get("ATELIER_SHARED", _ROOT.parent / "shared")).resolve() / "fixtures" / "smartctl"
DATABASE = next((Path(p) for p in DRIVEDB_PATHS if Path(p).is_file()), None)
needs_database = pytest.mark.skipif(DATABASE is None, reason="smartmontools' drivedb.h is not installed")


def _ata_identities() -> list[tuple[str, str]]:
    """(model, firmware) of every ATA drive in the corpus, as smartctl printed them."""
    seen: set[tuple[str, str]] = set()
    for path in sorted(p for p in SMARTCTL.rglob("*") if p.is_file()):
        try:
            raw = json.loads(path.read_text(errors="replace"))
        except ValueError:
            continue
        for doc in raw if isinstance(raw, list) else [raw]:
            if not isinstance(doc, dict):
                continue
            protocol = (doc.get("device") or {}).get("protocol")
            model, firmware = doc.get("model_name"), doc.get("firmware_version")
            if protocol == "ATA" and isinstance(model, str) and model.strip():
                seen.add((model, firmware if isinstance(firmware, str) else ""))
    return sorted(seen)


IDENTITIES = _ata_identities()


def _sysfs_model(model: str) -> str:
    """What libata shows in /sys/block/X/device/model: the ATA model's first 16 characters."""
    return model.ljust(16)[:16]


def test_the_corpus_has_ata_drives() -> None:
    assert len(IDENTITIES) >= 100


@needs_database
def test_parses_the_real_database_in_order() -> None:
    assert DATABASE is not None
    text = DATABASE.read_bytes().decode("latin-1")
    entries = parse_drivedb(text)
    assert len(entries) == text.count('\n  { "')  # one entry per `{ "` line in smartmontools' layout
    assert entries[0].family.startswith("VERSION") and entries[1].family == "DEFAULT"
    assert all(text[e.start] == "{" and text[e.end - 1] == "}" for e in entries)
    assert any(e.family.startswith("USB:") for e in entries)
    # The C string concatenation and escapes are undone: `\\.` in the file is `\.` in the regex.
    assert any("\\." in e.model and "\\\\" not in e.model for e in entries)


@needs_database
def test_prefixes_never_exclude_an_entry_python_says_matches() -> None:
    """For every drive of the corpus, each entry whose model regex matches it (Python's reading of
    the same POSIX expression) is kept in the subset its 16-character sysfs model selects."""
    assert DATABASE is not None
    entries = parse_drivedb(DATABASE.read_bytes().decode("latin-1"))
    compiled = []
    for entry in entries:
        try:
            compiled.append((entry, re.compile(entry.model), model_prefixes(entry.model)))
        except re.error:
            continue
    matched = 0
    for model, _ in IDENTITIES:
        start = drivedb.model_start(_sysfs_model(model))
        assert start is not None
        for entry, regex, prefixes in compiled:
            if regex.fullmatch(model) and not is_always_kept(entry):
                matched += 1
                assert could_match(prefixes, start), (model, entry.family, prefixes)
    assert matched >= 50  # the corpus really exercises the database


def test_prefixes_of_typical_patterns() -> None:
    assert model_prefixes("ST3(16|25)0") == ("ST3160", "ST3250")
    assert len(model_prefixes("ST(250|320|500|750)DM00[0-3]-.*")) == 16  # ST250DM000- … ST750DM003-
    assert model_prefixes("(Micron_1100_)?MTFDDA[KV]") == ("MTFDDAK", "MTFDDAV", "Micron_1100_")
    assert model_prefixes("WDC WD[0-9]+.*") == (
        "WDC WD0",
        "WDC WD1",
        "WDC WD2",
        "WDC WD3",
        "WDC WD4",
        "WDC WD5",
        "WDC WD6",
        "WDC WD7",
        "WDC WD8",
        "WDC WD9",
    )
    assert model_prefixes(".*SSD") == ("",)  # anything can come first
    assert model_prefixes("a*b") == ("",)
    assert model_prefixes("[^A]BC") == ("",)
    assert model_prefixes("[[:alpha:]]x") == ("",)  # POSIX classes: not Python's reading
    assert model_prefixes("\\d") == ("",)
    assert model_prefixes("(") == ("",)
    assert could_match(("ST3",), "ST31000528AS") and could_match(("ST31000528AS-X",), "ST31000528AS")
    assert not could_match(("WDC",), "ST3")


def test_parser_refuses_what_is_not_a_database() -> None:
    for text in ('{ "a", "b" }', '"stray"', '{ "a", "b", "c", "d", "e"', "{ { }", "#include <x>"):
        with pytest.raises(DrivedbError):
            parse_drivedb(text)
    assert parse_drivedb("/* nothing */\n// at all\n") == []


@needs_database
def test_index_and_subset_from_the_real_database(tmp_path: Path) -> None:
    assert DATABASE is not None
    data = DATABASE.read_bytes()
    subset = drivedb.drivedb_subset(
        "QEMU HARDDISK   ", [str(DATABASE)], str(tmp_path / "no-local.h"), [str(tmp_path / "cache")]
    )
    assert subset is not None and len(subset) < len(data) // 20
    assert b'"DEFAULT"' in subset and b'"VERSION:' in subset
    assert (tmp_path / "cache" / drivedb.INDEX_NAME).is_file()  # computed once, then cached
    cached = json.loads((tmp_path / "cache" / drivedb.INDEX_NAME).read_text())
    assert cached["size"] == len(data)
    assert drivedb.subset(data, cached, ["QEMU HARDDISK"]) == subset
    # An index for another file (here: shifted offsets) is not used: the subset would be garbage.
    assert drivedb.subset(b" " + data, cached, ["QEMU HARDDISK"]) is None
    # Local additions are read before the package's entries: no subset, smartctl decides.
    local = tmp_path / "smart_drivedb.h"
    local.write_text('{ "x", "y", "", "", "" },\n')
    assert drivedb.drivedb_subset("QEMU", [str(DATABASE)], str(local), [str(tmp_path / "cache")]) is None
    assert drivedb.drivedb_subset(None, [str(DATABASE)], str(tmp_path / "none"), [str(tmp_path)]) is None
    assert drivedb.drivedb_subset("   ", [str(DATABASE)], str(tmp_path / "none"), [str(tmp_path)]) is None


def test_a_database_that_does_not_parse_gives_no_subset(tmp_path: Path) -> None:
    bad = tmp_path / "drivedb.h"
    bad.write_text('{ "only", "two" },\n')
    assert drivedb.drivedb_subset("QEMU", [str(bad)], str(tmp_path / "none"), [str(tmp_path / "c")]) is None


def test_scratch_file_is_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    path = drivedb.write_scratch("sda", b"{}")
    assert path is not None and Path(path).read_bytes() == b"{}"
    assert Path(path).stat().st_mode & 0o777 == 0o600
    assert drivedb.write_scratch("sda", b"{}") is None  # never reuses (or follows) an existing name


@needs_database
@pytest.mark.skipif(shutil.which("smartctl") is None, reason="smartctl is not installed")
def test_smartctl_finds_the_same_entry_with_the_subset(tmp_path: Path) -> None:
    assert DATABASE is not None
    data = DATABASE.read_bytes()
    index = drivedb.build_index(data)
    full = tmp_path / "full.h"
    full.write_bytes(data)

    def lookup(identity: tuple[str, str]) -> tuple[str, str, str]:
        model, firmware = identity
        content = drivedb.subset(data, index, [drivedb.model_start(_sysfs_model(model)) or ""])
        assert content is not None
        small = tmp_path / f"subset-{abs(hash(identity))}.h"
        small.write_bytes(content)

        def show(database: Path) -> str:
            argv = ["smartctl", "-B", str(database), "-P", "showall", model, firmware]
            return subprocess.run(argv, capture_output=True, text=True, timeout=30).stdout

        return model, show(full), show(small)

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lookup, IDENTITIES))
    found = 0
    for model, with_full, with_subset in results:
        assert with_subset == with_full, model
        assert "DEFAULT entry missing" not in with_subset
        found += "Drive found in smartmontools Database" in with_full
    assert found >= 50


@needs_database
def test_usb_subset_keeps_the_bridge_entries_of_its_id(tmp_path: Path) -> None:
    """Behind USB, smartctl looks the bridge up by "0xvvvv:0xpppp" first: its entries stay."""
    assert DATABASE is not None
    text = DATABASE.read_bytes().decode("latin-1")
    jmicron = next(e for e in parse_drivedb(text) if e.model == "0x152d:0x0578")
    content = drivedb.drivedb_subset(
        "Generic         ",
        [str(DATABASE)],
        str(tmp_path / "none"),
        [str(tmp_path)],
        bridge=drivedb.usb_id("152d", "0578"),
    )
    assert content is not None
    assert text[jmicron.start : jmicron.end].encode("latin-1") in content
    assert b'"0x0480:' not in content  # other vendors' bridges are left out
    assert drivedb.usb_id("152D\n", "0578") == "0x152d:0x0578"
    assert drivedb.usb_id(None, "0578") is None


def test_model_consistent_judges_the_answer_smartctl_gave() -> None:
    ata = json.dumps({"device": {"protocol": "ATA"}, "model_name": "ST500DM002-1BD142"})
    assert drivedb.model_consistent("ST500DM002", ata)
    # A USB bridge whose /sys model was not the drive's: the subset may lack the drive's entry.
    assert not drivedb.model_consistent("External USB 3", ata)
    scsi = json.dumps({"device": {"protocol": "SCSI"}, "scsi_model_name": "SEAGATE ST373453LC"})
    assert drivedb.model_consistent("anything", scsi)  # no ATA lookup was made
    assert drivedb.model_consistent("QEMU", json.dumps({"smartctl": {"exit_status": 2}}))
    assert drivedb.model_consistent("QEMU", "not json")
    assert not drivedb.model_consistent("QEMU", json.dumps({"model_name": 7}))


def test_prefetch_answer_not_accepted_runs_the_plain_command(tmp_path: Path) -> None:
    from agent.host import LiveHost, Prefetch, PrefetchingHost

    scratch = tmp_path / "scratch.h"
    scratch.write_text("x")
    plain = ("sh", "-c", "echo plain")
    command = Prefetch(plain, 5.0, ("sh", "-c", "echo fast"), str(scratch), lambda r: "ok" in r.stdout)
    result = PrefetchingHost(LiveHost(), [command]).run(plain)
    assert result.stdout.strip() == "plain" and tuple(result.argv) == plain
    assert not scratch.exists()  # the file written for the fast command is gone either way
    accepted = Prefetch(plain, 5.0, ("sh", "-c", "echo fast ok"), None, lambda r: "ok" in r.stdout)
    assert PrefetchingHost(LiveHost(), [accepted]).run(plain).stdout.strip() == "fast ok"
