"""Pieces every sub-command shares: the parser type, `--lang`, host selection."""

from __future__ import annotations

import argparse

from agent._typing import TYPE_CHECKING, Any
from agent.i18n import N_

if TYPE_CHECKING:
    Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]
else:
    Subparsers = Any


def add_command(subparsers: Subparsers, name: str, help_text: str, **kwargs: Any) -> argparse.ArgumentParser:
    """A sub-command parser that also accepts `--lang` after the command name."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        name, help=help_text, description=help_text, **kwargs
    )
    parser.add_argument("--lang", choices=("fr", "en"), help=N_("language of messages (default: fr)"))
    return parser


__all__ = ["Subparsers", "add_command"]
