"""Donors, batches and attaching received assets to a batch; outcomes."""

from __future__ import annotations

from .conftest import Api
from .factories import make_report


def test_donor_crud(api: Api) -> None:
    created = api.client.post("/api/v1/donors", json={"name": "Département de la Gironde"}, headers=api.admin)
    assert created.status_code == 201
    donor_id = created.json()["id"]
    assert (
        api.client.post(
            "/api/v1/donors", json={"name": "Département de la Gironde"}, headers=api.admin
        ).status_code
        == 409
    )
    patched = api.client.patch(
        f"/api/v1/donors/{donor_id}", json={"note": "DSI, service achats"}, headers=api.admin
    )
    assert patched.json()["note"] == "DSI, service achats"
    assert (
        api.client.get(f"/api/v1/donors/{donor_id}", headers=api.admin).json()["name"]
        == "Département de la Gironde"
    )
    api.batch(donor_id)
    assert api.client.delete(f"/api/v1/donors/{donor_id}", headers=api.admin).status_code == 409
    other = api.donor()
    assert api.client.delete(f"/api/v1/donors/{other}", headers=api.admin).status_code == 204
    assert api.client.get(f"/api/v1/donors/{other}", headers=api.admin).status_code == 404


def test_batches_and_attach(api: Api) -> None:
    donor = api.donor()
    body = {
        "donor_id": donor,
        "reference": "CD33-2025",
        "label": "Département, convention 2025",
        "units_announced": 120,
        "received_on": "2026-11-03",
    }
    created = api.client.post("/api/v1/batches", json=body, headers=api.admin)
    assert created.status_code == 201, created.text
    batch = created.json()["id"]
    assert api.client.post("/api/v1/batches", json=body, headers=api.admin).status_code == 409
    bad = api.client.post(
        "/api/v1/batches", json={**body, "reference": "X", "donor_id": 999}, headers=api.admin
    )
    assert bad.status_code == 404
    _, headers, key = api.station()
    api.post_report(make_report(asset_code="KNOWN-1", key=key), headers)
    other = api.batch(donor)
    api.client.post(f"/api/v1/batches/{other}/assets", json={"asset_codes": ["ELSEWHERE"]}, headers=api.admin)
    result = api.client.post(
        f"/api/v1/batches/{batch}/assets",
        json={"asset_codes": ["NEW-1", "NEW-2", "KNOWN-1", "ELSEWHERE", "NEW-1"]},
        headers=api.admin,
    ).json()
    assert result == {
        "created": ["NEW-1", "NEW-2"],
        "attached": ["KNOWN-1"],
        "already": [],
        "conflicts": ["ELSEWHERE"],
    }
    moved = api.client.post(
        f"/api/v1/batches/{batch}/assets",
        json={"asset_codes": ["ELSEWHERE", "NEW-1"], "move": True},
        headers=api.admin,
    ).json()
    assert moved["attached"] == ["ELSEWHERE"] and moved["already"] == ["NEW-1"]
    got = api.client.get(f"/api/v1/batches/{batch}", headers=api.admin).json()
    assert got["devices"] == 4 and got["units_announced"] == 120
    bad_code = api.client.post(
        f"/api/v1/batches/{batch}/assets", json={"asset_codes": ["a\tb"]}, headers=api.admin
    )
    assert bad_code.status_code == 422
    technician = api.user("technician")
    assert (
        api.client.post(
            f"/api/v1/batches/{batch}/assets", json={"asset_codes": ["X"]}, headers=technician
        ).status_code
        == 403
    )


def test_outcomes(api: Api) -> None:
    _, headers, key = api.station()
    api.post_report(make_report(asset_code="OUT-1", key=key), headers)
    technician = api.user("technician")
    url = "/api/v1/devices/OUT-1/outcomes"
    donated = api.client.post(
        url,
        json={"kind": "donated", "date": "2026-11-20", "channel": "Centre social Bordeaux Nord"},
        headers=technician,
    )
    assert donated.status_code == 201, donated.text
    recycled = api.client.post(url, json={"kind": "recycled", "date": "2026-11-21"}, headers=technician)
    assert recycled.status_code == 422
    assert recycled.json()["detail"][0]["loc"] == ["body", "recycler_pickup_ref"]
    personal = api.client.post(
        url, json={"kind": "donated", "date": "2026-11-20", "beneficiary_name": "Jean"}, headers=technician
    )
    assert personal.status_code == 422
    assert (
        api.client.post(url, json={"kind": "stolen", "date": "2026-11-20"}, headers=technician).status_code
        == 422
    )
    assert (
        api.client.post(
            "/api/v1/devices/NOPE/outcomes", json={"kind": "sold", "date": "2026-11-20"}, headers=technician
        ).status_code
        == 404
    )
    listed = api.client.get(url, headers=api.admin).json()
    assert [o["kind"] for o in listed] == ["donated"]
    assert (
        api.client.post(url, json={"kind": "sold", "date": "2026-11-20"}, headers=headers).status_code == 403
    )
