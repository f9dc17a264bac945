"""`uuid.UUID` and `uuid4`, imported without `platform` on Linux before Python 3.13.

Why: until 3.13, `import uuid` imports `platform` only to tell AIX from Linux (CPython gh-109653,
fixed in 3.13 by looking at `sys.platform`), and `platform` compiles seven regular expressions as
it loads: 10–20 ms of `atelier inventory` natively and 0.2 s under the emulated CPUs of test VMs,
for a report id. On Linux, `sys.platform` answers the same question, so while uuid loads, a
stand-in answers `platform.system()`; it is removed at once, and a later `import platform` loads
the real module.

uuid also loads its C helper `_uuid` (libuuid), which only `uuid1()` and `getnode()` use — never
Atelier, which makes random (version 4) ids: uuid is loaded without it (another 30–40 ms under
emulation); `uuid1()` would still work, through uuid's pure-Python path.
"""

from __future__ import annotations

import sys


def _load_uuid() -> None:
    if "uuid" in sys.modules or "platform" in sys.modules:
        return
    if sys.platform != "linux" or sys.version_info >= (3, 13):
        return
    stand_in = type(sys)("platform")
    stand_in.system = lambda: "Linux"  # type: ignore[attr-defined]
    sys.modules["platform"] = stand_in
    blocked = "_uuid" not in sys.modules
    if blocked:
        sys.modules["_uuid"] = None  # type: ignore[assignment]  # import _uuid → ImportError
    try:
        import uuid  # noqa: F401  (loaded here, with the stand-in)
    finally:
        if sys.modules.get("platform") is stand_in:
            del sys.modules["platform"]
        if blocked and "_uuid" in sys.modules and sys.modules["_uuid"] is None:
            del sys.modules["_uuid"]


_load_uuid()

from uuid import UUID, uuid4  # noqa: E402  (after the loading above, on purpose)

__all__ = ["UUID", "uuid4"]
