"""The pages as an owner uses them: import, plan actions, people, networks, settings."""

from __future__ import annotations

import io
import re
import zipfile

from fastapi import FastAPI
from sqlalchemy import func, select
from starlette.testclient import TestClient

from takethelead.services.core.store import Store
from takethelead.storage.tables import ImportRun, Person, PlanAction, Setting
from tests.web.conftest import World, csrf_for

CONNECTIONS = (
    "\ufeffNotes:\r\n"
    '"When exporting your connection data, you may notice that some of the email addresses '
    'are missing."\r\n'
    "\r\n"
    "First Name,Last Name,URL,Email Address,Company,Position,Connected On\r\n"
    "Dana,Okafor,https://www.linkedin.com/in/dana-okafor,dana@example.org,Acme,CFO,12 Mar 2024\r\n"
    "Emil,Rossi,https://www.linkedin.com/in/emilrossi,,Rossi & Co,Founder,01 Feb 2023\r\n"
)


def people_count(store: Store, workspace: int) -> int:
    with store.transaction() as session:
        query = select(func.count()).where(Person.workspace_id == workspace)
        return int(session.scalar(query) or 0)


def test_an_uploaded_linkedin_export_is_imported_and_summarised(
    store: Store, world: World, as_user: dict[str, TestClient]
) -> None:
    ana = as_user["ana"]
    file = ("Connections.csv", io.BytesIO(CONNECTIONS.encode()), "text/csv")
    answer = ana.post("/import", data={"csrf_token": csrf_for(ana)}, files={"file": file})
    assert answer.status_code == 200
    assert "Imported Connections.csv as linkedin-connections" in answer.text
    listed = ana.get("/people?q=okafor").text
    assert "Dana Okafor" in listed and "Acme" in listed


def test_a_zipped_export_is_imported_file_by_file(
    store: Store, world: World, as_user: dict[str, TestClient]
) -> None:
    ana = as_user["ana"]
    bundle = io.BytesIO()
    with zipfile.ZipFile(bundle, "w") as archive:
        archive.writestr("Basic_LinkedInDataExport/Connections.csv", CONNECTIONS)
        archive.writestr("Basic_LinkedInDataExport/Profile.csv", "First Name\r\nAna\r\n")
    file = ("Basic_LinkedInDataExport.zip", io.BytesIO(bundle.getvalue()), "application/zip")
    answer = ana.post("/import", data={"csrf_token": csrf_for(ana)}, files={"file": file})
    assert answer.status_code == 200
    assert "Imported Connections.csv as linkedin-connections" in answer.text
    assert "Dana Okafor" in ana.get("/people?q=okafor").text


def test_a_bad_file_shows_the_error_and_writes_nothing(
    store: Store, world: World, as_user: dict[str, TestClient]
) -> None:
    ana = as_user["ana"]
    before = people_count(store, world.a)
    broken = CONNECTIONS.replace("12 Mar 2024", "the 12th of never")
    for name, body, fmt in (
        ("notes.txt", "just some words\n", ""),
        ("Connections.csv", broken, "linkedin-connections"),
        ("empty.csv", "", ""),
    ):
        answer = ana.post(
            "/import",
            data={"csrf_token": csrf_for(ana), "format": fmt},
            files={"file": (name, io.BytesIO(body.encode()), "text/csv")},
        )
        assert answer.status_code == 400, (name, answer.text)
        assert f"{name} was not imported; nothing was written" in answer.text
        assert "lead-upload-" not in answer.text  # the private temporary folder stays private
    assert people_count(store, world.a) == before
    with store.transaction() as session:
        assert session.scalar(select(func.count()).select_from(ImportRun)) == 0


def test_a_plan_action_is_done_in_one_click_with_its_outcome_through_htmx(
    store: Store, world: World, as_user: dict[str, TestClient]
) -> None:
    ana = as_user["ana"]
    page = ana.get("/").text
    assert f'id="action-{world.a_action}"' in page
    answer = ana.post(
        f"/plan/{world.a_action}/done",
        data={"outcome": "responded"},
        headers={"HX-Request": "true", "X-CSRF-Token": csrf_for(ana)},
    )
    assert answer.status_code == 200
    assert "done — responded" in answer.text
    assert "<html" not in answer.text  # a fragment for htmx to swap in, not a page
    with store.transaction() as session:
        action = session.scalar(
            select(PlanAction).where(
                PlanAction.workspace_id == world.a, PlanAction.position == world.a_action
            )
        )
        assert action is not None and (action.status, action.outcome) == ("done", "responded")
    again = ana.post(f"/plan/{world.a_action}/skip", data={"csrf_token": csrf_for(ana)})
    assert again.status_code == 400 and "already done" in again.text


def test_an_unknown_outcome_is_refused_with_the_choices(
    world: World, as_user: dict[str, TestClient]
) -> None:
    ana = as_user["ana"]
    answer = ana.post(
        f"/plan/{world.a_action}/done", data={"csrf_token": csrf_for(ana), "outcome": "magic"}
    )
    assert answer.status_code == 400
    assert "outcome 'magic': expected one of responded" in answer.text.replace("&#39;", "'")


def test_text_from_the_data_is_escaped_on_every_page(
    world: World, as_user: dict[str, TestClient]
) -> None:
    ana = as_user["ana"]
    evil = '<script>alert("x")</script>'
    answer = ana.post(
        "/people", data={"csrf_token": csrf_for(ana), "full_name": evil, "tags": evil}
    )
    person = answer.headers["location"]
    for path in (person, "/people", "/people?sort=added"):
        html = ana.get(path).text
        assert evil not in html
        assert "&lt;script&gt;" in html


def test_people_are_listed_a_page_at_a_time_and_sorted(
    store: Store, world: World, as_user: dict[str, TestClient]
) -> None:
    ana = as_user["ana"]
    csrf = csrf_for(ana)
    for n in range(55):
        ana.post("/people", data={"csrf_token": csrf, "full_name": f"Person {n:02d}"})
    first = ana.get("/people").text
    assert "Person 00" in first and "Next →" in first and "Person 54" not in first
    second = ana.get("/people?page=2").text
    assert "Person 54" in second and "← Previous" in second
    newest = ana.get("/people?sort=added").text
    assert newest.index("Person 54") < newest.index("Person 53")
    tagged = ana.get("/people?tag=client").text
    assert "Aurelio Quetzalcoatl" in tagged and "Person 00" not in tagged


def test_an_empty_workspace_says_what_to_do_next(
    app: FastAPI, world: World, as_user: dict[str, TestClient]
) -> None:
    bruno = as_user["bruno"]
    bruno.post(f"/people/{world.b_person}/delete", data={"csrf_token": csrf_for(bruno)})
    assert "Import an export" in bruno.get("/").text
    assert "No people yet" in bruno.get("/people").text
    assert "No networks yet" in bruno.get("/networks").text
    assert "No plan for this week yet" in bruno.get("/").text


def test_the_person_page_shows_timeline_identities_and_lets_an_owner_edit_and_log(
    world: World, as_user: dict[str, TestClient]
) -> None:
    ana = as_user["ana"]
    page = ana.get(f"/people/{world.a_person}").text
    assert "aurelio@a.example" in page and "coffee 0" in page and "client" in page
    csrf = csrf_for(ana)
    ana.post(
        f"/people/{world.a_person}/edit",
        data={"csrf_token": csrf, "full_name": "Aurelio Quetzalcoatl", "offer": "Tax advice"},
    )
    ana.post(f"/people/{world.a_person}/touch", data={"csrf_token": csrf, "summary": "lunch"})
    ana.post(f"/people/{world.a_person}/tags", data={"csrf_token": csrf, "add": "vip, friend"})
    page = ana.get(f"/people/{world.a_person}").text
    assert "Tax advice" in page and "lunch" in page and "vip" in page and "friend" in page
    bad = ana.post(f"/people/{world.a_person}/touch",
                   data={"csrf_token": csrf, "summary": "x", "kind": "telepathy"})  # fmt: skip
    assert bad.status_code == 400 and "kind &#39;telepathy&#39;: expected one of" in bad.text


def test_settings_change_the_budget_and_add_a_read_only_member(
    app: FastAPI, store: Store, world: World, as_user: dict[str, TestClient]
) -> None:
    ana = as_user["ana"]
    csrf = csrf_for(ana)
    assert (
        ana.post("/settings/budget", data={"csrf_token": csrf, "budget": "2h"}).status_code == 303
    )
    with store.transaction() as session:
        stored = session.get(Setting, (world.a, "budget_minutes"))
        assert stored is not None and stored.value == "120"
    wrong = ana.post("/settings/budget", data={"csrf_token": csrf, "budget": "5"})
    assert wrong.status_code == 400 and "budget" in wrong.text
    added = ana.post("/settings/users", data={"csrf_token": csrf, "email": "dora@example.org"})
    assert "Invited dora@example.org as member" in added.text
    assert "http://testserver/invite/" in added.text  # the link, for ana to hand over


def test_a_user_of_two_workspaces_switches_between_them(
    app: FastAPI, store: Store, world: World, as_user: dict[str, TestClient]
) -> None:
    bruno = as_user["bruno"]
    csrf = csrf_for(bruno)
    ana = as_user["ana"]
    ana.post("/settings/users", data={"csrf_token": csrf_for(ana), "email": "bruno@example.org"})
    assert "Switch" not in bruno.get("/settings").text  # not a member until he accepts
    (waiting,) = re.findall(r'action="/invitations/(\d+)/accept"', bruno.get("/invitations").text)
    accepted = bruno.post(f"/invitations/{waiting}/accept", data={"csrf_token": csrf})
    assert accepted.status_code == 303
    assert "Switch" in bruno.get("/settings").text
    assert (
        bruno.post(
            "/workspace", data={"csrf_token": csrf, "workspace_id": str(world.a)}
        ).status_code
        == 303
    )
    assert "Aurelio Quetzalcoatl" in bruno.get("/people").text
    assert (
        bruno.post(f"/people/{world.a_person}/delete", data={"csrf_token": csrf}).status_code == 403
    )
