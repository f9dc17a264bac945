"""Host access: the live machine or a recorded capture, behind one `Host` protocol."""

from agent._typing import TYPE_CHECKING, Any
from agent.host._base import CommandResult, Host, HostFileError, Prefetch, UdevDevice
from agent.host._live import LiveHost

if TYPE_CHECKING:
    from agent.host._capture import CaptureFormatError, RecordingHost, ReplayHost
    from agent.host._prefetch import PrefetchingHost

# Captures (json, hashlib, tarfile) and prefetching (concurrent.futures, logging) load when first
# named: `atelier inventory` on a live machine should start its commands before importing them.
_LAZY = {
    "CaptureFormatError": "agent.host._capture",
    "RecordingHost": "agent.host._capture",
    "ReplayHost": "agent.host._capture",
    "PrefetchingHost": "agent.host._prefetch",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'agent.host' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)


__all__ = [
    "CaptureFormatError",
    "CommandResult",
    "Host",
    "HostFileError",
    "LiveHost",
    "Prefetch",
    "PrefetchingHost",
    "RecordingHost",
    "ReplayHost",
    "UdevDevice",
]
