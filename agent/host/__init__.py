"""Host access: the live machine or a recorded capture, behind one `Host` protocol."""

from agent.host._base import CommandResult, Host, HostFileError, UdevDevice
from agent.host._capture import CaptureFormatError, RecordingHost, ReplayHost
from agent.host._live import LiveHost
from agent.host._prefetch import PrefetchingHost

__all__ = [
    "CaptureFormatError",
    "CommandResult",
    "Host",
    "HostFileError",
    "LiveHost",
    "PrefetchingHost",
    "RecordingHost",
    "ReplayHost",
    "UdevDevice",
]
