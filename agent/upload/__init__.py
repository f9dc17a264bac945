"""Upload to the central inventory: HTTP client and spool delivery."""

from agent.upload.client import API_PREFIX, Answer, ServerClient, api_base
from agent.upload.deliver import Delivery, SyncSummary, backoff_delays, deliver, sync_all

__all__ = [
    "API_PREFIX",
    "Answer",
    "Delivery",
    "ServerClient",
    "SyncSummary",
    "api_base",
    "backoff_delays",
    "deliver",
    "sync_all",
]
