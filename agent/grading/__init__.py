"""Grading: the policy, the rules, Windows 11 / Linux eligibility and upgrade suggestions."""

from agent.grading.cpu_support import CpuSupport, windows11_cpu_support
from agent.grading.grade import grade_report
from agent.grading.policy import GradingPolicy, load_policy, parse_policy

__all__ = [
    "CpuSupport",
    "GradingPolicy",
    "grade_report",
    "load_policy",
    "parse_policy",
    "windows11_cpu_support",
]
