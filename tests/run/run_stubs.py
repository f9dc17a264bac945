"""Step substitutes for the pipeline: what the real pieces return, without hardware.

Used while the real inventory / checks / erase pieces are not in the tree, and in tests that
inject faults (a crash in the middle of an erasure) that the real pieces cannot be asked to do.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from agent.report import (
    CertDisk,
    Certificate,
    CheckResult,
    Cpu,
    Disk,
    Grade,
    GradeReason,
    Machine,
    Memory,
    Report,
    SignedCertificate,
    SystemInfo,
    Verification,
)
from agent.run.steps import EraseRequest, RunSteps


@dataclass
class Entry:
    device: str
    disk: Disk
    technique: str = "overwrite"
    expected_seconds: float = 3.0
    reason: str = "HDD: verified overwrite"


@dataclass
class Plan:
    entries: list[Entry]


class Crash(BaseException):
    """Stands for SIGKILL in the middle of an erasure (not an Exception: nothing may catch it)."""


@dataclass
class StubWorld:
    serial: str = "SN-STUB-1"
    disks: list[str] = field(default_factory=lambda: ["/dev/stubdisk0"])
    crash_during_erase: bool = False
    executed: list[tuple[list[str], set[str]]] = field(default_factory=list)
    progress_steps: int = 4
    erase_delay_s: float = 0.0
    #: Interactive checks the guided screen asks (the real ones, from agent.checks.interactive).
    interactive_only: tuple[str, ...] = ()

    def inventory(self, host: Any, asset_code: str | None, only: Sequence[str] | None) -> Report:
        disks = [
            Disk(
                name=p.rsplit("/", 1)[-1],
                path=p,
                model="STUB DISK",
                serial=f"D{i}",
                size_bytes=64_000_000,
                media_type="hdd",
            )
            for i, p in enumerate(only or self.disks)
        ]
        return Report(
            agent_version="test",
            asset_code=asset_code,
            machine=Machine(
                system=SystemInfo(manufacturer="LENOVO", product="ThinkPad T460", serial=self.serial)
            ),
            cpus=[Cpu(model="Intel(R) Core(TM) i5-6300U CPU @ 2.40GHz", cores=2, threads=4)],
            memory=Memory(total_bytes=8 * 1024**3),
            disks=disks,
        )

    def checks(self, report: Report, host: Any, **kwargs: Any) -> list[CheckResult]:
        from agent.checks.interactive import run_interactive

        progress = kwargs.get("progress")
        if progress is not None:
            for fraction in (0.0, 0.5, 1.0):
                progress("memory", fraction)
        results = [CheckResult(id="memory", status="pass", message="Mémoire sans erreur")]
        interactive = kwargs.get("interactive")
        only = self.interactive_only if interactive is not None else ("keyboard",)
        return results + run_interactive(interactive, host, only=only)

    def plan(self, disks: Sequence[Disk], policy: Any, usages: Any, selected: Sequence[str] | None) -> Plan:
        chosen = [d for d in disks if selected is None or d.path in selected]
        return Plan([Entry(d.path, d) for d in chosen])

    def confirm(self, plan: Plan, ask: Callable[[str], str]) -> bool:
        return ask("Tapez EFFACER pour confirmer").strip().upper() == "EFFACER"

    def execute(self, plan: Plan, request: EraseRequest) -> list[SignedCertificate]:
        import time

        from agent.erase.progress import Progress

        self.executed.append(([e.device for e in plan.entries], set(request.restarted)))
        certs = []
        for entry in plan.entries:
            total = entry.disk.size_bytes or 1
            for i in range(1, self.progress_steps + 1):
                if request.progress:
                    request.progress(
                        Progress(
                            entry.device, 1, 1, "write", total * i // self.progress_steps, total, 100e6, 1.0
                        )
                    )
                if self.erase_delay_s:
                    time.sleep(self.erase_delay_s)
                if self.crash_during_erase and i == 2:
                    raise Crash()
            now = datetime.now(UTC)
            cert = Certificate(
                certificate_id=uuid.uuid4(),
                kind="erasure",
                result="erased",
                asset_code=request.asset_code,
                report_id=uuid.UUID(request.report_id),
                disk=CertDisk(name=entry.device, model=entry.disk.model, serial=entry.disk.serial),
                technique="overwrite",
                category="clear",
                verification=Verification(method="full", passed=True, coverage_percent=100.0),
                started_at=now,
                finished_at=now,
                restarted=entry.device in request.restarted,
            )
            certs.append(
                SignedCertificate(certificate=cert, public_key="AA==", key_fingerprint="00", signature="AA==")
            )
        return certs

    def grade(self, report: Report, policy: str | None) -> Grade:
        return Grade(
            grade="A",
            outcome="reuse",
            reasons=[
                GradeReason(rule="ok", grade="A", message_fr="Tout fonctionne", message_en="Everything works")
            ],
        )

    def steps(self) -> RunSteps:
        return RunSteps(
            inventory=self.inventory,
            checks=self.checks,
            grade=self.grade,
            usages=lambda host: {},
            erase_policy=lambda name: name,
            plan=self.plan,
            confirm=self.confirm,
            execute=self.execute,
            station_key=lambda d: type("K", (), {"fingerprint": "ab" * 32})(),
            write_certificate=lambda signed, out, lang: None,
        )


_lock = threading.Lock()

__all__ = ["Crash", "Entry", "Plan", "StubWorld"]
