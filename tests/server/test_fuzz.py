"""Property-based fuzzing of every API operation from the published OpenAPI schema: never a 5xx.

Runs in-process through schemathesis' ASGI integration, as the admin (so requests get past
authentication and reach the handlers) with a few examples per operation to stay fast.
"""

from __future__ import annotations

import atexit
import copy
import json
import shutil
import tempfile
import uuid
import warnings
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import ADMIN_PASSWORD, make_settings
from .factories import make_report

warnings.filterwarnings("ignore", category=DeprecationWarning)


def _make_app() -> Any:
    """Built at collection time: schemathesis needs the schema to generate the test cases."""
    from server_stub.main import create_app

    directory = Path(tempfile.mkdtemp(prefix="atelier-fuzz-"))
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    return create_app(make_settings(directory))


APP = _make_app()
schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", APP)


@pytest.fixture(scope="module")
def admin_headers() -> dict[str, str]:
    from fastapi.testclient import TestClient

    with TestClient(APP) as client:
        response = client.post("/api/v1/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD})
        return {"Authorization": f"Bearer {response.json()['access_token']}"}


REPORTS = {"method": "POST", "path": "/api/v1/reports"}
FUZZ = settings(max_examples=5, deadline=None, database=None, suppress_health_check=list(HealthCheck))


def _check(case: Any, headers: dict[str, str]) -> None:
    response = case.call(headers=headers)
    assert response.status_code < 500, (
        case.method,
        case.formatted_path,
        response.status_code,
        response.text[:500],
    )


@schema.exclude(**REPORTS).parametrize()
@FUZZ
def test_no_server_error(case: Any, admin_headers: dict[str, str]) -> None:
    _check(case, admin_headers)


@schema.exclude(**REPORTS).parametrize()
@settings(FUZZ, max_examples=2)
def test_no_server_error_anonymous(case: Any) -> None:
    _check(case, {"Authorization": ""})


@pytest.fixture(scope="module")
def station() -> tuple[dict[str, str], Any]:
    from fastapi.testclient import TestClient

    from agent.certs import StationKey

    key = StationKey.generate()
    with TestClient(APP) as client:
        login = client.post(
            "/api/v1/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD}
        ).json()
        admin = {"Authorization": f"Bearer {login['access_token']}"}
        body = {"name": "fuzz", "public_key": key.public_key_b64}
        token = client.post("/api/v1/stations", json=body, headers=admin).json()["token"]
    return {"Authorization": f"Bearer {token}"}, key


@pytest.fixture(scope="module")
def base_report(station: tuple[dict[str, str], Any]) -> dict[str, Any]:
    report = make_report(asset_code="FUZZ-0", key=station[1], probe_log=5)
    return dict(json.loads(report.model_dump_json()))


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=8,
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node[:3]):
            found += _paths(value, (*prefix, index))
    return found


# Generating whole agent reports from their 100-model schema takes minutes per example; mutating a
# real report instead reaches deeper (past the first validation error) in milliseconds.
@given(data=st.data())
@settings(FUZZ, max_examples=40)
def test_post_reports_mutated_never_5xx(
    data: st.DataObject, station: tuple[dict[str, str], Any], base_report: dict[str, Any]
) -> None:
    from fastapi.testclient import TestClient

    report = copy.deepcopy(base_report)
    report["report_id"] = str(uuid.uuid4())
    for _ in range(data.draw(st.integers(1, 3))):
        # Paths are taken from the report as mutated so far: an earlier mutation may have removed
        # or replaced the container a path of the original report went through.
        paths = _paths(report)
        if not paths:
            break
        path = data.draw(st.sampled_from(paths))
        parent = report
        for part in path[:-1]:
            parent = parent[part]
        if data.draw(st.booleans()) and isinstance(parent, dict):
            parent.pop(path[-1], None)
        else:
            parent[path[-1]] = data.draw(JSON)
    if data.draw(st.booleans()):
        report["asset_code"] = data.draw(st.text(max_size=80))
    with TestClient(APP) as client:
        response = client.post("/api/v1/reports", json=report, headers=station[0])
    assert response.status_code < 500, response.text[:500]
    assert response.status_code in (200, 201, 409, 422), response.text[:500]


@given(body=st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
@settings(FUZZ, max_examples=30)
def test_post_reports_garbage_never_5xx(body: bytes, station: tuple[dict[str, str], Any]) -> None:
    from fastapi.testclient import TestClient

    with TestClient(APP) as client:
        response = client.post(
            "/api/v1/reports", content=body, headers={**station[0], "Content-Type": "application/json"}
        )
    assert response.status_code in (400, 422), response.text[:300]
