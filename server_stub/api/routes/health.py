"""`GET /health`: is the central inventory up, and which report schema does it read.

No authentication: the agent's network check and a workshop's monitoring call it before anyone
has a token; it reveals nothing but versions.
"""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from agent import __version__
from agent.report import SCHEMA_VERSION

router = APIRouter(tags=["health"])


class HealthOut(BaseModel):
    status: str
    version: str
    schema_version: str


@router.get("/health")
def health() -> HealthOut:
    return HealthOut(status="ok", version=__version__, schema_version=SCHEMA_VERSION)
