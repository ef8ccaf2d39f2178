"""People: the list (search, tag, sort, pages), one person's page, and changes to them."""

from __future__ import annotations

from typing import Annotated, Final, get_args

from fastapi import APIRouter, Form, Query, Request
from starlette.responses import RedirectResponse, Response

from takethelead.services import access, interactions, people
from takethelead.services.errors import ServiceError
from takethelead.services.views import PersonDetail
from takethelead.web.deps import Reader, RowId, StoreDep, Writer
from takethelead.web.templating import render

router = APIRouter()
PAGE: Final = 50
SORTS: Final = get_args(people.SortKey)
TOUCH_KINDS: Final = ("message", "meeting", "call", "email", "reply", "comment", "introduction")


@router.get("/people")
def people_page(
    request: Request,
    store: StoreDep,
    who: Reader,
    q: Annotated[str, Query(max_length=200)] = "",
    tag: Annotated[str, Query(max_length=100)] = "",
    sort: Annotated[people.SortKey, Query()] = "name",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    error = None
    with access.reading(store, who) as db:
        if q.strip():
            try:
                found = people.search_people(db, who.workspace_id, q, limit=PAGE + 1)
            except ServiceError as exc:
                found, error = [], str(exc)
        else:
            found = people.list_people(
                db, who.workspace_id, tag=tag or None, sort=sort, limit=PAGE + 1,
                offset=(page - 1) * PAGE,
            )  # fmt: skip
    fragment = request.headers.get("hx-request") and request.headers.get("hx-target") == "results"
    return render(
        request,
        "fragments/people_results.html" if fragment else "people.html",
        who,
        people=found[:PAGE],
        more=len(found) > PAGE and not q.strip(),
        q=q,
        tag=tag,
        sort=sort,
        sorts=SORTS,
        page=page,
        error=error,
    )


@router.post("/people")
def create_person(
    request: Request,
    store: StoreDep,
    who: Writer,
    full_name: Annotated[str, Form(max_length=300)],
    identity: Annotated[str, Form(max_length=500)] = "",
    company: Annotated[str, Form(max_length=300)] = "",
    tags: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    try:
        with access.writing(store, who) as db:
            person_id = people.add_person(
                db,
                who.workspace_id,
                full_name,
                people.PersonInput(company=company),
                [identity] if identity.strip() else [],
                [t for t in (x.strip() for x in tags.split(",")) if t],
            )
    except ServiceError as exc:
        with access.reading(store, who) as db:
            found = people.list_people(db, who.workspace_id, limit=PAGE)
        return render(request, "people.html", who, 400, people=found, more=False, q="", tag="",
                      sort="name", sorts=SORTS, page=1, error=str(exc))  # fmt: skip
    return RedirectResponse(f"/people/{person_id}", status_code=303)


@router.get("/people/{person_id}")
def person_page(request: Request, store: StoreDep, who: Reader, person_id: RowId) -> Response:
    with access.reading(store, who) as db:
        person = people.show_person(db, who.workspace_id, person_id)
    return _person(request, who, person)


def _person(
    request: Request, who: access.Principal, person: PersonDetail, error: str | None = None
) -> Response:
    return render(request, "person.html", who, 400 if error else 200, person=person,
                  touch_kinds=TOUCH_KINDS, error=error)  # fmt: skip


def _failed(
    request: Request, store: StoreDep, who: access.Principal, person_id: RowId, exc: ServiceError
) -> Response:
    with access.reading(store, who) as db:
        person = people.show_person(db, who.workspace_id, person_id)
    return _person(request, who, person, str(exc))


@router.post("/people/{person_id}/edit")
def edit_person(
    request: Request,
    store: StoreDep,
    who: Writer,
    person_id: RowId,
    full_name: Annotated[str, Form(max_length=300)],
    company: Annotated[str, Form(max_length=300)] = "",
    title: Annotated[str, Form(max_length=300)] = "",
    offer: Annotated[str, Form(max_length=5000)] = "",
    lead_profile: Annotated[str, Form(max_length=5000)] = "",
    notes: Annotated[str, Form(max_length=20000)] = "",
) -> Response:
    values = people.PersonInput(full_name=full_name, company=company, title=title, offer=offer,
                                lead_profile=lead_profile, notes=notes)  # fmt: skip
    try:
        with access.writing(store, who) as db:
            people.edit_person(db, who.workspace_id, person_id, values)
    except ServiceError as exc:
        return _failed(request, store, who, person_id, exc)
    return RedirectResponse(f"/people/{person_id}", status_code=303)


@router.post("/people/{person_id}/tags")
def tag_person(
    store: StoreDep,
    who: Writer,
    person_id: RowId,
    add: Annotated[str, Form(max_length=500)] = "",
    remove: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    with access.writing(store, who) as db:
        people.tag_person(db, who.workspace_id, person_id,
                          [t.strip() for t in add.split(",") if t.strip()],
                          [remove] if remove else [])  # fmt: skip
    return RedirectResponse(f"/people/{person_id}", status_code=303)


@router.post("/people/{person_id}/touch")
def log_touch(
    request: Request,
    store: StoreDep,
    who: Writer,
    person_id: RowId,
    summary: Annotated[str, Form(max_length=2000)],
    kind: Annotated[str, Form(max_length=20)] = "message",
    minutes: Annotated[int | None, Form(ge=0, le=24 * 60)] = None,
) -> Response:
    try:
        with access.writing(store, who) as db:
            interactions.log_touch(db, who.workspace_id, summary, kind=kind, minutes=minutes,
                                   person=f"#{person_id}")  # fmt: skip
    except ServiceError as exc:
        return _failed(request, store, who, person_id, exc)
    return RedirectResponse(f"/people/{person_id}", status_code=303)


@router.post("/people/{person_id}/delete")
def delete_person(store: StoreDep, who: Writer, person_id: RowId) -> Response:
    with access.writing(store, who) as db:
        people.remove_person(db, who.workspace_id, person_id)
    return RedirectResponse("/people", status_code=303)
