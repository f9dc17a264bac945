"""`GET /api/v1/health` answers without a token: the agent's network check calls it before a run."""

from __future__ import annotations

from typing import Any

from agent import __version__
from agent.report import SCHEMA_VERSION


def test_health_needs_no_token(api: Any) -> None:
    answer = api.client.get("/api/v1/health")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok", "version": __version__, "schema_version": SCHEMA_VERSION}
