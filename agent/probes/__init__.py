"""Probes: read a machine through a `Host` and fill the report. Parsing lives in agent.parsers."""
