"""Component checks: disk health, SMART self-test, read scan, memory, CPU, battery, network, interactive.

`run_checks` (agent.checks.runner) runs the checks a profile names; each check module can also be
used alone. Imports stay lazy here: the CLI starts fast and the memory/CPU workers stay light.
"""

from agent.checks.disk_health import DiskHealth, HealthReason, assess_smart, check_disk_health

__all__ = ["DiskHealth", "HealthReason", "assess_smart", "check_disk_health"]
