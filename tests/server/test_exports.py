"""Certificate downloads, donor traceability (CSV, PDF), GLPI inventory."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import uuid
from pathlib import Path

import jsonschema
import pytest

from agent.certs import verify_certificate_bytes

from .conftest import Api
from .factories import make_report


def _seed(api: Api, asset: str = "EXP-1", **kwargs: object) -> tuple[int, object]:
    donor = api.donor("Département de la Gironde")
    batch = api.batch(donor, reference="CD33-2025", received_on="2026-11-03")
    _, headers, key = api.station()
    report = make_report(asset_code=asset, key=key, batch="CD33-2025", **kwargs)  # type: ignore[arg-type]
    assert api.post_report(report, headers).status_code == 201
    return batch, report


def test_certificate_json_is_the_signed_file(api: Api) -> None:
    _, report = _seed(api)
    signed = report.certificates[0]  # type: ignore[attr-defined]
    response = api.client.get(
        f"/api/v1/certificates/{signed.certificate.certificate_id}.json", headers=api.admin
    )
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    outcome = verify_certificate_bytes(response.content, expected_public_key=signed.public_key)
    assert outcome.valid, outcome.problems


def test_certificate_pdf(api: Api) -> None:
    _, report = _seed(api)
    cert_id = report.certificates[0].certificate.certificate_id  # type: ignore[attr-defined]
    response = api.client.get(f"/api/v1/certificates/{cert_id}.pdf", headers=api.admin)
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/certificates/..%2F..%2Fetc%2Fpasswd.json",
        "/api/v1/certificates/../../etc/passwd.json",
        "/api/v1/certificates/%2e%2e%2fsecret_key.json",
        "/api/v1/certificates/secret_key.json",
        "/api/v1/certificates/..%5C..%5Csecret_key.pdf",
    ],
)
def test_certificate_download_cannot_escape(api: Api, path: str) -> None:
    response = api.client.get(path, headers=api.admin)
    assert response.status_code in (404, 422)
    assert b"secret" not in response.content.lower().replace(b"secret_key", b"")
    assert api.client.get(f"/api/v1/certificates/{uuid.uuid4()}.json", headers=api.admin).status_code == 404


def test_traceability_csv(api: Api) -> None:
    batch, report = _seed(api)
    api.client.post(
        "/api/v1/devices/EXP-1/outcomes",
        json={"kind": "donated", "date": "2026-11-20", "channel": '=HYPERLINK("http://x")'},
        headers=api.admin,
    )
    response = api.client.get(f"/api/v1/batches/{batch}/traceability.csv", headers=api.admin)
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][0] == "Code d'inventaire"
    assert len(rows) == 1 + len(report.certificates)  # type: ignore[attr-defined]
    first = rows[1]
    cert = report.certificates[0].certificate  # type: ignore[attr-defined]
    assert first[0] == "EXP-1"
    assert str(cert.certificate_id) in first
    assert cert.technique in first
    assert "effacé" in first and "valide" in first and "donné" in first
    assert '\'=HYPERLINK("http://x")' in first  # formula neutralised
    english = api.client.get(f"/api/v1/batches/{batch}/traceability.csv?lang=en", headers=api.admin)
    assert english.content.decode("utf-8-sig").startswith("Asset code,")


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) missing")
def test_traceability_pdf_escapes_markup(api: Api, tmp_path: Path) -> None:
    batch, _ = _seed(api, asset="<script>alert(1)</script>")
    response = api.client.get(f"/api/v1/batches/{batch}/traceability.pdf", headers=api.admin)
    assert response.status_code == 200
    pdf = tmp_path / "t.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Traçabilité" in text
    assert "<script>alert(1)" in text.replace("\n", "")  # shown as text, not interpreted


def test_glpi_inventory_valid_against_schema(api: Api, fixtures: Path) -> None:
    _seed(api, asset="GLPI-42")
    response = api.client.get("/api/v1/devices/GLPI-42/glpi.json", headers=api.admin)
    assert response.status_code == 200, response.text
    inventory = response.json()
    schema = json.loads((fixtures / "glpi" / "inventory.schema.json").read_text())
    jsonschema.validate(inventory, schema)
    content = inventory["content"]
    assert content["bios"]["assettag"] == "GLPI-42"
    assert content["hardware"]["memory"] == 8192
    assert {"cpus", "memories", "storages", "networks", "batteries", "monitors"} <= content.keys()
    assert all(s["name"] != "sdz" for s in content["storages"])  # the boot stick is not the machine's


def test_glpi_examples_still_validate(fixtures: Path) -> None:
    # The schema check itself is sound: GLPI's own examples pass and a broken document fails.
    schema = json.loads((fixtures / "glpi" / "inventory.schema.json").read_text())
    example = json.loads((fixtures / "glpi" / "computer_2.json").read_text())
    jsonschema.validate(example, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**example, "itemtype": "Toaster"}, schema)


def test_glpi_without_report_is_404(api: Api) -> None:
    donor = api.donor()
    batch = api.batch(donor)
    api.client.post(f"/api/v1/batches/{batch}/assets", json={"asset_codes": ["EMPTY-1"]}, headers=api.admin)
    assert api.client.get("/api/v1/devices/EMPTY-1/glpi.json", headers=api.admin).status_code == 404
