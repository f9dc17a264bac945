"""A host that answers the same command with successive recorded outputs (polls of a running test)."""

from __future__ import annotations

from collections.abc import Sequence

from agent.host import CommandResult, ReplayHost


class ScriptedHost:
    """Files and directories from a ReplayHost; commands from scripts: each call pops the next answer
    (the last one repeats). Every command run is kept in `calls`."""

    def __init__(
        self,
        scripts: dict[tuple[str, ...], list[tuple[int, str]]],
        files: dict[str, str | bytes] | None = None,
    ) -> None:
        self._scripts = {k: list(v) for k, v in scripts.items()}
        self._files = ReplayHost.build(files=files or {})
        self.calls: list[tuple[str, ...]] = []

    def run(self, argv: Sequence[str], *, timeout: float = 30.0) -> CommandResult:
        key = tuple(argv)
        self.calls.append(key)
        script = self._scripts.get(key)
        if not script:
            return CommandResult(key, 127, "", f"{key[0]}: not scripted", missing=True)
        rc, out = script.pop(0) if len(script) > 1 else script[0]
        return CommandResult(key, rc, out, "")

    def read_bytes(self, path: str, *, limit: int | None = None) -> bytes:
        return self._files.read_bytes(path, limit=limit)

    def read_text(self, path: str) -> str:
        return self._files.read_text(path)

    def list_dir(self, path: str) -> list[str]:
        return self._files.list_dir(path)

    def exists(self, path: str) -> bool:
        return self._files.exists(path)

    def readlink(self, path: str) -> str:
        return self._files.readlink(path)

    def udev_devices(self, subsystem: str) -> list:  # type: ignore[type-arg]
        return []
