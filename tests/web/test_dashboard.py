"""The dashboard: fading ties drawn as a chart, with the way to act on them."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from starlette.testclient import TestClient

from takethelead.services.core.store import Store
from takethelead.services.leads import referrals
from takethelead.services.people import people
from takethelead.services.people.interactions import log_touch
from tests.web.conftest import World


def test_a_tie_that_lost_its_strength_shows_as_fading(
    store: Store, world: World, as_user: dict[str, TestClient]
) -> None:
    now = datetime.now(UTC)
    with store.transaction() as session:
        fiona = people.add_person(session, world.a, "Fiona Fade")
        for week in range(12):  # weekly calls, which stopped 100 days ago
            when = now - timedelta(days=100 + 7 * week)
            log_touch(session, world.a, "call", kind="call", person=f"#{fiona}", when=when)
    page = as_user["ana"].get("/").text
    section = page[page.index("<h2>Fading ties</h2>") :]
    section = section[: section.index("</section>")]
    assert f'href="/people/{fiona}"' in section and "Fiona Fade" in section
    ring = re.search(r'cx="([\d.]+)" cy="[\d.]+" r="5" class="before"', section)
    dot = re.search(r'cx="([\d.]+)" cy="[\d.]+" r="5" class="now"', section)
    assert ring is not None and dot is not None
    before, now_x = float(ring.group(1)), float(dot.group(1))
    assert now_x < before  # drawn from the strength it had down to the one it has
    assert "Bianca" not in page  # workspace B's person


def test_with_nothing_fading_the_dashboard_says_so(
    world: World, as_user: dict[str, TestClient]
) -> None:
    page = as_user["bruno"].get("/").text
    assert "No tie has lost much strength over the last 90 days." in page


def test_the_referral_funnel_counts_what_the_ledger_holds(
    store: Store, world: World, as_user: dict[str, TestClient]
) -> None:
    assert "No leads or referrals yet." in as_user["bruno"].get("/").text

    def received() -> int:
        with store.transaction() as session:
            return referrals.referral_funnel(session, world.a).received.stages[0].count

    before = received()
    with store.transaction() as session:
        for _ in range(3):
            referrals.record_referral(session, world.a, "received", world.a_person, value=500)
    assert received() == before + 3
    page = as_user["carla"].get("/").text
    section = page[page.index("<h2>Referrals</h2>") :]
    section = section[: section.index("</section>")]
    assert f'aria-label="Referrals you received: referrals received {before + 3}, ' in section
    assert "Leads you passed on" in section and 'href="/referrals"' in section
