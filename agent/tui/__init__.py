"""Screens of `atelier run`: the guided console TUI and the unattended log."""

from agent.tui.term import Charset, detect

__all__ = ["Charset", "detect"]
