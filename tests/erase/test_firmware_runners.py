"""Firmware erase wrappers replayed from real drive outputs through the Host interface."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from agent.erase.firmware import Clock, probe_capabilities, run_firmware_erase
from agent.host import CommandResult, ReplayHost
from agent.probes._context import ProbeContext
from agent.report import Disk

D = "disk-tools"


def fx(fixtures: Path, rel: str) -> str:
    return (fixtures / D / rel).read_text(encoding="utf-8", errors="replace")


class SequenceHost(ReplayHost):
    """A ReplayHost whose commands answer differently on each call (a drive being polled)."""

    def __init__(self, sequences: dict[tuple[str, ...], list[tuple[int, str]]]) -> None:
        super().__init__({"format": "atelier-capture", "format_version": 1}, {})
        self.sequences = {k: list(v) for k, v in sequences.items()}
        self.calls: list[tuple[str, ...]] = []

    def run(self, argv: Sequence[str], *, timeout: float = 30.0) -> CommandResult:
        key = tuple(argv)
        self.calls.append(key)
        answers = self.sequences.get(key)
        if not answers:
            return CommandResult(key, 127, "", f"{key[0]}: not in capture", missing=True)
        rc, out = answers.pop(0) if len(answers) > 1 else answers[0]
        return CommandResult(key, rc, out, "")


class FakeClock(Clock):
    def __init__(self) -> None:
        self.t = 0.0
        super().__init__(now=lambda: self.t, sleep=self._sleep)

    def _sleep(self, seconds: float) -> None:
        self.t += seconds


SATA = Disk(
    name="sda",
    path="/dev/sda",
    transport="sata",
    media_type="ssd",
    model="Micron_5300",
    serial="214031A57D1D",
)
NVME = Disk(
    name="nvme0n1", path="/dev/nvme0n1", transport="nvme", media_type="nvme", model="INTEL SSDPEKNW512G8"
)


def ata_host(
    fixtures: Path, identify: list[str], extra: dict[tuple[str, ...], list[tuple[int, str]]] | None = None
) -> SequenceHost:
    seq: dict[tuple[str, ...], list[tuple[int, str]]] = {
        ("hdparm", "-N", "/dev/sda"): [(0, fx(fixtures, "hdparm-N/forensicswiki-hpa-disabled.txt"))],
        ("hdparm", "--dco-identify", "/dev/sda"): [
            (0, fx(fixtures, "dco/forensicswiki-dco-identify-rev1.txt"))
        ],
        ("hdparm", "-I", "/dev/sda"): [(0, fx(fixtures, f"hdparm-I/{name}")) for name in identify],
    }
    seq.update(extra or {})
    return SequenceHost(seq)


def test_frozen_drive_is_not_touched_and_technician_told_what_to_do(fixtures: Path) -> None:
    host = ata_host(fixtures, ["micron-5300-1.92tb-full-frozen-sanitize-all3-antifreeze.txt"])
    out = run_firmware_erase(host, SATA, "ata_security_erase", timeout_s=600)
    assert out.frozen and not out.ok_claimed
    assert out.message_for_technician is not None
    assert "rtcwake -m mem -s 5" in out.message_for_technician
    assert "veille" in out.message_for_technician and "SATA" in out.message_for_technician
    assert not any("--security-set-pass" in " ".join(c) for c in host.calls)
    assert (
        out.hpa_dco
        == "HPA disabled (1465149168/1465149168 sectors); DCO real max 1465149168 sectors (nothing hidden)"
    )


def test_bbcode_frozen_hdd_is_frozen_too(fixtures: Path) -> None:
    host = ata_host(fixtures, ["seagate-st9500325as-hdd-full-frozen-132min-BBCODE.txt"])
    out = run_firmware_erase(host, SATA, "ata_security_erase_enhanced", timeout_s=600)
    assert out.frozen and not out.ok_claimed


def test_locked_and_expired(fixtures: Path) -> None:
    host = ata_host(fixtures, ["crucial-m4-ct128m4ssd2-full-enabled-LOCKED-EXPIRED-blank-serial.txt"])
    out = run_firmware_erase(host, SATA, "ata_security_erase", timeout_s=600)
    assert not out.ok_claimed and not out.frozen
    assert "expired" in " ".join(out.errors)
    assert out.message_for_technician is not None and "Éteignez" in out.message_for_technician


def test_garbled_identify_refused(fixtures: Path) -> None:
    host = ata_host(
        fixtures, ["fujitsu-usb-bridge-GARBLED-identify-security-not-supported-integrity-word-bad.txt"]
    )
    out = run_firmware_erase(host, SATA, "ata_security_erase", timeout_s=600)
    assert not out.ok_claimed and any("garbled" in e for e in out.errors)


def test_security_erase_sets_temporary_password_and_clears_it(fixtures: Path) -> None:
    set_pass = ("hdparm", "--user-master", "u", "--security-set-pass", "atelier", "/dev/sda")
    erase = ("hdparm", "--user-master", "u", "--security-erase-enhanced", "atelier", "/dev/sda")
    disable = ("hdparm", "--user-master", "u", "--security-disable", "atelier", "/dev/sda")
    # Before: not enabled. After the erase the drive still shows a password (an aborted erase,
    # as QEMU's AHCI disk does while exiting 0), so it must be disabled; then not enabled.
    host = ata_host(
        fixtures,
        [
            "intel-s3520-ssdsc2bb480g7k-full-notfrozen-sanitize-all3-SPACES.txt",
            "shinedisk-m667-security-enabled-level-high-grepA10.txt",
            "shinedisk-m667-security-after-erase-6min-grepA10.txt",
        ],
        {set_pass: [(0, "")], erase: [(0, "")], disable: [(0, "")]},
    )
    progress: list[float] = []
    out = run_firmware_erase(
        host, SATA, "ata_security_erase_enhanced", timeout_s=3600, progress=progress.append
    )
    assert out.ok_claimed  # claimed only: the canaries decide (test_canaries)
    assert host.calls.index(set_pass) < host.calls.index(erase) < host.calls.index(disable)
    assert progress == [0.0, 1.0]
    assert "hdparm --user-master u --security-erase-enhanced atelier /dev/sda" in out.commands


def test_password_that_cannot_be_cleared_is_reported(fixtures: Path) -> None:
    set_pass = ("hdparm", "--user-master", "u", "--security-set-pass", "atelier", "/dev/sda")
    erase = ("hdparm", "--user-master", "u", "--security-erase", "atelier", "/dev/sda")
    disable = ("hdparm", "--user-master", "u", "--security-disable", "atelier", "/dev/sda")
    host = ata_host(
        fixtures,
        [
            "intel-s3520-ssdsc2bb480g7k-full-notfrozen-sanitize-all3-SPACES.txt",
            "shinedisk-m667-security-enabled-level-high-grepA10.txt",
        ],
        {
            set_pass: [(0, "")],
            erase: [(5, fx(fixtures, "hdparm-I/crucial-m4-security-unlock-EIO-after-expired.txt"))],
            disable: [(5, "")],
        },
    )
    out = run_firmware_erase(host, SATA, "ata_security_erase", timeout_s=3600)
    assert not out.ok_claimed
    assert any("refused" in e for e in out.errors)
    assert out.message_for_technician is not None and "--security-disable" in out.message_for_technician


def test_hpa_reported_and_restore_checked(fixtures: Path) -> None:
    host = ata_host(
        fixtures,
        ["micron-5300-1.92tb-full-frozen-sanitize-all3-antifreeze.txt"],
        {
            ("hdparm", "-N", "/dev/sda"): [(0, fx(fixtures, "hdparm-N/forensicswiki-hpa-enabled.txt"))],
            ("hdparm", "--yes-i-know-what-i-am-doing", "-N", "p586072368", "/dev/sda"): [
                # The drive answers but keeps a smaller size: the restore must not be believed.
                (0, fx(fixtures, "hdparm-N/stevejarvis-160gb-hpa-disabled-then-set-p-enabled.txt"))
            ],
        },
    )
    out = run_firmware_erase(host, SATA, "ata_security_erase", timeout_s=60, restore_hidden=True)
    assert out.hpa_dco is not None and out.hpa_dco.startswith(
        "HPA enabled: 586070255/586072368 sectors visible, 2113 hidden"
    )
    assert any("could not remove the HPA" in e for e in out.errors)
    assert "hdparm --yes-i-know-what-i-am-doing -N p586072368 /dev/sda" in out.commands


def test_ata_sanitize_polled_to_completion(fixtures: Path) -> None:
    status = ("hdparm", "--sanitize-status", "/dev/sda")
    start = ("hdparm", "--yes-i-know-what-i-am-doing", "--sanitize-block-erase", "/dev/sda")
    host = ata_host(
        fixtures,
        ["shinedisk-m667-grep-sanitize-blockerase-only.txt"],
        {
            status: [
                (0, fx(fixtures, "sanitize-status/tinyapps-sd0-idle-last-completed-without-error.txt")),
                (0, fx(fixtures, "sanitize-status/shinedisk-m667-sd2-inprogress-25pct.txt")),
                (0, fx(fixtures, "sanitize-status/tinyapps-sd0-idle-last-completed-without-error.txt")),
            ],
            start: [(0, "")],
        },
    )
    progress: list[float] = []
    out = run_firmware_erase(
        host, SATA, "ata_sanitize_block", timeout_s=600, progress=progress.append, clock=FakeClock()
    )
    assert out.ok_claimed and progress == [0.25, 1.0]


def test_ata_sanitize_not_supported(fixtures: Path) -> None:
    host = ata_host(
        fixtures,
        ["seagate-st31000528as-usb-full-notfrozen-162min-nosanitize.txt"],
        {
            ("hdparm", "--sanitize-status", "/dev/sda"): [
                (0, fx(fixtures, "sanitize-status/tinyapps-sanitize-feature-set-not-supported.txt"))
            ]
        },
    )
    out = run_firmware_erase(host, SATA, "ata_sanitize_crypto", timeout_s=600, clock=FakeClock())
    assert not out.ok_claimed and "not supported" in out.errors[-1]


def nvme_host(
    fixtures: Path, logs: list[str], start: tuple[int, str] = (0, ""), sanact: str = "2"
) -> SequenceHost:
    return SequenceHost(
        {
            ("nvme", "sanitize-log", "/dev/nvme0"): [
                (0, fx(fixtures, f"nvme-sanitize-log/{n}")) for n in logs
            ],
            ("nvme", "sanitize", "/dev/nvme0", f"--sanact={sanact}"): [start],
        }
    )


def test_nvme_sanitize_progress_to_completion(fixtures: Path) -> None:
    host = nvme_host(
        fixtures,
        [
            "crucial-p3plus-ct4000-never-sanitized-sstat0.txt",
            "miniedwins-blockerase-seq1-inprogress-sprog3761.txt",
            "miniedwins-blockerase-seq2-inprogress-sprog32754.txt",
            "miniedwins-blockerase-seq3-completed-sstat0x101.txt",
        ],
    )
    progress: list[float] = []
    out = run_firmware_erase(
        host, NVME, "nvme_sanitize_block", timeout_s=3600, progress=progress.append, clock=FakeClock()
    )
    assert out.ok_claimed and not out.timed_out
    assert [round(p, 3) for p in progress] == [0.057, 0.5, 1.0]
    assert out.commands[:2] == ["nvme sanitize-log /dev/nvme0", "nvme sanitize /dev/nvme0 --sanact=2"]
    assert out.hpa_dco is None


def test_nvme_sanitize_stuck_at_655_times_out(fixtures: Path) -> None:
    host = nvme_host(
        fixtures,
        ["crucial-p3plus-ct4000-never-sanitized-sstat0.txt", "intel-660p-512-crypto-stuck.txt"],
        sanact="4",
    )
    clock = FakeClock()
    out = run_firmware_erase(host, NVME, "nvme_sanitize_crypto", timeout_s=1800, clock=clock, poll_s=30)
    assert out.timed_out and not out.ok_claimed
    assert clock.t >= 1800
    assert "655/65536" in out.errors[-1]
    assert out.message_for_technician is not None and "1 %" in out.message_for_technician


def test_nvme_sanitize_access_denied(fixtures: Path) -> None:
    host = nvme_host(
        fixtures,
        ["crucial-p3plus-ct4000-never-sanitized-sstat0.txt"],
        start=(1, fx(fixtures, "nvme-cmd/wd-sn730-sanitize-access-denied-0x4286.txt")),
        sanact="4",
    )
    out = run_firmware_erase(host, NVME, "nvme_sanitize_crypto", timeout_s=60, clock=FakeClock())
    assert not out.ok_claimed and out.errors == ["sanitize refused: Access Denied (0x4286)"]


def test_nvme_sanitize_never_started_is_not_success(fixtures: Path) -> None:
    # The command "succeeds" but the log still says never sanitized (QEMU has no Sanitize).
    host = nvme_host(fixtures, ["crucial-p3plus-ct4000-never-sanitized-sstat0.txt"])
    out = run_firmware_erase(host, NVME, "nvme_sanitize_block", timeout_s=60, clock=FakeClock())
    assert not out.ok_claimed and "never" in out.errors[-1]


def test_nvme_resumes_a_sanitize_already_running(fixtures: Path) -> None:
    host = nvme_host(
        fixtures,
        [
            "intel-660p-1tb-blockerase-stuck-nvmecli2x.txt",
            "miniedwins-blockerase-seq3-completed-sstat0x101.txt",
        ],
    )
    out = run_firmware_erase(host, NVME, "nvme_sanitize_block", timeout_s=60, clock=FakeClock())
    assert out.ok_claimed
    assert ("nvme", "sanitize", "/dev/nvme0", "--sanact=2") not in host.calls


@pytest.mark.parametrize(
    ("rel", "rc", "ok", "frozen", "error"),
    [
        ("wd-black-wds250g2x0c-format-ses1-success-and-410a-before-suspend.txt", 0, True, False, None),
        (
            "nvmecli1.6-format-s1-invalid-format-410a.txt",
            1,
            False,
            True,
            "format refused: INVALID_FORMAT (0x410a)",
        ),
        (
            "crucial-p3plus-ct4000-format-s2-ns-write-protected-0x2020.txt",
            1,
            False,
            False,
            "format refused: NS_WRITE_PROTECTED (0x2020)",
        ),
        ("format-s1-invalid-opcode-0x6001.txt", 1, False, False, "format refused: INVALID_OPCODE (0x6001)"),
        ("samsung-pm9a3-format-l1-success-then-reset-fail-MAILQUOTE.txt", 0, True, False, None),
    ],
)
def test_nvme_format(fixtures: Path, rel: str, rc: int, ok: bool, frozen: bool, error: str | None) -> None:
    argv = ("nvme", "format", "/dev/nvme0n1", "--ses=1", "--force")
    host = ReplayHost.build(commands={argv: (rc, fx(fixtures, f"nvme-cmd/{rel}"))})
    out = run_firmware_erase(host, NVME, "nvme_format_user_data", timeout_s=600)
    assert (out.ok_claimed, out.frozen) == (ok, frozen)
    assert out.errors == ([error] if error else [])
    if frozen:
        assert out.message_for_technician is not None and "rtcwake" in out.message_for_technician


def test_scsi_sanitize_tool_missing() -> None:
    disk = Disk(name="sdb", path="/dev/sdb", transport="sas")
    out = run_firmware_erase(ReplayHost.build(), disk, "scsi_sanitize_crypto", timeout_s=60)
    assert not out.ok_claimed and out.errors[0] == "sg_sanitize is not installed"


def test_probe_ata_capabilities(fixtures: Path) -> None:
    host = ReplayHost.build(
        files={"/sys/block/sda/queue/discard_max_bytes": "2147450880\n"},
        commands={
            ("hdparm", "-I", "/dev/sda"): (
                0,
                fx(fixtures, "hdparm-I/intel-s3520-ssdsc2bb480g7k-full-notfrozen-sanitize-all3-SPACES.txt"),
            ),
            ("hdparm", "-N", "/dev/sda"): (0, fx(fixtures, "hdparm-N/forensicswiki-hpa-enabled.txt")),
            ("hdparm", "--dco-identify", "/dev/sda"): (
                0,
                fx(fixtures, "dco/forensicswiki-dco-identify-rev1.txt"),
            ),
        },
    )
    caps = probe_capabilities(host, SATA)
    assert caps.ata_sanitize == ["crypto", "block", "overwrite"] and caps.ata_sanitize_antifreeze
    assert caps.ata_security is not None and caps.ata_security.frozen is False
    assert (caps.hpa_enabled, caps.hpa_visible_sectors, caps.hpa_native_sectors) == (
        True,
        586070255,
        586072368,
    )
    assert caps.dco_real_max_sectors == 1465149168 and caps.discard is True


def test_probe_garbled_usb_bridge(fixtures: Path) -> None:
    disk = Disk(name="sdd", path="/dev/sdd", transport="usb")
    host = ReplayHost.build(
        commands={
            ("hdparm", "-I", "/dev/sdd"): (
                0,
                fx(
                    fixtures,
                    "hdparm-I/fujitsu-usb-bridge-GARBLED-identify-security-not-supported-integrity-word-bad.txt",
                ),
            ),
        }
    )
    ctx = ProbeContext(host)
    caps = probe_capabilities(host, disk, ctx)
    assert caps.ata_security is None and caps.ata_sanitize == []
    assert [e.message for e in ctx.errors] == [
        "garbled ATA IDENTIFY data (USB bridge?): firmware erasure disabled"
    ]


def test_probe_nvme_capabilities(fixtures: Path) -> None:
    host = ReplayHost.build(
        commands={
            ("nvme", "id-ctrl", "/dev/nvme0", "-o", "json"): (
                0,
                fx(fixtures, "nvme-id-ctrl/wdc-pc-sn730-256g-idctrl-json-fna4.json"),
            )
        }
    )
    caps = probe_capabilities(host, NVME)
    assert caps.nvme_sanitize == ["crypto", "block"]
    assert caps.nvme_format_supported is True and caps.nvme_format_crypto is True
    assert caps.discard is None


def test_probe_missing_tools_never_raise() -> None:
    for disk in (
        SATA,
        NVME,
        Disk(name="sdc", path="/dev/sdc", transport="sas"),
        Disk(name="mmcblk0", path="/dev/mmcblk0", transport="mmc"),
    ):
        ctx = ProbeContext(ReplayHost.build())
        caps = probe_capabilities(ctx.host, disk, ctx)
        assert caps.ata_security is None and caps.nvme_sanitize == [] and caps.scsi_sanitize == []
