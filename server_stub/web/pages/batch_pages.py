"""Donors and batches: the intake page (create donor, create batch), one batch, attaching labels."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from agent.i18n import N_
from server_stub import crud
from server_stub.api.deps import SessionDep
from server_stub.errors import Conflict, ServiceError
from server_stub.web import queries
from server_stub.web.forms import MAX_TEXT, Fields, Message, asset_code_list
from server_stub.web.pages.device_pages import PAGE_SIZE, list_context, read_list_query
from server_stub.web.security import CsrfChecked, ManagerViewer, Viewer, ViewerDep
from server_stub.web.templating import render

router = APIRouter()
#: A batch's machines are a device list: 50 per page as on the list (100 rows cost 55 ms of
#: server CPU with 100,000 devices, above the list's 50 ms budget; each row is ≈ 0.35 ms of
#: query, outcome lookup and template).
BATCH_PAGE_SIZE = PAGE_SIZE
MAX_CODES = 5000
#: crud's conflicts name the field; the page says it in plain words.
CONFLICTS = {
    "name": N_("A donor with this name already exists."),
    "reference": N_("A batch with this reference already exists."),
}


def _overview(session: Session, viewer: Viewer, **extra: Any) -> dict[str, Any]:
    donors = crud.list_donors(session, donor_scope=viewer.donor_scope)
    batches = crud.list_batches(session, donor_scope=viewer.donor_scope)
    counts = queries.batch_counts(session, batch_ids=[b.id for b in batches])
    by_donor: dict[int, list[Any]] = {d.id: [] for d in donors}
    for batch in batches:
        by_donor.setdefault(batch.donor_id, []).append(batch)
    context: dict[str, Any] = {
        "donors": donors,
        "by_donor": by_donor,
        "counts": counts,
        "errors": {},
        "donor_form": {},
        "batch_form": {},
        "created": None,
    }
    context.update(extra)
    return context


@router.get("/lots")
def batches_page(request: Request, session: SessionDep, viewer: ViewerDep) -> Response:
    return render(
        request, "batches.html", _overview(session, viewer, created=request.query_params.get("cree"))
    )


def _service_message(err: ServiceError) -> Message:
    if isinstance(err, Conflict) and err.field in CONFLICTS:
        return Message(CONFLICTS[err.field])
    return Message(err.message)


@router.post("/donateurs", dependencies=[CsrfChecked])
async def create_donor(request: Request, session: SessionDep, viewer: ManagerViewer) -> Response:
    fields = Fields(dict(await request.form()))
    name = fields.text("name", required=True)
    note = fields.text("note", limit=MAX_TEXT) or ""
    if fields.ok and name is not None:
        try:
            crud.create_donor(session, name=name, note=note, actor=f"user:{viewer.user.id}")
            session.commit()
            return RedirectResponse("/lots?cree=donateur", status_code=303)
        except ServiceError as err:
            session.rollback()
            fields.errors[err.field or "name"] = _service_message(err)
    errors = {f"donor_{k}": v for k, v in fields.errors.items()}
    context = _overview(session, viewer, errors=errors, donor_form=dict(fields.source))
    return render(request, "batches.html", context, status_code=422)


@router.post("/lots", dependencies=[CsrfChecked])
async def create_batch(request: Request, session: SessionDep, viewer: ManagerViewer) -> Response:
    fields = Fields(dict(await request.form()))
    donor_id = fields.integer("donor_id", minimum=1, required=True)
    reference = fields.text("reference", limit=64, required=True)
    label = fields.text("label", required=True)
    units = fields.integer("units_announced", minimum=0)
    received_on = fields.date("received_on")
    note = fields.text("note", limit=MAX_TEXT) or ""
    if fields.ok and donor_id is not None and reference is not None and label is not None:
        try:
            batch = crud.create_batch(
                session,
                donor_id=donor_id,
                reference=reference,
                label=label,
                units_announced=units,
                received_on=received_on,
                note=note,
                actor=f"user:{viewer.user.id}",
            )
            session.commit()
            return RedirectResponse(f"/lots/{batch.id}", status_code=303)
        except ServiceError as err:
            session.rollback()
            fields.errors[err.field or "reference"] = _service_message(err)
    errors = {f"batch_{k}": v for k, v in fields.errors.items()}
    context = _overview(session, viewer, errors=errors, batch_form=dict(fields.source))
    return render(request, "batches.html", context, status_code=422)


def batch_context(request: Request, session: Session, viewer: Viewer, batch_id: int) -> dict[str, Any]:
    batch = crud.get_batch(session, batch_id=batch_id, donor_scope=viewer.donor_scope)
    donor = crud.get_donor(session, donor_id=batch.donor_id)
    query = read_list_query(request, batch_id=batch.id)
    # The batch's own table has no batch column (batch.html: show_batch = False).
    context = list_context(session, viewer, query, page_size=BATCH_PAGE_SIZE, with_batch=False)
    context.update(
        {
            "batch": batch,
            "donor": donor,
            "counts": queries.batch_counts(session, batch_ids=[batch.id]).get(
                batch.id, queries.BatchCounts()
            ),
            "errors": {},
            "attach": None,
            "codes_text": "",
        }
    )
    return context


@router.get("/lots/{batch_id}")
def batch_page(request: Request, batch_id: int, session: SessionDep, viewer: ViewerDep) -> Response:
    return render(request, "batch.html", batch_context(request, session, viewer, batch_id))


@router.post("/lots/{batch_id}/appareils", dependencies=[CsrfChecked])
async def attach_assets(
    request: Request, batch_id: int, session: SessionDep, viewer: ManagerViewer
) -> Response:
    form = await request.form()
    fields = Fields(dict(form))
    text = form.get("codes")
    codes = asset_code_list(text if isinstance(text, str) else "")
    move = fields.flag("move")
    result = None
    if not codes:
        fields.errors["codes"] = Message(N_("Paste or scan at least one asset code."))
    elif len(codes) > MAX_CODES:
        fields.errors["codes"] = Message(N_("At most {limit} asset codes at a time."), {"limit": MAX_CODES})
    else:
        try:
            result = crud.attach_assets(
                session, batch_id=batch_id, asset_codes=codes, move=move, actor=f"user:{viewer.user.id}"
            )
            session.commit()
        except ServiceError as err:
            session.rollback()
            if err.status_code == 404:
                raise
            fields.errors["codes"] = Message(
                N_("One of these asset codes is not valid (empty, too long or with control characters).")
            )
    context = batch_context(request, session, viewer, batch_id)
    context.update({"errors": fields.errors, "attach": result})
    if result is None:
        context["codes_text"] = text if isinstance(text, str) else ""
    elif result.conflicts:
        context["codes_text"] = "\n".join(result.conflicts)
    return render(request, "batch.html", context, status_code=200 if result is not None else 422)


__all__ = ["router"]
