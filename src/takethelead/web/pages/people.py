"""People: the list (search, filters, sorts, pages), one person's page, and changes to them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, Final

from fastapi import APIRouter, Form, Query, Request
from starlette.responses import RedirectResponse, Response

from takethelead.services.auth import access
from takethelead.services.core.errors import ServiceError
from takethelead.services.people import interactions, people, roster
from takethelead.services.relationships import keepintouch, ledger, rapport
from takethelead.services.relationships import strength as relationships
from takethelead.services.relationships.strength import NEVER_DAYS
from takethelead.web.deps import Reader, RowId, StoreDep, Writer
from takethelead.web.person_charts import balance_bars, strength_chart
from takethelead.web.templating import render

router = APIRouter()
PAGE: Final = 50
TOUCH_KINDS: Final = ("message", "meeting", "call", "email", "reply", "comment", "introduction")
SORT_NAMES: Final = {
    "name": "name",
    "strength": "strength",
    "last-contact": "last contact",
    "layer": "layer",
    "interactions": "interactions",
    "added": "newest",
}
SHOW_NAMES: Final = {"everyone": "everyone", "due": "due for contact", "fading": "fading"}
CADENCES: Final = ("default", "weekly", "fortnightly", "monthly", "quarterly", "yearly", "never")
# Up to this many interactions the relationship card is scored with the page; busier ties
# (a few read thousands of rows) come a moment later through htmx, so the page never waits.
INLINE_TOUCHES: Final = 2_000


def _layer(raw: str) -> int | None:
    if not raw.strip():
        return None
    if not raw.strip().isdigit() or not 0 <= int(raw) < len(roster.LAYERS):
        raise ServiceError(f"layer {raw!r}: expected 0 to {len(roster.LAYERS) - 1}")
    return int(raw)


@router.get("/people")
def people_page(
    request: Request,
    store: StoreDep,
    who: Reader,
    q: Annotated[str, Query(max_length=200)] = "",
    tag: Annotated[str, Query(max_length=100)] = "",
    layer: Annotated[str, Query(max_length=2)] = "",
    show: Annotated[roster.Show, Query()] = "everyone",
    sort: Annotated[roster.SortKey, Query()] = "name",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    error = None
    found = roster.Roster(rows=(), more=False)
    try:
        with access.reading(store, who) as db:
            found = roster.roster(
                db, who.workspace_id, q=q, tag=tag, layer=_layer(layer), show=show, sort=sort,
                limit=PAGE, offset=(page - 1) * PAGE,
            )  # fmt: skip
    except ServiceError as exc:
        error = str(exc)
    fragment = request.headers.get("hx-request") and request.headers.get("hx-target") == "results"
    return render(
        request,
        "fragments/person_list.html" if fragment else "people.html",
        who,
        400 if error else 200,
        **_list_context(found, q, tag, layer, show, sort, page, error),
    )


def _list_context(
    found: roster.Roster,
    q: str,
    tag: str,
    layer: str,
    show: str,
    sort: str,
    page: int,
    error: str | None,
) -> dict[str, Any]:
    query = {"q": q, "tag": tag, "layer": layer, "show": show, "sort": sort}
    return {
        "roster": found,
        "q": q,
        "tag": tag,
        "layer": layer,
        "show": show,
        "sort": sort,
        "page": page,
        "query": {k: v for k, v in query.items() if v and (k, v) not in _DEFAULTS},
        "sorts": SORT_NAMES,
        "shows": SHOW_NAMES,
        "layers": roster.LAYERS,
        "filtered": bool(q.strip() or tag or layer or show != "everyone"),
        "error": error,
    }


_DEFAULTS: Final = {("show", "everyone"), ("sort", "name")}


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
            found = roster.roster(db, who.workspace_id, limit=PAGE)
        context = _list_context(found, "", "", "", "everyone", "name", 1, str(exc))
        return render(request, "people.html", who, 400, **context)
    return RedirectResponse(f"/people/{person_id}", status_code=303)


def _person_context(
    store: StoreDep, who: access.Principal, person_id: int, error: str | None = None
) -> dict[str, Any]:
    with access.reading(store, who) as db:
        person = people.show_person(db, who.workspace_id, person_id)
        near = None
        entries = None
        if not person.is_me:
            if person.interactions <= INLINE_TOUCHES:
                near = rapport.rapport(db, who.workspace_id, person_id)
                entries = near.ledger
            else:
                entries = ledger.person_ledger(db, who.workspace_id, person_id)
    context: dict[str, Any] = {
        "person": person,
        "near": near,
        "entries": entries,
        "touch_kinds": TOUCH_KINDS,
        "ledger_kinds": ledger.KINDS,
        "cadences": CADENCES,
        "never_days": NEVER_DAYS,
        "today": date.today().isoformat(),
        "error": error,
    }
    if near is not None:
        context |= _card(near)
    if entries is not None:
        standing = entries.standing
        context["balance"] = balance_bars(standing.given, standing.received)
    return context


def _card(near: rapport.Rapport) -> dict[str, Any]:
    return {"near": near, "chart": strength_chart(near.history)}


@router.get("/people/{person_id}")
def person_page(request: Request, store: StoreDep, who: Reader, person_id: RowId) -> Response:
    return render(request, "person.html", who, **_person_context(store, who, person_id))


@router.get("/people/{person_id}/strength")
def strength_card(request: Request, store: StoreDep, who: Reader, person_id: RowId) -> Response:
    """The relationship card alone: strength, why, its last year, layer and rhythm."""
    with access.reading(store, who) as db:
        near = rapport.rapport(db, who.workspace_id, person_id)
        person = people.show_person(db, who.workspace_id, person_id, timeline=0)
    context = {"person": person, "cadences": CADENCES, "never_days": NEVER_DAYS, **_card(near)}
    return render(request, "fragments/person_strength.html", who, **context)


def _failed(
    request: Request, store: StoreDep, who: access.Principal, person_id: RowId, exc: ServiceError
) -> Response:
    context = _person_context(store, who, person_id, str(exc))
    return render(request, "person.html", who, 400, **context)


def _back(person_id: int, anchor: str = "") -> Response:
    return RedirectResponse(f"/people/{person_id}{anchor}", status_code=303)


@router.post("/people/{person_id}/edit")
def edit_person(
    request: Request,
    store: StoreDep,
    who: Writer,
    person_id: RowId,
    full_name: Annotated[str, Form(max_length=300)],
    company: Annotated[str, Form(max_length=300)] = "",
    title: Annotated[str, Form(max_length=300)] = "",
    offer: Annotated[str | None, Form(max_length=5000)] = None,
    lead_profile: Annotated[str | None, Form(max_length=5000)] = None,
    notes: Annotated[str | None, Form(max_length=20000)] = None,
) -> Response:
    # Fields left out of the form stay as they are: notes and the profile have their own forms.
    values = people.PersonInput(full_name=full_name, company=company, title=title, offer=offer,
                                lead_profile=lead_profile, notes=notes)  # fmt: skip
    try:
        with access.writing(store, who) as db:
            people.edit_person(db, who.workspace_id, person_id, values)
    except ServiceError as exc:
        return _failed(request, store, who, person_id, exc)
    return _back(person_id)


@router.post("/people/{person_id}/notes")
def edit_notes(
    store: StoreDep,
    who: Writer,
    person_id: RowId,
    notes: Annotated[str, Form(max_length=20000)] = "",
) -> Response:
    with access.writing(store, who) as db:
        people.edit_person(db, who.workspace_id, person_id, people.PersonInput(notes=notes))
    return _back(person_id, "#notes")


@router.post("/people/{person_id}/profile")
def edit_profile(
    store: StoreDep,
    who: Writer,
    person_id: RowId,
    offer: Annotated[str, Form(max_length=5000)] = "",
    lead_profile: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    values = people.PersonInput(offer=offer, lead_profile=lead_profile)
    with access.writing(store, who) as db:
        people.edit_person(db, who.workspace_id, person_id, values)
    return _back(person_id, "#profile")


@router.post("/people/{person_id}/cadence")
def set_cadence(
    request: Request,
    store: StoreDep,
    who: Writer,
    person_id: RowId,
    cadence: Annotated[str, Form(max_length=20)],
) -> Response:
    try:
        with access.writing(store, who) as db:
            keepintouch.set_cadence(db, who.workspace_id, person_id, cadence)
    except ServiceError as exc:
        return _failed(request, store, who, person_id, exc)
    return _back(person_id, "#relationship")


@router.post("/people/{person_id}/rating")
def rate_person(
    store: StoreDep,
    who: Writer,
    person_id: RowId,
    rating: Annotated[int, Form(ge=1, le=5)],
) -> Response:
    with access.writing(store, who) as db:
        relationships.rate(db, who.workspace_id, person_id, rating)
    return _back(person_id, "#relationship")


def _amount(raw: str) -> float | None:
    if not raw.strip():
        return None
    try:
        return float(raw.replace(",", "").strip())
    except ValueError:
        raise ServiceError(f"value {raw!r}: expected an amount like 1200") from None


def _day(raw: str) -> datetime | None:
    if not raw.strip():
        return None
    try:
        day = date.fromisoformat(raw.strip())
    except ValueError:
        raise ServiceError(f"when {raw!r}: expected a date like 2025-03-01") from None
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


@router.post("/people/{person_id}/ledger")
def add_ledger_entry(
    request: Request,
    store: StoreDep,
    who: Writer,
    person_id: RowId,
    direction: Annotated[str, Form(max_length=10)],
    kind: Annotated[str, Form(max_length=20)],
    value: Annotated[str, Form(max_length=30)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
    when: Annotated[str, Form(max_length=30)] = "",
) -> Response:
    try:
        with access.writing(store, who) as db:
            ledger.add_entry(db, who.workspace_id, person_id, direction, kind, _amount(value),
                             note, _day(when))  # fmt: skip
    except ServiceError as exc:
        return _failed(request, store, who, person_id, exc)
    return _back(person_id, "#ledger")


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
    return _back(person_id)


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
    return _back(person_id)


@router.post("/people/{person_id}/delete")
def delete_person(store: StoreDep, who: Writer, person_id: RowId) -> Response:
    with access.writing(store, who) as db:
        people.remove_person(db, who.workspace_id, person_id)
    return RedirectResponse("/people", status_code=303)
