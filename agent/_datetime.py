"""`datetime`'s types, taken from its C implementation without running `datetime.py` first.

Why: until Python 3.12, `import datetime` executes the whole pure-Python implementation (every
class, then constants built through the pure-Python constructors) and only then replaces it with
the C module `_datetime`. The classes are the same objects either way (`datetime.datetime is
_datetime.datetime`); the detour is about 3 % of `atelier inventory`'s instructions, and more of
its time under the emulated CPUs of test VMs, where it must keep up with `lshw` (issue 2).
Python 3.12+ and interpreters without `_datetime` use the module as usual.
"""

from __future__ import annotations

TYPE_CHECKING = False

if TYPE_CHECKING:
    from datetime import UTC, date, datetime, time, timedelta, timezone
else:
    try:
        from _datetime import UTC, date, datetime, time, timedelta, timezone
    except ImportError:  # an interpreter built without the C module
        from datetime import UTC, date, datetime, time, timedelta, timezone

__all__ = ["UTC", "date", "datetime", "time", "timedelta", "timezone"]
