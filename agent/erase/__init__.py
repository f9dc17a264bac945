"""Disk erasure: planning, safety, overwrite engine, verification and the erase run (issue 3)."""
