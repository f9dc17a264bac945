"""The device list (the supervisor's daily view), one device's page, and recording an outcome."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote_plus, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from agent.i18n import N_
from agent.report import Disk
from agent.report import Report as AgentReport
from server_stub import crud
from server_stub import device_list as listing
from server_stub.api.deps import SessionDep
from server_stub.errors import ServiceError
from server_stub.models import ERASURE_STATUSES, GRADES, OUTCOME_KINDS, Certificate, Device
from server_stub.web import labels, queries
from server_stub.web.forms import Fields, Message
from server_stub.web.security import CsrfChecked, StaffViewer, Viewer, ViewerDep
from server_stub.web.templating import render

router = APIRouter()
PAGE_SIZE = 50


def device_url(asset_code: str) -> str:
    # `urlencode({"code": …})`'s text, without its per-call dict walk (once per row of a list).
    return "/appareil?code=" + quote_plus(asset_code, safe="")


@dataclass(frozen=True)
class ListQuery:
    """The list's filters as read from the query string (bad values reported, then ignored)."""

    filters: crud.DeviceFilter
    state: str | None
    sort: str
    page: int
    fields: Fields

    def link(self, **changes: Any) -> str:
        """This list's URL with some parameters changed (for pagination and sorting)."""
        params = {k: v for k, v in self.fields.source.items() if isinstance(v, str) and v.strip()}
        params.update({k: str(v) for k, v in changes.items() if v is not None})
        for key, value in changes.items():
            if value is None:
                params.pop(key, None)
        return "?" + urlencode(params)


def read_list_query(request: Request, *, batch_id: int | None = None) -> ListQuery:
    fields = Fields(dict(request.query_params))
    filters = crud.DeviceFilter(
        grade=fields.choice("grade", GRADES),
        erasure_status=fields.choice("erasure", ERASURE_STATUSES),
        donor_id=fields.integer("donor", minimum=1),
        batch_id=batch_id if batch_id is not None else fields.integer("batch", minimum=1),
        date_from=fields.date("from"),
        date_to=fields.date("to"),
        q=fields.text("q", limit=100),
    )
    return ListQuery(
        filters=filters,
        state=fields.choice("state", listing.STATES),
        # Filtering on the run date lists by run date unless told otherwise: the run-date index
        # then gives the page's 50 rows directly, instead of every run of the period to sort.
        sort=fields.choice("sort", tuple(labels.SORTS))
        or ("run-desc" if filters.date_from or filters.date_to else "recent"),
        page=fields.integer("page", minimum=1, maximum=1_000_000) or 1,
        fields=fields,
    )


def list_context(
    session: Session,
    viewer: Viewer,
    query: ListQuery,
    *,
    page_size: int | None = None,
    with_batch: bool = True,
) -> dict[str, Any]:
    page_size = page_size or PAGE_SIZE
    found = listing.list_device_ids(
        session,
        filters=query.filters,
        state=query.state,
        sort=query.sort,
        limit=page_size,
        offset=(query.page - 1) * page_size,
        donor_scope=viewer.donor_scope,
    )
    rows, total = (
        queries.device_table_rows(session, found.ids, device_url, with_batch=with_batch),
        found.total,
    )
    pages = max(1, -(-total // page_size))
    if found.capped:
        # "More than 2,000": the pages end where the rows do.
        pages = query.page + 1 if found.has_more else query.page
    return {
        "rows": rows,
        "total": total,
        "capped": found.capped,
        "query": query,
        "page": query.page,
        "pages": pages,
        "first_index": (query.page - 1) * page_size + 1 if rows else 0,
        "last_index": (query.page - 1) * page_size + len(rows),
    }


@router.get("/")
def home(viewer: ViewerDep) -> Response:
    return RedirectResponse("/appareils", status_code=303)


@router.get("/appareils")
def device_list(request: Request, session: SessionDep, viewer: ViewerDep) -> Response:
    query = read_list_query(request)
    context = list_context(session, viewer, query)
    context["batches"] = queries.batch_choices(session, donor_scope=viewer.donor_scope)
    context["donors"] = [] if viewer.is_donor else queries.donor_choices(session)
    return render(request, "devices.html", context)


# --------------------------------------------------------------------------------------------------
# One device


@dataclass(frozen=True)
class DiskView:
    disk: Disk
    health: Any
    certificate: Certificate | None


def _disk_views(report: AgentReport, certificates: list[Certificate]) -> list[DiskView]:
    by_serial = {c.disk_serial: c for c in certificates if c.disk_serial and c.report_id == report.report_id}
    checks = {c.id: c for c in report.checks}
    views = []
    for disk in report.disks:
        if disk.is_boot_medium:
            continue
        cert = by_serial.get(disk.serial) if disk.serial else None
        views.append(DiskView(disk=disk, health=checks.get(f"disk-health:{disk.path}"), certificate=cert))
    return views


def device_context(session: Session, viewer: Viewer, device: Device) -> dict[str, Any]:
    latest = crud.latest_report(session, device=device)
    report = crud.parse_report_body(latest) if latest is not None else None
    certificates = list(crud.device_certificates(session, device=device))
    batch = crud.get_batch(session, batch_id=device.batch_id) if device.batch_id is not None else None
    donor = crud.get_donor(session, donor_id=batch.donor_id) if batch is not None else None
    return {
        "device": device,
        "report": report,
        "report_row": latest,
        "disks": _disk_views(report, certificates) if report is not None else [],
        "checks": [c for c in report.checks if not c.id.startswith("disk-health:")] if report else [],
        "certificates": certificates,
        "history": crud.device_history(session, device=device),
        "outcomes": crud.device_outcomes(session, device=device),
        "batch": batch,
        "donor": donor,
        "outcome_kinds": OUTCOME_KINDS,
        "errors": {},
        "form": {"date": dt.date.today().isoformat()},
        "saved": False,
        "glpi_url": None
        if report is None
        else "/api/v1/devices/" + _path_segment(device.asset_code) + "/glpi.json",
    }


def _path_segment(code: str) -> str:
    from urllib.parse import quote

    return quote(code, safe="")


@router.get("/appareil")
def device_page(request: Request, session: SessionDep, viewer: ViewerDep, code: str = "") -> Response:
    device = crud.get_device(session, asset_code=code.strip(), donor_scope=viewer.donor_scope)
    context = device_context(session, viewer, device)
    context["saved"] = request.query_params.get("enregistre") == "1"
    return render(request, "device.html", context)


@router.post("/sorties", dependencies=[CsrfChecked])
async def record_outcome(request: Request, session: SessionDep, viewer: StaffViewer) -> Response:
    form = await request.form()
    fields = Fields(dict(form))
    code = fields.text("asset_code", limit=64, required=True) or ""
    device = crud.get_device(session, asset_code=code, donor_scope=viewer.donor_scope)
    kind = fields.choice("kind", OUTCOME_KINDS, required=True)
    date = fields.date("date", required=True)
    channel = fields.text("channel")
    pickup = fields.text("recycler_pickup_ref")
    note = fields.text("note", limit=2000) or ""
    if kind == "recycled" and not pickup:
        fields.errors["recycler_pickup_ref"] = Message(
            N_("A recycled machine needs the recycler's pickup reference (on the collection slip).")
        )
    if date is not None and date > dt.date.today() + dt.timedelta(days=1):
        fields.errors["date"] = Message(N_("This date is in the future."))
    if fields.ok and kind is not None and date is not None:
        try:
            crud.record_outcome(
                session,
                device=device,
                kind=kind,
                date=date,
                channel=channel,
                recycler_pickup_ref=pickup,
                note=note,
                user_id=viewer.user.id,
                actor=f"user:{viewer.user.id}",
            )
            session.commit()
        except ServiceError as err:
            session.rollback()
            fields.errors[err.field or "kind"] = Message(err.message)
        else:
            return RedirectResponse(device_url(device.asset_code) + "&enregistre=1#sorties", status_code=303)
    context = device_context(session, viewer, device)
    context["errors"] = fields.errors
    context["form"] = {k: v for k, v in fields.source.items() if isinstance(v, str)}
    return render(request, "device.html", context, status_code=422)


__all__ = ["device_url", "router"]
