"""Every write needs auth; donors see only their own batches; hostile text stays inert."""

from __future__ import annotations

import re
from typing import Any

from .conftest import Api
from .factories import make_report

#: Writes that authenticate otherwise: a password, a one-time enrollment code, or nothing to protect.
OPEN_WRITES = {
    ("POST", "/api/v1/auth/login"),
    ("POST", "/api/v1/stations/enroll"),
    ("POST", "/api/v1/auth/logout"),
}


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


def test_every_write_requires_auth(api: Api) -> None:
    paths = api.client.get("/api/v1/openapi.json").json()["paths"]
    writes = [
        (method.upper(), path)
        for path, operations in paths.items()
        for method in operations
        if method.upper() in {"POST", "PUT", "PATCH", "DELETE"}
    ]
    assert len(writes) >= 15
    for method, path in writes:
        if (method, path) in OPEN_WRITES:
            continue
        response = api.client.request(method, _concrete(path), json={})
        assert response.status_code == 401, (method, path, response.status_code)
        cookie = api.client.request(
            method, _concrete(path), json={}, headers={"Cookie": "atelier_session=u.1.1.9999999999.forged"}
        )
        assert cookie.status_code == 401, (method, path, "forged cookie")


def test_donor_sees_only_its_batches(api: Api) -> None:
    donor_a, donor_b = api.donor("A"), api.donor("B")
    batch_a, batch_b = api.batch(donor_a, reference="A-1"), api.batch(donor_b, reference="B-1")
    _, headers, key = api.station()
    report_a = make_report(asset_code="A-DEV", key=key, batch="A-1")
    report_b = make_report(asset_code="B-DEV", key=key, batch="B-1")
    for report in (report_a, report_b, make_report(asset_code="LOOSE", key=key)):
        api.post_report(report, headers)
    donor = api.user("donor", donor_id=donor_a)

    def get(path: str, **params: Any) -> Any:
        return api.client.get(path, headers=donor, params=params)

    assert get(f"/api/v1/batches/{batch_a}").status_code == 200
    assert get(f"/api/v1/batches/{batch_b}").status_code == 404
    assert get(f"/api/v1/batches/{batch_b}/traceability.csv").status_code == 404
    assert get(f"/api/v1/batches/{batch_b}/traceability.pdf").status_code == 404
    assert [b["id"] for b in get("/api/v1/batches").json()] == [batch_a]
    assert [d["id"] for d in get("/api/v1/donors").json()] == [donor_a]
    assert get(f"/api/v1/donors/{donor_b}").status_code == 404
    assert [d["asset_code"] for d in get("/api/v1/devices").json()["items"]] == ["A-DEV"]
    assert get("/api/v1/devices", donor_id=donor_b).json()["items"] == []
    assert get("/api/v1/devices/B-DEV").status_code == 404
    assert get("/api/v1/devices/LOOSE").status_code == 404
    assert get("/api/v1/devices/A-DEV").status_code == 200
    assert get("/api/v1/devices/B-DEV/glpi.json").status_code == 404
    assert get(f"/api/v1/reports/{report_b.report_id}").status_code == 404
    cert_b = report_b.certificates[0].certificate.certificate_id
    assert get(f"/api/v1/certificates/{cert_b}.json").status_code == 404
    cert_a = report_a.certificates[0].certificate.certificate_id
    assert get(f"/api/v1/certificates/{cert_a}.json").status_code == 200
    # read-only
    assert (
        api.client.post(
            "/api/v1/devices/A-DEV/outcomes", json={"kind": "sold", "date": "2026-11-20"}, headers=donor
        ).status_code
        == 403
    )
    assert api.client.post("/api/v1/donors", json={"name": "x"}, headers=donor).status_code == 403
    assert api.client.get("/api/v1/users", headers=donor).status_code == 403


def test_script_is_stored_raw_and_csv_is_inert(api: Api) -> None:
    donor = api.donor("<script>alert('d')</script>")
    batch = api.batch(donor, reference="XSS")
    _, headers, key = api.station()
    hostile = "<script>alert(1)</script>"
    report = make_report(asset_code=hostile, key=key, batch="XSS", notes=["=cmd|' /C calc'!A0"])
    assert api.post_report(report, headers).status_code == 201
    device = api.client.get("/api/v1/devices/%3Cscript%3Ealert(1)%3C%2Fscript%3E", headers=api.admin)
    assert device.status_code == 200
    assert device.json()["asset_code"] == hostile
    assert device.headers["content-type"] == "application/json"
    api.client.post(
        f"/api/v1/devices/{hostile}/outcomes",
        json={
            "kind": "donated",
            "date": "2026-11-20",
            "channel": "@SUM(1+1)*cmd|' /C calc'!A0",
            "note": hostile,
        },
        headers=api.admin,
    )
    csv_text = api.client.get(f"/api/v1/batches/{batch}/traceability.csv", headers=api.admin).content.decode(
        "utf-8-sig"
    )
    assert "'@SUM(1+1)" in csv_text
    for line in csv_text.splitlines()[1:]:
        for cell in line.split(";"):
            assert not cell.lstrip('"').startswith(("=", "+", "-", "@")), cell


def test_asset_code_with_slash_is_reachable(api: Api) -> None:
    _, headers, key = api.station()
    assert api.post_report(make_report(asset_code="2025/0042", key=key), headers).status_code == 201
    assert api.client.get("/api/v1/devices/2025/0042", headers=api.admin).json()["asset_code"] == "2025/0042"
    assert api.client.get("/api/v1/devices/2025%2F0042/glpi.json", headers=api.admin).status_code == 200
    outcome = api.client.post(
        "/api/v1/devices/2025/0042/outcomes", json={"kind": "sold", "date": "2026-11-20"}, headers=api.admin
    )
    assert outcome.status_code == 201


def test_cookie_session_and_password_change_revokes(api: Api) -> None:
    from server_stub import crud

    response = api.client.post(
        "/api/v1/auth/login", json={"username": "admin", "password": "admin-password-for-tests"}
    )
    assert "httponly" in response.headers["set-cookie"].lower()
    assert "samesite=lax" in response.headers["set-cookie"].lower()
    assert api.client.get("/api/v1/auth/me").json()["username"] == "admin"  # by cookie
    token = response.json()["access_token"]
    with api.client.app.state.db.session(write=True) as session:  # type: ignore[attr-defined]
        user = crud.get_user(session, user_id=1)
        assert user is not None
        crud.set_password(session, user=user, password="another-password", log2_n=10)
    assert api.client.get("/api/v1/auth/me").status_code == 401
    assert api.client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert (
        api.client.post("/api/v1/auth/login", json={"username": "admin", "password": "wrong"}).status_code
        == 401
    )
    assert (
        api.client.post("/api/v1/auth/login", json={"username": "nobody", "password": "wrong"}).status_code
        == 401
    )
