"""The TUI tests reuse the run tests' helpers (substitute steps, the real server launcher).

Both helper directories go on sys.path so the helpers import the same way whether or not the
test tree is a package.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
for directory in (HERE, HERE.parent / "run"):
    if str(directory) not in sys.path:
        sys.path.insert(0, str(directory))
