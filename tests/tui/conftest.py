"""The TUI tests reuse the run tests' helpers (substitute steps, the real server launcher)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "run"))
