"""Verifying an erasure made by another tool (nwipe log, Blancco XML report) against the disk."""
