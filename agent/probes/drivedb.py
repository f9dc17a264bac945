"""The part of smartctl's drive database one disk can match, for `smartctl -B`.

smartctl spends most of a run on an ATA disk reading and compiling its ~740-entry database (about
2 s under the emulated CPUs of test VMs, where the inventory must keep up with lshw). Given what
/sys already tells about the disk before smartctl is asked anything — the first characters of its
model, and behind USB the bridge's vendor:product id — an index of each entry's possible model
prefixes picks the few entries that could match; smartctl reads those, in their original order,
after the VERSION and DEFAULT entries, and so finds the same entry — or none — and prints the same
output.

Behind a USB bridge, the model in /sys is the bridge's answer, which may not be the drive's. So the
answer is checked after the run (`model_consistent`): when smartctl read a model that does not
start as expected, the subset may have lacked its entry, and the command runs again with the full
database.

The index is computed once per database file: the image build stores it beside the agent
(`python -m agent.probes.drivedb --write-index`); elsewhere the first run computes it and keeps it in
the user's cache. It is tied to the database's size and CRC: a database updated by
`update-smart-drivedb` simply gets a new index. Local additions (/etc/smart_drivedb.h) or anything
unexpected → no subset, and smartctl reads its full database as usual.

Light on purpose: it runs before the inventory's imports (`agent.probes.commands.live_prefetch`).
"""

from __future__ import annotations

import contextlib
import json
import os
import zlib
from collections.abc import Sequence

from agent._typing import Any

INDEX_VERSION = 2
INDEX_NAME = "drivedb-index.json"
#: Where the image build leaves the index (read-only in the live system).
SYSTEM_INDEX_DIR = "/usr/lib/atelier"

_HEADER = b"/* Entries of smartctl's drive database that can match one drive, chosen by Atelier. */\n"


def _cache_dir() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "atelier")


def _read(path: str) -> bytes | None:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return None


def build_index(data: bytes) -> dict[str, Any]:
    """The index of a database file's bytes: every entry's offsets; the entries kept for every
    drive; and the others' model prefixes, grouped by first character (a model can only match an
    entry one of whose prefixes starts with the model's first character), so that choosing a
    subset looks at a few dozen prefixes rather than 5,000 (a tenth of a second under emulation)."""
    from agent.parsers.drivedb import is_always_kept, model_prefixes, parse_drivedb

    entries = parse_drivedb(data.decode("latin-1"))
    always: list[int] = []
    by_first: dict[str, list[list[Any]]] = {}
    for number, entry in enumerate(entries):
        prefixes = model_prefixes(entry.model)
        if is_always_kept(entry) or "" in prefixes:
            always.append(number)
            continue
        for first in sorted({prefix[0] for prefix in prefixes}):
            by_first.setdefault(first, []).append([number, [p for p in prefixes if p[0] == first]])
    return {
        "version": INDEX_VERSION,
        "size": len(data),
        "crc32": zlib.crc32(data),
        "spans": [[entry.start, entry.end] for entry in entries],
        "always": always,
        "by_first": by_first,
    }


def _valid(index: Any, data: bytes) -> bool:
    return (
        isinstance(index, dict)
        and index.get("version") == INDEX_VERSION
        and index.get("size") == len(data)
        and index.get("crc32") == zlib.crc32(data)
        and isinstance(index.get("spans"), list)
        and isinstance(index.get("always"), list)
        and isinstance(index.get("by_first"), dict)
    )


def _load_index(data: bytes, index_dirs: Sequence[str]) -> dict[str, Any] | None:
    for directory in index_dirs:
        raw = _read(os.path.join(directory, INDEX_NAME))
        if raw is None:
            continue
        try:
            index = json.loads(raw)
        except ValueError:
            continue
        if _valid(index, data):
            return index  # type: ignore[no-any-return]  # checked by _valid
    return None


def _first_database(databases: Sequence[str]) -> bytes | None:
    """The first database file smartctl would read (None: it uses its built-in copy)."""
    return next((data for data in map(_read, databases) if data is not None), None)


def _write_index(index: dict[str, Any], directory: str) -> str:
    """Write the index atomically in `directory`; its path."""
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, INDEX_NAME)
    temporary = os.path.join(directory, f".{INDEX_NAME}.{os.getpid()}")
    with open(temporary, "w", encoding="utf-8") as handle:
        json.dump(index, handle, separators=(",", ":"))
    os.replace(temporary, path)
    return path


def _store_index(index: dict[str, Any], directory: str) -> None:
    """Best effort: a cache that cannot be written only means computing the index again next time."""
    with contextlib.suppress(OSError):
        _write_index(index, directory)


def could_match(prefixes: Sequence[str], start: str) -> bool:
    """Whether a model (or bridge id) known to start with `start` may start with one of `prefixes`:
    one of the two must then be a prefix of the other."""
    return any(p.startswith(start) or start.startswith(p) for p in prefixes)


def subset(data: bytes, index: dict[str, Any], keys: Sequence[str]) -> bytes | None:
    """The database text smartctl needs for a drive whose model starts with one of `keys` (or
    behind a USB bridge whose "0xvvvv:0xpppp" id is one of them), or None when the index does not
    fit the data (then the full database is used)."""
    chosen = set(index["always"])
    for key in keys:
        for number, prefixes in index["by_first"].get(key[:1], ()):
            if could_match(prefixes, key):
                chosen.add(number)
    spans = index["spans"]
    parts = [_HEADER]
    for number in sorted(chosen):  # smartctl takes the first entry that matches: keep the order
        if not (isinstance(number, int) and 0 <= number < len(spans)):
            return None
        start, end = spans[number]
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(data)):
            return None
        if data[start : start + 1] != b"{" or data[end - 1 : end] != b"}":
            return None
        parts.append(data[start:end])
        parts.append(b",\n")
    return b"".join(parts)


def model_start(sysfs_model: str | None) -> str | None:
    """What the model smartctl will read surely starts with, from /sys/block/X/device/model.

    libata fills that file with the first 16 characters of the ATA model (the SCSI product field);
    smartctl trims the full model's blanks at both ends, so the trimmed 16 characters start it.
    """
    if sysfs_model is None:
        return None
    start = sysfs_model.strip()
    return start or None


def model_consistent(start: str, stdout: str) -> bool:
    """Whether a smartctl JSON answer shows no ATA model that the subset chosen for a model
    starting with `start` could have lacked the entry of.

    No model (the drive did not answer IDENTIFY) means no lookup was made; a SCSI answer has no
    ATA lookup either (its USB bridge was looked up by id, which the subset covers exactly).
    """
    try:
        doc = json.loads(stdout)
    except ValueError:
        return True  # not JSON: smartctl stopped before reading a model
    if not isinstance(doc, dict):
        return True
    device = doc.get("device")
    if isinstance(device, dict) and device.get("protocol") not in (None, "ATA"):
        return True
    model = doc.get("model_name")
    if model is None:
        return True
    return isinstance(model, str) and model.strip().startswith(start)


def usb_id(vendor: str | None, product: str | None) -> str | None:
    """The key smartctl looks a USB bridge up by ("0x152d:0x0578"), from /sys idVendor/idProduct."""
    if not vendor or not product:
        return None
    return f"0x{vendor.strip().lower()}:0x{product.strip().lower()}"


def drivedb_subset(
    sysfs_model: str | None,
    databases: Sequence[str],
    local_additions: str,
    index_dirs: Sequence[str] | None = None,
    *,
    bridge: str | None = None,
) -> bytes | None:
    """The subset for one disk (behind the USB `bridge` "0xvvvv:0xpppp" if any), or None to let
    smartctl read its full database."""
    start = model_start(sysfs_model)
    if start is None or os.path.exists(local_additions):
        return None  # local additions come first in smartctl's order: keep its default reading
    dirs = (SYSTEM_INDEX_DIR, _cache_dir()) if index_dirs is None else tuple(index_dirs)
    loaded = _database(tuple(databases), dirs)
    if loaded is None:
        return None
    data, index = loaded
    return subset(data, index, [start] if bridge is None else [start, bridge])


#: The database and its index, read once per process for every disk (a tenth of a second each
#: time under emulation).
_LOADED: dict[tuple[tuple[str, ...], tuple[str, ...]], tuple[bytes, dict[str, Any]] | None] = {}


def _database(databases: tuple[str, ...], dirs: tuple[str, ...]) -> tuple[bytes, dict[str, Any]] | None:
    key = (databases, dirs)
    if key in _LOADED:
        return _LOADED[key]
    loaded: tuple[bytes, dict[str, Any]] | None = None
    data = _first_database(databases)
    # No file: smartctl uses its built-in copy, which has no index.
    if data is not None:
        index = _load_index(data, dirs)
        if index is None:
            try:
                index = build_index(data)
            except ValueError:
                index = None  # a database this parser does not read: smartctl reads it whole
            else:
                _store_index(index, dirs[-1])
        loaded = None if index is None else (data, index)
    _LOADED[key] = loaded
    return loaded


def write_scratch(name: str, content: bytes) -> str | None:
    """A private file holding `content` for one smartctl run, or None if none can be made."""
    directory = os.environ.get("XDG_RUNTIME_DIR") or "/tmp"
    path = os.path.join(directory, f"atelier-drivedb-{os.getpid()}-{name}.h")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except OSError:
        return None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(path)
        return None
    return path


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m agent.probes.drivedb --write-index [DIR]`: what the image build runs."""
    import argparse

    from agent.probes.commands import DRIVEDB_PATHS

    parser = argparse.ArgumentParser(description="Index smartctl's drive database for Atelier.")
    parser.add_argument("--write-index", metavar="DIR", nargs="?", const=SYSTEM_INDEX_DIR, required=True)
    args = parser.parse_args(argv)
    data = _first_database(DRIVEDB_PATHS)
    if data is None:
        print("no drive database found in", ", ".join(DRIVEDB_PATHS))
        return 1
    index = build_index(data)
    print(f"{len(index['spans'])} entries indexed in {_write_index(index, args.write_index)}")
    return 0


__all__ = [
    "INDEX_NAME",
    "SYSTEM_INDEX_DIR",
    "build_index",
    "could_match",
    "drivedb_subset",
    "model_consistent",
    "model_start",
    "subset",
    "usb_id",
    "write_scratch",
]


if __name__ == "__main__":
    raise SystemExit(main())
