"""People: list, search, read, create, change, delete and tag."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from takethelead.services.auth import access
from takethelead.services.core.views import PersonDetail
from takethelead.services.people import people
from takethelead.services.people.merging import merge_people
from takethelead.web.api.schemas import (
    MergeIn,
    MergeOut,
    PersonCreate,
    PersonDetailOut,
    PersonFields,
    PersonOut,
    PersonPatch,
    Problem,
    TagChange,
    Tags,
)
from takethelead.web.deps import ApiReader, ApiWriter, RowId, StoreDep

router = APIRouter(prefix="/people", tags=["people"])
MISSING: dict[int | str, dict[str, Any]] = {
    404: {"model": Problem, "description": "No such person in this workspace"}
}


def _values(body: PersonFields, full_name: str | None) -> people.PersonInput:
    fields = body.model_dump(include=set(PersonFields.model_fields))
    return people.PersonInput(full_name=full_name, **fields)


def _detail(person: PersonDetail) -> PersonDetailOut:
    data = asdict(person)
    data.pop("extra")
    return PersonDetailOut.model_validate(data)


@router.get("", response_model=list[PersonOut])
def list_people(
    store: StoreDep,
    who: ApiReader,
    q: Annotated[
        str | None, Query(max_length=200, pattern=r"\w", description="Words to search for")
    ] = None,
    tag: Annotated[str | None, Query(max_length=100)] = None,
    sort: people.SortKey = "name",
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> list[PersonOut]:
    """People: searched with `q`, or filtered by tag and sorted, a page at a time."""
    with access.reading(store, who) as db:
        if q is not None and q.strip():
            found = people.search_people(db, who.workspace_id, q, limit=limit)
        else:
            found = people.list_people(db, who.workspace_id, tag, sort, limit, offset)
    # Read off the attributes: `asdict` deep-copies and cost more than the query.
    return [PersonOut.model_validate(p, from_attributes=True) for p in found]


@router.post("", status_code=201, response_model=PersonDetailOut)
def create_person(store: StoreDep, who: ApiWriter, body: PersonCreate) -> PersonDetailOut:
    with access.writing(store, who) as db:
        person_id = people.add_person(
            db, who.workspace_id, body.full_name, _values(body, None), body.identities, body.tags
        )
        return _detail(people.show_person(db, who.workspace_id, person_id))


@router.get("/{person_id:int}", response_model=PersonDetailOut, responses=MISSING)
def get_person(
    store: StoreDep,
    who: ApiReader,
    person_id: RowId,
    timeline: Annotated[int, Query(ge=0, le=1000)] = 50,
) -> PersonDetailOut:
    with access.reading(store, who) as db:
        found = people.show_person(db, who.workspace_id, person_id, timeline)
    return _detail(found)


@router.patch("/{person_id:int}", response_model=PersonDetailOut, responses=MISSING)
def patch_person(
    store: StoreDep, who: ApiWriter, person_id: RowId, body: PersonPatch
) -> PersonDetailOut:
    with access.writing(store, who) as db:
        people.edit_person(
            db, who.workspace_id, person_id, _values(body, body.full_name), body.add_identities
        )
        return _detail(people.show_person(db, who.workspace_id, person_id))


@router.post("/{person_id:int}/merge", response_model=MergeOut, responses=MISSING)
def merge_person(store: StoreDep, who: ApiWriter, person_id: RowId, body: MergeIn) -> MergeOut:
    """Fold a duplicate record into this person: every row pointing at it moves here."""
    with access.writing(store, who) as db:
        merged = merge_people(db, who.workspace_id, person_id, body.duplicate_id)
    return MergeOut.model_validate(asdict(merged))


@router.delete("/{person_id:int}", status_code=204, responses=MISSING)
def delete_person(store: StoreDep, who: ApiWriter, person_id: RowId) -> Response:
    with access.writing(store, who) as db:
        people.remove_person(db, who.workspace_id, person_id)
    return Response(status_code=204)


@router.post("/{person_id:int}/tags", response_model=Tags, responses=MISSING)
def tag_person(store: StoreDep, who: ApiWriter, person_id: RowId, body: TagChange) -> Tags:
    with access.writing(store, who) as db:
        tags = people.tag_person(db, who.workspace_id, person_id, body.add, body.remove)
    return Tags(tags=list(tags))
