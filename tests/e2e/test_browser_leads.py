"""Leads, referrals and the funnel in a real browser (Debian's Chromium) against `lead serve`.

Screenshots go to artifacts/screenshots/leads-*.png, desktop and phone.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, cast

import pytest

from tests.e2e.test_browser import CHROMIUM, EMAIL, FLAGS, PASSWORD, SHOTS, server

if TYPE_CHECKING:
    # playwright types what cookies() returns apart from what add_cookies() takes; every key fits.
    from playwright._impl._api_structures import SetCookieParam

pytestmark = pytest.mark.browser
__all__ = ["server"]  # the fixture, shared with test_browser.py


def _won(label: str | None) -> int:
    found = re.search(r"\bwon (\d+)", label or "")
    assert found is not None, label
    return int(found.group(1))


def test_an_owner_adds_a_lead_passes_it_on_and_sees_it_won_in_the_funnel(server: str) -> None:
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

        page.click("nav >> text=Leads")
        expect(page.locator("h1")).to_have_text("Leads")
        page.screenshot(path=str(SHOTS / "leads-01-list.png"), full_page=True)
        page.goto(server + "/referrals")
        funnel = page.locator("figure.funnel svg").first
        won_before = _won(funnel.get_attribute("aria-label")) if funnel.count() else 0

        page.goto(server + "/leads")
        page.fill("textarea[name=text]", "A small bakery needs a bookkeeper who knows payroll")
        page.click("#add-lead button[type=submit]")
        expect(page.locator("h1.lead-text")).to_have_text(
            "A small bakery needs a bookkeeper who knows payroll"
        )
        matches = page.locator("#matches ol.matches li.match")
        expect(matches.first).to_be_visible()
        assert matches.count() >= 1
        first = matches.first
        name = first.locator(".who a").first.inner_text()
        expect(first.locator("ul.reasons li").first).not_to_be_empty()
        page.screenshot(path=str(SHOTS / "leads-02-lead-matches.png"), full_page=True)

        first.locator("button", has_text="Pass to").click()
        expect(page).to_have_url(re.compile(r"/referrals#referral-\d+$"))
        referral = page.url.rsplit("#", 1)[1]
        item = page.locator(f"#{referral}")
        expect(item).to_contain_text(name)
        expect(item.locator(".badge").first).to_have_text("given")

        item.locator("select[name=status]").select_option("won")
        item.locator("input[name=value]").fill("1500")
        item.locator("button", has_text="Update").click()
        item = page.locator(f"#{referral}")
        expect(item.locator(".badge").first).to_have_text("won")
        expect(item).to_contain_text("1,500")
        funnel = page.locator("figure.funnel svg").first
        expect(funnel).to_be_visible()
        assert _won(funnel.get_attribute("aria-label")) == won_before + 1
        page.screenshot(path=str(SHOTS / "leads-03-referrals-funnel.png"), full_page=True)
        person = item.locator("a[href^='/people/']").first.get_attribute("href")
        assert person is not None

        page.click(".subnav >> text=Introductions")
        expect(page.locator("h1")).to_have_text("Introductions")
        page.screenshot(path=str(SHOTS / "leads-04-introductions.png"), full_page=True)

        page.goto(server + "/paths/" + person.rsplit("/", 1)[1])
        expect(page.locator("h2")).to_contain_text("Paths to " + name)
        page.screenshot(path=str(SHOTS / "leads-05-paths-fragment.png"), full_page=True)

        phone = browser.new_page(viewport={"width": 390, "height": 844})
        phone.context.add_cookies(cast("list[SetCookieParam]", page.context.cookies()))
        for path, shot in (("/leads", "leads-06-list-phone.png"),
                           ("/referrals", "leads-07-referrals-phone.png")):  # fmt: skip
            phone.goto(server + path)
            width = phone.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, (path, width)  # nothing runs off the side of a phone
            phone.screenshot(path=str(SHOTS / shot), full_page=True)
        phone.goto(server + "/leads")
        phone.locator("ul.leads a.text").first.click()
        phone.screenshot(path=str(SHOTS / "leads-08-lead-phone.png"), full_page=True)
        browser.close()
