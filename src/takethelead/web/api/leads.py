"""Leads, referrers, trusted paths, your profile, referrals and introductions."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request

from takethelead.domain.matching import Embedder
from takethelead.services.auth import access
from takethelead.services.core.errors import Conflict, ServiceError
from takethelead.services.leads import introductions, leads, paths, profile, referrals
from takethelead.services.leads.embeddings import shared_embedder
from takethelead.web.api.leads_schemas import (
    IntroCandidateOut,
    IntroductionCreate,
    IntroductionOut,
    LeadCreate,
    LeadMatchesOut,
    LeadOut,
    LeadPatch,
    PassIn,
    PathReportOut,
    ProfileIn,
    ProfileOut,
    ReferralCreate,
    ReferralFunnelOut,
    ReferralOut,
    ReferralPatch,
    ReferrersOut,
    SideIn,
)
from takethelead.web.api.schemas import Problem, conflict
from takethelead.web.deps import ApiReader, ApiWriter, QueryFlag, RowId, StoreDep

router = APIRouter()
Limit = Annotated[int, Query(ge=1, le=leads.MAX_LIMIT, description="How many suggestions")]
NO_SEMANTIC = conflict("semantic=true, and this server has no semantic extra")
Semantic = Annotated[
    QueryFlag | None,
    Query(description="Fuse MiniLM embeddings with BM25 (default: when installed)"),
]


def _missing(what: str) -> dict[int | str, dict[str, Any]]:
    return {404: {"model": Problem, "description": f"No such {what} in this workspace"}}


def _embedder(request: Request, semantic: bool | None) -> Embedder | None:
    if semantic is False:
        return None
    found = shared_embedder(request.app.state.store.settings.data_dir / "cache")
    if found is None and semantic:
        raise Conflict("semantic: the semantic extra is not installed on this server")
    return found


# Leads


@router.get("/leads", response_model=list[LeadOut], tags=["leads"])
def list_leads(
    store: StoreDep,
    who: ApiReader,
    status: Literal["open", "passed", "closed"] | None = None,
) -> list[LeadOut]:
    """Leads, newest first, optionally of one status."""
    with access.reading(store, who) as db:
        found = leads.list_leads(db, who.workspace_id, status)
    return [LeadOut.model_validate(asdict(lead)) for lead in found]


@router.post(
    "/leads", status_code=201, response_model=LeadOut, tags=["leads"], responses=_missing("person")
)
def create_lead(store: StoreDep, who: ApiWriter, body: LeadCreate) -> LeadOut:
    """Write down a lead: who needs what, and who told you (`lead leads add`)."""
    source = None if body.from_person_id is None else f"#{body.from_person_id}"
    with access.writing(store, who) as db:
        lead = leads.add_lead(db, who.workspace_id, body.text, source)
    return LeadOut.model_validate(asdict(lead))


@router.get(
    "/leads/{lead_id:int}", response_model=LeadOut, tags=["leads"], responses=_missing("lead")
)
def get_lead(store: StoreDep, who: ApiReader, lead_id: RowId) -> LeadOut:
    with access.reading(store, who) as db:
        return LeadOut.model_validate(asdict(leads.get_lead(db, who.workspace_id, lead_id)))


@router.patch(
    "/leads/{lead_id:int}", response_model=LeadOut, tags=["leads"], responses=_missing("lead")
)
def set_lead_status(store: StoreDep, who: ApiWriter, lead_id: RowId, body: LeadPatch) -> LeadOut:
    """Close a lead, or open it again."""
    with access.writing(store, who) as db:
        lead = leads.set_lead_status(db, who.workspace_id, lead_id, body.status)
    return LeadOut.model_validate(asdict(lead))


@router.get(
    "/leads/{lead_id:int}/matches",
    response_model=LeadMatchesOut,
    tags=["leads"],
    responses=_missing("lead") | NO_SEMANTIC,
)
def match_lead(
    request: Request,
    store: StoreDep,
    who: ApiReader,
    lead_id: RowId,
    limit: Limit = 5,
    semantic: Semantic = None,
) -> LeadMatchesOut:
    """Who could serve a lead, best first, with the reasons (`lead leads match`)."""
    chosen = _embedder(request, semantic)
    with access.reading(store, who) as db:
        found = leads.match_lead(db, who.workspace_id, lead_id, limit, chosen)
    return LeadMatchesOut.model_validate(asdict(found))


@router.post(
    "/leads/{lead_id:int}/pass",
    status_code=201,
    response_model=ReferralOut,
    tags=["leads"],
    responses=_missing("lead or person"),
)
def pass_lead(store: StoreDep, who: ApiWriter, lead_id: RowId, body: PassIn) -> ReferralOut:
    """Pass a lead to someone: a referral given, in the ledger (`lead leads pass`)."""
    with access.writing(store, who) as db:
        referral = leads.pass_lead(
            db, who.workspace_id, lead_id, f"#{body.to_person_id}", body.note
        )
    return ReferralOut.model_validate(asdict(referral))


@router.get(
    "/referrers",
    response_model=ReferrersOut,
    tags=["leads"],
    responses=conflict("No need given and your lead profile is empty, or no semantic extra"),
)
def find_referrers(
    request: Request,
    store: StoreDep,
    who: ApiReader,
    need: Annotated[
        str | None,
        Query(max_length=2000, pattern=r"\w", description="A need (default: your lead profile)"),
    ] = None,
    limit: Limit = 10,
    semantic: Semantic = None,
) -> ReferrersOut:
    """Who is best placed to refer leads like your lead profile (or the need) describes."""
    chosen = _embedder(request, semantic)
    with access.reading(store, who) as db:
        found = leads.find_referrers(db, who.workspace_id, limit, chosen, need)
    return ReferrersOut.model_validate(asdict(found))


# Paths and profile


@router.get(
    "/paths",
    response_model=PathReportOut,
    tags=["paths"],
    responses=_missing("target") | conflict("The name fits several people; `detail` lists them"),
)
def find_paths(
    store: StoreDep,
    who: ApiReader,
    to: Annotated[
        str, Query(min_length=1, max_length=300, description="A person (name, #id) or a company")
    ],
    company: Annotated[QueryFlag, Query(description="Treat `to` as a company")] = False,
    top: Annotated[int, Query(ge=1, le=paths.MAX_PATHS)] = 5,
) -> PathReportOut:
    """The most trusted introduction paths to a person or a company (`lead path`)."""
    with access.reading(store, who) as db:
        report = paths.find_paths(db, who.workspace_id, to, top, company)
    return PathReportOut.model_validate(asdict(report))


@router.get(
    "/paths/{person_id:int}",
    response_model=PathReportOut,
    tags=["paths"],
    responses=_missing("person"),
)
def paths_to_person(
    store: StoreDep,
    who: ApiReader,
    person_id: RowId,
    top: Annotated[int, Query(ge=1, le=paths.MAX_PATHS)] = 5,
) -> PathReportOut:
    """The most trusted introduction paths to one of your contacts, and the widest one."""
    with access.reading(store, who) as db:
        report = paths.paths_to_person(db, who.workspace_id, person_id, top)
    return PathReportOut.model_validate(asdict(report))


@router.get("/profile", response_model=ProfileOut, tags=["profile"])
def get_profile(store: StoreDep, who: ApiReader) -> ProfileOut:
    """Your offer, your lead profile and a short text to share (`lead profile`)."""
    with access.reading(store, who) as db:
        return ProfileOut.model_validate(asdict(profile.my_profile(db, who.workspace_id)))


@router.put("/profile", response_model=ProfileOut, tags=["profile"])
def put_profile(store: StoreDep, who: ApiWriter, body: ProfileIn) -> ProfileOut:
    """Write your offer and lead profile; a field left out stays as it is."""
    lead_profile = body.lead_profile
    if body.lead_profile_parts is not None:
        if lead_profile is not None:
            raise ServiceError("lead_profile_parts: send it or lead_profile, not both")
        parts = profile.LeadProfileParts(**body.lead_profile_parts.model_dump())
        lead_profile = profile.compose_lead_profile(parts)
    with access.writing(store, who) as db:
        mine = profile.set_my_profile(db, who.workspace_id, body.offer, lead_profile, body.name)
    return ProfileOut.model_validate(asdict(mine))


# Referrals


@router.get("/referrals", response_model=list[ReferralOut], tags=["referrals"])
def list_referrals(
    store: StoreDep,
    who: ApiReader,
    status: Literal["given", "contacted", "met", "won", "lost"] | None = None,
    direction: Literal["given", "received"] | None = None,
) -> list[ReferralOut]:
    """Referrals given and received, newest first (`lead referrals`)."""
    with access.reading(store, who) as db:
        found = referrals.list_referrals(db, who.workspace_id, status, direction)
    return [ReferralOut.model_validate(asdict(r)) for r in found]


@router.post(
    "/referrals",
    status_code=201,
    response_model=ReferralOut,
    tags=["referrals"],
    responses=_missing("person"),
)
def record_referral(store: StoreDep, who: ApiWriter, body: ReferralCreate) -> ReferralOut:
    """Record a referral given to or received from a person (`lead referrals add`)."""
    with access.writing(store, who) as db:
        referral = referrals.record_referral(
            db, who.workspace_id, body.direction, body.person_id, body.note, body.value
        )
    return ReferralOut.model_validate(asdict(referral))


@router.patch(
    "/referrals/{referral_id:int}",
    response_model=ReferralOut,
    tags=["referrals"],
    responses=_missing("referral") | conflict("The referral is won or lost, or further on"),
)
def update_referral(
    store: StoreDep, who: ApiWriter, referral_id: RowId, body: ReferralPatch
) -> ReferralOut:
    """Move a referral on: given → contacted → met → won | lost (`lead referrals update`)."""
    with access.writing(store, who) as db:
        referral = referrals.update_referral(
            db, who.workspace_id, referral_id, body.status, body.value
        )
    return ReferralOut.model_validate(asdict(referral))


@router.get("/referrals/funnel", response_model=ReferralFunnelOut, tags=["referrals"])
def referral_funnel(store: StoreDep, who: ApiReader) -> ReferralFunnelOut:
    """How many leads and referrals reached each stage, given and received."""
    with access.reading(store, who) as db:
        funnel = referrals.referral_funnel(db, who.workspace_id)
    return ReferralFunnelOut.model_validate(asdict(funnel))


# Introductions


@router.get("/introductions", response_model=list[IntroductionOut], tags=["introductions"])
def list_introductions(store: StoreDep, who: ApiReader) -> list[IntroductionOut]:
    """Introductions, newest first, with the messages still to send (`lead introduce list`)."""
    with access.reading(store, who) as db:
        found = introductions.list_introductions(db, who.workspace_id, with_drafts=True)
    return [IntroductionOut.model_validate(asdict(i)) for i in found]


@router.get(
    "/introductions/candidates", response_model=list[IntroCandidateOut], tags=["introductions"]
)
def introduction_candidates(
    store: StoreDep,
    who: ApiReader,
    limit: Annotated[int, Query(ge=1, le=introductions.MAX_CANDIDATES)] = 20,
) -> list[IntroCandidateOut]:
    """Pairs where one person's need matches another's offer, best first."""
    with access.reading(store, who) as db:
        found = introductions.introduction_candidates(db, who.workspace_id, limit)
    return [IntroCandidateOut.model_validate(asdict(c)) for c in found]


@router.post(
    "/introductions",
    status_code=201,
    response_model=IntroductionOut,
    tags=["introductions"],
    responses=_missing("person"),
)
def propose_introduction(
    store: StoreDep, who: ApiWriter, body: IntroductionCreate
) -> IntroductionOut:
    """Start an introduction by double opt-in: a drafted question to each side."""
    with access.writing(store, who) as db:
        intro = introductions.propose_introduction(
            db, who.workspace_id, f"#{body.person_a}", f"#{body.person_b}", body.reason
        )
    return IntroductionOut.model_validate(asdict(intro))


@router.post(
    "/introductions/{intro_id:int}/accept",
    response_model=IntroductionOut,
    tags=["introductions"],
    responses=_missing("introduction") | conflict("The introduction is made or declined"),
)
def accept_introduction(
    store: StoreDep, who: ApiWriter, intro_id: RowId, body: SideIn
) -> IntroductionOut:
    """One side said yes; when both did, the introduction is drafted and counted."""
    with access.writing(store, who) as db:
        intro = introductions.accept_introduction(db, who.workspace_id, intro_id, body.side)
    return IntroductionOut.model_validate(asdict(intro))


@router.post(
    "/introductions/{intro_id:int}/decline",
    response_model=IntroductionOut,
    tags=["introductions"],
    responses=_missing("introduction") | conflict("The introduction is made or declined"),
)
def decline_introduction(
    store: StoreDep, who: ApiWriter, intro_id: RowId, body: SideIn
) -> IntroductionOut:
    """One side said no: the introduction is not made."""
    with access.writing(store, who) as db:
        intro = introductions.decline_introduction(db, who.workspace_id, intro_id, body.side)
    return IntroductionOut.model_validate(asdict(intro))
