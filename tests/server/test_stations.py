"""Stations: tokens (hashed, reissued, revoked) and one-time enrollment codes."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from agent.certs import StationKey
from server_stub import auth
from server_stub.models import EnrollmentCode, Station

from .conftest import Api
from .factories import make_report


def test_token_stored_hashed_and_reissued(api: Api) -> None:
    station_id, headers, key = api.station()
    token = headers["Authorization"].split()[1]
    with api.client.app.state.db.session() as session:  # type: ignore[attr-defined]
        row = session.get(Station, station_id)
        assert (
            row is not None
            and row.token_hash == auth.token_hash(token)
            and token not in (row.token_hash or "")
        )
    reissued = api.client.post(f"/api/v1/stations/{station_id}/token", headers=api.admin).json()
    assert api.post_report(make_report(asset_code="S-1", key=key), headers).status_code == 401
    new_headers = {"Authorization": f"Bearer {reissued['token']}"}
    assert api.post_report(make_report(asset_code="S-1", key=key), new_headers).status_code == 201
    listed = api.client.get("/api/v1/stations", headers=api.admin).json()
    assert listed[0]["key_fingerprint"] == key.fingerprint


def test_bad_public_key_and_duplicate_name(api: Api) -> None:
    bad = api.client.post(
        "/api/v1/stations", json={"name": "p", "public_key": "bm90IGEga2V5"}, headers=api.admin
    )
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "public_key"]
    api.station(name="poste-1")
    assert api.client.post("/api/v1/stations", json={"name": "poste-1"}, headers=api.admin).status_code == 409


def test_enrollment_code_is_single_use(api: Api) -> None:
    supervisor = api.user("supervisor")
    code = api.client.post("/api/v1/enrollment-codes", json={"hours": 2}, headers=supervisor)
    assert code.status_code == 201
    key = StationKey.generate()
    body = {"code": code.json()["code"].lower(), "name": "poste-usb-3", "public_key": key.public_key_b64}
    enrolled = api.client.post("/api/v1/stations/enroll", json=body)
    assert enrolled.status_code == 201, enrolled.text
    headers = {"Authorization": f"Bearer {enrolled.json()['token']}"}
    posted = api.post_report(make_report(asset_code="E-1", key=key), headers).json()
    assert posted["signature_status"] == "valid"
    again = api.client.post("/api/v1/stations/enroll", json={**body, "name": "poste-usb-4"})
    assert again.status_code == 403
    assert api.client.post("/api/v1/stations/enroll", json={**body, "code": "AAAAA-BBBBB"}).status_code == 403


def test_expired_code_refused(api: Api) -> None:
    code = api.client.post("/api/v1/enrollment-codes", headers=api.admin).json()["code"]
    with api.client.app.state.db.session(write=True) as session:  # type: ignore[attr-defined]
        for row in session.scalars(select(EnrollmentCode)):
            row.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    key = StationKey.generate()
    body = {"code": code, "name": "late", "public_key": key.public_key_b64}
    assert api.client.post("/api/v1/stations/enroll", json=body).status_code == 403


def test_technician_cannot_manage_stations(api: Api) -> None:
    technician = api.user("technician")
    assert api.client.post("/api/v1/stations", json={"name": "x"}, headers=technician).status_code == 403
    assert api.client.post("/api/v1/enrollment-codes", headers=technician).status_code == 403
