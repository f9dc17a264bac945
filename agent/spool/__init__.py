"""Durable spool of reports waiting for the central inventory."""

from agent.spool.store import PENDING, REJECTED, SENT, Spool, SpoolEntry, check_free_space, disk_full_error

__all__ = ["PENDING", "REJECTED", "SENT", "Spool", "SpoolEntry", "check_free_space", "disk_full_error"]
