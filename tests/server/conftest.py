"""Server test fixtures: one app per test on SQLite, and on PostgreSQL when ATELIER_TEST_PG_URL is set.

SQLite: the migrated database is built once per session and copied per test. PostgreSQL: a fresh
database is created for the session (dropped at the end), migrated once, and emptied between tests.
"""

from __future__ import annotations

import os
import shutil
import uuid
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from agent.certs import StationKey
from server_stub.config import Settings
from server_stub.models import Base

warnings.filterwarnings("ignore", message=".*httpx.*", category=DeprecationWarning)
from fastapi.testclient import TestClient  # noqa: E402

ADMIN_PASSWORD = "admin-password-for-tests"
PG_URL = os.environ.get("ATELIER_TEST_PG_URL", "")
BACKENDS = [
    "sqlite",
    pytest.param(
        "postgres",
        marks=[pytest.mark.postgres, pytest.mark.skipif(not PG_URL, reason="ATELIER_TEST_PG_URL not set")],
    ),
]


def make_settings(data_dir: Path, database_url: str = "", **extra: Any) -> Settings:
    return Settings(
        environment="test",
        data_dir=data_dir,
        database_url=database_url,
        scrypt_log2_n=10,
        admin_password=ADMIN_PASSWORD,  # type: ignore[arg-type]
        sqlite_synchronous="NORMAL",
        **extra,
    )


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from server_stub.db import make_database
    from server_stub.migrate import upgrade

    directory = tmp_path_factory.mktemp("template")
    settings = make_settings(directory)
    db = make_database(settings)
    upgrade(settings, db.engine)
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.dispose()
    return directory / "atelier.db"


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session (dropped afterwards)."""
    if not PG_URL:
        pytest.skip("ATELIER_TEST_PG_URL not set")
    name = f"atelier_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    from server_stub.migrate import upgrade

    upgrade(make_settings(Path("/nonexistent"), url))
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _empty_pg(url: str) -> None:
    engine = create_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        # TRUNCATE fires no row trigger: the device count (migration 0008) starts again by hand.
        conn.execute(text("INSERT INTO device_totals (id, devices) VALUES (1, 0)"))
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def settings(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Settings:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    if backend == "postgres":
        url = request.getfixturevalue("pg_database")
        _empty_pg(url)
        return make_settings(data_dir, url)
    shutil.copy(request.getfixturevalue("sqlite_template"), data_dir / "atelier.db")
    return make_settings(data_dir)


@dataclass
class Api:
    """A test client with the accounts and stations a test needs, created on demand."""

    client: TestClient
    settings: Settings
    _admin: dict[str, str] = field(default_factory=dict)

    def login(self, username: str, password: str) -> dict[str, str]:
        response = self.client.post("/api/v1/auth/login", json={"username": username, "password": password})
        assert response.status_code == 200, response.text
        self.client.cookies.clear()  # tests say which credentials they send
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    @property
    def admin(self) -> dict[str, str]:
        if not self._admin:
            self._admin = self.login("admin", ADMIN_PASSWORD)
        return self._admin

    def user(self, role: str, *, donor_id: int | None = None, username: str | None = None) -> dict[str, str]:
        username = username or f"{role}-{uuid.uuid4().hex[:6]}"
        password = "password-" + username
        body = {"username": username, "password": password, "role": role, "donor_id": donor_id}
        response = self.client.post("/api/v1/users", json=body, headers=self.admin)
        assert response.status_code == 201, response.text
        return self.login(username, password)

    def station(
        self, key: StationKey | None = None, name: str | None = None
    ) -> tuple[int, dict[str, str], StationKey]:
        key = key or StationKey.generate()
        body = {"name": name or f"poste-{uuid.uuid4().hex[:6]}", "public_key": key.public_key_b64}
        response = self.client.post("/api/v1/stations", json=body, headers=self.admin)
        assert response.status_code == 201, response.text
        data = response.json()
        return data["station_id"], {"Authorization": f"Bearer {data['token']}"}, key

    def donor(self, name: str | None = None) -> int:
        response = self.client.post(
            "/api/v1/donors", json={"name": name or f"Donor {uuid.uuid4().hex[:6]}"}, headers=self.admin
        )
        assert response.status_code == 201, response.text
        return int(response.json()["id"])

    def batch(self, donor_id: int, reference: str | None = None, **extra: Any) -> int:
        body = {
            "donor_id": donor_id,
            "reference": reference or f"LOT-{uuid.uuid4().hex[:6]}",
            "label": "Convention 2025",
            **extra,
        }
        response = self.client.post("/api/v1/batches", json=body, headers=self.admin)
        assert response.status_code == 201, response.text
        return int(response.json()["id"])

    def post_report(self, report: Any, headers: dict[str, str]) -> Any:
        return self.client.post(
            "/api/v1/reports",
            content=report.model_dump_json(),
            headers={**headers, "Content-Type": "application/json"},
        )


@pytest.fixture
def app(settings: Settings) -> Iterator[Any]:
    from server_stub.main import create_app

    application = create_app(settings)
    yield application
    application.state.db.dispose()


@pytest.fixture
def api(app: Any, settings: Settings) -> Iterator[Api]:
    with TestClient(app) as client:
        yield Api(client=client, settings=settings)
