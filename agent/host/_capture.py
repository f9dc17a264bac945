"""Captures: record every file and command a probe used, and replay them later.

A capture is a directory (or a `.tar.gz` of one) holding `manifest.json` and a `blobs/` folder.
It is how a field bug is reported ("send us the capture") and how the fixture corpus grows:
`atelier inventory --from CAPTURE` must give the same report as the live run that recorded it.
"""

from __future__ import annotations

import errno
import hashlib
import io
import itertools
import json
import os
import threading
import zlib
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agent import __version__
from agent.host._base import CommandResult, Host, HostFileError, UdevDevice
from agent.i18n import _

if TYPE_CHECKING:
    import tarfile

FORMAT = "atelier-capture"
FORMAT_VERSION = 1


class CaptureFormatError(ValueError):
    """The capture cannot be replayed (unreadable, not a capture, or from a newer agent)."""


def _key(argv: Sequence[str]) -> str:
    return json.dumps(list(argv))


_NO_DRIVEDB = ("-B", "/dev/null")


def _pairs(args: Sequence[str]) -> set[tuple[str, str]]:
    return set(itertools.pairwise(args))


def _without(args: Sequence[str], pair: tuple[str, str]) -> list[str]:
    out: list[str] = []
    skip = False
    for i, arg in enumerate(args):
        if skip:
            skip = False
        elif (arg, args[i + 1] if i + 1 < len(args) else None) == pair:
            skip = True
        else:
            out.append(arg)
    return out


class RecordingHost:
    """Wraps another host and remembers everything asked of it, then `save()`s it as a capture."""

    def __init__(self, inner: Host) -> None:
        self._inner = inner
        self._lock = threading.Lock()
        self._files: dict[str, dict[str, Any]] = {}
        self._dirs: dict[str, dict[str, Any]] = {}
        self._links: dict[str, dict[str, Any]] = {}
        self._exists: dict[str, bool] = {}
        self._commands: dict[str, dict[str, Any]] = {}
        self._udev: dict[str, list[dict[str, Any]]] = {}
        self._blobs: dict[str, bytes] = {}

    def _blob(self, data: bytes) -> str:
        name = hashlib.sha256(data).hexdigest()[:32]
        self._blobs[name] = data
        return name

    def read_bytes(self, path: str, *, limit: int | None = None) -> bytes:
        try:
            data = self._inner.read_bytes(path, limit=limit)
        except HostFileError as err:
            with self._lock:
                self._files.setdefault(path, {"error": err.errno or errno.EIO, "message": str(err)})
            raise
        with self._lock:
            entry = self._files.get(path)
            if entry is None or len(data) > entry.get("size", -1):
                self._files[path] = {"blob": self._blob(data), "size": len(data)}
        return data

    def read_text(self, path: str) -> str:
        return self.read_bytes(path).decode("utf-8", errors="replace")

    def list_dir(self, path: str) -> list[str]:
        try:
            entries = self._inner.list_dir(path)
        except HostFileError as err:
            with self._lock:
                self._dirs[path] = {"error": err.errno or errno.EIO, "message": str(err)}
            raise
        with self._lock:
            self._dirs[path] = {"entries": entries}
        return entries

    def exists(self, path: str) -> bool:
        result = self._inner.exists(path)
        with self._lock:
            self._exists[path] = result
        return result

    def readlink(self, path: str) -> str:
        try:
            target = self._inner.readlink(path)
        except HostFileError as err:
            with self._lock:
                self._links[path] = {"error": err.errno or errno.EIO, "message": str(err)}
            raise
        with self._lock:
            self._links[path] = {"target": target}
        return target

    def run(self, argv: Sequence[str], *, timeout: float = 30.0) -> CommandResult:
        result = self._inner.run(argv, timeout=timeout)
        with self._lock:
            self._commands[_key(argv)] = {
                "argv": list(result.argv),
                "returncode": result.returncode,
                "stdout": self._blob(result.stdout.encode()),
                "stderr": self._blob(result.stderr.encode()),
                "duration_s": round(result.duration_s, 4),
                "timed_out": result.timed_out,
                "truncated": result.truncated,
                "missing": result.missing,
            }
        return result

    def udev_devices(self, subsystem: str) -> list[UdevDevice]:
        devices = self._inner.udev_devices(subsystem)
        with self._lock:
            self._udev[subsystem] = [
                {"sys_name": d.sys_name, "sys_path": d.sys_path, "properties": dict(d.properties)}
                for d in devices
            ]
        return devices

    def manifest(self) -> dict[str, Any]:
        from agent.report import SCHEMA_VERSION

        with self._lock:
            return {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "schema_version": SCHEMA_VERSION,
                "agent_version": __version__,
                "created_at": datetime.now(UTC).isoformat(),
                "files": dict(self._files),
                "dirs": dict(self._dirs),
                "links": dict(self._links),
                "exists": dict(self._exists),
                "commands": list(self._commands.values()),
                "udev": dict(self._udev),
            }

    def save(self, out: str | os.PathLike[str]) -> Path:
        """Write the capture to `out`: a directory, or a tarball when `out` ends in `.tar.gz`/`.tgz`."""
        target = Path(out)
        manifest = json.dumps(self.manifest(), indent=1, sort_keys=True).encode()
        with self._lock:
            blobs = dict(self._blobs)
        if target.name.endswith((".tar.gz", ".tgz")):
            target.parent.mkdir(parents=True, exist_ok=True)
            import tarfile  # only captures use it; it pulls in lzma, bz2 and shutil

            with tarfile.open(target, "w:gz") as tar:
                _add(tar, "manifest.json", manifest)
                for name, data in sorted(blobs.items()):
                    _add(tar, f"blobs/{name}", data)
            return target
        (target / "blobs").mkdir(parents=True, exist_ok=True)
        for name, data in blobs.items():
            (target / "blobs" / name).write_bytes(data)
        (target / "manifest.json").write_bytes(manifest)
        return target


def _add(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    import tarfile

    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = 0
    info.mode = 0o644
    tar.addfile(info, io.BytesIO(data))


class ReplayHost:
    """A machine as a capture saw it. Anything the capture did not record looks absent."""

    def __init__(self, manifest: dict[str, Any], blobs: dict[str, bytes]) -> None:
        self._m = manifest
        self._blobs = blobs
        self._commands = {_key(c["argv"]): c for c in manifest.get("commands", [])}

    @classmethod
    def load(cls, source: str | os.PathLike[str]) -> ReplayHost:
        import tarfile

        path = Path(source)
        try:
            if path.is_dir():
                manifest = json.loads((path / "manifest.json").read_bytes())
                blobs = (
                    {p.name: p.read_bytes() for p in (path / "blobs").iterdir()}
                    if (path / "blobs").is_dir()
                    else {}
                )
            else:
                blobs = {}
                manifest = None
                with tarfile.open(path, "r:*") as tar:
                    for member in tar.getmembers():
                        if not member.isfile():
                            continue
                        handle = tar.extractfile(member)
                        if handle is None:
                            continue
                        data = handle.read()
                        if member.name.endswith("manifest.json"):
                            manifest = json.loads(data)
                        elif "/blobs/" in f"/{member.name}":
                            blobs[member.name.rsplit("/", 1)[-1]] = data
                if manifest is None:
                    raise CaptureFormatError(_("no manifest.json inside"))
        except tarfile.TarError as err:
            raise CaptureFormatError(_("not a capture folder nor a .tar.gz archive")) from err
        except OSError as err:
            if err.errno == errno.ENOENT:
                raise CaptureFormatError(_("no such file or folder")) from err
            if err.errno == errno.EACCES:
                raise CaptureFormatError(_("permission denied")) from err
            raise CaptureFormatError(err.strerror or str(err)) from err
        except (json.JSONDecodeError, UnicodeDecodeError, EOFError, zlib.error) as err:
            raise CaptureFormatError(
                _("the capture is damaged ({kind})").format(kind=type(err).__name__)
            ) from err
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise CaptureFormatError(_("not an Atelier capture"))
        version = manifest.get("format_version")
        if not isinstance(version, int) or version > FORMAT_VERSION:
            raise CaptureFormatError(
                _("capture format {version} is newer than this agent: update Atelier").format(version=version)
            )
        return cls(manifest, blobs)

    @classmethod
    def build(
        cls,
        files: dict[str, str | bytes] | None = None,
        commands: dict[tuple[str, ...], tuple[int, str] | tuple[int, str, str]] | None = None,
        links: dict[str, str] | None = None,
        udev: dict[str, list[UdevDevice]] | None = None,
    ) -> ReplayHost:
        """A host made from recorded outputs (fixtures) for tests: directories are derived from paths."""
        blobs: dict[str, bytes] = {}
        manifest: dict[str, Any] = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "files": {},
            "dirs": {},
            "links": {},
            "commands": [],
            "udev": {},
        }

        def blob(data: bytes) -> str:
            name = hashlib.sha256(data).hexdigest()[:32]
            blobs[name] = data
            return name

        dirs: dict[str, set[str]] = {}

        def add_parents(path: str) -> None:
            parts = path.strip("/").split("/")
            for i in range(len(parts)):
                parent = "/" + "/".join(parts[:i])
                dirs.setdefault(parent, set()).add(parts[i])

        for path, content in (files or {}).items():
            data = content.encode() if isinstance(content, str) else content
            manifest["files"][path] = {"blob": blob(data), "size": len(data)}
            add_parents(path)
        for path, target in (links or {}).items():
            manifest["links"][path] = {"target": target}
            add_parents(path)
        manifest["dirs"] = {path: {"entries": sorted(names)} for path, names in dirs.items()}
        for argv, outcome in (commands or {}).items():
            rc, out = outcome[0], outcome[1]
            err = outcome[2] if len(outcome) > 2 else ""
            manifest["commands"].append(
                {
                    "argv": list(argv),
                    "returncode": rc,
                    "stdout": blob(out.encode()),
                    "stderr": blob(str(err).encode()),
                }
            )
        for subsystem, devices in (udev or {}).items():
            manifest["udev"][subsystem] = [
                {"sys_name": d.sys_name, "sys_path": d.sys_path, "properties": dict(d.properties)}
                for d in devices
            ]
        return cls(manifest, blobs)

    @property
    def schema_version(self) -> str:
        return str(self._m.get("schema_version", ""))

    def _blob(self, name: str) -> bytes:
        try:
            return self._blobs[name]
        except KeyError:
            raise HostFileError(errno.EIO, f"capture blob {name} missing") from None

    def read_bytes(self, path: str, *, limit: int | None = None) -> bytes:
        entry = self._m.get("files", {}).get(path)
        if entry is None:
            raise HostFileError(errno.ENOENT, f"{path}: not in capture")
        if "blob" not in entry:
            raise HostFileError(int(entry.get("error", errno.EIO)), str(entry.get("message", path)))
        data = self._blob(entry["blob"])
        return data if limit is None else data[:limit]

    def read_text(self, path: str) -> str:
        return self.read_bytes(path).decode("utf-8", errors="replace")

    def list_dir(self, path: str) -> list[str]:
        entry = self._m.get("dirs", {}).get(path)
        if entry is None:
            raise HostFileError(errno.ENOENT, f"{path}: not in capture")
        if "entries" not in entry:
            raise HostFileError(int(entry.get("error", errno.EIO)), str(entry.get("message", path)))
        return list(entry["entries"])

    def exists(self, path: str) -> bool:
        known = self._m.get("exists", {})
        if path in known:
            return bool(known[path])
        files, dirs, links = self._m.get("files", {}), self._m.get("dirs", {}), self._m.get("links", {})
        return (
            ("blob" in files.get(path, {}))
            or ("entries" in dirs.get(path, {}))
            or ("target" in links.get(path, {}))
        )

    def readlink(self, path: str) -> str:
        entry = self._m.get("links", {}).get(path)
        if entry is None:
            raise HostFileError(errno.ENOENT, f"{path}: not in capture")
        if "target" not in entry:
            raise HostFileError(int(entry.get("error", errno.EIO)), str(entry.get("message", path)))
        return str(entry["target"])

    def run(self, argv: Sequence[str], *, timeout: float = 30.0) -> CommandResult:
        entry = self._commands.get(_key(argv))
        args = tuple(argv)
        if entry is None and _NO_DRIVEDB in _pairs(args):
            # Captures made before NVMe queries gave smartctl an empty drive database (same answer).
            entry = self._commands.get(_key(_without(args, _NO_DRIVEDB)))
        if entry is None:
            return CommandResult(args, 127, "", f"{args[0] if args else '?'}: not in capture", missing=True)
        return CommandResult(
            args,
            int(entry["returncode"]),
            self._blob(entry["stdout"]).decode("utf-8", errors="replace"),
            self._blob(entry["stderr"]).decode("utf-8", errors="replace"),
            duration_s=float(entry.get("duration_s", 0.0)),
            timed_out=bool(entry.get("timed_out", False)),
            truncated=bool(entry.get("truncated", False)),
            missing=bool(entry.get("missing", False)),
        )

    def udev_devices(self, subsystem: str) -> list[UdevDevice]:
        return [
            UdevDevice(d["sys_name"], d["sys_path"], dict(d.get("properties", {})))
            for d in self._m.get("udev", {}).get(subsystem, [])
        ]


__all__ = ["CaptureFormatError", "RecordingHost", "ReplayHost"]
