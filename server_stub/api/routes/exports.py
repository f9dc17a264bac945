"""Downloads: signed certificates (JSON, PDF), donor traceability (CSV, PDF), GLPI inventory."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from server_stub import crud, exports
from server_stub.api.deps import SessionDep, UserPrincipal
from server_stub.errors import NotFound
from server_stub.glpi import glpi_inventory
from server_stub.schemas import PathId

router = APIRouter(tags=["exports"])
Lang = Annotated[Literal["fr", "en"], Query(description="Language of the document.")]


def _attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}"'}


@router.get("/certificates/{certificate_id}.json", response_class=Response)
def certificate_json(certificate_id: uuid.UUID, session: SessionDep, principal: UserPrincipal) -> Response:
    """The signed certificate byte for byte as the station signed it (`atelier certificate verify`
    accepts the file as is). Ids are UUIDs: nothing here is a path on disk."""
    cert = crud.get_certificate(session, certificate_id=certificate_id, donor_scope=principal.donor_scope)
    return Response(
        cert.signed_json.encode("utf-8"),
        media_type="application/json",
        headers=_attachment(f"certificate-{cert.certificate_id}.json"),
    )


@router.get("/certificates/{certificate_id}.pdf", response_class=Response)
def certificate_pdf(
    certificate_id: uuid.UUID, session: SessionDep, principal: UserPrincipal, lang: Lang = "fr"
) -> Response:
    cert = crud.get_certificate(session, certificate_id=certificate_id, donor_scope=principal.donor_scope)
    return Response(
        exports.certificate_pdf(cert.signed_json, lang=lang),
        media_type="application/pdf",
        headers=_attachment(f"certificate-{cert.certificate_id}.pdf"),
    )


@router.get("/batches/{batch_id}/traceability.csv", response_class=Response)
def traceability_csv(
    batch_id: PathId, session: SessionDep, principal: UserPrincipal, lang: Lang = "fr"
) -> Response:
    batch = crud.get_batch(session, batch_id=batch_id, donor_scope=principal.donor_scope)
    rows = crud.traceability_rows(session, batch_id=batch.id)
    return Response(
        exports.traceability_csv(rows, lang=lang),
        media_type="text/csv; charset=utf-8",
        headers=_attachment(f"tracabilite-lot-{batch.id}.csv"),
    )


@router.get("/batches/{batch_id}/traceability.pdf", response_class=Response)
def traceability_pdf(
    batch_id: PathId, session: SessionDep, principal: UserPrincipal, lang: Lang = "fr"
) -> Response:
    batch = crud.get_batch(session, batch_id=batch_id, donor_scope=principal.donor_scope)
    donor = crud.get_donor(session, donor_id=batch.donor_id)
    rows = crud.traceability_rows(session, batch_id=batch.id)
    return Response(
        exports.traceability_pdf(rows, batch=batch, donor=donor, lang=lang),
        media_type="application/pdf",
        headers=_attachment(f"tracabilite-lot-{batch.id}.pdf"),
    )


@router.get("/devices/{asset_code:path}/glpi.json")
def device_glpi(asset_code: str, session: SessionDep, principal: UserPrincipal) -> dict[str, object]:
    """GLPI native inventory of the device's newest report (`content.bios.assettag` = asset code)."""
    device = crud.get_device(session, asset_code=asset_code, donor_scope=principal.donor_scope)
    latest = crud.latest_report(session, device=device)
    if latest is None:
        raise NotFound(f"device {asset_code!r} has no report yet: nothing to export")
    return glpi_inventory(crud.parse_report_body(latest), asset_code=device.asset_code)
