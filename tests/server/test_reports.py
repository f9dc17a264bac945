"""POST /reports: idempotency, history, signatures, limits and precise errors."""

from __future__ import annotations

import json
import uuid
from typing import Any

from agent.certs import StationKey

from .conftest import Api
from .factories import make_report, tamper


def test_first_post_201_then_same_answer_200(api: Api) -> None:
    _, headers, key = api.station()
    report = make_report(asset_code="AT-0001", key=key)
    first = api.post_report(report, headers)
    assert first.status_code == 201, first.text
    again = api.post_report(report, headers)
    assert again.status_code == 200
    assert again.content == first.content
    body = first.json()
    assert body["asset_code"] == "AT-0001"
    assert body["signature_status"] == "valid"
    assert body["erasure_status"] == "erased"
    assert all(c["valid_signature"] for c in body["certificates"])
    device = api.client.get("/api/v1/devices/AT-0001", headers=api.admin).json()
    assert device["report_count"] == 1
    assert len(device["history"]) == 1


def test_same_report_id_with_other_content_is_409(api: Api) -> None:
    _, headers, key = api.station()
    report = make_report(asset_code="AT-0002", key=key)
    assert api.post_report(report, headers).status_code == 201
    changed = report.model_copy(update={"notes": ["changed"]})
    response = api.post_report(changed, headers)
    assert response.status_code == 409
    assert "report_id" in response.text


def test_two_reports_same_asset_make_history_newest_first(api: Api) -> None:
    import datetime as dt

    _, headers, key = api.station()
    early = make_report(
        asset_code="AT-0003", key=key, grade="C", started_at=dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
    )
    late = make_report(
        asset_code="AT-0003", key=key, grade="A", started_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    )
    assert api.post_report(late, headers).status_code == 201
    assert api.post_report(early, headers).status_code == 201  # an old spooled report arrives late
    device = api.client.get("/api/v1/devices/AT-0003", headers=api.admin).json()
    assert [h["report_id"] for h in device["history"]] == [str(late.report_id), str(early.report_id)]
    assert device["grade"] == "A"  # the current state is the newest run, not the last received
    assert device["latest_report_id"] == str(late.report_id)
    assert device["latest_report"]["report_id"] == str(late.report_id)


def test_missing_bad_or_revoked_token_is_401(api: Api) -> None:
    station_id, headers, key = api.station()
    report = make_report(asset_code="AT-0004", key=key)
    assert api.post_report(report, {}).status_code == 401
    assert api.post_report(report, {"Authorization": "Bearer st_nope"}).status_code == 401
    assert api.post_report(report, {"Authorization": "Basic YTpi"}).status_code == 401
    assert api.client.post(f"/api/v1/stations/{station_id}/revoke", headers=api.admin).status_code == 200
    response = api.post_report(report, headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


def test_a_user_token_cannot_post_reports(api: Api) -> None:
    response = api.post_report(make_report(asset_code="AT-0005"), api.admin)
    assert response.status_code == 403


def test_missing_asset_code_is_422_naming_it(api: Api) -> None:
    _, headers, key = api.station()
    response = api.post_report(make_report(asset_code=None, key=key), headers)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "asset_code"]


def test_schema_error_is_422_naming_the_field(api: Api) -> None:
    _, headers, key = api.station()
    data = json.loads(make_report(asset_code="AT-0006", key=key).model_dump_json())
    data["disks"][0]["size_bytes"] = "huge"
    data["unexpected"] = 1
    response = api.client.post("/api/v1/reports", json=data, headers=headers)
    assert response.status_code == 422
    locs = [tuple(e["loc"]) for e in response.json()["detail"]]
    assert ("body", "disks", 0, "size_bytes") in locs
    assert ("body", "unexpected") in locs
    broken = api.client.post(
        "/api/v1/reports", content=b'{"report_id": ', headers={**headers, "Content-Type": "application/json"}
    )
    assert broken.status_code == 422


def test_newer_schema_major_is_refused(api: Api) -> None:
    _, headers, key = api.station()
    report = make_report(asset_code="AT-0007", key=key, schema_version="2.0")
    response = api.post_report(report, headers)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "schema_version"]


def test_tampered_certificate_is_stored_and_flagged(api: Api) -> None:
    _, headers, key = api.station()
    report = make_report(asset_code="AT-0008", key=key)
    report.certificates[0] = tamper(report.certificates[0])
    response = api.post_report(report, headers)
    assert response.status_code == 201
    body = response.json()
    assert body["signature_status"] == "invalid"
    assert body["certificates"][0]["valid_signature"] is False
    assert body["certificates"][0]["problems"] == ["signature does not match the certificate content"]
    assert body["certificates"][1]["valid_signature"] is True
    device = api.client.get("/api/v1/devices/AT-0008", headers=api.admin).json()
    assert device["signature_status"] == "invalid"
    flagged = api.client.get(
        "/api/v1/devices", params={"signature_status": "invalid"}, headers=api.admin
    ).json()
    assert [d["asset_code"] for d in flagged["items"]] == ["AT-0008"]


def test_certificate_signed_by_another_key_is_flagged(api: Api) -> None:
    _, headers, _key = api.station()
    report = make_report(asset_code="AT-0009", key=StationKey.generate())
    body = api.post_report(report, headers).json()
    assert body["signature_status"] == "invalid"
    assert "public key does not match the station's registered key" in body["certificates"][0]["problems"]


def test_station_without_key_cannot_vouch_for_certificates(api: Api) -> None:
    response = api.client.post("/api/v1/stations", json={"name": "sans-cle"}, headers=api.admin)
    headers = {"Authorization": f"Bearer {response.json()['token']}"}
    body = api.post_report(make_report(asset_code="AT-0010"), headers).json()
    assert body["signature_status"] == "invalid"
    assert body["certificates"][0]["problems"] == ["the station has no registered public key"]


def test_failed_erasure_and_uncovered_disk(api: Api) -> None:
    _, headers, key = api.station()
    report = make_report(asset_code="AT-0011", key=key)
    del report.certificates[1]
    assert api.post_report(report, headers).json()["erasure_status"] == "incomplete"
    assert (
        api.post_report(make_report(asset_code="AT-0012", key=key, certificates=False), headers).json()[
            "erasure_status"
        ]
        == "none"
    )


def test_report_batch_reference_attaches_the_device(api: Api) -> None:
    donor = api.donor()
    batch_id = api.batch(donor, reference="CD33-2025")
    _, headers, key = api.station()
    assert (
        api.post_report(make_report(asset_code="AT-0013", key=key, batch="CD33-2025"), headers).status_code
        == 201
    )
    assert api.client.get("/api/v1/devices/AT-0013", headers=api.admin).json()["batch_id"] == batch_id
    body = api.post_report(make_report(asset_code="AT-0014", key=key, batch="NOPE"), headers).json()
    assert body["problems"] == ["unknown batch reference 'NOPE'"]


def test_other_serial_for_same_asset_code_is_flagged(api: Api) -> None:
    _, headers, key = api.station()
    api.post_report(make_report(asset_code="AT-0015", key=key, serial="SERIAL1"), headers)
    body = api.post_report(make_report(asset_code="AT-0015", key=key, serial="SERIAL2"), headers).json()
    assert body["problems"] and "SERIAL2" in body["problems"][0]


def test_body_over_limit_is_413(api: Api) -> None:
    _, headers, _key = api.station()
    limit = api.settings.max_body_bytes
    response = api.client.post(
        "/api/v1/reports", content=b"x" * (limit + 1), headers={**headers, "Content-Type": "application/json"}
    )
    assert response.status_code == 413

    def chunks() -> Any:
        for _ in range(limit // 65536 + 2):
            yield b" " * 65536

    streamed = api.client.post(
        "/api/v1/reports", content=chunks(), headers={**headers, "Content-Type": "application/json"}
    )
    assert streamed.status_code == 413


def test_get_report_by_id(api: Api) -> None:
    _, headers, key = api.station()
    report = make_report(asset_code="AT-0016", key=key)
    api.post_report(report, headers)
    response = api.client.get(f"/api/v1/reports/{report.report_id}", headers=api.admin)
    assert response.status_code == 200
    body = response.json()
    assert body["report"]["machine"]["system"]["serial"] == report.machine.system.serial
    assert len(body["certificates"]) == 2
    assert api.client.get(f"/api/v1/reports/{uuid.uuid4()}", headers=api.admin).status_code == 404
    assert api.client.get("/api/v1/reports/not-a-uuid", headers=api.admin).status_code == 422
    assert api.client.get(f"/api/v1/reports/{report.report_id}", headers=headers).status_code == 403


def test_body_is_stored_as_received_and_a_reformatted_repeat_is_the_same_report(api: Api) -> None:
    """The server keeps the bytes the station sent (no re-serialisation); a repeat written with
    other whitespace or key order still says the same and gets the same answer."""
    from sqlalchemy import select

    from server_stub.models import Report as ReportRow

    _, headers, key = api.station()
    report = make_report(asset_code="AT-0017", key=key)
    sent = json.dumps(json.loads(report.model_dump_json()), indent=1, ensure_ascii=False).encode("utf-8")
    post = {**headers, "Content-Type": "application/json"}
    first = api.client.post("/api/v1/reports", content=sent, headers=post)
    assert first.status_code == 201, first.text
    with api.client.app.state.db.session() as session:  # type: ignore[attr-defined]
        stored = session.scalar(select(ReportRow.body).where(ReportRow.id == report.report_id))
    assert stored == sent.decode("utf-8")
    compact = json.dumps(json.loads(sent), sort_keys=True, separators=(",", ":")).encode("utf-8")
    again = api.client.post("/api/v1/reports", content=compact, headers=post)
    assert again.status_code == 200 and again.content == first.content


def test_body_not_utf8_is_422(api: Api) -> None:
    _, headers, key = api.station()
    body = make_report(asset_code="AT-0018", key=key).model_dump_json().encode("utf-8")
    broken = body.replace(b'"AT-0018"', b'"AT-\xff0018"')
    response = api.client.post(
        "/api/v1/reports", content=broken, headers={**headers, "Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][0] == "body"


def test_openapi_documents_the_report_body(api: Api) -> None:
    spec = api.client.get("/api/v1/openapi.json").json()
    operation = spec["paths"]["/api/v1/reports"]["post"]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/Report"}
    assert "Report" in spec["components"]["schemas"]
    assert operation["security"] == [{"HTTPBearer": []}]
    assert {"200", "201", "401", "409", "413", "422"} <= set(operation["responses"])


def test_certificate_with_a_non_ascii_fingerprint_is_flagged_not_a_server_error(api: Api) -> None:
    _, headers, key = api.station()
    data = json.loads(make_report(asset_code="AT-0019", key=key).model_dump_json())
    data["certificates"][0]["key_fingerprint"] = "é" * 64
    response = api.client.post("/api/v1/reports", json=data, headers=headers)
    assert response.status_code == 201, response.text
    assert response.json()["signature_status"] == "invalid"
    assert not response.json()["certificates"][0]["valid_signature"]
