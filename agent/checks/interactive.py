"""Checks only a person can judge, asked through the TUI: keyboard, screen, speakers, webcam,
touchpad / mouse, USB ports and the appearance grade.

The TUI implements `InteractiveUI`; the checks never draw anything themselves. Every answer is
recorded with who gave it (`answered_by`). A question the technician skips (None) makes the check
"skipped", never "pass".
"""

from __future__ import annotations

import math
import os
import struct
import tempfile
import time
import unicodedata
import wave
from collections.abc import Callable, Sequence
from typing import Protocol, runtime_checkable

from agent.checks._result import Timer, result
from agent.checks._text import Text, text
from agent.host import Host, HostFileError
from agent.i18n import N_
from agent.report import CheckResult

#: A French pangram: every letter of the alphabet, as the technician types it.
KEYBOARD_PHRASE = "Portez ce vieux whisky au juge blond qui fume 1234567890"
SCREEN_COLOURS = ("red", "green", "blue", "white", "black")
#: eReuse's appearance range, A (as new) to D (damaged), worded for the technician.
APPEARANCE_CHOICES = ("A", "B", "C", "D")
INTERACTIVE_IDS = ("keyboard", "screen", "speakers", "webcam", "pointer", "usb-ports", "appearance")


@runtime_checkable
class InteractiveUI(Protocol):
    """What the TUI offers the interactive checks. Every method may return None: "skipped"."""

    @property
    def operator(self) -> str | None:
        """Name of the technician answering (recorded as `answered_by`)."""
        ...

    def ask_keyboard(self, phrase: str) -> str | None:
        """Show `phrase`, let the technician type it, return what was typed."""
        ...

    def show_colours(self, colours: Sequence[str]) -> str | None:
        """Fill the screen with each colour in turn, then ask about dead pixels and backlight.

        Return "ok" when the screen is fine, otherwise a short description of the defect.
        """
        ...

    def play_tone(self, channel: str) -> bool | None:
        """The agent has just played a tone on `channel` ("left" / "right"): was it heard?"""
        ...

    def ask_yes_no(self, question: str) -> bool | None: ...

    def ask_choice(self, question: str, choices: Sequence[str]) -> str | None: ...


def _who(ui: InteractiveUI) -> str:
    return f"technicien: {ui.operator}" if ui.operator else "technicien"


def _skipped(check_id: str, ui: InteractiveUI, timer: Timer) -> CheckResult:
    return result(
        check_id, "skipped", text(N_("skipped by the technician")), timer=timer, answered_by=_who(ui)
    )


def not_asked(check_id: str) -> CheckResult:
    """Interactive check in an automatic run (no TUI)."""
    return result(check_id, "skipped", text(N_("not asked in automatic mode")), answered_by=None)


def _letters(value: str) -> set[str]:
    # "é" typed for "e" is fine: compare without accents, case-insensitively.
    plain = unicodedata.normalize("NFKD", value.lower())
    return {c for c in plain if c.isalnum() and c.isascii()}


def check_keyboard(ui: InteractiveUI, phrase: str = KEYBOARD_PHRASE) -> CheckResult:
    timer = Timer()
    typed = ui.ask_keyboard(phrase)
    if typed is None:
        return _skipped("keyboard", ui, timer)
    missing = sorted(_letters(phrase) - _letters(typed))
    special = ui.ask_yes_no(
        text(N_("Do Enter, Shift, Backspace, the space bar and the arrow keys work?")).local()
    )
    measurements: dict[str, str | bool | None] = {
        "missing_keys": "".join(missing),
        "special_keys_ok": special,
    }
    if missing or special is False:
        what = " ".join(missing).upper() if missing else text(N_("special keys")).local()
        return result(
            "keyboard",
            "fail",
            text(N_("keys not working: {keys}"), keys=what),
            timer=timer,
            measurements=dict(measurements),
            answered_by=_who(ui),
        )
    return result(
        "keyboard",
        "pass",
        text(N_("every key typed works")),
        timer=timer,
        measurements=dict(measurements),
        answered_by=_who(ui),
    )


def check_screen(ui: InteractiveUI) -> CheckResult:
    timer = Timer()
    answer = ui.show_colours(SCREEN_COLOURS)
    if answer is None:
        return _skipped("screen", ui, timer)
    if answer.strip().lower() in ("ok", "", "none"):
        return result(
            "screen",
            "pass",
            text(N_("screen without dead pixels, backlight even")),
            timer=timer,
            answered_by=_who(ui),
        )
    return result(
        "screen",
        "fail",
        text(N_("screen defect: {what}"), what=answer.strip()),
        timer=timer,
        measurements={"defect": answer.strip()},
        answered_by=_who(ui),
    )


def tone_wav(
    path: str, channel: str, *, seconds: float = 1.0, frequency: float = 440.0, rate: int = 44100
) -> None:
    """A stereo WAV with a sine tone on one channel only (the other silent)."""
    frames = bytearray()
    for i in range(int(seconds * rate)):
        sample = int(12000 * math.sin(2 * math.pi * frequency * i / rate))
        left, right = (sample, 0) if channel == "left" else (0, sample)
        frames += struct.pack("<hh", left, right)
    with wave.open(path, "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(bytes(frames))


_CHANNEL_NAMES = {"left": N_("left speaker"), "right": N_("right speaker")}


def check_speakers(ui: InteractiveUI, host: Host) -> CheckResult:
    timer = Timer()
    heard: dict[str, bool | None] = {}
    with tempfile.TemporaryDirectory(prefix="atelier-tone-") as tmp:
        for channel in ("left", "right"):
            path = os.path.join(tmp, f"{channel}.wav")
            tone_wav(path, channel)
            played = host.run(["aplay", "-q", path], timeout=15)
            if played.missing:
                return result(
                    "speakers", "skipped", text(N_("no sound player (aplay) in this system")), timer=timer
                )
            if not played.ok:
                return result(
                    "speakers",
                    "fail",
                    text(N_("no sound card answered: {detail}"), detail=played.stderr.strip()[:120]),
                    timer=timer,
                    answered_by="auto",
                )
            heard[channel] = ui.play_tone(channel)
    if any(v is None for v in heard.values()):
        return _skipped("speakers", ui, timer)
    silent = [c for c, ok in heard.items() if not ok]
    measurements = {f"{c}_heard": v for c, v in heard.items()}
    if silent:
        names = ", ".join(text(_CHANNEL_NAMES[c]).local() for c in silent)
        return result(
            "speakers",
            "fail",
            text(N_("no sound on: {channels}"), channels=names),
            timer=timer,
            measurements=dict(measurements),
            answered_by=_who(ui),
        )
    return result(
        "speakers",
        "pass",
        text(N_("sound heard on both channels")),
        timer=timer,
        measurements=dict(measurements),
        answered_by=_who(ui),
    )


def _video_devices(host: Host) -> list[str]:
    try:
        return [f"/dev/{n}" for n in host.list_dir("/dev") if n.startswith("video")]
    except HostFileError:
        return []


def check_webcam(ui: InteractiveUI, host: Host) -> CheckResult:
    timer = Timer()
    devices = _video_devices(host)
    if not devices:
        has_camera = ui.ask_yes_no(text(N_("No webcam detected. Does this machine have a webcam?")).local())
        if has_camera is None:
            return _skipped("webcam", ui, timer)
        if has_camera:
            return result(
                "webcam",
                "fail",
                text(N_("webcam not detected by the system")),
                timer=timer,
                answered_by=_who(ui),
            )
        return result(
            "webcam", "skipped", text(N_("no webcam on this machine")), timer=timer, answered_by=_who(ui)
        )
    device = devices[0]
    with tempfile.TemporaryDirectory(prefix="atelier-cam-") as tmp:
        image = os.path.join(tmp, "frame.jpg")
        grab = host.run(
            ["ffmpeg", "-loglevel", "error", "-f", "v4l2", "-i", device, "-frames:v", "1", "-y", image],
            timeout=20,
        )
        if grab.missing:
            grab = host.run(["fswebcam", "-q", "-d", device, "--no-banner", image], timeout=20)
        captured = grab.ok
    measurements: dict[str, str | bool | None] = {
        "device": device,
        "frame_captured": None if grab.missing else captured,
    }
    if grab.missing:
        return result(
            "webcam",
            "pass",
            text(N_("webcam present ({device}); no capture tool to take a picture"), device=device),
            timer=timer,
            measurements=dict(measurements),
        )
    if not captured:
        return result(
            "webcam",
            "fail",
            text(N_("webcam present but no picture could be taken")),
            timer=timer,
            measurements=dict(measurements),
        )
    return result(
        "webcam",
        "pass",
        text(N_("webcam works (one picture taken)")),
        timer=timer,
        measurements=dict(measurements),
    )


def check_pointer(ui: InteractiveUI) -> CheckResult:
    timer = Timer()
    answer = ui.ask_yes_no(
        text(N_("Do the touchpad (or mouse) and its buttons work: move, left click, right click?")).local()
    )
    if answer is None:
        return _skipped("pointer", ui, timer)
    if answer:
        return result(
            "pointer", "pass", text(N_("touchpad / mouse works")), timer=timer, answered_by=_who(ui)
        )
    return result(
        "pointer",
        "fail",
        text(N_("touchpad / mouse does not work properly")),
        timer=timer,
        answered_by=_who(ui),
    )


USB_DIR = "/sys/bus/usb/devices"


def _usb_devices(host: Host) -> set[str]:
    try:
        # Interfaces ("1-1:1.0") come with every device; devices alone are enough.
        return {n for n in host.list_dir(USB_DIR) if ":" not in n}
    except HostFileError:
        return set()


def check_usb_ports(
    ui: InteractiveUI,
    host: Host,
    *,
    wait_s: float = 8.0,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> CheckResult:
    timer = Timer()
    count = ui.ask_choice(
        text(N_("How many USB ports does this machine have?")).local(), [str(n) for n in range(1, 9)]
    )
    if count is None:
        return _skipped("usb-ports", ui, timer)
    dead: list[int] = []
    tested = 0
    for port in range(1, int(count) + 1):
        before = _usb_devices(host)
        ready = ui.ask_yes_no(
            text(
                N_("Plug the USB stick into port {n}, then answer yes (no = skip this port)."), n=port
            ).local()
        )
        if not ready:
            continue
        tested += 1
        deadline = clock() + wait_s
        while not (_usb_devices(host) - before):
            if clock() > deadline:
                dead.append(port)
                break
            sleep(0.5)
    measurements: dict[str, str | int | None] = {
        "ports": int(count),
        "tested": tested,
        "dead_ports": ",".join(map(str, dead)),
    }
    if tested == 0:
        return _skipped("usb-ports", ui, timer)
    if dead:
        return result(
            "usb-ports",
            "fail",
            text(N_("USB port(s) not working: {ports}"), ports=", ".join(map(str, dead))),
            timer=timer,
            measurements=dict(measurements),
            answered_by=_who(ui),
        )
    return result(
        "usb-ports",
        "pass",
        text(N_("{n} USB port(s) tested, all work"), n=tested),
        timer=timer,
        measurements=dict(measurements),
        answered_by=_who(ui),
    )


APPEARANCE_HELP: dict[str, str] = {
    "A": N_("A: like new, no visible mark"),
    "B": N_("B: light signs of use (small scratches)"),
    "C": N_("C: clear signs of use (scratches, worn keys, small dents)"),
    "D": N_("D: damaged (cracks, broken hinge or case parts)"),
}


def check_appearance(ui: InteractiveUI) -> CheckResult:
    timer = Timer()
    choices = [text(APPEARANCE_HELP[g]).local() for g in APPEARANCE_CHOICES]
    answer = ui.ask_choice(text(N_("Appearance of the machine?")).local(), choices)
    if answer is None:
        return _skipped("appearance", ui, timer)
    grade = answer.strip()[:1].upper()
    if grade not in APPEARANCE_CHOICES:
        return result(
            "appearance",
            "error",
            text(N_("unexpected answer: {answer}"), answer=answer),
            timer=timer,
            answered_by=_who(ui),
        )
    label = text(APPEARANCE_HELP[grade])
    return result(
        "appearance",
        "pass" if grade in ("A", "B", "C") else "warn",
        Text(en=f"appearance {label.en}", fr=f"aspect {label.fr}"),
        timer=timer,
        measurements={"grade": grade},
        answered_by=_who(ui),
    )


def run_interactive(
    ui: InteractiveUI | None, host: Host, only: Sequence[str] = INTERACTIVE_IDS
) -> list[CheckResult]:
    if ui is None:
        return [not_asked(check_id) for check_id in only]
    runners: dict[str, Callable[[], CheckResult]] = {
        "keyboard": lambda: check_keyboard(ui),
        "screen": lambda: check_screen(ui),
        "speakers": lambda: check_speakers(ui, host),
        "webcam": lambda: check_webcam(ui, host),
        "pointer": lambda: check_pointer(ui),
        "usb-ports": lambda: check_usb_ports(ui, host),
        "appearance": lambda: check_appearance(ui),
    }
    return [runners[check_id]() for check_id in only if check_id in runners]


__all__ = [
    "INTERACTIVE_IDS",
    "KEYBOARD_PHRASE",
    "InteractiveUI",
    "check_appearance",
    "check_keyboard",
    "check_pointer",
    "check_screen",
    "check_speakers",
    "check_usb_ports",
    "check_webcam",
    "not_asked",
    "run_interactive",
    "tone_wav",
]
