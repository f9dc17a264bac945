"""The web UI through the ASGI app: every page for every role, donor isolation, CSRF, inert text.

Read-only checks share one seeded app per module (seeding real reports takes seconds); tests that
write get their own app, on SQLite and, when ATELIER_TEST_PG_URL is set, on PostgreSQL.
"""

from __future__ import annotations

import html
import re
import shutil
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from server_stub.config import Settings
from server_stub.models import Outcome, Station

from .conftest import Api, make_settings
from .factories import make_report
from .web_seed import PASSWORD, XSS, Seeded, seed_workshop

warnings.filterwarnings("ignore", message=".*httpx.*", category=DeprecationWarning)
from fastapi.testclient import TestClient  # noqa: E402

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
PAGES = ("/appareils", "/lots", "/tableau-de-bord")


def login(app: Any, username: str) -> TestClient:
    client = TestClient(app, follow_redirects=False)
    page = client.get("/connexion")
    assert page.status_code == 200
    token = TOKEN.search(page.text)
    assert token is not None
    answer = client.post(
        "/connexion",
        data={"username": username, "password": PASSWORD, "csrf_token": token.group(1), "next": "/appareils"},
    )
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == "/appareils"
    return client


def csrf_of(client: TestClient, path: str = "/appareils") -> str:
    token = TOKEN.search(client.get(path).text)
    assert token is not None
    return token.group(1)


def device_path(code: str) -> str:
    return "/appareil?" + urlencode({"code": code})


@pytest.fixture(scope="module")
def seeded_app(
    sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Any, Seeded]]:
    from server_stub.main import create_app

    data_dir = tmp_path_factory.mktemp("web-data")
    shutil.copy(sqlite_template, data_dir / "atelier.db")
    app = create_app(make_settings(data_dir))
    seeded = seed_workshop(app.state.db, per_batch=4)
    yield app, seeded
    app.state.db.dispose()


@pytest.fixture(scope="module")
def clients(seeded_app: tuple[Any, Seeded]) -> dict[str, TestClient]:
    app, seeded = seeded_app
    return {role: login(app, username) for role, username in seeded.users.items()}


@pytest.fixture
def writable(settings: Settings) -> Iterator[tuple[Any, Seeded]]:
    from server_stub.main import create_app

    app = create_app(settings)
    seeded = seed_workshop(app.state.db, per_batch=2)
    yield app, seeded
    app.state.db.dispose()


# -- login ---------------------------------------------------------------------------------------


def test_pages_need_a_login(seeded_app: tuple[Any, Seeded]) -> None:
    app, seeded = seeded_app
    client = TestClient(app, follow_redirects=False)
    for path in (*PAGES, "/", "/postes", f"/lots/{seeded.batch_a}", device_path(seeded.code("CD33-2025"))):
        answer = client.get(path)
        assert answer.status_code == 303, path
        assert answer.headers["location"].startswith("/connexion?next=/"), path
    forged = client.get("/appareils", cookies={"atelier_session": "u.1.1.9999999999.forged"})
    assert forged.status_code == 303


def test_login_page_and_failures(seeded_app: tuple[Any, Seeded]) -> None:
    app, seeded = seeded_app
    client = TestClient(app, follow_redirects=False)
    page = client.get("/connexion?next=/lots")
    assert page.status_code == 200
    assert '<html lang="fr">' in page.text
    assert 'for="username"' in page.text and 'for="password"' in page.text
    token = TOKEN.search(page.text)
    assert token is not None
    form = {"username": seeded.users["supervisor"], "password": "wrong", "csrf_token": token.group(1)}
    wrong = client.post("/connexion", data=form)
    assert wrong.status_code == 401
    assert "Identifiant ou mot de passe incorrect" in wrong.text
    assert "atelier_session" not in wrong.cookies
    # Without the login form's token (a cross-site login), even the right password is refused.
    stranger = TestClient(app, follow_redirects=False)
    refused = stranger.post("/connexion", data={**form, "password": PASSWORD})
    assert refused.status_code == 403
    assert "atelier_session" not in refused.cookies


def test_login_redirects_only_inside_the_site(seeded_app: tuple[Any, Seeded]) -> None:
    app, seeded = seeded_app
    for target, expected in (("/lots", "/lots"), ("//evil.example/x", "/"), ("https://evil.example", "/")):
        client = TestClient(app, follow_redirects=False)
        token = TOKEN.search(client.get("/connexion").text)
        assert token is not None
        answer = client.post(
            "/connexion",
            data={
                "username": seeded.users["technician"],
                "password": PASSWORD,
                "csrf_token": token.group(1),
                "next": target,
            },
        )
        assert answer.headers["location"] == expected


def test_logout_needs_the_form_token(seeded_app: tuple[Any, Seeded]) -> None:
    app, seeded = seeded_app
    client = login(app, seeded.users["technician"])
    assert client.post("/deconnexion").status_code == 403
    assert client.get("/appareils").status_code == 200
    out = client.post("/deconnexion", data={"csrf_token": csrf_of(client)})
    assert out.status_code == 303
    assert client.get("/appareils").status_code == 303


# -- pages and roles -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "supervisor", "technician", "donor_a"])
def test_every_page_for_every_role(
    role: str, clients: dict[str, TestClient], seeded_app: tuple[Any, Seeded]
) -> None:
    _app, seeded = seeded_app
    client = clients[role]
    own_code = seeded.code("CD33-2025")
    for path in (*PAGES, f"/lots/{seeded.batch_a}", device_path(own_code), device_path(seeded.waiting_code)):
        answer = client.get(path)
        assert answer.status_code == 200, (role, path)
        assert answer.headers["content-type"].startswith("text/html")
        assert '<html lang="fr">' in answer.text
        assert 'class="skip-link" href="#contenu"' in answer.text
    stations = client.get("/postes")
    assert stations.status_code == (200 if role in ("admin", "supervisor") else 403)
    device = client.get(device_path(own_code)).text
    assert own_code in device
    assert ("Enregistrer une sortie" in device) == (role != "donor_a")
    assert ('href="/postes"' in device) == (role in ("admin", "supervisor"))
    batches = client.get("/lots").text
    assert ("Nouveau lot" in batches) == (role in ("admin", "supervisor"))


def test_device_page_shows_the_machine(
    clients: dict[str, TestClient], seeded_app: tuple[Any, Seeded]
) -> None:
    _app, seeded = seeded_app
    page = clients["supervisor"].get(device_path(seeded.code("CD33-2025"))).text
    for expected in (
        "Disques et effacement",
        "/api/v1/certificates/",
        ".pdf",
        ".json",
        "Pourquoi cette classe",
        "Améliorations conseillées",
        "Windows 11",
        "Historique",
        "Orienté par",
        "Référence d&#39;enlèvement du recycleur",
        "/glpi.json",
    ):
        assert expected in page, expected
    # The machine run twice: two history entries, newest first.
    assert page.count('<p class="when">') == 2
    invalid = clients["supervisor"].get(device_path(seeded.invalid_code)).text
    assert "Signature NON VALABLE" in invalid
    waiting = clients["supervisor"].get(device_path(seeded.waiting_code)).text
    assert "L&#39;agent n&#39;est pas encore passé" in waiting


def test_certificate_links_work_with_the_page_session(
    clients: dict[str, TestClient], seeded_app: tuple[Any, Seeded]
) -> None:
    _app, seeded = seeded_app
    client = clients["donor_a"]
    page = client.get(device_path(seeded.code("CD33-2025"))).text
    pdf = re.search(r'href="(/api/v1/certificates/[0-9a-f-]+\.pdf)"', page)
    assert pdf is not None
    answer = client.get(pdf.group(1))
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/pdf"
    assert answer.content.startswith(b"%PDF-")
    batch = client.get(f"/lots/{seeded.batch_a}").text
    csv_link = re.search(r'href="(/api/v1/batches/\d+/traceability\.csv)"', batch)
    assert csv_link is not None
    assert client.get(csv_link.group(1)).status_code == 200


def test_list_filters_and_sorting(clients: dict[str, TestClient], seeded_app: tuple[Any, Seeded]) -> None:
    _app, seeded = seeded_app
    client = clients["supervisor"]

    def codes(**params: Any) -> list[str]:
        page = client.get("/appareils?" + urlencode(params))
        assert page.status_code == 200
        return [
            html.unescape(c) for c in re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a>', page.text)
        ]

    everything = codes()
    assert seeded.waiting_code in everything and len(everything) == len(set(everything))
    assert codes(q=seeded.code("LVH-2026", 1)) == [seeded.code("LVH-2026", 1)]
    assert codes(state="waiting") == [seeded.waiting_code]
    assert seeded.waiting_code not in codes(state="stock")
    left = codes(state="left")
    assert left and seeded.xss_code in left
    assert set(codes(batch=seeded.batch_b)) == {*seeded.codes["LVH-2026"], seeded.xss_code}
    assert set(codes(donor=seeded.donor_b)) == {*seeded.codes["LVH-2026"], seeded.xss_code}
    assert codes(sort="run-asc")[0] != codes(sort="run-desc")[0]
    assert codes(erasure="erased", grade="A") == [c for c in codes(grade="A") if c in codes(erasure="erased")]
    # Bad values are reported on the page, never a 500.
    bad = client.get("/appareils?" + urlencode({"from": "hier", "grade": "Z", "page": "-3", "donor": "x"}))
    assert bad.status_code == 200
    assert "Tapez une date comme 29/11/2026" in bad.text


def test_pagination(seeded_app: tuple[Any, Seeded], clients: dict[str, TestClient]) -> None:
    from server_stub.web.pages import device_pages

    client = clients["admin"]
    total = len(re.findall(r'<th scope="row">', client.get("/appareils").text))
    original = device_pages.PAGE_SIZE
    device_pages.PAGE_SIZE = 5
    try:
        first = client.get("/appareils").text
        assert "Page 1 sur" in first and 'rel="next"' in first
        pages = -(-total // 5)
        last = client.get(f"/appareils?page={pages}").text
        assert len(re.findall(r'<th scope="row">', last)) == total - 5 * (pages - 1)
        assert 'rel="next"' not in last
    finally:
        device_pages.PAGE_SIZE = original


def test_dashboard_counts(seeded_app: tuple[Any, Seeded], clients: dict[str, TestClient]) -> None:
    app, seeded = seeded_app
    from server_stub.web import queries
    from server_stub.web.pages.dashboard_pages import default_period

    start, end = default_period(__import__("datetime").date.today())
    with app.state.db.session() as session:
        everything = queries.dashboard(session, date_from=start, date_to=end)
        donor_b = queries.dashboard(session, date_from=start, date_to=end, donor_scope=seeded.donor_b)
    ran = sum(len(codes) for codes in seeded.codes.values()) + 2  # + tampered + hostile
    assert everything.total_processed == ran
    assert sum(m.count for m in everything.processed) == ran
    assert sum(everything.grades.values()) == ran
    assert donor_b.total_processed == len(seeded.codes["LVH-2026"]) + 1
    assert everything.average_seconds is not None and 30 * 60 <= everything.average_seconds <= 140 * 60
    assert sum(everything.techniques.values()) >= ran
    page = clients["supervisor"].get("/tableau-de-bord").text
    assert page.count('role="img"') >= 5
    assert "Machines traitées par mois" in page and "Temps moyen par machine" in page
    assert f'<span class="n">{ran}</span> machines traitées' in page


# -- donors --------------------------------------------------------------------------------------


def test_donor_sees_only_its_own(clients: dict[str, TestClient], seeded_app: tuple[Any, Seeded]) -> None:
    _app, seeded = seeded_app
    donor = clients["donor_a"]
    other_code = seeded.code("LVH-2026")
    assert donor.get(f"/lots/{seeded.batch_b}").status_code == 404
    assert donor.get(device_path(other_code)).status_code == 404
    assert donor.get(device_path(seeded.xss_code)).status_code == 404
    for params in ({}, {"q": "LVH"}, {"donor": seeded.donor_b}, {"batch": seeded.batch_b}, {"state": "left"}):
        page = donor.get("/appareils?" + urlencode(params)).text
        assert "LVH-" not in page, params
    lots = donor.get("/lots").text
    assert "CD33-2025" in lots and "LVH-2026" not in lots and "Lycée" not in lots
    dashboard = donor.get(f"/tableau-de-bord?donor={seeded.donor_b}&batch={seeded.batch_b}").text
    assert "LVH-2026" not in dashboard
    assert '<span class="n">0</span> machines traitées' in dashboard
    # A donor records nothing, even with a valid form token.
    token = csrf_of(donor)
    answer = donor.post(
        "/sorties",
        data={
            "csrf_token": token,
            "asset_code": seeded.code("CD33-2025"),
            "kind": "sold",
            "date": "2026-01-02",
        },
    )
    assert answer.status_code == 403


# -- writes --------------------------------------------------------------------------------------


def _outcomes(app: Any) -> int:
    with app.state.db.session() as session:
        return session.query(Outcome).count()


def test_csrf_rejected_on_every_form(writable: tuple[Any, Seeded]) -> None:
    app, seeded = writable
    client = login(app, seeded.users["admin"])
    other = login(app, seeded.users["supervisor"])
    foreign_token = csrf_of(other)
    before = _outcomes(app)
    forms = {
        "/sorties": {"asset_code": seeded.code("CD33-2025"), "kind": "sold", "date": "2026-01-02"},
        "/donateurs": {"name": "Mairie de Bègles"},
        "/lots": {"donor_id": str(seeded.donor_a), "reference": "X-1", "label": "Lot X"},
        f"/lots/{seeded.batch_a}/appareils": {"codes": "NEW-1"},
        "/postes/code": {},
        "/postes/1/revoquer": {},
        "/deconnexion": {},
    }
    for path, data in forms.items():
        for token in (None, "", "0" * 64, foreign_token):
            body = dict(data) if token is None else {**data, "csrf_token": token}
            answer = client.post(path, data=body)
            assert answer.status_code == 403, (path, token)
            assert "Ce formulaire a expiré" in answer.text
    assert _outcomes(app) == before
    with app.state.db.session() as session:
        assert not any(s.revoked for s in session.query(Station))
    assert "Mairie de Bègles" not in client.get("/lots").text


def test_record_outcome(writable: tuple[Any, Seeded]) -> None:
    app, seeded = writable
    client = login(app, seeded.users["technician"])
    code = seeded.code("CD33-2025", 1)
    token = csrf_of(client)
    form = {"csrf_token": token, "asset_code": code, "kind": "recycled", "date": "2026-11-20", "channel": ""}
    refused = client.post("/sorties", data=form)
    assert refused.status_code == 422
    assert "référence d&#39;enlèvement du recycleur" in refused.text
    assert 'aria-invalid="true"' in refused.text
    missing = client.post("/sorties", data={"csrf_token": token, "asset_code": code, "date": "bad"})
    assert missing.status_code == 422 and "Ce champ est obligatoire" in missing.text
    before = _outcomes(app)
    done = client.post("/sorties", data={**form, "recycler_pickup_ref": "ENL-77"})
    assert done.status_code == 303
    assert done.headers["location"] == device_path(code) + "&enregistre=1#sorties"
    assert _outcomes(app) == before + 1
    page = client.get(done.headers["location"]).text
    assert "Sortie enregistrée" in page and "ENL-77" in page
    donated = client.post(
        "/sorties",
        data={
            "csrf_token": token,
            "asset_code": code,
            "kind": "donated",
            "date": "29/11/2026",
            "channel": "École Jules-Ferry",
        },
    )
    assert donated.status_code == 303
    assert "École Jules-Ferry" in client.get(device_path(code)).text
    assert client.post("/sorties", data={**form, "asset_code": "NO-SUCH"}).status_code == 404


def test_intake_forms(writable: tuple[Any, Seeded]) -> None:
    app, seeded = writable
    client = login(app, seeded.users["supervisor"])
    token = csrf_of(client, "/lots")
    assert client.post("/donateurs", data={"csrf_token": token, "name": ""}).status_code == 422
    created = client.post("/donateurs", data={"csrf_token": token, "name": "Mairie de Bègles", "note": "DSI"})
    assert created.status_code == 303
    again = client.post("/donateurs", data={"csrf_token": token, "name": "Mairie de Bègles"})
    assert again.status_code == 422 and "Un donateur porte déjà ce nom" in again.text
    batch = client.post(
        "/lots",
        data={
            "csrf_token": token,
            "donor_id": str(seeded.donor_a),
            "reference": "CD33-2027",
            "label": "Convention 2027",
            "units_announced": "30",
            "received_on": "2026-11-28",
        },
    )
    assert batch.status_code == 303
    batch_path = batch.headers["location"]
    duplicate = client.post(
        "/lots",
        data={"csrf_token": token, "donor_id": str(seeded.donor_a), "reference": "CD33-2027", "label": "x"},
    )
    assert duplicate.status_code == 422 and "Un lot porte déjà cette référence" in duplicate.text
    moved = seeded.code("LVH-2026")
    attach = client.post(
        f"{batch_path}/appareils",
        data={"csrf_token": token, "codes": f"NEW-0001\r\nNEW-0002, NEW-0003;\n\n{moved}\n"},
    )
    assert attach.status_code == 200
    assert "3 nouveaux, 0 déplacés ici, 0 déjà dans ce lot" in attach.text
    assert "1 codes appartiennent à un autre lot" in attach.text
    page = client.get(batch_path).text
    assert "NEW-0002" in page and moved not in page
    assert "27 machines annoncées mais pas encore reçues" in page
    empty = client.post(f"{batch_path}/appareils", data={"csrf_token": token, "codes": " \n "})
    assert empty.status_code == 422
    technician = login(app, seeded.users["technician"])
    t_token = csrf_of(technician)
    assert technician.post("/donateurs", data={"csrf_token": t_token, "name": "X"}).status_code == 403
    assert (
        technician.post(f"{batch_path}/appareils", data={"csrf_token": t_token, "codes": "Z-1"}).status_code
        == 403
    )


def test_stations_page(writable: tuple[Any, Seeded]) -> None:
    app, seeded = writable
    client = login(app, seeded.users["supervisor"])
    token = csrf_of(client, "/postes")
    page = client.post("/postes/code", data={"csrf_token": token})
    assert page.status_code == 200
    code = re.search(r'<p class="enrollment-code">([A-Z0-9-]+)</p>', page.text)
    assert code is not None
    assert f"atelier station register --server http://testserver --code {code.group(1)}" in page.text
    # The code really enrolls a station, once.
    from agent.certs import StationKey
    from server_stub import crud

    with app.state.db.session(write=True) as session:
        crud.enroll_station(
            session, code=code.group(1), name="poste-9", public_key=StationKey.generate().public_key_b64
        )
    assert "poste-9" in client.get("/postes").text
    with app.state.db.session() as session:
        station_id = next(s.id for s in crud.list_stations(session) if s.name == "poste-9")
    revoked = client.post(f"/postes/{station_id}/revoquer", data={"csrf_token": token})
    assert revoked.status_code == 303
    assert "Poste révoqué" in client.get(revoked.headers["location"]).text
    assert client.post("/postes/99999/revoquer", data={"csrf_token": token}).status_code == 404


# -- escaping, headers, errors, language ---------------------------------------------------------


def test_hostile_text_renders_inert(clients: dict[str, TestClient], seeded_app: tuple[Any, Seeded]) -> None:
    _app, seeded = seeded_app
    client = clients["supervisor"]
    pages = [
        device_path(seeded.xss_code),
        "/appareils",
        "/appareils?" + urlencode({"q": XSS}),
        f"/lots/{seeded.batch_b}",
        "/lots",
        "/tableau-de-bord",
    ]
    for path in pages:
        page = client.get(path)
        assert page.status_code == 200, path
        assert "<script" not in page.text.lower(), path
    login_page = TestClient(_app).get("/connexion?next=/" + XSS)
    assert login_page.status_code == 200 and "<script" not in login_page.text
    device = client.get(device_path(seeded.xss_code)).text
    assert html.escape(XSS, quote=False).replace("'", "&#39;") in device or "&lt;script&gt;" in device
    assert device.count("&lt;script&gt;") >= 3  # asset code, technician's note, outcome channel and note


def test_security_headers(clients: dict[str, TestClient]) -> None:
    page = clients["technician"].get("/appareils")
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["x-frame-options"] == "DENY"
    css = clients["technician"].get("/static/atelier.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")


def test_errors_are_pages_but_the_api_keeps_json(
    seeded_app: tuple[Any, Seeded], clients: dict[str, TestClient]
) -> None:
    app, _seeded = seeded_app
    client = clients["supervisor"]
    missing = client.get("/nulle-part")
    assert missing.status_code == 404 and "Introuvable" in missing.text
    assert client.get(device_path("NO-SUCH-CODE")).status_code == 404
    assert client.get("/lots/abc").status_code == 422
    assert client.get("/lots/99999999999999999999").status_code in (404, 422)
    for params in ({"to": "9999-12-31"}, {"from": "0001-01-01"}, {"page": "9" * 30}, {"donor": "9" * 30}):
        assert client.get("/appareils?" + urlencode(params)).status_code == 200, params
        assert client.get("/tableau-de-bord?" + urlencode(params)).status_code == 200, params
    api = client.get("/api/v1/devices/NO-SUCH-CODE")
    assert api.status_code == 404 and api.headers["content-type"] == "application/json"
    anonymous = TestClient(app).get("/api/v1/devices")
    assert anonymous.status_code == 401 and anonymous.json()["detail"]
    assert TestClient(app).get("/api/v1/nothing").json() == {"detail": "Not Found"}


def test_language_switch(seeded_app: tuple[Any, Seeded]) -> None:
    app, seeded = seeded_app
    client = login(app, seeded.users["technician"])
    switched = client.get("/langue?lang=en&next=/tableau-de-bord")
    assert switched.status_code == 303 and switched.headers["location"] == "/tableau-de-bord"
    page = client.get("/tableau-de-bord").text
    assert '<html lang="en">' in page and "Machines processed per month" in page
    client.get("/langue?lang=xx")
    assert '<html lang="fr">' in client.get("/tableau-de-bord").text


def test_every_template_text_has_a_french_translation() -> None:
    from agent.tools.i18n import merged_catalog
    from server_stub.web.templating import TEMPLATES

    pattern = re.compile(r"""_\(\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')""")
    catalog = {m.id for m in merged_catalog() if m.id and m.string}
    used = {
        m.group(1) if m.group(1) is not None else m.group(2)
        for path in TEMPLATES.glob("*.html")
        for m in pattern.finditer(path.read_text(encoding="utf-8"))
    }
    assert len(used) > 150
    assert sorted(used - catalog) == []


def test_dashboard_and_lists_on_both_databases(writable: tuple[Any, Seeded]) -> None:
    """The dashboard's month grouping and durations are dialect-specific SQL: run them on each."""
    app, seeded = writable
    client = login(app, seeded.users["supervisor"])
    ran = sum(len(codes) for codes in seeded.codes.values()) + 2
    page = client.get("/tableau-de-bord")
    assert page.status_code == 200
    assert f'<span class="n">{ran}</span> machines traitées' in page.text
    assert " min</span> temps moyen par machine" in page.text or " h " in page.text
    for state in ("waiting", "stock", "left"):
        assert client.get(f"/appareils?state={state}&sort=run-asc").status_code == 200
    donor = login(app, seeded.users["donor_b"])
    assert (
        f'<span class="n">{len(seeded.codes["LVH-2026"]) + 1}</span> machines traitées'
        in donor.get("/tableau-de-bord").text
    )


def test_big_filtered_lists_say_more_than(
    clients: dict[str, TestClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    from server_stub import device_list
    from server_stub.web.pages import device_pages

    monkeypatch.setattr(device_list, "COUNT_CAP", 3)
    monkeypatch.setattr(device_pages, "PAGE_SIZE", 2)
    page = clients["supervisor"].get("/appareils?erasure=erased").text
    assert "Plus de 3 machines — de 1 à 2 affichées" in page
    assert "Page 1</p>" in page and 'rel="next"' in page and "Dernière" not in page
    # Text searches count the ids they collect, up to the same cap.
    search = clients["supervisor"].get("/appareils?q=AT-2025").text
    assert "Plus de 3 machines — de 1 à 2 affichées" in search
    monkeypatch.setattr(device_list, "COUNT_CAP", 4)
    search = clients["supervisor"].get("/appareils?q=AT-2025").text
    assert "Plus de" not in search and "4 machines — de 1 à 2 affichées" in search


def test_list_rows_show_their_batch_and_newest_outcome(api: Api) -> None:
    """Each row of the list links its batch and says what became of the machine last: the newest
    outcome by date, whatever order they were recorded in."""
    batch = api.batch(api.donor("Département"), reference="CD33-77")
    _, station, key = api.station()
    for code in ("ROW-1", "ROW-2", "ROW-3"):
        report = make_report(asset_code=code, key=key, batch="CD33-77" if code != "ROW-3" else None)
        assert api.post_report(report, station).status_code == 201
    for date, channel in (("2026-11-20", "École Jaurès"), ("2026-10-02", "Centre social Nord")):
        body = {"kind": "lent", "date": date, "channel": channel}
        assert (
            api.client.post("/api/v1/devices/ROW-1/outcomes", json=body, headers=api.admin).status_code == 201
        )
    token = api.admin["Authorization"].removeprefix("Bearer ")
    page = api.client.get("/appareils", cookies={"atelier_session": token})
    assert page.status_code == 200
    rows = {
        html.unescape(code): row
        for code, row in re.findall(
            r'<th scope="row"><a href="[^"]+">([^<]+)</a></th>(.*?)</tr>', page.text, re.S
        )
    }
    assert set(rows) == {"ROW-1", "ROW-2", "ROW-3"}
    for code in ("ROW-1", "ROW-2"):
        assert f'<a href="/lots/{batch}">CD33-77</a>' in rows[code]
    assert "/lots/" not in rows["ROW-3"]
    lent = html.unescape(rows["ROW-1"])
    assert "École Jaurès" in lent and "20/11/2026" in lent and "Centre social Nord" not in lent
    assert "À l'atelier" in html.unescape(rows["ROW-2"])
