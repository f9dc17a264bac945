"""Idempotency under concurrency, on a real uvicorn server: 20 clients at once."""

from __future__ import annotations

import http.client
import threading
import urllib.parse
from typing import Any

import requests
from sqlalchemy import func, select

from server_stub.models import Device, Report

from .conftest import Api
from .factories import make_report, report_json
from .live import live_server

CLIENTS = 20


def _post_all(url: str, bodies: list[bytes], headers: dict[str, str]) -> list[tuple[int, bytes]]:
    barrier = threading.Barrier(len(bodies))
    results: list[tuple[int, bytes]] = [(0, b"")] * len(bodies)

    def client(i: int) -> None:
        with requests.Session() as session:
            barrier.wait()
            response = session.post(
                f"{url}/api/v1/reports",
                data=bodies[i],
                headers={**headers, "Content-Type": "application/json"},
                timeout=60,
            )
            results[i] = (response.status_code, response.content)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(len(bodies))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=90)
    return results


def _count(api: Api, model: Any) -> int:
    with api.client.app.state.db.session() as session:  # type: ignore[attr-defined]
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_same_report_from_20_clients_is_one_record(api: Api) -> None:
    _, headers, key = api.station()
    body = report_json(make_report(asset_code="RACE-1", key=key))
    with live_server(api.client.app) as url:  # type: ignore[attr-defined]
        results = _post_all(url, [body] * CLIENTS, headers)
    statuses = sorted(status for status, _ in results)
    assert statuses == [200] * (CLIENTS - 1) + [201], statuses
    assert len({content for _, content in results}) == 1
    assert _count(api, Report) == 1
    device = api.client.get("/api/v1/devices/RACE-1", headers=api.admin).json()
    assert device["report_count"] == 1 and len(device["history"]) == 1


def test_20_different_reports_for_one_new_asset(api: Api) -> None:
    _, headers, key = api.station()
    bodies = [report_json(make_report(asset_code="RACE-2", key=key, probe_log=5)) for _ in range(CLIENTS)]
    with live_server(api.client.app) as url:  # type: ignore[attr-defined]
        results = _post_all(url, bodies, headers)
    assert [status for status, _ in results] == [201] * CLIENTS
    assert _count(api, Device) == 1
    assert len(api.client.get("/api/v1/devices/RACE-2", headers=api.admin).json()["history"]) == CLIENTS


def test_streamed_body_over_limit_on_real_server(api: Api) -> None:
    _, headers, _key = api.station()
    limit = api.settings.max_body_bytes
    with live_server(api.client.app) as url:  # type: ignore[attr-defined]
        parts = urllib.parse.urlsplit(url)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        chunk = b" " * 65536

        def chunks() -> Any:
            for _ in range(limit // len(chunk) + 2):
                yield chunk

        try:
            conn.request(
                "POST",
                "/api/v1/reports",
                body=chunks(),
                headers={**headers, "Content-Type": "application/json"},
                encode_chunked=True,
            )
            response = conn.getresponse()
            status = response.status
        except (BrokenPipeError, ConnectionResetError):
            status = 413  # the server answered 413 and closed before the whole body was sent
        finally:
            conn.close()
    assert status == 413
