"""Posts in a real browser (Debian's Chromium) against `lead serve`: connect accounts on fake
Mastodon and Bluesky servers, set slots, compose with live counters, schedule, see it queued
and on the calendar. Screenshots go to artifacts/screenshots/posts-*.png."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, cast

import pytest

from takethelead.domain.text_rules import post_length
from tests.e2e.test_browser import CHROMIUM, EMAIL, FLAGS, PASSWORD, SHOTS, server
from tests.servers import bluesky, mastodon
from tests.servers.base import RunningServer

if TYPE_CHECKING:
    # playwright types what cookies() returns apart from what add_cookies() takes; every key fits.
    from playwright._impl._api_structures import SetCookieParam

pytestmark = pytest.mark.browser
__all__ = ["server"]
# A waving hand with a skin tone (one grapheme, two code points), a flag (one grapheme, two
# code points) and a link far longer than the 23 characters Mastodon counts it as.
TEXT = (
    "Office hours this Friday 👋🏽 🇵🇹 details: "
    "https://example.org/events/2026/office-hours-for-coaches-and-consultants"
)


@pytest.fixture
def networks() -> Iterator[tuple[RunningServer, RunningServer]]:
    fakes = (RunningServer(mastodon.MastodonApp()), RunningServer(bluesky.BlueskyApp()))
    yield fakes
    for fake in fakes:
        fake.stop()


def test_an_owner_connects_sets_slots_composes_schedules_and_finds_the_post(
    server: str, networks: tuple[RunningServer, RunningServer]
) -> None:
    from playwright.sync_api import expect, sync_playwright

    fake_mastodon, fake_bluesky = networks
    SHOTS.mkdir(parents=True, exist_ok=True)
    # What the server will count, by the rules it checks on submit.
    on_bluesky, on_mastodon = post_length(TEXT, "bluesky"), post_length(TEXT, "mastodon")
    assert (on_bluesky, on_mastodon) == (110, 61)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(server + "/login")
        page.fill("input[name=email]", EMAIL)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        expect(page.locator("h1")).to_contain_text("Week")

        page.click("nav >> text=Posts")
        expect(page.locator(".empty")).to_contain_text("Nothing queued yet")
        page.screenshot(path=str(SHOTS / "posts-01-empty-queue.png"), full_page=True)

        page.click(".tabs >> text=Accounts & slots")
        mastodon_form = page.locator("form", has=page.locator("input[value=mastodon]"))
        mastodon_form.locator("input[name=url]").fill(fake_mastodon.url)
        mastodon_form.locator("input[name=secret]").fill(mastodon.TOKEN)
        mastodon_form.locator("input[name=allow_private]").check()
        mastodon_form.locator("button").click()
        expect(page.locator(".notice")).to_contain_text("Connected mastodon account")
        bluesky_form = page.locator("form", has=page.locator("input[value=bluesky]"))
        bluesky_form.locator("input[name=handle]").fill(bluesky.HANDLE)
        bluesky_form.locator("input[name=secret]").fill(bluesky.PASSWORD)
        bluesky_form.locator("input[name=url]").fill(fake_bluesky.url)
        bluesky_form.locator("input[name=allow_private]").check()
        bluesky_form.locator("button").click()
        expect(page.locator(".notice")).to_contain_text("Connected bluesky account")
        for network in ("mastodon", "bluesky"):
            slots = page.locator("form[action='/posts/slots']")
            slots.locator("select[name=network]").select_option(network)
            slots.locator("input[name=slots]").fill("daily 09:00,17:30")
            slots.locator("button").click()
            expect(page.locator(".notice")).to_contain_text(f"{network}: posting slots")
        expect(page.locator("ul.accounts li")).to_have_count(2)
        page.screenshot(path=str(SHOTS / "posts-02-accounts-and-slots.png"), full_page=True)

        page.click(".tabs >> text=New post")
        page.check("input[name=to][value=mastodon]")
        page.check("input[name=to][value=bluesky]")
        page.locator("textarea[name=text]").press_sequentially(TEXT)
        bluesky_counter = page.locator("[data-counter-for=bluesky]")
        mastodon_counter = page.locator("[data-counter-for=mastodon]")
        expect(bluesky_counter).to_have_text(f"{on_bluesky} / 300")
        expect(mastodon_counter).to_have_text(f"{on_mastodon} / 500")
        expect(page.locator("[data-counter-for=linkedin]")).to_be_hidden()
        # Too long for Bluesky: the counter says so while typing.
        page.locator("textarea[name=text]").fill(TEXT + " " + "🎉" * 200)
        expect(bluesky_counter).to_have_text(f"{on_bluesky + 201} / 300")
        expect(bluesky_counter).to_have_class(re.compile(r"\bover\b"))
        expect(page.locator("[data-compose-summary]")).to_contain_text(
            f"bluesky: {on_bluesky + 201 - 300} too many"
        )
        page.screenshot(path=str(SHOTS / "posts-03-composer-too-long.png"), full_page=True)
        page.locator("textarea[name=text]").fill(TEXT)
        expect(bluesky_counter).to_have_text(f"{on_bluesky} / 300")

        second = page.locator("input[name=when][value^='slot:']").nth(1)
        slot = (second.get_attribute("value") or "").removeprefix("slot:")
        second.check()
        page.screenshot(path=str(SHOTS / "posts-04-composer.png"), full_page=True)
        page.click("form.compose button[type=submit]")
        expect(page.locator(".notice")).to_contain_text("Saved.")
        rows = page.locator("table.deliveries-table tbody tr")
        expect(rows).to_have_count(2)
        expect(rows.locator("time").first).to_have_attribute("datetime", slot)
        post_url = page.url.split("?")[0]
        page.screenshot(path=str(SHOTS / "posts-05-post-page.png"), full_page=True)

        page.click(".tabs >> text=Queue")
        scheduled = page.locator("ul.deliveries.scheduled li")
        expect(scheduled).to_have_count(2)
        expect(scheduled.first).to_contain_text("Office hours this Friday")
        page.screenshot(path=str(SHOTS / "posts-06-queue.png"), full_page=True)

        page.click(".tabs >> text=Calendar")
        entry = page.locator(f".calendar a.entry[href='{post_url.removeprefix(server)}']")
        expect(entry).to_have_count(1)
        expect(entry.locator("time")).to_have_attribute("datetime", slot)
        expect(entry).to_contain_text("mastodon")
        expect(entry).to_contain_text("bluesky")
        page.screenshot(path=str(SHOTS / "posts-07-calendar.png"), full_page=True)

        phone = browser.new_page(viewport={"width": 390, "height": 844})
        phone.context.add_cookies(cast("list[SetCookieParam]", page.context.cookies()))
        pages = {"queue": "/posts", "calendar": "/posts/calendar", "composer": "/posts/new",
                 "accounts": "/posts/accounts"}  # fmt: skip
        for name, path in pages.items():
            phone.goto(server + path)
            width = phone.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, f"{path} scrolls sideways on a phone ({width}px)"
            phone.screenshot(path=str(SHOTS / f"posts-phone-{name}.png"), full_page=True)
        phone.goto(post_url)
        phone.screenshot(path=str(SHOTS / "posts-phone-post.png"), full_page=True)
        browser.close()
