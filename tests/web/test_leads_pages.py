"""The leads, referrals, introductions and paths pages, driven as a browser would."""

from __future__ import annotations

import re

from fastapi import FastAPI
from sqlalchemy import select
from starlette.testclient import TestClient

from takethelead.services.core.store import Store
from takethelead.storage.tables import Introduction, Lead, Referral
from tests.web.conftest import World, csrf_for


def _lead_rows(store: Store, world: World) -> list[Lead]:
    with store.transaction() as session:
        rows = session.scalars(select(Lead).where(Lead.workspace_id == world.a)).all()
        session.expunge_all()
        return list(rows)


def test_adding_a_lead_shows_who_could_serve_it_with_the_reasons(
    store: Store, world: World, as_user: dict[str, TestClient]
) -> None:
    ana = as_user["ana"]
    answer = ana.post(
        "/leads",
        data={"text": "A bakery needs bookkeeping", "source": "", "csrf_token": csrf_for(ana)},
    )
    assert answer.status_code == 303
    lead = next(r for r in _lead_rows(store, world) if r.text == "A bakery needs bookkeeping")
    assert answer.headers["location"] == f"/leads/{lead.id}"
    page = ana.get(answer.headers["location"])
    assert page.status_code == 200
    matches = page.text.split('id="matches"')[1].split('id="referrers"')[0]
    assert "Odile Brandt" in matches  # her offer: bookkeeping for bakeries
    assert "offers Bookkeeping for bakeries" in matches or "bookkeeping" in matches.lower()
    assert f'action="/leads/{lead.id}/pass"' in matches
    assert "Pass to Odile" in matches


def test_the_leads_list_filters_by_status_and_says_what_to_do_when_empty(
    world: World, as_user: dict[str, TestClient]
) -> None:
    carla = as_user["carla"]
    passed = carla.get("/leads", params={"status": "passed"})
    assert "a bakery needs bookkeeping" in passed.text  # seeded and passed on
    closed = carla.get("/leads", params={"status": "closed"})
    assert "No closed leads" in closed.text
    assert "a bakery needs bookkeeping" not in closed.text
    assert carla.get("/leads", params={"status": "bogus"}).status_code == 400


def test_an_empty_lead_is_refused_with_the_form_kept(
    world: World, as_user: dict[str, TestClient]
) -> None:
    ana = as_user["ana"]
    answer = ana.post(
        "/leads", data={"text": "   ", "source": "Odile Brandt", "csrf_token": csrf_for(ana)}
    )
    assert answer.status_code == 400
    assert "lead: expected a few words" in answer.text
    assert 'value="Odile Brandt"' in answer.text


def test_passing_a_lead_records_a_referral_and_the_funnel_counts_it(
    store: Store, world: World, as_user: dict[str, TestClient]
) -> None:
    ana = as_user["ana"]
    csrf = csrf_for(ana)
    ana.post("/leads", data={"text": "a café needs payroll", "csrf_token": csrf})
    lead = next(r for r in _lead_rows(store, world) if r.text == "a café needs payroll")
    answer = ana.post(
        f"/leads/{lead.id}/pass",
        data={"to": f"#{world.ids['other_person_id']}", "csrf_token": csrf},
    )
    assert answer.status_code == 303
    with store.transaction() as session:
        referral = session.scalars(select(Referral).where(Referral.lead_id == lead.id)).one()
        assert (referral.direction, referral.status) == ("given", "given")
        assert session.get(Lead, lead.id).status == "passed"  # type: ignore[union-attr]
    page = ana.get("/referrals")
    assert f'id="referral-{referral.id}"' in page.text
    svg = page.text.split("<svg")[1].split("</svg>")[0]
    # Two leads noted and both passed on (the seeded one too), two referrals given.
    assert "leads noted: 2" in svg and "leads passed on: 2" in svg
    assert "referrals given: 2" in svg

    won = ana.post(
        f"/referrals/{referral.id}", data={"status": "won", "value": "1,200", "csrf_token": csrf}
    )
    assert won.status_code == 303
    with store.transaction() as session:
        row = session.get(Referral, referral.id)
        assert row is not None and (row.status, row.value) == ("won", 1200.0)
        assert session.get(Lead, lead.id).status == "closed"  # type: ignore[union-attr]
    page = ana.get("/referrals")
    assert "won: 1" in page.text.split("<svg")[1]
    assert "1,200 won" in page.text


def test_a_referral_cannot_go_back_and_a_bad_value_names_the_field(
    store: Store, world: World, as_user: dict[str, TestClient]
) -> None:
    ana = as_user["ana"]
    csrf = csrf_for(ana)
    referral_id = world.ids["referral_id"]
    ana.post(f"/referrals/{referral_id}", data={"status": "met", "csrf_token": csrf})
    back = ana.post(f"/referrals/{referral_id}", data={"status": "contacted", "csrf_token": csrf})
    assert back.status_code == 400
    assert "cannot go back to contacted" in back.text
    bad = ana.post(
        f"/referrals/{referral_id}", data={"status": "won", "value": "lots", "csrf_token": csrf}
    )
    assert bad.status_code == 400
    assert "value: expected an amount" in bad.text
    with store.transaction() as session:
        assert session.get(Referral, referral_id).status == "met"  # type: ignore[union-attr]


def test_a_received_referral_is_recorded_from_the_ledger_form(
    store: Store, world: World, as_user: dict[str, TestClient]
) -> None:
    ana = as_user["ana"]
    answer = ana.post(
        "/referrals",
        data={"direction": "received", "person": "Odile Brandt", "note": "a new client",
              "value": "450", "csrf_token": csrf_for(ana)},
    )  # fmt: skip
    assert answer.status_code == 303
    with store.transaction() as session:
        row = session.scalars(select(Referral).where(Referral.note == "a new client")).one()
        assert (row.direction, row.person_id, row.value) == (
            "received",
            world.ids["other_person_id"],
            450.0,
        )
    unknown = ana.post(
        "/referrals",
        data={"direction": "given", "person": "Nobody Known", "csrf_token": csrf_for(ana)},
    )
    assert unknown.status_code == 404


def test_an_introduction_is_asked_then_made_with_the_drafted_messages(
    store: Store, world: World, as_user: dict[str, TestClient]
) -> None:
    ana = as_user["ana"]
    csrf = csrf_for(ana)
    intro_id = world.ids["intro_id"]
    page = ana.get("/introductions")
    item = page.text.split(f'id="introduction-{intro_id}"')[1].split("</li>")[0]
    assert "waiting for answers" in item
    assert "Would you like me to connect you?" in item  # the question drafted for each side
    for side in ("a", "b"):
        answer = ana.post(
            f"/introductions/{intro_id}/accept", data={"side": side, "csrf_token": csrf}
        )
        assert answer.status_code == 303
    with store.transaction() as session:
        assert session.get(Introduction, intro_id).status == "made"  # type: ignore[union-attr]
    page = ana.get("/introductions")
    item = page.text.split(f'id="introduction-{intro_id}"')[1].split("</li>")[0]
    assert "I&#39;ll let you take it from here." in item
    again = ana.post(f"/introductions/{intro_id}/decline", data={"side": "a", "csrf_token": csrf})
    assert again.status_code == 400
    assert "already made" in again.text


def test_proposing_the_same_person_twice_is_a_clear_error(
    world: World, as_user: dict[str, TestClient]
) -> None:
    ana = as_user["ana"]
    answer = ana.post(
        "/introductions",
        data={"first": f"#{world.a_person}", "second": f"#{world.a_person}",
              "csrf_token": csrf_for(ana)},
    )  # fmt: skip
    assert answer.status_code == 400
    assert "two different people" in answer.text


def test_the_paths_fragment_lists_trusted_paths_without_the_page_around_it(
    world: World, as_user: dict[str, TestClient]
) -> None:
    carla = as_user["carla"]
    answer = carla.get(f"/paths/{world.a_person}", headers={"HX-Request": "true"})
    assert answer.status_code == 200
    assert "<html" not in answer.text
    assert "Paths to Aurelio Quetzalcoatl" in answer.text
    assert "Reach out directly" in answer.text  # ana met him three times


def test_profile_and_referrers_pages(
    store: Store, world: World, as_user: dict[str, TestClient]
) -> None:
    ana = as_user["ana"]
    before = ana.get("/referrers")
    assert "Write your lead profile" in before.text
    ana.post(
        "/profile",
        data={"offer": "Bread delivery", "lead_profile": "Bakeries that need bookkeeping",
              "csrf_token": csrf_for(ana)},
    )  # fmt: skip
    leads = ana.get("/leads")
    assert "A good lead for me: Bakeries that need bookkeeping" in leads.text
    after = ana.get("/referrers")
    assert "Odile Brandt" in after.text


def test_a_read_only_member_sees_no_write_forms_and_every_form_carries_its_token(
    world: World, as_user: dict[str, TestClient]
) -> None:
    pages = (
        "/leads",
        f"/leads/{world.ids['lead_id']}",
        "/referrals",
        "/introductions",
        "/referrers",
    )
    for path in pages:
        html = as_user["carla"].get(path).text
        assert not re.search(
            r'<form method="post" action="/(leads|referrals|introductions|profile)', html
        ), path
        owner = as_user["ana"].get(path).text
        for form in re.findall(r'<form method="post".*?</form>', owner, flags=re.S):
            assert 'name="csrf_token"' in form, (path, form[:80])


def test_the_leads_pages_are_readable_on_a_phone(world: World, app: FastAPI) -> None:
    css = TestClient(app).get("/static/leads.css")
    assert css.status_code == 200
    assert "@media (max-width: 40rem)" in css.text
