"""smartctl's drive database (`drivedb.h`): its entries, and which model prefixes each can match.

Why: smartctl reads and compiles the whole database (~740 POSIX regular expressions) on every run,
then tries them in order against the drive's model until one matches. That is 90 % of a run on an
ATA disk (about 2 s under the emulated CPUs of test VMs). Knowing, for each entry, the literal
prefixes every model it matches must start with, the inventory can hand smartctl a database of just
the entries that could match this drive, in the same order: smartctl then finds the same entry (or
none) and prints the same output, in a fraction of the time.

Pure: text in, entries out. The prefixes are a necessary condition only ("" means "could match
anything"), so a regular expression this module does not fully understand costs speed, never
correctness.
"""

from __future__ import annotations

import re

from agent._record import Record
from agent._typing import Any

#: A C string literal, a comment, or one of the characters the entry syntax uses.
_TOKEN = re.compile(r'"((?:[^"\\\n]|\\.)*)"|//[^\n]*|/\*.*?\*/|([{},])|\s+|(.)', re.S)
_C_ESCAPE = re.compile(r"\\(.)", re.S)

#: Longest prefix kept per entry: enough to tell vendors and series apart.
PREFIX_LENGTH = 12
#: Past this many alternative prefixes an entry counts as matching anything (keeps the index small).
MAX_PREFIXES = 512
#: A character class of more characters than this is not enumerated.
MAX_CLASS = 40


class DrivedbError(ValueError):
    """The text is not a drive database smartctl could read."""


class DrivedbEntry(Record, frozen=True):
    #: Byte offsets of the entry's `{ … }` in the file, to copy it as it is.
    start: int
    end: int
    family: str
    model: str
    firmware: str


def parse_drivedb(text: str) -> list[DrivedbEntry]:
    """Every `{ "family", "model regex", "firmware regex", "warning", "presets" }` entry, in order.

    Offsets are in characters of `text`; decode the file as latin-1 so they are bytes as well.
    """
    entries: list[DrivedbEntry] = []
    start = -1
    strings: list[str] = []
    current: list[str] | None = None  # the pieces of the string being concatenated
    for match in _TOKEN.finditer(text):
        literal, punct, stray = match.group(1), match.group(2), match.group(3)
        if stray is not None:
            raise DrivedbError(f"unexpected {stray!r} at offset {match.start()}")
        if literal is not None:
            if start < 0:
                raise DrivedbError(f"string outside an entry at offset {match.start()}")
            if current is None:
                current = []
                strings.append("")
            current.append(_C_ESCAPE.sub(r"\1", literal))
            strings[-1] = "".join(current)
        elif punct == "{":
            if start >= 0:
                raise DrivedbError(f"nested '{{' at offset {match.start()}")
            start, strings, current = match.start(), [], None
        elif punct == ",":
            current = None
        elif punct == "}":
            if start < 0 or len(strings) != 5:
                raise DrivedbError(f"entry ending at offset {match.start()} has {len(strings)} of 5 strings")
            entries.append(DrivedbEntry(start, match.end(), strings[0], strings[1], strings[2]))
            start, current = -1, None
    if start >= 0:
        raise DrivedbError("the last entry has no closing '}'")
    return entries


def is_always_kept(entry: DrivedbEntry) -> bool:
    """Entries smartctl reads for every drive: its version line and the DEFAULT attribute names
    (without the latter smartctl warns "DEFAULT entry missing" and names no attribute)."""
    return entry.family.startswith(("VERSION", "DEFAULT")) or entry.model == "-"


# Regular expressions in the database are POSIX extended ones. Python's parser reads the same
# language for the constructs the database uses (literals, escaped punctuation, groups, `|`, `?`,
# `*`, `+`, `{m,n}`, bracket lists and ranges); anything where the two dialects differ makes the
# entry match anything, which is always safe.
_DIALECT_TRAPS = re.compile(r"\[[:=.]|\\[0-9A-Za-z]|\(\?|\[\^?\]|\[[^\]]*\\")


def model_prefixes(pattern: str) -> tuple[str, ...]:
    """Literal prefixes of which every model `pattern` fully matches starts with one; ("",) when
    nothing shorter than "anything" can be said."""
    if not pattern or _DIALECT_TRAPS.search(pattern):
        return ("",)
    try:
        # The standard library's own parser of Python patterns (private, hence untyped: Any).
        from re import _constants as c  # type: ignore[attr-defined]
        from re import _parser as sre  # type: ignore[attr-defined]

        parsed = sre.parse(pattern)
    except (re.error, ImportError, RecursionError, OverflowError):
        return ("",)
    states = _walk(c, {("", True)}, list(parsed))
    prefixes = sorted({prefix for prefix, _ in states})
    if "" in prefixes or len(prefixes) > MAX_PREFIXES:
        return ("",)
    # "ST3" makes "ST31" redundant: keep the shortest of each chain.
    kept: list[str] = []
    for prefix in prefixes:
        if not any(prefix.startswith(shorter) for shorter in kept):
            kept.append(prefix)
    return tuple(kept)


_State = set[tuple[str, bool]]


def _frozen(states: _State) -> _State:
    return {(prefix, False) for prefix, _ in states}


def _extend(states: _State, chars: list[str]) -> _State:
    out: _State = set()
    for prefix, open_ in states:
        if not open_:
            out.add((prefix, False))
            continue
        for char in chars:
            longer = prefix + char
            out.add((longer, len(longer) < PREFIX_LENGTH))
    return out


def _class_chars(c: Any, items: Any) -> list[str] | None:
    chars: list[str] = []
    for op, av in items:
        if op is c.LITERAL:
            chars.append(chr(av))
        elif op is c.RANGE:
            low, high = av
            if high - low >= MAX_CLASS:
                return None
            chars.extend(chr(code) for code in range(low, high + 1))
        else:  # negation, categories: not a small finite set
            return None
        if len(chars) > MAX_CLASS:
            return None
    return chars


def _walk(c: Any, states: _State, items: Any) -> _State:
    """The (prefix, still growing) states after reading `items` of a parsed pattern."""
    for op, av in items:
        if not any(open_ for _, open_ in states):
            return states
        before = states
        if op is c.LITERAL:
            states = _extend(states, [chr(av)])
        elif op is c.IN:
            chars = _class_chars(c, av)
            states = _frozen(states) if chars is None else _extend(states, chars)
        elif op is c.SUBPATTERN:
            states = _walk(c, states, list(av[3]))
        elif op is c.BRANCH:
            merged: _State = set()
            for alternative in av[1]:
                merged |= _walk(c, states, list(alternative))
            states = merged
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT):
            low, high, sub = av
            once = _walk(c, states, list(sub))
            if low == 0 and high == 1:
                states = states | once  # optional: skipped, or taken exactly once
            elif low >= 1:
                states = once if low == high == 1 else _frozen(once)
            else:
                states = _frozen(states)
        elif op is c.AT:
            if av is not c.AT_BEGINNING and av is not c.AT_BEGINNING_STRING:
                states = _frozen(states)
        else:  # `.`, and anything else: the prefix stops here
            states = _frozen(states)
        if len(states) > MAX_PREFIXES:
            return _frozen(before)
    return states


__all__ = [
    "MAX_PREFIXES",
    "PREFIX_LENGTH",
    "DrivedbEntry",
    "DrivedbError",
    "is_always_kept",
    "model_prefixes",
    "parse_drivedb",
]
