"""Relationships: strength and why, ratings, who is due, cadences, fading ties, who knows
whom, the ledger, the monthly report, the overview and time spent on networks.

Strength lists, due, fading and the report score every tie from its interactions, as the
CLI does (seconds at a million interactions); a person's own strength, history and
relationship read only their interactions.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Query

from takethelead.services.auth import access
from takethelead.services.networks import timeentries
from takethelead.services.relationships import contact_ties as ties
from takethelead.services.relationships import keepintouch, ledger, overview, rapport, report
from takethelead.services.relationships import strength as relationships
from takethelead.services.relationships.history import MAX_MONTHS, strength_history, strength_now
from takethelead.web.api.relationships_schemas import (
    CadenceIn,
    CadenceOut,
    DueListOut,
    FadingOut,
    InferredTiesOut,
    LedgerIn,
    LedgerLineOut,
    ModelOut,
    OneSidedOut,
    OverviewOut,
    PersonLedgerOut,
    RatingIn,
    RatingOut,
    RelationshipOut,
    ReportOut,
    StrengthHistoryOut,
    StrengthListOut,
    StrengthOut,
    TieIn,
    TieOut,
    TimeEntryOut,
    TimeIn,
)
from takethelead.web.api.schemas import Problem
from takethelead.web.deps import ApiReader, ApiWriter, QueryFlag, RowId, StoreDep

router = APIRouter(tags=["relationships"])
MISSING: dict[int | str, dict[str, Any]] = {
    404: {"model": Problem, "description": "No such person in this workspace"}
}
Limit = Annotated[int, Query(ge=1, le=500, description="How many people to list")]


@router.get("/strength", response_model=StrengthListOut)
def list_strength(store: StoreDep, who: ApiReader, limit: Limit = 20) -> StrengthListOut:
    """Everyone's strength, strongest first, with the reasons for the first `limit`."""
    with access.reading(store, who) as db:
        found = relationships.strength_list(db, who.workspace_id, limit=limit)
    return StrengthListOut.model_validate(asdict(found))


@router.post("/strength/model", response_model=ModelOut)
def fit_model(store: StoreDep, who: ApiWriter) -> ModelOut:
    """Fit the strength weights to your closeness ratings (20 or more); kept only if better."""
    with access.writing(store, who) as db:
        return ModelOut.model_validate(asdict(relationships.fit_model(db, who.workspace_id)))


@router.get("/people/{person_id:int}/strength", response_model=StrengthOut, responses=MISSING)
def person_strength(store: StoreDep, who: ApiReader, person_id: RowId) -> StrengthOut:
    """One relationship's strength and why, from that person's interactions."""
    with access.reading(store, who) as db:
        view = strength_now(db, who.workspace_id, person_id)
    return StrengthOut.model_validate(asdict(view))


@router.get(
    "/people/{person_id:int}/strength/history",
    response_model=StrengthHistoryOut,
    responses=MISSING,
)
def person_history(
    store: StoreDep,
    who: ApiReader,
    person_id: RowId,
    months: Annotated[int, Query(ge=1, le=MAX_MONTHS)] = 12,
) -> StrengthHistoryOut:
    """Strength at the end of each of the last `months` months, and now."""
    with access.reading(store, who) as db:
        found = strength_history(db, who.workspace_id, person_id, months)
    return StrengthHistoryOut.model_validate(asdict(found))


@router.get(
    "/people/{person_id:int}/relationship", response_model=RelationshipOut, responses=MISSING
)
def person_relationship(store: StoreDep, who: ApiReader, person_id: RowId) -> RelationshipOut:
    """Strength, its last year, layer, keep-in-touch rhythm, when due, and give and take."""
    with access.reading(store, who) as db:
        found = rapport.rapport(db, who.workspace_id, person_id)
    data = asdict(found)
    data["ledger"] = data["ledger"]["standing"]
    return RelationshipOut.model_validate(data)


@router.put("/people/{person_id:int}/rating", response_model=RatingOut, responses=MISSING)
def rate_person(store: StoreDep, who: ApiWriter, person_id: RowId, body: RatingIn) -> RatingOut:
    """Rate how close you feel to someone; enough ratings fit the weights to you."""
    with access.writing(store, who) as db:
        view = relationships.rate(db, who.workspace_id, person_id, body.rating)
    return RatingOut.model_validate(asdict(view))


@router.put("/people/{person_id:int}/cadence", response_model=CadenceOut, responses=MISSING)
def set_cadence(store: StoreDep, who: ApiWriter, person_id: RowId, body: CadenceIn) -> CadenceOut:
    """How often to keep in touch ("default" goes back to their layer's rhythm)."""
    with access.writing(store, who) as db:
        view = keepintouch.set_cadence(db, who.workspace_id, person_id, body.cadence)
    return CadenceOut.model_validate(asdict(view))


@router.get("/due", response_model=DueListOut)
def list_due(
    store: StoreDep,
    who: ApiReader,
    limit: Limit = 20,
    fresh: Annotated[
        QueryFlag, Query(description="Score every tie now instead of reading the nightly strengths")
    ] = False,
) -> DueListOut:
    """Who has gone longer without contact than their layer's (or their own) rhythm.

    Layers come from the strengths the nightly rescore keeps, last contact is read live;
    `fresh=true` rescores every tie first (seconds on a big network), as `lead due` does.
    """
    with access.reading(store, who) as db:
        if fresh:
            found = keepintouch.due(db, who.workspace_id, limit=limit)
        else:
            found = keepintouch.due_soon(db, who.workspace_id, limit=limit)
    return DueListOut.model_validate(asdict(found))


@router.get("/fading", response_model=FadingOut)
def list_fading(
    store: StoreDep,
    who: ApiReader,
    days: Annotated[int, Query(ge=1, le=3650, description="Compare with this many days ago")] = 90,
    limit: Limit = 20,
) -> FadingOut:
    """Relationships losing the most strength, and weak ties that bridge."""
    with access.reading(store, who) as db:
        found = keepintouch.fading(db, who.workspace_id, days=days, limit=limit)
    return FadingOut.model_validate(asdict(found))


@router.post("/ties", response_model=TieOut, responses=MISSING)
def record_tie(store: StoreDep, who: ApiWriter, body: TieIn) -> TieOut:
    """Record that two of your contacts know each other (or change their trust)."""
    with access.writing(store, who) as db:
        tie = ties.record_tie(db, who.workspace_id, body.person_a, body.person_b, body.trust)
    return TieOut.model_validate(asdict(tie))


@router.post("/ties/infer", response_model=InferredTiesOut)
def infer_ties(store: StoreDep, who: ApiWriter) -> InferredTiesOut:
    """Rebuild who knows whom from shared meetings and message threads."""
    with access.writing(store, who) as db:
        return InferredTiesOut.model_validate(asdict(ties.infer_ties(db, who.workspace_id)))


@router.get("/people/{person_id:int}/ledger", response_model=PersonLedgerOut, responses=MISSING)
def person_ledger(store: StoreDep, who: ApiReader, person_id: RowId) -> PersonLedgerOut:
    """What you gave to and received from one person, newest first, and the balance."""
    with access.reading(store, who) as db:
        found = ledger.person_ledger(db, who.workspace_id, person_id)
    return PersonLedgerOut.model_validate(asdict(found))


@router.post(
    "/people/{person_id:int}/ledger",
    status_code=201,
    response_model=LedgerLineOut,
    responses=MISSING,
)
def add_ledger_entry(
    store: StoreDep, who: ApiWriter, person_id: RowId, body: LedgerIn
) -> LedgerLineOut:
    """Write down a referral, introduction or favour given to or received from someone."""
    with access.writing(store, who) as db:
        line = ledger.add_entry(
            db,
            who.workspace_id,
            person_id,
            body.direction,
            body.kind,
            body.value,
            body.note,
            body.occurred_at,
        )
    return LedgerLineOut.model_validate(asdict(line))


@router.get("/ledger", response_model=OneSidedOut)
def one_sided(
    store: StoreDep,
    who: ApiReader,
    min_entries: Annotated[int, Query(ge=1, le=10_000)] = 3,
    share: Annotated[float, Query(gt=0.5, le=1.0)] = 0.8,
) -> OneSidedOut:
    """Who you always give to and who always gives to you."""
    with access.reading(store, who) as db:
        found = ledger.one_sided_ledger(db, who.workspace_id, min_entries, share)
    return OneSidedOut.model_validate(asdict(found))


@router.get("/report", response_model=ReportOut)
def network_report(
    store: StoreDep,
    who: ApiReader,
    months: Annotated[int, Query(ge=1, le=120)] = 12,
) -> ReportOut:
    """How strong the whole network is, month by month: ties, layers, reach, referrals."""
    with access.reading(store, who) as db:
        found = report.network_strength(db, who.workspace_id, months)
    return ReportOut.model_validate(asdict(found))


@router.get("/overview", response_model=OverviewOut)
def get_overview(store: StoreDep, who: ApiReader) -> OverviewOut:
    """Counts, activity per network over 90 days, and well-known people gone quiet."""
    with access.reading(store, who) as db:
        return OverviewOut.model_validate(asdict(overview.overview(db, who.workspace_id)))


@router.post(
    "/time",
    status_code=201,
    response_model=TimeEntryOut,
    responses={404: {"model": Problem, "description": "No such network in this workspace"}},
)
def record_time(store: StoreDep, who: ApiWriter, body: TimeIn) -> TimeEntryOut:
    """Record minutes spent on a network (`lead spent`); responses are counted if left out."""
    with access.writing(store, who) as db:
        entry = timeentries.record_time(
            db,
            who.workspace_id,
            body.network,
            body.minutes,
            body.note,
            body.responses,
            body.spent_at,
        )
    return TimeEntryOut.model_validate(asdict(entry))
