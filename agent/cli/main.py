"""`atelier` entry point: builds the sub-commands, maps every error to one line and an exit code."""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import re
import sys
from collections.abc import Callable, Sequence

from agent import __version__
from agent._typing import TYPE_CHECKING, Any
from agent.errors import EXIT_INTERRUPTED, AtelierError, UsageError
from agent.i18n import N_, _, set_language

if TYPE_CHECKING:
    from typing import NoReturn

#: One module per sub-command under agent/cli/; each defines `register(subparsers)`.
#: A module that is not there yet is skipped, so the command set grows with the issues.
COMMAND_MODULES = (
    "inventory",
    "capture",
    "schema",
    "erase",
    "verify_erasure",
    "certificate",
    "disk_health",
    "check",
    "grade",
    "run",
    "sync",
    "config",
    "station",
    "label",
)

#: Compiled only when argparse complains (re caches them), not at every start.
_ARGPARSE_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"unrecognized arguments: (.*)", "unknown option or argument: {0}"),
    (r"the following arguments are required: (.*)", "missing required argument: {0}"),
    (
        r"argument (\S+): invalid choice: (.*?) \(choose from (.*)\)",
        "{0}: invalid choice {1} (choose from {2})",
    ),
    (r"argument (\S+): expected one argument", "{0}: a value is expected"),
    (r"argument (\S+): invalid (\w+) value: (.*)", "{0}: invalid value {2}"),
    (r"ambiguous option: (.*)", "ambiguous option: {0}"),
)


def translate_argparse(message: str) -> str:
    """argparse speaks English only; turn its usual complaints into the catalog's sentences."""
    for pattern, template in _ARGPARSE_PATTERNS:
        match = re.search(pattern, message)
        if match:
            return _(template).format(*(_(group) for group in match.groups()))
    return message


#: True while a help or usage text is being written: argparse also formats metavars when an
#: argument is added (to check them), and that must not load the catalog.
_showing_help = False


def _terminal_columns() -> int:
    """shutil.get_terminal_size's answer without importing shutil (and its compression modules)."""
    try:
        return int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        pass
    try:
        return os.get_terminal_size(sys.__stdout__.fileno() if sys.__stdout__ else 1).columns
    except (AttributeError, ValueError, OSError):
        return 80


def _argparse_words(message: str) -> str:
    """argparse's own words ("usage: ", "options", "show this help message and exit"…), from
    Atelier's catalog when help is shown (below), as they are when a parser is built."""
    return _(message) if _showing_help else message


# argparse asks gettext for a "messages" catalog at each of its words, every time a parser is
# built: `locale` imported, the locale directories searched, for words it never translates. They
# are Atelier's to translate instead; headings are stored when the parser is built and
# translated when shown (`start_section`).
argparse._ = _argparse_words  # type: ignore[attr-defined]

#: argparse's words that help shows, marked for the catalog (argparse's spelling).
_ARGPARSE_WORDS = (
    N_("usage: "),
    N_("positional arguments"),
    N_("options"),
    N_("show this help message and exit"),
    N_("show program's version number and exit"),
)


class TranslatingFormatter(argparse.HelpFormatter):
    """Help texts, descriptions and metavars are marked with N_() and translated here, when help is
    shown: building a parser then needs no catalog, and `atelier inventory` does not load one."""

    def __init__(
        self, prog: str, indent_increment: int = 2, max_help_position: int = 24, width: int | None = None
    ) -> None:
        super().__init__(prog, indent_increment, max_help_position, width or _terminal_columns() - 2)

    def _get_help_string(self, action: argparse.Action) -> str | None:
        return _(action.help) if action.help else action.help

    def start_section(self, heading: str | None) -> None:
        super().start_section(_(heading) if heading else heading)

    def add_text(self, text: str | None) -> None:
        super().add_text(_(text) if text and text is not argparse.SUPPRESS else text)

    def _metavar_formatter(
        self, action: argparse.Action, default_metavar: str
    ) -> Callable[[int], tuple[str, ...]]:
        inner = super()._metavar_formatter(action, default_metavar)
        if not _showing_help:
            return inner
        return lambda size: tuple(_(part) for part in inner(size))


class Parser(argparse.ArgumentParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", TranslatingFormatter)
        super().__init__(*args, **kwargs)

    def format_help(self) -> str:
        return self._translated(super().format_help)

    def format_usage(self) -> str:
        return self._translated(super().format_usage)

    @staticmethod
    def _translated(write: Callable[[], str]) -> str:
        global _showing_help
        _showing_help = True
        try:
            return write()
        finally:
            _showing_help = False

    def error(self, message: str) -> NoReturn:
        raise UsageError(translate_argparse(message))


def _language_from_argv(argv: Sequence[str]) -> str | None:
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None


def _command_from_argv(argv: Sequence[str]) -> str | None:
    """The sub-command named on the command line, if it is one of ours (before any parsing)."""
    skip_value = False
    for arg in argv:
        if skip_value:
            skip_value = False
        elif arg == "--lang":
            skip_value = True
        elif not arg.startswith("-"):
            module = arg.replace("-", "_")
            return module if module in COMMAND_MODULES else None
    return None


def build_parser(only: str | None = None) -> Parser:
    """The whole command line, or only `only`'s sub-command: importing all fourteen command modules
    and building their options is a tenth of a second `atelier inventory` does not need."""
    parser = Parser(
        prog="atelier",
        description=N_("Atelier: inventory, test, erase and grade donated computers."),
    )
    parser.add_argument("--version", action="version", version=f"atelier {__version__}")
    parser.add_argument("--lang", choices=("fr", "en"), help=N_("language of messages (default: fr)"))
    subparsers = parser.add_subparsers(dest="command", metavar=N_("COMMAND"), parser_class=Parser)
    for name in (only,) if only else COMMAND_MODULES:
        try:
            module = importlib.import_module(f"agent.cli.{name}")
        except ModuleNotFoundError as err:
            if err.name == f"agent.cli.{name}":
                continue
            raise
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # The cyclic garbage collector stays paused while the command line is read and the command's
    # modules load (the program's entry, `agent.cli.main()` in agent/cli/__init__.py, paused it
    # before this module loaded); a command that may run for long (`short_lived` not set) gets it
    # back before it starts.
    gc.disable()
    try:
        return _main(argv)
    finally:
        gc.enable()


def _main(argv: Sequence[str] | None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    set_language(_language_from_argv(args_list))
    try:
        parser = build_parser(only=_command_from_argv(args_list))
        args = parser.parse_args(args_list)
        if not getattr(args, "short_lived", False):
            gc.enable()
        handler = getattr(args, "handler", None)
        if handler is None:
            parser.print_help()
            return 2
        code = handler(args)
        return int(code or 0)
    except AtelierError as err:
        print(f"atelier: {err.message}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print(f"atelier: {_('interrupted')}", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
