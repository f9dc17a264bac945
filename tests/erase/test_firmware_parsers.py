"""Every recorded hdparm / nvme-cli / sg3-utils output in shared/fixtures/disk-tools, parsed.

Each file has its explicit expected values; `test_every_fixture_is_covered` fails when a file is
added to the corpus without expectations here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from agent.parsers import hdparm, nvme_cli, sg

D = "disk-tools"


def read(fixtures: Path, rel: str) -> str:
    return (fixtures / D / rel).read_text(encoding="utf-8", errors="replace")


IDENTIFY: dict[str, dict[str, Any]] = {
    "hdparm-I/crucial-m4-ct128m4ssd2-full-enabled-LOCKED-EXPIRED-blank-serial.txt": dict(
        model="M4-CT128M4SSD2",
        serial=None,
        firmware=None,
        user_sectors=250069680,
        solid_state=True,
        sanitize_modes=[],
        garbled=False,
        checksum_ok=True,
        hpa_feature=True,
        dco_feature=True,
        security=dict(
            supported=True,
            enabled=True,
            locked=True,
            frozen=False,
            count_expired=True,
            enhanced_erase_supported=True,
            erase_minutes=2,
            enhanced_erase_minutes=2,
            master_password_revision=65534,
            level="high",
        ),
    ),
    "hdparm-I/fujitsu-usb-bridge-GARBLED-identify-security-not-supported-integrity-word-bad.txt": dict(
        model=None,
        serial=None,
        firmware=None,
        solid_state=None,
        rotation_rpm=None,
        garbled=True,
        checksum_ok=False,
        sanitize_modes=[],
        security=dict(
            supported=False, enabled=False, locked=False, frozen=False, master_password_revision=14184
        ),
    ),
    "hdparm-I/intel-s3520-ssdsc2bb480g7k-full-notfrozen-sanitize-all3-SPACES.txt": dict(
        model="INTEL SSDSC2BB480G7K",
        serial="BTDV72420A3D480BGN",
        firmware="N201CS04",
        user_sectors=937703088,
        logical_sector_size=512,
        physical_sector_size=4096,
        solid_state=True,
        sanitize_supported=True,
        sanitize_modes=["crypto", "block", "overwrite"],
        sanitize_antifreeze=True,
        hpa_feature=False,
        garbled=False,
        security=dict(
            supported=True,
            enabled=False,
            locked=False,
            frozen=False,
            count_expired=False,
            enhanced_erase_supported=True,
            erase_minutes=4,
            level=None,
        ),
    ),
    "hdparm-I/micron-5300-1.92tb-full-frozen-sanitize-all3-antifreeze.txt": dict(
        model="Micron_5300_MTFDDAK1T9TDS",
        serial="214031A57D1D",
        firmware="D3MU001",
        user_sectors=3750748848,
        sanitize_modes=["crypto", "block", "overwrite"],
        sanitize_antifreeze=True,
        security=dict(supported=True, frozen=True, enabled=False, locked=False, erase_minutes=2),
    ),
    "hdparm-I/seagate-st31000528as-usb-full-notfrozen-162min-nosanitize.txt": dict(
        model="ST31000528AS",
        serial="5VP172JT",
        firmware="CC36",
        user_sectors=1953523055,
        solid_state=False,
        rotation_rpm=7200,
        sanitize_supported=False,
        sanitize_modes=[],
        hpa_feature=True,
        dco_feature=True,
        trim=None,
        security=dict(supported=True, frozen=False, erase_minutes=162, enhanced_erase_minutes=162),
    ),
    "hdparm-I/seagate-st9500325as-hdd-full-frozen-132min-BBCODE.txt": dict(
        model="ST9500325AS",
        serial="5VEADRKA",
        user_sectors=976773168,
        solid_state=False,
        rotation_rpm=5400,
        security=dict(supported=True, frozen=True, enabled=False, erase_minutes=132),
    ),
    "hdparm-I/shinedisk-m667-grep-sanitize-blockerase-only.txt": dict(
        model=None,
        sanitize_supported=True,
        sanitize_modes=["block"],
        sanitize_antifreeze=False,
        security=None,
        trim=True,
    ),
    "hdparm-I/shinedisk-m667-security-after-erase-6min-grepA10.txt": dict(
        security=dict(supported=True, enabled=False, frozen=False, erase_minutes=6, enhanced_erase_minutes=6),
    ),
    "hdparm-I/shinedisk-m667-security-enabled-level-high-grepA10.txt": dict(
        security=dict(
            supported=True, enabled=True, locked=False, frozen=False, level="high", erase_minutes=2
        ),
    ),
    "hdparm-I/shinedisk-m667-security-frozen-grepA10.txt": dict(
        checksum_ok=True,
        security=dict(supported=True, enabled=False, frozen=True, erase_minutes=2),
    ),
    "hdparm-I/skhynix-hfs128g39tnd-full-notfrozen-sanitize-crypto-block-SPACES.txt": dict(
        model="HFS128G39TND-N210A",
        serial="EI83N068410503Q1A",
        firmware="30001P10",
        user_sectors=250069680,
        physical_sector_size=4096,
        sanitize_modes=["crypto", "block"],
        sanitize_antifreeze=False,
        security=dict(supported=True, enabled=False, locked=False, frozen=False, erase_minutes=2),
    ),
}


@pytest.mark.parametrize("rel", sorted(IDENTIFY))
def test_hdparm_identify(fixtures: Path, rel: str) -> None:
    parsed = hdparm.parse_identify(read(fixtures, rel))
    for key, expected in IDENTIFY[rel].items():
        if key == "security":
            if expected is None:
                assert parsed.security is None
                continue
            assert parsed.security is not None
            for skey, svalue in expected.items():
                assert getattr(parsed.security, skey) == svalue, (rel, skey)
        else:
            assert getattr(parsed, key) == expected, (rel, key)


def test_hdparm_unlock_error(fixtures: Path) -> None:
    text = read(fixtures, "hdparm-I/crucial-m4-security-unlock-EIO-after-expired.txt")
    assert hdparm.parse_command_error(text) == "SECURITY_UNLOCK: Input/output error"
    assert hdparm.parse_identify(text).security is None


HPA: dict[str, dict[str, Any]] = {
    "hdparm-N/forensicswiki-hpa-disabled.txt": dict(
        visible_sectors=1465149168,
        native_sectors=1465149168,
        enabled=False,
        ama=False,
        bogus=False,
        hidden_sectors=0,
    ),
    "hdparm-N/forensicswiki-hpa-enabled.txt": dict(
        visible_sectors=586070255,
        native_sectors=586072368,
        enabled=True,
        hidden_sectors=2113,
    ),
    "hdparm-N/nwipe444-10tb-ama-disabled-verbose-in-nwipe-log.txt": dict(
        visible_sectors=19532873728,
        native_sectors=19532873728,
        enabled=False,
        ama=True,
    ),
    "hdparm-N/nwipe444-1tb-hpa-disabled-plus-dco-verbose-in-nwipe-log.txt": dict(
        visible_sectors=1953525168,
        native_sectors=1953525168,
        enabled=False,
        ama=False,
    ),
    "hdparm-N/stevejarvis-160gb-hpa-disabled-then-set-p-enabled.txt": dict(
        visible_sectors=310484656,
        native_sectors=312581808,
        enabled=True,
        set_to=310484656,
        permanent=True,
        hidden_sectors=2097152,
    ),
    "hdparm-N/verbatim-usb-flash-N-sgio-error-0-1-hpa-enabled-BOGUS.txt": dict(
        visible_sectors=0,
        native_sectors=1,
        enabled=None,
        bogus=True,
        sg_io_error=True,
        hidden_sectors=None,
    ),
}


@pytest.mark.parametrize("rel", sorted(HPA))
def test_hdparm_hpa(fixtures: Path, rel: str) -> None:
    parsed = hdparm.parse_hpa(read(fixtures, rel))
    for key, expected in HPA[rel].items():
        assert getattr(parsed, key) == expected, (rel, key)


def test_dco_inside_nwipe_logs(fixtures: Path) -> None:
    ama = hdparm.parse_dco(read(fixtures, "hdparm-N/nwipe444-10tb-ama-disabled-verbose-in-nwipe-log.txt"))
    assert ama.failed and ama.real_max_sectors is None
    one_tb = hdparm.parse_dco(
        read(fixtures, "hdparm-N/nwipe444-1tb-hpa-disabled-plus-dco-verbose-in-nwipe-log.txt")
    )
    # Raw DCO words 3-6 = max LBA 1953525167, so the real size equals the HPA native size.
    assert not one_tb.failed and one_tb.real_max_sectors == 1953525168 and one_tb.revision == 2


DCO: dict[str, dict[str, Any]] = {
    "dco/forensicswiki-dco-identify-rev1.txt": dict(
        revision=1,
        real_max_sectors=1465149168,
        checksum_verified=None,
        failed=False,
        geometry_sectors=None,
    ),
    "dco/nwipe444-dco-identify-verbose-2tb-incoming-data.txt": dict(
        revision=2,
        real_max_sectors=3907029168,
        failed=False,
    ),
    "dco/seagate-12tb-dco-checksum-verified-real-max-23437770752-plus-hdparm-g-sgio.txt": dict(
        revision=2,
        real_max_sectors=23437770752,
        checksum_verified=True,
        geometry_sectors=585937500,
    ),
    "dco/seagate-st3000vx000-dco-checksum-verified-rev2-two-drives.txt": dict(
        revision=2,
        real_max_sectors=5860533168,
        checksum_verified=True,
        failed=False,
    ),
    "dco/wdc-wd5000bmvv-usb-dco-rev2-tabs-geometry-vs-realmax.txt": dict(
        revision=2,
        real_max_sectors=976773168,
        geometry_sectors=976717824,
        checksum_verified=None,
    ),
}


@pytest.mark.parametrize("rel", sorted(DCO))
def test_hdparm_dco(fixtures: Path, rel: str) -> None:
    parsed = hdparm.parse_dco(read(fixtures, rel))
    for key, expected in DCO[rel].items():
        assert getattr(parsed, key) == expected, (rel, key)
    assert "HPA" in parsed.features or rel.startswith("dco/nwipe444")


SANITIZE_STATUS: dict[str, dict[str, Any]] = {
    "sanitize-status/shinedisk-m667-sd2-inprogress-25pct.txt": dict(
        supported=True,
        state="SD2",
        progress_percent=25.0,
        last_completed_ok=None,
    ),
    "sanitize-status/tinyapps-sanitize-feature-set-not-supported.txt": dict(supported=False, state=None),
    "sanitize-status/tinyapps-sd0-idle-last-completed-without-error.txt": dict(
        supported=True,
        state="SD0",
        state_text="Sanitize Idle",
        progress_percent=None,
        last_completed_ok=True,
    ),
}


@pytest.mark.parametrize("rel", sorted(SANITIZE_STATUS))
def test_hdparm_sanitize_status(fixtures: Path, rel: str) -> None:
    parsed = hdparm.parse_sanitize_status(read(fixtures, rel))
    for key, expected in SANITIZE_STATUS[rel].items():
        assert getattr(parsed, key) == expected, (rel, key)


NONE_TIMES = dict.fromkeys(("overwrite", "block", "crypto"))
SANITIZE_LOG: dict[str, dict[str, Any]] = {
    "nvme-sanitize-log/crucial-p3plus-ct4000-never-sanitized-sstat0.txt": dict(
        sprog=65535,
        sstat=0,
        scdw10=0,
        state="never",
        progress=None,
        action=None,
        estimates={**NONE_TIMES, "overwrite_nd": None, "block_nd": None, "crypto_nd": None},
    ),
    "nvme-sanitize-log/ecclesia-crypto-erase-completed-scdw10-0x20c-with-raw-bytes.txt": dict(
        sprog=65535,
        sstat=0x101,
        scdw10=0x20C,
        state="completed",
        progress=1.0,
        action="crypto",
        global_data_erased=True,
        estimates={**NONE_TIMES, "overwrite_nd": 0, "block_nd": 0, "crypto_nd": 0},
    ),
    "nvme-sanitize-log/intel-660p-1tb-blockerase-stuck-nvmecli2x.txt": dict(
        sprog=655,
        sstat=2,
        scdw10=2,
        state="in_progress",
        action="block",
        ssi=0,
        global_data_erased=False,
    ),
    "nvme-sanitize-log/intel-660p-512-blockerase-nvmecli1.12-TRUNCATED.txt": dict(
        sprog=655,
        sstat=2,
        scdw10=2,
        state="in_progress",
        estimates={**NONE_TIMES, "overwrite_nd": 0},
    ),
    "nvme-sanitize-log/intel-660p-512-completed-sstat-0x101-PARTIAL.txt": dict(
        sprog=65535,
        sstat=0x101,
        scdw10=None,
        state="completed",
        progress=1.0,
        action=None,
    ),
    "nvme-sanitize-log/intel-660p-512-crypto-stuck.txt": dict(
        sprog=655,
        sstat=2,
        scdw10=4,
        state="in_progress",
        action="crypto",
    ),
    "nvme-sanitize-log/miniedwins-blockerase-seq1-inprogress-sprog3761.txt": dict(
        sprog=3761,
        state="in_progress",
        action="block",
    ),
    "nvme-sanitize-log/miniedwins-blockerase-seq2-inprogress-sprog32754.txt": dict(
        sprog=32754,
        state="in_progress",
    ),
    "nvme-sanitize-log/miniedwins-blockerase-seq3-completed-sstat0x101.txt": dict(
        sprog=65535,
        sstat=0x101,
        state="completed",
        progress=1.0,
    ),
    "nvme-sanitize-log/ssstc-ca6-8d1024-blockerase-inprogress-35pct-H.txt": dict(
        sprog=23297,
        sstat=2,
        scdw10=2,
        state="in_progress",
        overwrite_passes_done=0,
        estimates={**NONE_TIMES, "overwrite_nd": None, "block_nd": None, "crypto_nd": None},
    ),
}


@pytest.mark.parametrize("rel", sorted(SANITIZE_LOG))
def test_nvme_sanitize_log(fixtures: Path, rel: str) -> None:
    parsed = nvme_cli.parse_sanitize_log(read(fixtures, rel))
    for key, expected in SANITIZE_LOG[rel].items():
        assert getattr(parsed, key) == expected, (rel, key)


def test_sanitize_progress_fractions(fixtures: Path) -> None:
    stuck = nvme_cli.parse_sanitize_log(read(fixtures, "nvme-sanitize-log/intel-660p-512-crypto-stuck.txt"))
    assert stuck.progress == pytest.approx(0.01, abs=1e-4)
    h = nvme_cli.parse_sanitize_log(
        read(fixtures, "nvme-sanitize-log/ssstc-ca6-8d1024-blockerase-inprogress-35pct-H.txt")
    )
    assert h.progress == pytest.approx(0.3555, abs=1e-3)


NVME_CMD: dict[str, list[tuple[bool, str, int | None]]] = {
    "nvme-cmd/crucial-p3plus-ct4000-format-s2-ns-write-protected-0x2020.txt": [
        (False, "write_protected", 0x2020)
    ],
    "nvme-cmd/format-s1-invalid-opcode-0x6001.txt": [(False, "invalid_opcode", 0x6001)],
    "nvme-cmd/intel-660p-sanitize-while-in-progress-TRUNCATED.txt": [(False, "sanitize_in_progress", None)],
    "nvme-cmd/nvmecli1.6-format-s1-invalid-format-410a.txt": [(False, "invalid_format", 0x410A)],
    "nvme-cmd/samsung-970evoplus-locked-format-invalid-opcode-0x1.txt": [(False, "invalid_opcode", 0x1)],
    "nvme-cmd/samsung-pm9a3-format-l1-success-then-reset-fail-MAILQUOTE.txt": [(True, "success", None)],
    "nvme-cmd/skhynix-pc601-format-invalid-format-0x10a.txt": [
        (False, "invalid_namespace_id", None),
        (False, "invalid_format", 0x10A),
    ],
    "nvme-cmd/skhynix-pc801-format-s1-vvv-TRUNCATED.txt": [],
    "nvme-cmd/wd-black-wds250g2x0c-format-ses1-success-and-410a-before-suspend.txt": [
        (True, "success", None),
        (False, "invalid_format", 0x410A),
        (True, "success", None),
    ],
    "nvme-cmd/wd-sn730-sanitize-access-denied-0x4286.txt": [(False, "access_denied", 0x4286)] * 3,
}


@pytest.mark.parametrize("rel", sorted(NVME_CMD))
def test_nvme_command_outcomes(fixtures: Path, rel: str) -> None:
    outcomes = nvme_cli.parse_nvme_outcomes(read(fixtures, rel))
    assert [(o.success, o.kind, o.code) for o in outcomes] == NVME_CMD[rel]


def test_nvme_status_details(fixtures: Path) -> None:
    wd = nvme_cli.parse_nvme_status(
        read(fixtures, "nvme-cmd/wd-black-wds250g2x0c-format-ses1-success-and-410a-before-suspend.txt")
    )
    assert wd is not None and wd.success and wd.namespace == "ffffffff"
    ro = nvme_cli.parse_nvme_status(
        read(fixtures, "nvme-cmd/crucial-p3plus-ct4000-format-s2-ns-write-protected-0x2020.txt")
    )
    assert ro is not None and ro.name == "NS_WRITE_PROTECTED" and ro.status_code == 0x20
    assert ro.description is not None and ro.description.startswith("The command is prohibited")
    old = nvme_cli.parse_nvme_status(read(fixtures, "nvme-cmd/nvmecli1.6-format-s1-invalid-format-410a.txt"))
    assert old is not None and old.status_code == 0x10A


def test_sg_format_progress(fixtures: Path) -> None:
    text = read(fixtures, "sg/seagate-st2000nmclar2000-sg_format-520-to-512-ELIDED.txt")
    progress = sg.parse_progress(text)
    assert (progress.vendor, progress.product, progress.revision) == ("SEAGATE", "ST2000NMCLAR2000", "PS11")
    assert progress.lu_name == "5000c50057583883"
    assert (progress.blocks_before, progress.block_size_before) == (3846921026, 520)
    assert progress.percents == [0.21, 98.99]
    assert progress.started and progress.completed and progress.errors == []


def test_sg_readcap(fixtures: Path) -> None:
    cap = sg.parse_readcap(read(fixtures, "sg/seagate-st2000nmclar2000-sg_readcap-520.txt"))
    assert (cap.last_lba, cap.blocks, cap.block_length, cap.size_bytes) == (
        3846921025,
        3846921026,
        520,
        2000398933520,
    )


# nvme id-ctrl outputs: parsed by the disk inventory's parser (agent.parsers.nvme_idctrl), which
# the erase capability probe reuses; here the erase-relevant facts of each file.
IDCTRL: dict[str, tuple[list[str], bool | None, bool | None]] = {
    "nvme-id-ctrl/crucial-p3plus-ct4000p3pssd8-idctrl-H-full-sanicap-blockonly-fna0x1.txt": (
        ["block"],
        True,
        False,
    ),
    "nvme-id-ctrl/intel-SSDPEKKF256G8L-idctrl-H-grep-nosanitize.txt": ([], True, True),
    "nvme-id-ctrl/kioxia-toshiba-kxg6aznv512g-idctrl-text-sanicap0x3-fna0x4-ELIDED.txt": (
        ["crypto", "block"],
        True,
        True,
    ),
    "nvme-id-ctrl/skhynix-pc801-idctrl-H-grep-blockerase-only.txt": (["block"], True, None),
    "nvme-id-ctrl/ssstc-ca6-8d1024-idctrl-H-fna-sanicap-grep.txt": (["block"], None, False),
    "nvme-id-ctrl/wd-black-wds250g2x0c-idctrl-H-ELIDED-oacs0x17-fna0.txt": ([], True, False),
    "nvme-id-ctrl/wdc-pc-sn730-256g-idctrl-json-fna4.json": (["crypto", "block"], True, True),
}


@pytest.mark.parametrize("rel", sorted(IDCTRL))
def test_nvme_idctrl_erase_capabilities(fixtures: Path, rel: str) -> None:
    from agent.parsers.nvme_idctrl import parse_nvme_idctrl

    parsed = parse_nvme_idctrl(read(fixtures, rel))
    assert (parsed.sanitize_actions, parsed.format_supported, parsed.format_crypto_erase) == IDCTRL[rel]


def test_nvme_list_identity(fixtures: Path) -> None:
    from agent.parsers.nvme_idctrl import parse_nvme_list

    (entry,) = parse_nvme_list(read(fixtures, "nvme-id-ctrl/ssstc-ca6-8d1024-nvme-list.txt"))
    assert (entry.node, entry.serial, entry.model, entry.firmware) == (
        "/dev/nvme0n1",
        "002115101B16",
        "SSSTC CA6-8D1024",
        "ERA2101",
    )
    (intel,) = parse_nvme_list(
        read(fixtures, "nvme-sanitize-log/intel-660p-512-blockerase-nvmecli1.12-TRUNCATED.txt")
    )
    assert (intel.serial, intel.model) == ("BTNH936500NS512A", "INTEL SSDPEKNW512G8")


# Self-test outputs: parsed by the disk-health checks' parser (agent.parsers.selftest); an erase
# must not start while a drive self-test runs, so the state is what matters here.
SELFTEST: dict[str, tuple[str, int | None, int]] = {
    "selftest/ecclesia-nvme-cli-self-test-log-oldformat-2ext-1short.txt": ("idle", None, 3),
    "selftest/hitachi-hds721050dle630-smartctl7.1-json-selftestlog-read-failure.json": ("idle", None, 21),
    "selftest/intel-660p-512-smartctl7.4-a-nvme-no-selftests.txt": ("idle", None, 0),
    "selftest/nvme-smartctl-l-selftest-extended-inprogress-14pct-ONE-LINE.txt": ("running", 86, 0),
    "selftest/nvme-smartctl7.4-selftestlog-short-completed-with-errlog-excerpt.txt": ("idle", None, 1),
    "selftest/wd-red-wd30efrx-smartctl6.2-a-selftest-inprogress-70pct.txt": ("running", 70, 1),
    "selftest/wdc-wd140edfz-smartctl7.0-aj-selftest-inprogress-10pct.json": ("running", 10, 21),
}


@pytest.mark.parametrize("rel", sorted(SELFTEST))
def test_selftest_state(fixtures: Path, rel: str) -> None:
    from agent.parsers.selftest import parse_nvme_cli_selftest_log, parse_smartctl_selftest

    text = read(fixtures, rel)
    parsed = (
        parse_nvme_cli_selftest_log(text)
        if "nvme-cli-self-test-log" in rel
        else parse_smartctl_selftest(text)
    )
    assert (parsed.state, parsed.remaining_percent, len(parsed.log)) == SELFTEST[rel]
    if "read-failure" in rel:
        assert any(e.passed is False and e.lba_first_error == 104870168 for e in parsed.log)


SINGLE_FILE_TESTS = {
    "hdparm-I/crucial-m4-security-unlock-EIO-after-expired.txt",
    "sg/seagate-st2000nmclar2000-sg_format-520-to-512-ELIDED.txt",
    "sg/seagate-st2000nmclar2000-sg_readcap-520.txt",
    "nvme-id-ctrl/ssstc-ca6-8d1024-nvme-list.txt",
}


def test_every_fixture_is_covered(fixtures: Path) -> None:
    root = fixtures / D
    files = {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and p.name != "README.md"}
    covered = (
        set(IDENTIFY)
        | set(HPA)
        | set(DCO)
        | set(SANITIZE_STATUS)
        | set(SANITIZE_LOG)
        | set(NVME_CMD)
        | set(IDCTRL)
        | set(SELFTEST)
        | SINGLE_FILE_TESTS
    )
    assert sorted(files - covered) == []
    assert sorted(covered - files) == []
    assert len(files) == 63


def test_parsers_never_raise_on_odd_input(fixtures: Path) -> None:
    """Truncations of every real output, and junk, parse without an exception."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from agent.erase.external.blancco import parse_blancco_report
    from agent.erase.external.nwipe_log import parse_nwipe_log

    parsers = (
        hdparm.parse_identify,
        hdparm.parse_hpa,
        hdparm.parse_dco,
        hdparm.parse_sanitize_status,
        hdparm.parse_command_error,
        nvme_cli.parse_sanitize_log,
        nvme_cli.parse_nvme_outcomes,
        sg.parse_progress,
        sg.parse_readcap,
        sg.parse_opcodes_sanitize,
        sg.parse_inquiry,
        parse_nwipe_log,
    )
    texts = [read(fixtures, str(p.relative_to(fixtures / D))) for p in sorted((fixtures / D).rglob("*.txt"))]
    for text in texts:
        for cut in range(0, len(text), max(1, len(text) // 7)):
            for parse in parsers:
                parse(text[:cut])

    @settings(max_examples=150, deadline=None)
    @given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=400))
    def junk(text: str) -> None:
        for parse in parsers:
            parse(text)
        parse_blancco_report(text.encode())

    junk()


def test_sg_opcodes_sanitize_names() -> None:
    # No real SAS drive output was found: the layout of sg3-utils' sg_opcodes table, two versions.
    text = (
        "Opcode  Service    CDB    Name\n(hex)   action(h)  size\n"
        " 00                 6    Test Unit Ready\n"
        " 48        1       10    Sanitize, overwrite\n"
        " 48        2       10    Sanitize, block erase\n"
        " 48        3       10    Sanitize, cryptographic erase\n"
        " 48       1f       10    Sanitize, exit failure mode\n"
    )
    assert sg.parse_opcodes_sanitize(text) == ["crypto", "block", "overwrite"]
    assert sg.parse_opcodes_sanitize(" 48     0002   10   ---   Sanitize, block erase\n") == ["block"]
    assert sg.parse_opcodes_sanitize(" 35                10    Synchronize cache(10)\n") == []


def test_dco_raw_checksum() -> None:
    page = bytearray(512)
    page[0:2] = (2).to_bytes(2, "little")
    page[6:14] = (1953525167).to_bytes(8, "little")
    page[510] = 0xA5
    page[511] = (-sum(page)) % 256
    text = "incoming_data:  " + " ".join(f"{b:02x}" for b in page)
    good = hdparm.parse_dco(text)
    assert (good.real_max_sectors, good.checksum_verified) == (1953525168, True)
    page[100] ^= 0xFF
    bad = hdparm.parse_dco("incoming_data:  " + " ".join(f"{b:02x}" for b in page))
    assert bad.checksum_verified is False
