"""The person page and the people list as an owner and a read-only member use them."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from sqlalchemy import update
from starlette.testclient import TestClient

from takethelead.services.core.store import Store
from takethelead.services.people import interactions, people
from takethelead.storage.tables import Person
from takethelead.web.pages import people as people_page
from tests.web.conftest import World, csrf_for

PATHS_SECTION = (
    '<section class="card" id="paths" hx-get="/paths/{id}" hx-trigger="load" '
    'hx-swap="innerHTML"><h2>Paths to Aurelio Quetzalcoatl</h2><p class="empty">'
    "Finding the most trusted paths…</p></section>"
)


def names_in(html: str) -> list[str]:
    return re.findall(r'<td><a href="/people/\d+">([^<]+)</a>', html)


def test_the_person_page_shows_strength_chart_layer_ledger_and_paths(
    world: World, as_user: dict[str, TestClient]
) -> None:
    page = as_user["ana"].get(f"/people/{world.a_person}")
    assert page.status_code == 200
    html = page.text
    assert '<link rel="stylesheet" href="/static/people.css">' in html
    assert 'id="relationship"' in html and "strength-chart" in html
    assert html.count('class="dot') == 13 or html.count('class="dot') == 12
    assert re.search(r'<polyline points="[\d., ]+" class="line"/>', html)
    assert "Strength at the end of each month" in html
    assert "your rhythm" in html and "every 14 days" in html and "Last contact" in html
    assert "4 / 5, your rating" in html
    assert PATHS_SECTION.format(id=world.a_person) in html
    assert 'id="ledger"' in html and "met Ofelia through them" in html
    assert f'action="/people/{world.a_person}/ledger"' in html
    assert html.count("<h1") == 1


def test_an_owner_adds_to_the_ledger_and_edits_notes_profile_rhythm_and_rating(
    world: World, as_user: dict[str, TestClient]
) -> None:
    ana = as_user["ana"]
    csrf = csrf_for(ana)
    base = f"/people/{world.a_person}"
    sent = {
        "/ledger": {"direction": "received", "kind": "referral", "value": "1,500",
                    "note": "a bakery", "when": "2026-01-15"},
        "/notes": {"notes": "Two kids; loves <b>trains</b>"},
        "/profile": {"offer": "Tax advice", "lead_profile": "Founders who just hired"},
        "/cadence": {"cadence": "monthly"},
        "/rating": {"rating": "2"},
    }  # fmt: skip
    for path, data in sent.items():
        answer = ana.post(base + path, data={"csrf_token": csrf, **data}, follow_redirects=False)
        assert answer.status_code == 303, (path, answer.text)
        assert answer.headers["location"].startswith(base)
    html = ana.get(base).text
    assert "2026-01-15" in html and "1,500" in html and "a bakery" in html
    assert "Two kids; loves &lt;b&gt;trains&lt;/b&gt;" in html
    assert "Tax advice" in html and "Founders who just hired" in html
    assert '<option value="monthly" selected>' in html and "every 30 days" in html
    assert '<option value="2" selected>' in html and "2 / 5, your rating" in html
    # Saving the name form leaves notes and profile as they are.
    ana.post(base + "/edit", data={"csrf_token": csrf, "full_name": "Aurelio Q. Quetzalcoatl"})
    html = ana.get(base).text
    assert "Aurelio Q. Quetzalcoatl" in html and "Tax advice" in html and "Two kids" in html


def test_bad_ledger_and_rhythm_input_is_refused_with_the_field_named(
    world: World, as_user: dict[str, TestClient]
) -> None:
    ana = as_user["ana"]
    csrf = csrf_for(ana)
    base = f"/people/{world.a_person}"
    cases = {
        "/ledger": ({"direction": "given", "kind": "bribe"}, "kind &#39;bribe&#39;: expected"),
        "/cadence": ({"cadence": "sometimes"}, "cadence &#39;sometimes&#39;: expected weekly"),
    }
    for path, (data, message) in cases.items():
        answer = ana.post(base + path, data={"csrf_token": csrf, **data})
        assert answer.status_code == 400 and message in answer.text, path
        assert 'role="alert"' in answer.text
    for data, message in (
        ({"value": "lots"}, "value &#39;lots&#39;: expected an amount"),
        ({"when": "yesterday"}, "when &#39;yesterday&#39;: expected a date"),
    ):
        form = {"csrf_token": csrf, "direction": "given", "kind": "favour", **data}
        answer = ana.post(base + "/ledger", data=form)
        assert answer.status_code == 400 and message in answer.text
    rating = ana.post(base + "/rating", data={"csrf_token": csrf, "rating": "9"})
    assert rating.status_code == 400 and "rating" in rating.text


def test_a_read_only_member_sees_the_relationship_but_no_forms(
    world: World, as_user: dict[str, TestClient]
) -> None:
    html = as_user["carla"].get(f"/people/{world.a_person}").text
    assert "strength-chart" in html and "met Ofelia through them" in html
    assert '<form method="post" action="/people/' not in html
    assert "Not known yet: what do they do?" in html or "Tax advice" in html


def test_a_busy_persons_card_comes_through_htmx_and_matches_the_inline_one(
    world: World, as_user: dict[str, TestClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    inline = as_user["ana"].get(f"/people/{world.a_person}").text
    monkeypatch.setattr(people_page, "INLINE_TOUCHES", 0)
    html = as_user["ana"].get(f"/people/{world.a_person}").text
    assert f'hx-get="/people/{world.a_person}/strength" hx-trigger="load"' in html
    assert "Scoring" in html and "strength-chart" not in html
    card = as_user["ana"].get(f"/people/{world.a_person}/strength")
    assert card.status_code == 200 and "<html" not in card.text
    assert card.text.lstrip().startswith('<section class="card relationship" id="relationship">')
    chart = re.search(r'<polyline points="([^"]+)"', card.text)
    assert chart is not None and f'<polyline points="{chart.group(1)}"' in inline


def test_someone_with_no_interactions_is_told_what_to_do_next(
    store: Store, world: World, as_user: dict[str, TestClient]
) -> None:
    with store.transaction() as session:
        quiet = people.add_person(session, world.a, "Quinn Quiet")
    html = as_user["ana"].get(f"/people/{quiet}").text
    assert "No strength to chart yet" in html and "Log your last coffee" in html
    assert "Nothing given or received yet" in html and "No interactions yet" in html


def test_the_people_list_filters_by_layer_due_and_tag_and_sorts_by_strength(
    store: Store, world: World, as_user: dict[str, TestClient]
) -> None:
    with store.transaction() as session:
        for n, days in enumerate((1, 3, 800)):
            pid = people.add_person(session, world.a, f"Zed Person {n}", tags=["zed"])
            interactions.log_touch(
                session, world.a, "coffee", kind="meeting", person=f"#{pid}",
                when=datetime.now(UTC) - timedelta(days=days),
            )  # fmt: skip
            if days == 800:
                session.execute(update(Person).where(Person.id == pid).values(cadence_days=30))
    ana = as_user["ana"]
    by_strength = names_in(ana.get("/people?tag=zed&sort=strength").text)
    assert by_strength == ["Zed Person 0", "Zed Person 1", "Zed Person 2"]
    assert names_in(ana.get("/people?tag=zed&sort=added").text)[0] == "Zed Person 2"
    due = ana.get("/people?show=due").text
    assert "Zed Person 2" in names_in(due) and "overdue 770d" in due
    layered = names_in(ana.get("/people?layer=0&sort=layer").text)
    assert "Zed Person 0" in layered and "Zed Person 2" not in layered
    assert names_in(ana.get("/people?tag=zed&layer=4").text) == ["Zed Person 2"]
    for key in people_page.SORT_NAMES:
        listed = ana.get(f"/people?sort={key}")
        assert listed.status_code == 200 and "Aurelio Quetzalcoatl" in listed.text, key
    htmx = {"HX-Request": "true", "HX-Target": "results"}
    fragment = ana.get("/people?q=zed&sort=strength", headers=htmx)
    assert "<html" not in fragment.text and names_in(fragment.text)[0] == "Zed Person 0"
    nobody = ana.get("/people?q=zed&layer=0&show=due").text
    assert "Nobody matches “zed” in the layer “support clique” among those due for" in nobody
    bad = ana.get("/people?layer=9")
    assert bad.status_code == 400 and "layer &#39;9&#39;: expected 0 to 4" in bad.text
    assert ana.get("/people?sort=shoe-size").status_code == 400


def test_the_pager_keeps_the_filters(
    app: FastAPI, store: Store, world: World, as_user: dict[str, TestClient]
) -> None:
    with store.transaction() as session:
        for n in range(people_page.PAGE + 3):
            people.add_person(session, world.a, f"Pat {n:03d}", tags=["pat"])
    first = as_user["ana"].get("/people?tag=pat&sort=strength").text
    assert len(names_in(first)) == people_page.PAGE
    link = re.search(r'<a href="(/people\?[^"]+)">Next', first)
    assert link is not None and "tag=pat" in link.group(1) and "sort=strength" in link.group(1)
    second = as_user["ana"].get(link.group(1).replace("&amp;", "&")).text
    assert len(names_in(second)) == 3 and not set(names_in(second)) & set(names_in(first))
