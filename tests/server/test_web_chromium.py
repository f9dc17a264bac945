"""The web UI in real headless Chromium against the real server (uvicorn on 127.0.0.1).

A supervisor logs in, finds a machine by its asset code, opens its erasure certificate (the PDF
link answers application/pdf), records an outcome, and exports a batch's CSV; a hostile asset
code renders inert; the keyboard reaches the skip link first. Screenshots of the main pages at
desktop and tablet widths are written to `$ATELIER_WEB_SCREENSHOTS` (default: the test's temporary
directory) for people to look at.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pytest

from .conftest import make_settings
from .live import live_server
from .web_seed import PASSWORD, Seeded, seed_workshop
from .webdriver import Browser, chromium, chromium_paths

pytestmark = [
    pytest.mark.chromium,
    pytest.mark.skipif(
        chromium_paths() is None,
        reason="SKIPPED LOUDLY: Debian chromium + chromium-driver not installed (apt-get install chromium chromium-driver)",
    ),
]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Seeded]]:
    from server_stub.main import create_app

    data_dir = tmp_path_factory.mktemp("web-live")
    app = create_app(make_settings(data_dir))
    seeded = seed_workshop(app.state.db)
    with live_server(app) as url:
        yield url, seeded
    app.state.db.dispose()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    configured = os.environ.get("ATELIER_WEB_SCREENSHOTS")
    return Path(configured) if configured else tmp_path_factory.mktemp("screenshots")


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    with chromium(tmp_path_factory.mktemp("chromium") / "profile") as driver:
        yield driver


def log_in(browser: Browser, url: str, username: str) -> None:
    browser.get(f"{url}/connexion")
    browser.clear_cookies()
    browser.get(f"{url}/connexion")
    browser.type("#username", username)
    browser.type("#password", PASSWORD)
    browser.click("button[type=submit]")
    browser.wait_for("a[aria-current=page]")


def test_supervisor_journey(browser: Browser, site: tuple[str, Seeded], shots: Path) -> None:
    url, seeded = site
    browser.get(f"{url}/appareils")
    assert "/connexion" in browser.url, "pages need a login"
    browser.screenshot(shots / "login.png", full_page=False)

    log_in(browser, url, seeded.users["supervisor"])
    assert browser.url.endswith("/appareils")
    # Keyboard first: the first Tab reaches the skip link, Enter jumps over the menu.
    browser.press("tab")
    assert browser.script("return document.activeElement.className") == "skip-link"
    browser.press("enter")
    assert browser.script("return document.activeElement.id") == "contenu"
    assert browser.script("return document.documentElement.lang") == "fr"
    browser.screenshot(shots / "devices-1280.png")
    browser.screenshot(shots / "devices-800.png", width=800)

    # Find a machine by its asset code.
    code = seeded.code("CD33-2025", 0)
    browser.type("#q", code)
    browser.click(".filters button[type=submit]")
    browser.wait_url("q=")
    links = browser.find_all("table.devices tbody th a")
    assert len(links) == 1
    browser.click("table.devices tbody th a")
    browser.wait_url("/appareil?code=")
    assert code in browser.text("h1")
    browser.screenshot(shots / "device-1280.png")
    browser.screenshot(shots / "device-800.png", width=800)
    # Two runs of this machine: two entries in the history, newest first.
    assert len(browser.find_all(".timeline > li")) == 2

    # Open its certificate: the PDF link answers a PDF, the JSON link the signed certificate.
    pdf_href = browser.attribute("#disques a[href$='.pdf']", "href")
    assert pdf_href
    pdf = browser.fetch(pdf_href)
    assert pdf["status"] == 200 and pdf["type"] == "application/pdf", pdf
    assert pdf["head"].startswith("%PDF-") and pdf["size"] > 2000
    json_href = browser.attribute("#disques a[href$='.json']", "href")
    assert json_href
    signed = browser.fetch(json_href)
    assert signed["status"] == 200 and signed["type"] == "application/json"
    assert '"signature"' in signed["head"]

    # Record an outcome: recycling without the pickup reference is refused, then accepted.
    browser.click("input[name=kind][value=recycled]")
    browser.click("#sorties button[type=submit]")
    browser.wait_for("#recycler_pickup_ref-error")
    assert browser.url.endswith("/sorties")
    assert browser.attribute("#recycler_pickup_ref", "ariaInvalid") == "true"
    browser.screenshot(shots / "device-outcome-error-800.png", width=800)
    browser.click("input[name=kind][value=recycled]")
    browser.type("#recycler_pickup_ref", "ENL-2026-1187")
    browser.click("#sorties button[type=submit]")
    browser.wait_url("enregistre=1")
    assert "Sortie enregistrée" in browser.text(".alert-ok")
    assert "ENL-2026-1187" in browser.text("#sorties table")

    # Export the batch's traceability CSV from the batch page.
    browser.click(".breadcrumb a[href^='/lots/']")
    browser.wait_url("/lots/")
    browser.screenshot(shots / "batch-1280.png")
    browser.screenshot(shots / "batch-800.png", width=800)
    csv_href = browser.attribute("a[href$='traceability.csv']", "href")
    assert csv_href
    csv = browser.fetch(csv_href)
    assert csv["status"] == 200 and csv["type"].startswith("text/csv"), csv
    assert "Code d'inventaire" in csv["head"] and code in csv["head"]
    assert "attachment" in (csv["disposition"] or "")

    # The dashboard.
    browser.get(f"{url}/tableau-de-bord")
    browser.wait_for("svg.chart")
    assert len(browser.find_all("svg[role=img]")) >= 5
    browser.screenshot(shots / "dashboard-1280.png")
    browser.screenshot(shots / "dashboard-800.png", width=800)
    browser.get(f"{url}/lots")
    browser.screenshot(shots / "batches-1280.png")
    browser.get(f"{url}/postes")
    browser.screenshot(shots / "stations-1280.png", full_page=False)


def test_hostile_text_is_inert_in_the_browser(
    browser: Browser, site: tuple[str, Seeded], shots: Path
) -> None:
    url, seeded = site
    log_in(browser, url, seeded.users["technician"])
    browser.get(f"{url}/appareil?{urlencode({'code': seeded.xss_code})}")
    browser.wait_for("h1")
    assert browser.script("return window.__xss === undefined")
    assert seeded.xss_code in browser.text("h1")
    assert "<script>" in browser.text("#sorties table")
    browser.get(f"{url}/appareils?{urlencode({'q': '<script>'})}")
    assert browser.script("return window.__xss === undefined")
    browser.get(f"{url}/lots/{seeded.batch_b}")
    assert browser.script("return window.__xss === undefined")
    assert "<script>" in browser.text(".subtitle")
    browser.screenshot(shots / "xss-device-1280.png", full_page=False)


def test_donor_sees_only_its_own(browser: Browser, site: tuple[str, Seeded]) -> None:
    url, seeded = site
    log_in(browser, url, seeded.users["donor_a"])
    rows: Any = browser.script(
        "return [...document.querySelectorAll('table.devices tbody th a')].map(a => a.textContent)"
    )
    assert rows and all(not code.startswith("LVH") for code in rows)
    browser.get(f"{url}/lots/{seeded.batch_b}")
    assert "Introuvable" in browser.text("h1")
    browser.get(f"{url}/appareil?code={quote(seeded.code('LVH-2026', 0))}")
    assert "Introuvable" in browser.text("h1")
    assert not browser.find_all("a[href='/postes']")
