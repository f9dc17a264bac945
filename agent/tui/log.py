"""The unattended run's screen: one timestamped line per event, never a question.

Also readable in the journal and over a serial console, so it uses the same charset fallback.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import TYPE_CHECKING, Any, TextIO

from agent import fmt
from agent.i18n import _
from agent.run.summary import RunSummary
from agent.tui.facts import key_facts
from agent.tui.term import Charset, detect
from agent.tui.words import CHECK_NAMES, PHASES, disk_line

if TYPE_CHECKING:
    from agent.report import Report


class LogUI:
    interactive = False

    def __init__(
        self, stream: TextIO | None = None, *, charset: Charset | None = None, every_s: float = 5.0
    ) -> None:
        self.stream = stream or sys.stdout
        self.charset = charset or detect()
        self.every_s = every_s
        self._last: dict[str, float] = {}
        self._lock = threading.Lock()

    def _line(self, text: str) -> None:
        with self._lock:
            self.stream.write(f"[{time.strftime('%H:%M:%S')}] {self.charset.fit(text)}\n")
            self.stream.flush()

    def set_context(self, *, asset_code: str | None, machine: str | None) -> None:
        if machine:
            self._line(f"{asset_code or '?'}: {machine}")

    def step(self, step: str, index: int, total: int, title: str, detail: str = "") -> None:
        text = _("Step {index}/{total}: {title}").format(index=index, total=total, title=title)
        self._line(text + (f" ({detail})" if detail else ""))

    def info(self, message: str) -> None:
        self._line(message)

    def warn(self, message: str) -> None:
        self._line("! " + message)

    def ask_asset_code(self, error: str | None = None) -> str:
        raise RuntimeError("unattended runs never ask")  # the pipeline checks `interactive` first

    def confirm(self, question: str) -> bool:
        raise RuntimeError("unattended runs never ask")

    def ask_text(self, prompt: str) -> str:
        raise RuntimeError("unattended runs never ask")

    def show_inventory(self, report: Report) -> None:
        for label, value in key_facts(report):
            self._line(f"  {label}: {value}")

    def check_progress(self, check_id: str, fraction: float | None = None, *args: Any, **kwargs: Any) -> None:
        key = f"check:{check_id}"
        done = fraction is not None and fraction >= 1.0
        if not done and time.monotonic() - self._last.get(key, 0.0) < self.every_s:
            return
        self._last[key] = time.monotonic()
        percent = "" if fraction is None else f" {fraction * 100:.0f} %"
        kind, _sep, target = str(check_id).partition(":")
        name = _(CHECK_NAMES[kind]) if kind in CHECK_NAMES else kind
        self._line(f"  {name} {target}".rstrip() + percent)

    def show_plan(self, rows: list[dict[str, str]]) -> None:
        for row in rows:
            what = _("not erased (protected)") if row["refused"] else row["technique"]
            self._line(f"  {row['device']} {row['model']} {row['serial']}: {what}")
            if row["reason"]:
                self._line(f"    {row['reason']}")

    def erase_started(self, devices: list[str]) -> None:
        self._line(_("Erasing: {devices}").format(devices=", ".join(devices)))

    def erase_progress(self, progress: Any) -> None:
        now = time.monotonic()
        key = progress.device
        done = progress.bytes_done >= progress.bytes_total
        if not done and now - self._last.get(key, 0.0) < self.every_s:
            return
        self._last[key] = now
        eta = fmt.duration(progress.eta_s) if progress.eta_s is not None else "?"
        self._line(
            f"  {progress.device} {_(PHASES.get(progress.phase, progress.phase))} "
            f"{progress.pass_index}/{progress.passes} "
            f"{progress.fraction * 100:.0f} % {fmt.size(int(progress.throughput_bps))}/s, "
            + _("{time} left").format(time=eta)
        )

    def erase_finished(self) -> None:
        pass

    def interactive_checks(self) -> Any:
        return None

    def show_summary(self, summary: RunSummary) -> None:
        grade = summary.grade.grade if summary.grade else "?"
        self._line(_("Grade: {grade}").format(grade=grade) + f"  {summary.next_step()}")
        for reason in summary.reasons():
            self._line(f"  - {reason}")
        for disk in summary.disks:
            self._line("  " + disk_line(disk))
        if summary.refused:
            self._line("! " + summary.refused)
        if summary.upload_message:
            self._line(summary.upload_message)
        self._line(_("Report {id}, exit code {code}").format(id=summary.report_id, code=summary.exit_code))

    def wait_end(self, message: str) -> None:
        return None


__all__ = ["LogUI"]
