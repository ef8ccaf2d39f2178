"""A person's page and the people list in a real browser (Debian's Chromium), against
`lead serve` on the demo workspace. Screenshots go to artifacts/screenshots/person-*.png."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, cast

import pytest

from tests.e2e.test_browser import CHROMIUM, EMAIL, FLAGS, PASSWORD, SHOTS, server  # noqa: F401

if TYPE_CHECKING:
    # playwright types what cookies() returns apart from what add_cookies() takes; every key fits.
    from playwright._impl._api_structures import SetCookieParam

pytestmark = pytest.mark.browser


def test_an_owner_reads_a_busy_person_adds_to_the_ledger_edits_notes_and_filters_people(
    server: str,  # noqa: F811
) -> None:
    from playwright.sync_api import expect, sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(server + "/login")
        page.fill("input[name=email]", EMAIL)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        expect(page.locator("h1")).to_contain_text("Week")

        # The busiest person: the list sorted by interactions, first row.
        page.goto(server + "/people?sort=interactions")
        first = page.locator("table.people tbody tr a").first
        name = first.inner_text()
        first.click()
        expect(page.locator("h1")).to_have_text(name)
        chart = page.locator("#relationship figure.strength-chart svg")
        expect(chart).to_be_visible()
        expect(chart.locator("circle.dot")).to_have_count(13)
        box = chart.bounding_box()
        assert box is not None and box["width"] > 300 and box["height"] > 120
        expect(page.locator("#relationship .score strong")).to_have_text(re.compile(r"0\.\d\d"))
        expect(page.locator("#paths h2")).to_contain_text(f"Paths to {name}")
        page.screenshot(path=str(SHOTS / "person-desktop.png"), full_page=True)

        ledger = page.locator("#ledger")
        ledger.locator("select[name=direction]").select_option("received")
        ledger.locator("select[name=kind]").select_option("referral")
        ledger.locator("input[name=value]").fill("1500")
        ledger.locator("input[name=note]").fill("bakery chain, via the breakfast club")
        ledger.locator("button", has_text="Add").click()
        expect(page.locator("#ledger ul.ledger li").first).to_contain_text(
            "received a referral 1,500 — bakery chain, via the breakfast club"
        )
        expect(page.locator("#ledger figure.balance-chart")).to_be_visible()

        page.fill("#notes-text", "Two kids. Prefers calls to e-mail.\nAsk about the marathon.")
        page.click("#notes button[type=submit]")
        page.reload()
        expect(page.locator("#notes-text")).to_have_value(
            "Two kids. Prefers calls to e-mail.\nAsk about the marathon."
        )
        page.locator("#ledger").scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / "person-ledger-notes.png"), full_page=True)

        # The list: the innermost layer, strongest first, through htmx.
        page.goto(server + "/people")
        page.select_option("select[name=layer]", "0")
        expect(page).to_have_url(re.compile(r"layer=0"))
        page.select_option("select[name=sort]", "strength")
        expect(page).to_have_url(re.compile(r"sort=strength"))
        rows = page.locator("table.people tbody tr")
        expect(rows.first).to_be_visible()
        assert 1 <= rows.count() <= 5
        layers = page.locator("table.people .layer").all_inner_texts()
        assert set(layers) == {"support clique"}
        strengths = [
            float(s) for s in page.locator("table.people .strength-col .num").all_inner_texts()
        ]
        assert strengths == sorted(strengths, reverse=True)
        page.screenshot(path=str(SHOTS / "person-list-filtered.png"), full_page=True)
        page.select_option("select[name=show]", "due")
        expect(page).to_have_url(re.compile(r"show=due"))
        page.select_option("select[name=layer]", "")
        expect(page.locator("#results")).to_contain_text(re.compile(r"overdue|Nobody is due"))

        phone = browser.new_page(viewport={"width": 390, "height": 844})
        phone.context.add_cookies(cast("list[SetCookieParam]", page.context.cookies()))
        phone.goto(server + "/people?sort=strength")
        expect(phone.locator("table.people")).to_be_visible()
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the list scrolls sideways on a phone ({width} px)"
        phone.screenshot(path=str(SHOTS / "person-list-phone.png"), full_page=True)
        phone.locator("table.people tbody tr a").first.click()
        expect(phone.locator("#relationship figure.strength-chart svg")).to_be_visible()
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the person page scrolls sideways on a phone ({width} px)"
        phone.screenshot(path=str(SHOTS / "person-phone.png"), full_page=True)
        browser.close()
