"""One error tree for the agent, each class with a stable exit code.

Exit codes (documented in README.md):
  0  success
  1  the job ran but something it checked failed (an erasure FAILED, a signature INVALID…)
  2  usage error (unknown option, bad argument)
  3  input error (unreadable capture, report or policy file; newer schema)
  4  refused for safety (a protected disk was named for erasure, no confirmation)
  5  environment error (missing tool, not root, data partition full)
  6  network / server error (server unreachable after retries; the report stays spooled)
  130 interrupted (Ctrl-C)
"""

from __future__ import annotations


class AtelierError(Exception):
    """Base of every error the agent reports to a person; the message is already translated."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UsageError(AtelierError):
    exit_code = 2


class InputError(AtelierError):
    """A file given to the agent (capture, report, policy, log) cannot be used."""

    exit_code = 3


class SafetyRefusal(AtelierError):
    """The agent refuses to write to a disk; the message says why."""

    exit_code = 4


class EnvironmentProblem(AtelierError):
    exit_code = 5


class ServerError(AtelierError):
    exit_code = 6


class CheckFailed(AtelierError):
    """The command did its work and the result is negative (FAILED erasure, INVALID signature)."""

    exit_code = 1


EXIT_OK = 0
EXIT_INTERRUPTED = 130

__all__ = [
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "AtelierError",
    "CheckFailed",
    "EnvironmentProblem",
    "InputError",
    "SafetyRefusal",
    "ServerError",
    "UsageError",
]
