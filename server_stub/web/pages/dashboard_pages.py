"""The dashboard a supervisor or a donor shows in a monthly meeting."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from server_stub.api.deps import SessionDep
from server_stub.web import charts, labels, queries
from server_stub.web import format as fmt
from server_stub.web.forms import Fields
from server_stub.web.security import ViewerDep
from server_stub.web.templating import gettext_for, page_lang, render

router = APIRouter()
GRADE_TONES = {"A": "g-a", "B": "g-b", "C": "g-c", "D": "g-d", "?": "c8"}
OUTCOME_TONES = {"donated": "c3", "lent": "c5", "sold": "c1", "parts": "c2", "recycled": "c6"}
MONTHS = {
    "fr": ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}
MAX_MONTHS = 36


def default_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """The last twelve months, this one included."""
    start = today.replace(day=1)
    for _ in range(11):
        start = (start - dt.timedelta(days=1)).replace(day=1)
    return start, today


def month_label(month: dt.date, lang: str) -> str:
    return f"{MONTHS.get(lang, MONTHS['fr'])[month.month - 1]} {month.year}"


def month_axis(months: list[dt.date], lang: str) -> tuple[list[str], list[str]]:
    """Short month names, and the year only under the first month and under each January."""
    names = [MONTHS.get(lang, MONTHS["fr"])[m.month - 1] for m in months]
    years = [str(m.year) if i == 0 or m.month == 1 else "" for i, m in enumerate(months)]
    return names, years


def minutes(seconds: float | None) -> str:
    return "" if seconds is None else f"{round(seconds / 60)} min"


def build_charts(data: queries.Dashboard, lang: str) -> dict[str, Any]:
    _ = gettext_for(lang)
    month_labels = [month_label(m.month, lang) for m in data.processed]
    names, years = month_axis([m.month for m in data.processed], lang)
    processed = charts.column_chart(
        [m.count for m in data.processed], names, [fmt.number(m.count, lang) for m in data.processed], years
    )
    durations = charts.column_chart(
        [(m.seconds or 0) / 60 for m in data.durations],
        names,
        [minutes(m.seconds) for m in data.durations],
        years,
        tone="c5",
    )
    grade_keys = [g for g in ("A", "B", "C", "D", "?") if data.grades.get(g)]
    total_graded = sum(data.grades.values())
    grades = charts.row_chart(
        [data.grades[g] for g in grade_keys],
        [_(labels.GRADE_MEANING[g]) if g in labels.GRADE_MEANING else _("Not graded") for g in grade_keys],
        [
            f"{fmt.number(data.grades[g], lang)} ({fmt.percent(100 * data.grades[g] / total_graded, lang)})"
            for g in grade_keys
        ],
        [GRADE_TONES[g] for g in grade_keys],
    )
    kinds = [k for k in ("donated", "lent", "sold", "parts", "recycled") if data.outcomes.get(k)]
    total_outcomes = sum(data.outcomes.values())
    outcomes = charts.donut(
        [data.outcomes[k] for k in kinds],
        [_(labels.OUTCOMES[k]) for k in kinds],
        [fmt.number(data.outcomes[k], lang) for k in kinds],
        [fmt.percent(100 * data.outcomes[k] / total_outcomes, lang) for k in kinds],
        [OUTCOME_TONES[k] for k in kinds],
        fmt.number(total_outcomes, lang),
    )
    reuse = sum(data.outcomes.get(k, 0) for k in labels.REUSE_KINDS)
    tech_keys = list(data.techniques)
    total_disks = sum(data.techniques.values())
    techniques = charts.row_chart(
        [data.techniques[t] for t in tech_keys],
        [_(labels.TECHNIQUE_LABELS.get(t, t)) for t in tech_keys],
        [
            f"{fmt.number(data.techniques[t], lang)} ({fmt.percent(100 * data.techniques[t] / total_disks, lang)})"
            for t in tech_keys
        ],
        [f"c{1 + i % 8}" for i in range(len(tech_keys))],
    )
    return {
        "processed": processed,
        "durations": durations,
        "grades": grades,
        "outcomes": outcomes,
        "techniques": techniques,
        "month_labels": month_labels,
        "reuse": reuse,
        "reuse_share": fmt.percent(100 * reuse / total_outcomes, lang) if total_outcomes else None,
        "recycled": data.outcomes.get("recycled", 0),
        "parts": data.outcomes.get("parts", 0),
        "total_outcomes": total_outcomes,
        "total_disks": total_disks,
    }


@router.get("/tableau-de-bord")
def dashboard_page(request: Request, session: SessionDep, viewer: ViewerDep) -> Response:
    fields = Fields(dict(request.query_params))
    start, end = default_period(dt.date.today())
    date_from = fields.date("from") or start
    date_to = fields.date("to") or end
    if date_to < date_from:
        date_from, date_to = date_to, date_from
    if len(queries.months_between(date_from, date_to)) > MAX_MONTHS:
        date_from = date_to.replace(day=1) - dt.timedelta(days=31 * (MAX_MONTHS - 1))
        date_from = date_from.replace(day=1)
    donor_id = None if viewer.is_donor else fields.integer("donor", minimum=1)
    batch_id = fields.integer("batch", minimum=1)
    cache: queries.DashboardCache | None = getattr(request.app.state, "web_dashboard_cache", None)
    if cache is None:
        cache = request.app.state.web_dashboard_cache = queries.DashboardCache()
    data = cache.get(
        (date_from, date_to, donor_id, batch_id, viewer.donor_scope),
        lambda: queries.dashboard(
            session,
            date_from=date_from,
            date_to=date_to,
            donor_id=donor_id,
            batch_id=batch_id,
            donor_scope=viewer.donor_scope,
        ),
    )
    lang = page_lang(request)
    return render(
        request,
        "dashboard.html",
        {
            "data": data,
            "charts": build_charts(data, lang),
            "date_from": date_from,
            "date_to": date_to,
            "donor_id": donor_id,
            "batch_id": batch_id,
            "donors": [] if viewer.is_donor else queries.donor_choices(session),
            "batches": queries.batch_choices(session, donor_scope=viewer.donor_scope),
            "errors": fields.errors,
        },
    )


__all__ = ["router"]
