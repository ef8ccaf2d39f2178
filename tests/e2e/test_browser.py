"""The web app in a real browser (Debian's Chromium), against `lead serve` in its own process.

Screenshots go to artifacts/screenshots/ for a person to look at.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, cast

import httpx
import pytest

if TYPE_CHECKING:
    # playwright types what cookies() returns apart from what add_cookies() takes; every key fits.
    from playwright._impl._api_structures import SetCookieParam

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "artifacts" / "screenshots"
LEAD = Path(sys.executable).with_name("lead")
EMAIL, PASSWORD = "ana@example.org", "correct horse battery staple"
CONNECTIONS = (
    "\ufeffNotes:\r\n"
    '"When exporting your connection data, you may notice that some of the email addresses '
    "are missing. You will only see email addresses for connections who have allowed their "
    'connections to see or download their email address."\r\n'
    "\r\n"
    "First Name,Last Name,URL,Email Address,Company,Position,Connected On\r\n"
    "Dana,Okafor,https://www.linkedin.com/in/dana-okafor,dana@example.org,Acme Ltd,CFO,"
    "12 Mar 2024\r\n"
    "Emil,Rossi,https://www.linkedin.com/in/emilrossi,,Rossi & Co,Founder,01 Feb 2023\r\n"
    'Farah,"Nasser, PhD",https://www.linkedin.com/in/farahnasser,,"Blue Yonder, Inc.",'
    "Head of People,30 Nov 2022\r\n"
)
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def lead(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([str(LEAD), *args], env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr + done.stdout
    return done.stdout


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's chromium at /usr/bin/chromium (apt-get install -y chromium)")
    env = {
        **os.environ,
        "LEAD_DATA_DIR": str(tmp_path / "data"),
        "LEAD_ENV": "development",
        "LEAD_WORKSPACE": "demo",
        "COLUMNS": "200",
        "LEAD_PRIVATE_SERVERS": "allow",  # the fake networks listen on 127.0.0.1
    }
    env.pop("DATABASE_URL", None)
    lead(env, "demo", "--people", "80", "--interactions", "1500")
    password = tmp_path / "password"
    password.write_text(PASSWORD)
    lead(env, "users", "add", EMAIL, "--workspace", "demo", "--password-file", str(password))
    lead(env, "plan")
    port = free_port()
    process = subprocess.Popen(
        [str(LEAD), "serve", "--port", str(port), "--no-access-log"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                httpx.get(base + "/login", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_an_owner_signs_in_imports_linkedin_completes_an_action_and_reads_a_person(
    server: str, tmp_path: Path
) -> None:
    from playwright.sync_api import expect, sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    export = tmp_path / "Connections.csv"
    export.write_bytes(CONNECTIONS.encode("utf-8"))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(server + "/")
        expect(page).to_have_url(server + "/login")
        page.screenshot(path=str(SHOTS / "01-login.png"))
        page.fill("input[name=email]", EMAIL)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        expect(page.locator("h1")).to_contain_text("Week")
        page.screenshot(path=str(SHOTS / "02-dashboard.png"), full_page=True)

        first = page.locator("ol.plan li.open").first
        action_id = first.get_attribute("id")
        assert action_id is not None
        first.locator("select[name=outcome]").select_option("responded")
        first.locator("button", has_text="Done").click()
        # htmx swaps the buttons for the outcome without leaving the page.
        expect(page.locator(f"#{action_id} .status")).to_have_text("done — responded")
        page.screenshot(path=str(SHOTS / "03-action-done.png"), full_page=True)
        page.reload()
        expect(page.locator(f"#{action_id} .status")).to_contain_text("done")

        page.click("nav >> text=Import")
        page.set_input_files("input[type=file]", str(export))
        page.click("form button[type=submit] >> text=Import")
        expect(page.locator(".notice")).to_contain_text(
            "Imported Connections.csv as linkedin-connections"
        )
        page.screenshot(path=str(SHOTS / "04-import-summary.png"), full_page=True)

        page.click("nav >> text=People")
        page.fill("input[name=q]", "okafor")
        expect(page.locator("#results")).to_contain_text("Dana Okafor")
        page.screenshot(path=str(SHOTS / "05-people-search.png"), full_page=True)
        page.click("#results >> text=Dana Okafor")
        expect(page.locator("h1")).to_have_text("Dana Okafor")
        expect(page.locator("body")).to_contain_text("dana@example.org")
        page.screenshot(path=str(SHOTS / "06-person-imported.png"), full_page=True)

        page.goto(server + "/people?sort=interactions")
        page.locator("table.people tbody tr a").first.click()
        expect(page.locator("ol.timeline li").first).to_be_visible()
        page.screenshot(path=str(SHOTS / "07-person-timeline.png"), full_page=True)

        page.click("nav >> text=Networks")
        expect(page.locator("figure.chart svg")).to_be_visible()
        page.screenshot(path=str(SHOTS / "08-networks.png"), full_page=True)
        page.click("nav >> text=Settings")
        page.screenshot(path=str(SHOTS / "09-settings.png"), full_page=True)

        phone = browser.new_page(viewport={"width": 390, "height": 844})
        phone.context.add_cookies(cast("list[SetCookieParam]", page.context.cookies()))
        phone.goto(server + "/")
        phone.screenshot(path=str(SHOTS / "10-dashboard-phone.png"), full_page=True)
        browser.close()
