"""The guided screen a technician follows on the console: one step at a time, in plain words.

Plain `rich` rendering (no full-screen framework): each step clears the screen and draws the
header (asset code, machine, step), the machine's key facts and what is happening now. During an
erasure a `Live` region redraws the progress bars once a second (a frame costs ~9 ms of CPU here) from the last values the engine
reported, so the engine's callback only stores numbers (it must not slow the I/O).
Works at 80×25 with no mouse; `Charset` degrades the characters for the Linux console and
serial lines.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from rich import box
from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from agent import fmt
from agent.i18n import _
from agent.run.summary import OUTCOME_WORD, RunSummary
from agent.tui import bigtext
from agent.tui.facts import key_facts
from agent.tui.term import Charset, detect
from agent.tui.words import CHANNELS, CHECK_NAMES, PHASES, disk_line

if TYPE_CHECKING:
    from agent.report import Report

GRADE_STYLE = {"A": "bold green", "B": "bold yellow", "C": "bold white", "D": "bold red"}


def _yes(answer: str) -> bool:
    return answer.strip().lower() in ("o", "oui", "y", "yes")


class GuidedUI:
    interactive = True

    def __init__(
        self,
        console: Console | None = None,
        *,
        charset: Charset | None = None,
        input_fn: Callable[[str], str] | None = None,
        operator: str | None = None,
    ) -> None:
        self.charset = charset or detect()
        self.console = console or Console(
            highlight=False,
            emoji=False,
            safe_box=self.charset.level != "unicode",
            color_system=None if self.charset.level == "ascii" else "standard",
        )
        self._input = input_fn
        self.asset_code: str | None = None
        self.machine: str | None = None
        self.step_label = ""
        self.facts: list[tuple[str, str]] = []
        self.lines: list[RenderableType] = []
        self._progress: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._live: Live | None = None
        self._last_check_draw = 0.0
        self._checks: dict[str, float | None] = {}
        self._operator = operator

    # -- drawing ----------------------------------------------------------------------------
    @property
    def _box(self) -> box.Box:
        return box.ASCII if self.charset.level == "ascii" else box.SQUARE

    def t(self, text: str) -> str:
        return self.charset.fit(text)

    def _header(self) -> RenderableType:
        top = Text()
        top.append("ATELIER", style="bold")
        if self.asset_code:
            top.append("  " + self.t(_("Asset")) + " ")
            top.append(self.asset_code, style="bold reverse")
        if self.machine:
            top.append("  " + self.t(self.machine))
        step = Text(self.t(self.step_label), style="bold cyan") if self.step_label else Text("")
        return Panel(Group(top, step), box=self._box, padding=(0, 1))

    def _facts(self) -> RenderableType:
        table = Table.grid(padding=(0, 1))
        table.add_column(style="dim", no_wrap=True)
        table.add_column(overflow="ellipsis", no_wrap=True)
        for label, value in self.facts:
            table.add_row(self.t(label), self.t(value))
        return table

    def _draw(self, *body: RenderableType) -> None:
        self.console.clear()
        parts: list[RenderableType] = [self._header()]
        if self.facts:
            parts.append(self._facts())
        parts.append(Text(""))
        parts.extend(body)
        self.console.print(Group(*parts))

    def _ask(self, prompt: str) -> str:
        if self._input is not None:
            return self._input(prompt)
        try:
            return self.console.input(self.t(prompt))
        except EOFError:
            return ""

    # -- RunUI ----------------------------------------------------------------------------
    def set_context(self, *, asset_code: str | None, machine: str | None) -> None:
        self.asset_code = asset_code or self.asset_code
        self.machine = machine or self.machine

    def step(self, step: str, index: int, total: int, title: str, detail: str = "") -> None:
        self.step_label = _("Step {index}/{total}: {title}").format(index=index, total=total, title=title)
        self.lines = []
        text = Text(self.t(title), style="bold")
        if detail:
            text.append(self.t(f" - {detail}"))
        self.lines.append(text)
        if step not in ("asset", "plan"):
            self.lines.append(Text(self.t(_("Atelier is working: nothing to do for now."))))
        self._draw(*self.lines)

    def info(self, message: str) -> None:
        self.lines.append(Text(self.t(message)))
        if self._live is None:
            self._draw(*self.lines)

    def warn(self, message: str) -> None:
        self.lines.append(Text(self.t("! " + message), style="bold yellow"))
        if self._live is None:
            self._draw(*self.lines)

    def ask_asset_code(self, error: str | None = None) -> str:
        body: list[RenderableType] = [
            Text(
                self.t(_("Scan the asset label of this computer, or type its code, then press Enter.")),
                style="bold",
            ),
            Text(self.t(_("Example: PC-2026-0042"))),
        ]
        if error:
            body.append(Text(self.t(error), style="bold red"))
        body.append(Text(""))
        self._draw(*body)
        return self._ask(_("Asset code: "))

    def confirm(self, question: str) -> bool:
        self._draw(*self.lines, Text(""), Text(self.t(question), style="bold yellow"))
        return _yes(self._ask(_("Answer y (yes) or n (no), then Enter: ")))

    def ask_text(self, prompt: str) -> str:
        self.console.print(Text(self.t(prompt), style="bold"))
        return self._ask("> ")

    def show_inventory(self, report: Report) -> None:
        self.facts = key_facts(report)
        self._draw(*self.lines, Text(self.t(_("Inventory done.")), style="green"))

    def check_progress(self, check_id: str, fraction: float | None = None, *args: Any, **kwargs: Any) -> None:
        """`agent.checks` reports (check id, fraction done); redrawn at most four times a second."""
        with self._lock:
            self._checks[str(check_id)] = fraction
        now = time.monotonic()
        if now - self._last_check_draw < 0.25 and (fraction or 0.0) < 1.0:
            return
        self._last_check_draw = now
        self._draw(*self.lines, self._checks_view())

    def _checks_view(self) -> RenderableType:
        table = Table.grid(padding=(0, 1))
        for _col in range(3):
            table.add_column(no_wrap=True)
        with self._lock:
            items = list(self._checks.items())[-8:]
        for check_id, fraction in items:
            kind, _sep, target = check_id.partition(":")
            name = _(CHECK_NAMES[kind]) if kind in CHECK_NAMES else kind
            label = f"{name} {target}".strip()
            value = min(1.0, max(0.0, fraction or 0.0))
            bar = self.charset.block * int(value * 22) + self.charset.shade * (22 - int(value * 22))
            table.add_row(self.t(label), bar, f"{value * 100:3.0f} %")
        return table

    def show_plan(self, rows: list[dict[str, str]]) -> None:
        table = Table(box=self._box, show_edge=True, pad_edge=False)
        for column in (_("Disk"), _("Model"), _("Size"), _("Method"), _("Time")):
            table.add_column(self.t(column), overflow="ellipsis", no_wrap=True)
        for row in rows:
            size = fmt.size(int(row["size"]), decimals=0) if row["size"].isdecimal() else "?"
            seconds = fmt.duration(float(row["seconds"])) if row["seconds"] else "?"
            technique = _("not erased (protected)") if row["refused"] else row["technique"]
            table.add_row(*(self.t(v) for v in (row["device"], row["model"], size, technique, seconds)))
        self.lines.append(table)
        for row in rows[:3]:
            if row["reason"]:
                self.lines.append(Text(self.t(f"{row['device']}: {row['reason']}"), style="dim"))
        self._draw(*self.lines)

    def _progress_view(self) -> RenderableType:
        with self._lock:
            items = list(self._progress.items())
        table = Table.grid(padding=(0, 1))
        for _col in range(5):
            table.add_column(no_wrap=True)
        bar_width = 22
        for device, p in items:
            fraction = min(1.0, max(0.0, getattr(p, "fraction", 0.0))) if p is not None else 0.0
            filled = int(fraction * bar_width)
            bar = self.charset.block * filled + self.charset.shade * (bar_width - filled)
            if p is None:
                table.add_row(device, self.t(_("waiting")), bar, "", "")
                continue
            phase = _(PHASES.get(p.phase, p.phase))
            label = f"{phase} {p.pass_index}/{p.passes}" if p.passes > 1 else phase
            speed = fmt.size(int(p.throughput_bps)) + "/s"
            eta = _("{time} left").format(time=fmt.duration(p.eta_s)) if p.eta_s is not None else ""
            table.add_row(device, self.t(label), bar, f"{fraction * 100:3.0f} %", self.t(f"{speed} {eta}"))
        return Group(self._header(), self._facts(), Text(""), *self.lines, Text(""), table)

    def erase_started(self, devices: list[str]) -> None:
        with self._lock:
            self._progress = {d: None for d in devices}
        self.lines.append(
            Text(self.t(_("Do not switch the computer off. You can do something else meanwhile.")))
        )
        self.console.clear()
        self._live = Live(
            get_renderable=self._progress_view,
            console=self.console,
            refresh_per_second=1,
            transient=False,
            redirect_stdout=False,
            redirect_stderr=False,
        )
        self._live.start()

    def erase_progress(self, progress: Any) -> None:
        # Called from the engine's worker threads: store only, the Live thread draws.
        with self._lock:
            self._progress[progress.device] = progress

    def erase_finished(self) -> None:
        if self._live is not None:
            self._live.stop()
            self._live = None

    def interactive_checks(self) -> Any:
        return self

    @property
    def operator(self) -> str | None:
        return self._operator

    def show_summary(self, summary: RunSummary) -> None:
        self.step_label = _("Finished")
        self.console.clear()
        self.console.print(Group(*self.summary_view(summary)))

    def summary_view(self, summary: RunSummary) -> list[RenderableType]:
        parts: list[RenderableType] = [self._header()]
        grade = summary.grade
        if grade is not None:
            word = _(OUTCOME_WORD[grade.outcome])
            big = grade.grade + " " + word
            if bigtext.width(big) > self.console.width - 2:
                big = grade.grade
            style = GRADE_STYLE.get(grade.grade, "bold")
            for row in bigtext.render(big, self.charset.block):
                parts.append(Text(row, style=style))
        else:
            for row in bigtext.render("?", self.charset.block):
                parts.append(Text(row, style="bold"))
        parts.append(Text(""))
        parts.append(Text(self.t(summary.next_step()), style="bold reverse"))
        for reason in summary.reasons()[:3]:
            parts.append(Text(self.t("- " + reason)))
        for upgrade in summary.upgrades()[:2]:
            parts.append(Text(self.t("+ " + upgrade)))
        for disk in summary.disks[:3]:
            parts.append(
                Text(self.t(self.disk_line(disk)), style="green" if disk.result == "erased" else "bold red")
            )
        if summary.refused:
            parts.append(Text(self.t(summary.refused), style="bold red"))
        if summary.unavailable:
            parts.append(
                Text(
                    self.t(
                        _("Not available in this version: {steps}").format(
                            steps=", ".join(summary.unavailable)
                        )
                    )
                )
            )
        parts.append(
            Text(
                self.t(summary.upload_message or ""),
                style="green" if summary.upload == "sent" else "bold yellow",
            )
        )
        if summary.label_path is not None:
            label = (
                _("Label printed.")
                if summary.label_printed
                else _("Label saved: {path}").format(path=summary.label_path)
            )
            parts.append(Text(self.t(label)))
        return parts

    disk_line = staticmethod(disk_line)

    def wait_end(self, message: str) -> None:
        self.console.print(Text(self.t(message), style="dim"))
        self._ask("")

    # -- InteractiveUI (agent.checks.interactive) -------------------------------------------
    def ask_yes_no(self, question: str, *args: Any, **kwargs: Any) -> bool | None:
        self._draw(*self.lines, Text(self.t(question), style="bold"))
        answer = self._ask(_("y = yes, n = no, s = skip, then Enter: ")).strip().lower()
        if answer in ("s", "p", "passer", "skip", ""):
            return None
        return _yes(answer)

    def ask_choice(self, question: str, choices: Sequence[str], *args: Any, **kwargs: Any) -> str | None:
        body: list[RenderableType] = [Text(self.t(question), style="bold")]
        for number, choice in enumerate(choices, 1):
            body.append(Text(self.t(f"  {number}. {choice}")))
        self._draw(*self.lines, *body)
        answer = self._ask(_("Number, then Enter (empty = skip): ")).strip()
        if answer.isdecimal() and 1 <= int(answer) <= len(choices):
            return choices[int(answer) - 1]
        upper = {c.upper(): c for c in choices}
        return upper.get(answer.upper())

    def ask_keyboard(self, phrase: str, *args: Any, **kwargs: Any) -> str | None:
        self._draw(
            *self.lines,
            Text(self.t(_("Keyboard test: type this sentence, then Enter (empty = skip):")), style="bold"),
            Text(self.t(phrase), style="reverse"),
        )
        typed = self._ask("> ")
        return typed or None

    def show_colours(self, colours: Sequence[str], *args: Any, **kwargs: Any) -> str | None:
        for colour in colours:
            self.console.clear()
            filler = Text((" " * self.console.width + "\n") * (self.console.height - 2), style=f"on {colour}")
            self.console.print(filler, end="")
            self._ask(self.t(_("Look for dead pixels, then Enter")))
        even = self.ask_yes_no(_("Was every colour even, with no dead pixel and no dark area?"))
        if even is None:
            return None
        if even:
            return "ok"
        described = self._ask(self.t(_("Describe the defect in a few words, then Enter: "))).strip()
        return described or _("defect seen by the technician")

    def play_tone(self, channel: str, *args: Any, **kwargs: Any) -> bool | None:
        side = _(CHANNELS[channel]) if channel in CHANNELS else channel
        return self.ask_yes_no(_("Do you hear the sound on the {channel} side?").format(channel=side))


__all__ = ["GuidedUI"]
