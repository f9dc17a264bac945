"""Interactive checks answered by a scripted UI (the TUI implements the same protocol)."""

from __future__ import annotations

import wave
from collections.abc import Sequence
from pathlib import Path

from agent.checks.interactive import (
    KEYBOARD_PHRASE,
    InteractiveUI,
    check_appearance,
    check_keyboard,
    check_pointer,
    check_screen,
    check_speakers,
    check_usb_ports,
    check_webcam,
    run_interactive,
    tone_wav,
)
from agent.host import ReplayHost
from tests.checks._scripted import ScriptedHost


class ScriptedUI:
    def __init__(
        self,
        *,
        typed: str | None = KEYBOARD_PHRASE,
        colours: str | None = "ok",
        heard: Sequence[bool | None] = (True, True),
        yes_no: Sequence[bool | None] = (True,),
        choices: Sequence[str | None] = ("A",),
        operator: str | None = "Samir",
    ) -> None:
        self.typed, self.colours = typed, colours
        self.heard, self.yes_no, self.choices = list(heard), list(yes_no), list(choices)
        self._operator = operator
        self.questions: list[str] = []

    @property
    def operator(self) -> str | None:
        return self._operator

    def ask_keyboard(self, phrase: str) -> str | None:
        self.questions.append(phrase)
        return self.typed

    def show_colours(self, colours: Sequence[str]) -> str | None:
        return self.colours

    def play_tone(self, channel: str) -> bool | None:
        return self.heard.pop(0)

    def ask_yes_no(self, question: str) -> bool | None:
        self.questions.append(question)
        return self.yes_no.pop(0) if len(self.yes_no) > 1 else self.yes_no[0]

    def ask_choice(self, question: str, choices: Sequence[str]) -> str | None:
        self.questions.append(question)
        return self.choices.pop(0) if len(self.choices) > 1 else self.choices[0]


def test_protocol_is_satisfied() -> None:
    assert isinstance(ScriptedUI(), InteractiveUI)


def test_keyboard_phrase_covers_the_alphabet() -> None:
    assert set("abcdefghijklmnopqrstuvwxyz") <= set(KEYBOARD_PHRASE.lower())


def test_keyboard_pass_and_missing_keys() -> None:
    ok = check_keyboard(ScriptedUI())
    assert ok.status == "pass" and ok.answered_by == "technicien: Samir"
    broken = check_keyboard(
        ScriptedUI(typed=KEYBOARD_PHRASE.replace("q", "").replace("z", "").replace("7", ""))
    )
    assert broken.status == "fail"
    assert broken.measurements["missing_keys"] == "7qz"
    assert "Q" in broken.message and "Z" in broken.message
    assert check_keyboard(ScriptedUI(typed=None)).status == "skipped"
    # Accented letters typed for plain ones are fine ("é" for "e").
    assert check_keyboard(ScriptedUI(typed=KEYBOARD_PHRASE.replace("e", "é"))).status == "pass"


def test_screen() -> None:
    assert check_screen(ScriptedUI(colours="ok")).status == "pass"
    bad = check_screen(ScriptedUI(colours="3 pixels morts en haut à gauche"))
    assert bad.status == "fail" and bad.measurements["defect"] == "3 pixels morts en haut à gauche"


def test_tone_wav_is_stereo_on_one_channel(tmp_path: Path) -> None:
    path = tmp_path / "left.wav"
    tone_wav(str(path), "left", seconds=0.1)
    with wave.open(str(path)) as wav:
        assert wav.getnchannels() == 2 and wav.getframerate() == 44100
        frames = wav.readframes(wav.getnframes())
    right = frames[2::4] + frames[3::4]
    assert set(right) == {0} and any(frames[0::4])


class AplayHost(ScriptedHost):
    def __init__(self, rc: int = 0, missing: bool = False) -> None:
        super().__init__({})
        self.rc, self.missing = rc, missing

    def run(self, argv: Sequence[str], *, timeout: float = 30.0):  # type: ignore[no-untyped-def]
        from agent.host import CommandResult

        self.calls.append(tuple(argv))
        if self.missing:
            return CommandResult(tuple(argv), 127, "", "", missing=True)
        return CommandResult(
            tuple(argv), self.rc, "", "aplay: main:831: audio open error: No such file or directory"
        )


def test_speakers() -> None:
    host = AplayHost()
    assert check_speakers(ScriptedUI(heard=(True, True)), host).status == "pass"
    assert [c[:2] for c in host.calls] == [("aplay", "-q"), ("aplay", "-q")]
    silent = check_speakers(ScriptedUI(heard=(True, False)), AplayHost())
    assert silent.status == "fail" and "haut-parleur droit" in silent.message
    assert check_speakers(ScriptedUI(), AplayHost(missing=True)).status == "skipped"
    assert check_speakers(ScriptedUI(), AplayHost(rc=1)).status == "fail"


def test_webcam() -> None:
    no_camera = ReplayHost.build(files={"/dev/null": ""})
    assert check_webcam(ScriptedUI(yes_no=(False,)), no_camera).status == "skipped"
    assert check_webcam(ScriptedUI(yes_no=(True,)), no_camera).status == "fail"
    camera = ScriptedHost(
        {
            ("ffmpeg", "-loglevel", "error", "-f", "v4l2", "-i", "/dev/video0", "-frames:v", "1", "-y"): [
                (0, "")
            ]
        },
        files={"/dev/video0": ""},
    )
    result = check_webcam(ScriptedUI(), camera)
    # The capture command names a temporary file: the scripted host does not know it -> "no tool".
    assert result.status == "pass" and result.measurements["device"] == "/dev/video0"

    class Ffmpeg(ScriptedHost):
        def __init__(self, rc: int) -> None:
            super().__init__({}, files={"/dev/video0": ""})
            self.rc = rc

        def run(self, argv: Sequence[str], *, timeout: float = 30.0):  # type: ignore[no-untyped-def]
            from agent.host import CommandResult

            self.calls.append(tuple(argv))
            return CommandResult(tuple(argv), self.rc, "", "")

    grabbed = check_webcam(ScriptedUI(), Ffmpeg(0))
    assert grabbed.status == "pass" and grabbed.measurements["frame_captured"] is True
    dark = check_webcam(ScriptedUI(), Ffmpeg(1))
    assert dark.status == "fail" and "aucune photo" in dark.message


def test_pointer_and_appearance() -> None:
    assert check_pointer(ScriptedUI(yes_no=(True,))).status == "pass"
    assert check_pointer(ScriptedUI(yes_no=(False,))).status == "fail"
    appearance = check_appearance(ScriptedUI(choices=("C : traces d'usage nettes",)))
    assert appearance.measurements["grade"] == "C" and appearance.answered_by == "technicien: Samir"
    assert check_appearance(ScriptedUI(choices=("D",))).status == "warn"


class UsbHost(ScriptedHost):
    """USB devices appear when the technician plugs the stick (port 2 is dead)."""

    def __init__(self) -> None:
        super().__init__({})
        self.present = {"usb1", "usb2", "1-1"}
        self.plugged = 0

    def list_dir(self, path: str) -> list[str]:
        return sorted(self.present)

    def plug(self, port: int) -> None:
        if port != 2:
            self.present.add(f"2-{port}")


def test_usb_ports_finds_the_dead_one() -> None:
    host = UsbHost()

    class PlugUI(ScriptedUI):
        port = 0

        def ask_yes_no(self, question: str) -> bool | None:
            self.port += 1
            host.plug(self.port)
            return True

    clock = [0.0]

    def sleep(s: float) -> None:
        clock[0] += s

    result = check_usb_ports(PlugUI(choices=("3",)), host, sleep=sleep, clock=lambda: clock[0])
    assert result.status == "fail"
    assert result.measurements == {"ports": 3, "tested": 3, "dead_ports": "2"}


def test_automatic_mode_skips_every_interactive_check() -> None:
    results = run_interactive(None, ReplayHost.build(files={}))
    assert {r.id for r in results} == {
        "keyboard",
        "screen",
        "speakers",
        "webcam",
        "pointer",
        "usb-ports",
        "appearance",
    }
    assert all(r.status == "skipped" and r.message == "non demandé en mode automatique" for r in results)
