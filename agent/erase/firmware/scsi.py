"""SCSI/SAS SANITIZE through sg_sanitize (sg3-utils).

QEMU's scsi-hd answers "invalid opcode"; `sg_format --format` there exits 0 and changes nothing
(shared/notes/qemu.md): only the verification afterwards tells.
"""

from __future__ import annotations

from agent.erase.firmware._common import FirmwareOutcome, ProgressFn, Runner, text_of
from agent.host import Host
from agent.parsers.sg import parse_progress
from agent.report import Disk

FLAGS = {
    "scsi_sanitize_crypto": ["--crypto"],
    "scsi_sanitize_block": ["--block"],
    "scsi_sanitize_overwrite": ["--overwrite", "--zero"],
}


def sanitize(
    host: Host, disk: Disk, technique: str, *, timeout_s: float, progress: ProgressFn | None = None
) -> FirmwareOutcome:
    out = FirmwareOutcome(ok_claimed=False)
    runner = Runner(host, out)
    if progress is not None:
        progress(0.0)
    # --quick: no 15 s "reconsider" pause (the typed confirmation already happened);
    # --wait: return only when the drive has finished.
    res = runner.run(["sg_sanitize", "--quick", "--wait", *FLAGS[technique], disk.path], timeout=timeout_s)
    parsed = parse_progress(text_of(res))
    if parsed.last_percent is not None:
        out.last_progress = parsed.last_percent / 100
    if res.timed_out:
        out.timed_out = True
    elif res.ok and not parsed.errors:
        out.ok_claimed = True
        if progress is not None:
            progress(1.0)
    else:
        out.errors.append(
            "sanitize refused: "
            + ("; ".join(parsed.errors) or res.stderr.strip() or f"exit {res.returncode}")
        )
    return out


__all__ = ["FLAGS", "sanitize"]
