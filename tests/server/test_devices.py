"""GET /devices filters and pagination, device page, station read access."""

from __future__ import annotations

import datetime as dt

from .conftest import Api
from .factories import make_report


def _seed(api: Api) -> dict[str, int]:
    donor_a, donor_b = api.donor("Département A"), api.donor("Lycée B")
    batch_a = api.batch(donor_a, reference="LOT-A")
    batch_b = api.batch(donor_b, reference="LOT-B")
    _, headers, key = api.station()
    day = dt.datetime(2026, 11, 1, 10, tzinfo=dt.UTC)
    for i, (grade, batch, certs) in enumerate(
        [
            ("A", "LOT-A", True),
            ("B", "LOT-A", True),
            ("C", "LOT-B", False),
            ("D", "LOT-B", True),
            ("A", None, True),
        ]
    ):
        report = make_report(
            asset_code=f"DEV-{i}",
            key=key,
            grade=grade,
            batch=batch,
            certificates=certs,
            started_at=day + dt.timedelta(days=i),
            serial=f"SER{i}XYZ",
        )
        assert api.post_report(report, headers).status_code == 201
    return {"donor_a": donor_a, "donor_b": donor_b, "batch_a": batch_a, "batch_b": batch_b}


def _codes(api: Api, **params: object) -> list[str]:
    response = api.client.get("/api/v1/devices", params=params, headers=api.admin)
    assert response.status_code == 200, response.text
    return sorted(d["asset_code"] for d in response.json()["items"])


def test_filters(api: Api) -> None:
    ids = _seed(api)
    assert _codes(api) == [f"DEV-{i}" for i in range(5)]
    assert _codes(api, grade="A") == ["DEV-0", "DEV-4"]
    assert _codes(api, erasure_status="none") == ["DEV-2"]
    assert _codes(api, erasure_status="erased") == ["DEV-0", "DEV-1", "DEV-3", "DEV-4"]
    assert _codes(api, batch_id=ids["batch_a"]) == ["DEV-0", "DEV-1"]
    assert _codes(api, donor_id=ids["donor_b"]) == ["DEV-2", "DEV-3"]
    assert _codes(api, date_from="2026-11-02", date_to="2026-11-03") == ["DEV-1", "DEV-2"]
    assert _codes(api, q="ser3xy") == ["DEV-3"]
    assert _codes(api, q="DEV-4") == ["DEV-4"]
    assert _codes(api, q="%") == []
    assert _codes(api, q="_") == []


def test_pagination_total(api: Api) -> None:
    _seed(api)
    page = api.client.get("/api/v1/devices", params={"limit": 2, "offset": 0}, headers=api.admin).json()
    assert page["total"] == 5 and len(page["items"]) == 2
    last = api.client.get("/api/v1/devices", params={"limit": 2, "offset": 4}, headers=api.admin).json()
    assert last["total"] == 5 and len(last["items"]) == 1
    newest_first = [d["asset_code"] for d in page["items"]]
    assert newest_first == ["DEV-4", "DEV-3"]
    assert api.client.get("/api/v1/devices", params={"limit": 0}, headers=api.admin).status_code == 422
    assert api.client.get("/api/v1/devices", params={"grade": "Z"}, headers=api.admin).status_code == 422


def test_device_page(api: Api) -> None:
    _seed(api)
    device = api.client.get("/api/v1/devices/DEV-1", headers=api.admin).json()
    assert device["serial"] == "SER1XYZ"
    assert device["grade"] == "B"
    assert len(device["certificates"]) == 2
    assert device["latest_report"]["grade"]["reasons"]
    assert api.client.get("/api/v1/devices/NOPE", headers=api.admin).status_code == 404


def test_station_reads_device_identity(api: Api) -> None:
    _seed(api)
    _, headers, _key = api.station()
    device = api.client.get("/api/v1/devices/DEV-1", headers=headers)
    assert device.status_code == 200
    assert device.json()["serial"] == "SER1XYZ"
    assert device.json()["latest_report"] is None
    assert api.client.get("/api/v1/devices/NOPE", headers=headers).status_code == 404
    assert api.client.get("/api/v1/donors", headers=headers).status_code == 403
    assert api.client.get("/api/v1/devices", headers={}).status_code == 401
