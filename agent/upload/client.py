"""The central inventory's API as the agent uses it: post a report, look up an asset, enroll."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from agent.errors import ServerError
from agent.i18n import _

if TYPE_CHECKING:
    import requests

API_PREFIX = "/api/v1"


def api_base(server: str) -> str:
    base = server.rstrip("/")
    return base if base.endswith(API_PREFIX) else base + API_PREFIX


@dataclass(frozen=True)
class Answer:
    """One HTTP exchange: status None means the server could not be reached at all."""

    status: int | None
    body: str
    error: str | None = None

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    @property
    def message(self) -> str:
        """The server's own explanation (FastAPI's `detail`), else the raw text, else the error."""
        data = self.json()
        if isinstance(data, dict) and "detail" in data:
            detail = data["detail"]
            return detail if isinstance(detail, str) else json.dumps(detail, ensure_ascii=False)
        return (self.body or self.error or "").strip()[:2000]


class ServerClient:
    def __init__(
        self,
        server: str,
        token: str | None = None,
        *,
        timeout: float = 20.0,
        session: requests.Session | None = None,
    ) -> None:
        import requests

        self.base = api_base(server)
        self.token = token
        self.timeout = timeout
        self.session = session or requests.Session()

    def _headers(self) -> dict[str, str]:
        headers = {"Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return headers

    def request(self, method: str, path: str, *, data: bytes | None = None, json_body: Any = None) -> Answer:
        import requests

        headers = self._headers()
        if data is not None:
            headers["Content-Type"] = "application/json"
        try:
            response = self.session.request(
                method, self.base + path, data=data, json=json_body, headers=headers, timeout=self.timeout
            )
        except requests.RequestException as err:
            return Answer(None, "", f"{type(err).__name__}: {err}")
        return Answer(response.status_code, response.text)

    def post_report(self, payload: bytes) -> Answer:
        return self.request("POST", "/reports", data=payload)

    def device(self, asset_code: str) -> dict[str, Any] | None:
        """The server's current record for this asset code; None when unknown or unreachable."""
        answer = self.request("GET", f"/devices/{quote(asset_code, safe='')}")
        data = answer.json() if answer.status == 200 else None
        return data if isinstance(data, dict) else None

    def enroll(self, code: str, name: str, public_key: str) -> dict[str, Any]:
        answer = self.request(
            "POST", "/stations/enroll", json_body={"code": code, "name": name, "public_key": public_key}
        )
        data = answer.json()
        if answer.status in (200, 201) and isinstance(data, dict) and data.get("token"):
            return data
        if answer.status is None:
            raise ServerError(
                _("The server {url} cannot be reached: {error}").format(url=self.base, error=answer.error)
            )
        raise ServerError(
            _("The server refused the registration ({status}): {message}").format(
                status=answer.status, message=answer.message
            )
        )


__all__ = ["API_PREFIX", "Answer", "ServerClient", "api_base"]
