"""Alembic migrations of the inventory database (`server_stub.migrate` runs them)."""
