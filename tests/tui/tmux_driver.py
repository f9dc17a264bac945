"""Drive a program in a real terminal: tmux at 80×25, keys in, screen text out."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import time
import uuid
from collections.abc import Mapping, Sequence

import pytest


class Tmux:
    def __init__(
        self, argv: Sequence[str], *, env: Mapping[str, str], width: int = 80, height: int = 25
    ) -> None:
        if shutil.which("tmux") is None:
            pytest.skip("tmux is not installed (make deps installs it)")
        self.name = f"atelier-test-{uuid.uuid4().hex[:8]}"
        # A private tmux server per test: another session (or helper) killing the default server
        # must not take this test's screen with it.
        self.tmux = ["tmux", "-L", self.name]
        exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
        # `; sleep` keeps the pane (and its last screen) after the program exits, for capture.
        command = f"env {exports} {shlex.join(argv)}; echo EXIT=$?; sleep 600"
        argv = [
            *self.tmux,
            "new-session",
            "-d",
            "-s",
            self.name,
            "-x",
            str(width),
            "-y",
            str(height),
            command,
        ]
        for attempt in range(3):
            started = subprocess.run(argv, capture_output=True, text=True, check=False)
            if started.returncode == 0:
                break
            time.sleep(0.5 * (attempt + 1))
        else:
            raise RuntimeError(f"tmux did not start: {started.stderr.strip()}")
        self.started = time.monotonic()

    def screen(self) -> str:
        return subprocess.run(
            [*self.tmux, "capture-pane", "-p", "-t", self.name], capture_output=True, text=True, check=False
        ).stdout

    def wait_for(self, text: str, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.05)
        raise AssertionError(f"{text!r} not on screen after {timeout} s; screen was:\n{screen}")

    def send(self, text: str, enter: bool = True) -> None:
        if text:
            subprocess.run([*self.tmux, "send-keys", "-t", self.name, "-l", text], check=True)
        if enter:
            subprocess.run([*self.tmux, "send-keys", "-t", self.name, "Enter"], check=True)

    def close(self) -> None:
        subprocess.run([*self.tmux, "kill-server"], check=False, capture_output=True)


__all__ = ["Tmux"]
