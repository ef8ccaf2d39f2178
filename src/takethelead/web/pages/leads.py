"""Leads and who could serve them, the referral ledger and funnel, introductions, trusted paths."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Final, Literal

from fastapi import APIRouter, Form, Query, Request
from starlette.responses import RedirectResponse, Response

from takethelead.domain.matching import Embedder
from takethelead.services.auth import access
from takethelead.services.auth.access import Principal
from takethelead.services.core.errors import NotFound, ServiceError
from takethelead.services.core.store import Store
from takethelead.services.leads import introductions, leads, paths, profile, referrals
from takethelead.services.leads.embeddings import shared_embedder
from takethelead.services.people.people import resolve_person
from takethelead.web.charts import funnel_chart
from takethelead.web.deps import Reader, RowId, StoreDep, Writer
from takethelead.web.templating import render

router = APIRouter()
MATCHES: Final = 5
CANDIDATES: Final = 8
LeadStatus = Literal["", "open", "passed", "closed"]
Side = Literal["a", "b"]


def _embedder(request: Request) -> Embedder | None:
    # Pages match by BM25 (re-ranked by ties, paths and track record): at 30,000 people an
    # embedding search adds 60-120 ms a query (the model, then 30,000 cosines), more than a
    # page may take. `?semantic=1` asks for MiniLM as `lead leads match` uses it.
    if request.query_params.get("semantic") != "1":
        return None
    store: Store = request.app.state.store
    return shared_embedder(store.settings.data_dir / "cache")


def _attempt(write: Callable[[], Response], page: Callable[[str], Response]) -> Response:
    """Do the write; a mistake in the form shows the page again with what was wrong."""
    try:
        return write()
    except NotFound:
        raise
    except ServiceError as exc:
        return page(str(exc))


def _see(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


# Leads


@router.get("/leads")
def leads_page(
    request: Request, store: StoreDep, who: Reader, status: Annotated[LeadStatus, Query()] = ""
) -> Response:
    return _leads(request, store, who, status)


def _leads(
    request: Request,
    store: Store,
    who: Principal,
    status: str = "",
    error: str | None = None,
    text: str = "",
    source: str = "",
) -> Response:
    with access.reading(store, who) as db:
        found = leads.list_leads(db, who.workspace_id, status or None)
        mine = profile.my_profile(db, who.workspace_id)
    return render(request, "leads/index.html", who, 400 if error else 200, leads=found,
                  status=status, statuses=leads.LEAD_STATUSES, profile=mine, error=error,
                  text=text, source=source)  # fmt: skip


@router.post("/leads")
def add_lead(
    request: Request,
    store: StoreDep,
    who: Writer,
    text: Annotated[str, Form(max_length=5000)],
    source: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    def write() -> Response:
        with access.writing(store, who) as db:
            lead = leads.add_lead(db, who.workspace_id, text, source.strip() or None)
        return _see(f"/leads/{lead.id}")

    return _attempt(
        write, lambda error: _leads(request, store, who, error=error, text=text, source=source)
    )


@router.get("/leads/{lead_id}")
def lead_page(request: Request, store: StoreDep, who: Reader, lead_id: RowId) -> Response:
    return _lead(request, store, who, lead_id)


def _lead(
    request: Request, store: Store, who: Principal, lead_id: int, error: str | None = None
) -> Response:
    embedder = _embedder(request)
    with access.reading(store, who) as db:
        found = leads.match_lead(db, who.workspace_id, lead_id, MATCHES, embedder)
        # BM25 alone for this second list: one embedding search per page keeps it fast.
        referrers = leads.find_referrers(db, who.workspace_id, MATCHES, None, need=found.lead.text)
        given = [
            r
            for r in referrals.list_referrals(db, who.workspace_id, direction="given")
            if r.lead_id == lead_id
        ]
    serving = {m.person_id for m in found.matches}
    others = [m for m in referrers.matches if m.person_id not in serving]
    return render(request, "leads/lead.html", who, 400 if error else 200, lead=found.lead,
                  found=found, referrers=others, referrals=given, error=error)  # fmt: skip


@router.post("/leads/{lead_id}/pass")
def pass_lead(
    request: Request,
    store: StoreDep,
    who: Writer,
    lead_id: RowId,
    to: Annotated[str, Form(max_length=300)],
    note: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    def write() -> Response:
        with access.writing(store, who) as db:
            referral = leads.pass_lead(db, who.workspace_id, lead_id, to, note)
        return _see(f"/referrals#referral-{referral.id}")

    return _attempt(write, lambda error: _lead(request, store, who, lead_id, error))


@router.post("/leads/{lead_id}/status")
def lead_status(
    request: Request,
    store: StoreDep,
    who: Writer,
    lead_id: RowId,
    status: Annotated[Literal["open", "passed", "closed"], Form()],
) -> Response:
    with access.writing(store, who) as db:
        leads.set_lead_status(db, who.workspace_id, lead_id, status)
    return _see(f"/leads/{lead_id}")


@router.post("/profile")
def save_profile(
    request: Request,
    store: StoreDep,
    who: Writer,
    offer: Annotated[str, Form(max_length=5000)] = "",
    lead_profile: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    def write() -> Response:
        with access.writing(store, who) as db:
            profile.set_my_profile(
                db, who.workspace_id, offer if offer.strip() else None,
                lead_profile if lead_profile.strip() else None,
            )  # fmt: skip
        return _see("/leads#profile")

    return _attempt(write, lambda error: _leads(request, store, who, error=error))


@router.get("/referrers")
def referrers_page(request: Request, store: StoreDep, who: Reader) -> Response:
    embedder = _embedder(request)
    error = None
    with access.reading(store, who) as db:
        mine = profile.my_profile(db, who.workspace_id)
        try:
            found: leads.Referrers | None = leads.find_referrers(db, who.workspace_id, 10, embedder)
        except ServiceError as exc:
            found, error = None, str(exc)
    return render(request, "leads/referrers.html", who, found=found, profile=mine, error=error)


# Referrals


@router.get("/referrals")
def referrals_page(
    request: Request,
    store: StoreDep,
    who: Reader,
    direction: Annotated[Literal["", "given", "received"], Query()] = "",
) -> Response:
    return _referrals(request, store, who, direction)


def _referrals(
    request: Request,
    store: Store,
    who: Principal,
    direction: str = "",
    error: str | None = None,
    form: dict[str, Any] | None = None,
) -> Response:
    with access.reading(store, who) as db:
        found = referrals.list_referrals(db, who.workspace_id, direction=direction or None)
        funnel = referrals.referral_funnel(db, who.workspace_id)
    charts = (
        funnel_chart(funnel.given, "Leads you passed on"),
        funnel_chart(funnel.received, "Referrals you received"),
    )
    return render(request, "leads/referrals.html", who, 400 if error else 200,
                  referrals=found, funnel=funnel, charts=charts, direction=direction,
                  statuses=referrals.STATUSES, steps=_steps(), error=error,
                  form=form or {})  # fmt: skip


def _steps() -> dict[str, tuple[str, ...]]:
    """The statuses a referral may move on to from each status."""
    order = referrals.STATUSES
    return {
        s: () if s in referrals.FINAL else tuple(x for x in order[order.index(s) + 1 :])
        for s in order
    }


def _amount(value: str, field: str = "value") -> float | None:
    if not value.strip():
        return None
    try:
        return float(value.replace(",", "").strip())
    except ValueError:
        raise ServiceError(f"{field}: expected an amount such as 1200") from None


@router.post("/referrals")
def record_referral(
    request: Request,
    store: StoreDep,
    who: Writer,
    direction: Annotated[Literal["given", "received"], Form()],
    person: Annotated[str, Form(max_length=300)],
    note: Annotated[str, Form(max_length=5000)] = "",
    value: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    def write() -> Response:
        amount = _amount(value)
        with access.writing(store, who) as db:
            person_id = resolve_person(db, who.workspace_id, person)
            referral = referrals.record_referral(
                db, who.workspace_id, direction, person_id, note, amount
            )
        return _see(f"/referrals#referral-{referral.id}")

    form = {"direction": direction, "person": person, "note": note, "value": value}
    return _attempt(write, lambda error: _referrals(request, store, who, error=error, form=form))


@router.post("/referrals/{referral_id}")
def update_referral(
    request: Request,
    store: StoreDep,
    who: Writer,
    referral_id: RowId,
    status: Annotated[Literal["given", "contacted", "met", "won", "lost"], Form()],
    value: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    def write() -> Response:
        amount = _amount(value)
        with access.writing(store, who) as db:
            referrals.update_referral(db, who.workspace_id, referral_id, status, amount)
        return _see(f"/referrals#referral-{referral_id}")

    return _attempt(write, lambda error: _referrals(request, store, who, error=error))


# Introductions


@router.get("/introductions")
def introductions_page(request: Request, store: StoreDep, who: Reader) -> Response:
    return _introductions(request, store, who)


def _introductions(
    request: Request, store: Store, who: Principal, error: str | None = None
) -> Response:
    with access.reading(store, who) as db:
        found = introductions.list_introductions(db, who.workspace_id, with_drafts=True)
        candidates = (
            introductions.introduction_candidates(db, who.workspace_id, CANDIDATES)
            if who.can_write
            else []
        )
    return render(request, "leads/introductions.html", who, 400 if error else 200,
                  introductions=found, candidates=candidates, error=error)  # fmt: skip


@router.post("/introductions")
def propose_introduction(
    request: Request,
    store: StoreDep,
    who: Writer,
    first: Annotated[str, Form(max_length=300)],
    second: Annotated[str, Form(max_length=300)],
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    def write() -> Response:
        with access.writing(store, who) as db:
            intro = introductions.propose_introduction(db, who.workspace_id, first, second, reason)
        return _see(f"/introductions#introduction-{intro.id}")

    return _attempt(write, lambda error: _introductions(request, store, who, error))


@router.post("/introductions/{intro_id}/accept")
def accept_introduction(
    request: Request,
    store: StoreDep,
    who: Writer,
    intro_id: RowId,
    side: Annotated[Side, Form()],
) -> Response:
    def write() -> Response:
        with access.writing(store, who) as db:
            introductions.accept_introduction(db, who.workspace_id, intro_id, side)
        return _see(f"/introductions#introduction-{intro_id}")

    return _attempt(write, lambda error: _introductions(request, store, who, error))


@router.post("/introductions/{intro_id}/decline")
def decline_introduction(
    request: Request,
    store: StoreDep,
    who: Writer,
    intro_id: RowId,
    side: Annotated[Side, Form()],
) -> Response:
    def write() -> Response:
        with access.writing(store, who) as db:
            introductions.decline_introduction(db, who.workspace_id, intro_id, side)
        return _see(f"/introductions#introduction-{intro_id}")

    return _attempt(write, lambda error: _introductions(request, store, who, error))


# Paths


@router.get("/paths/{person_id}")
def paths_fragment(request: Request, store: StoreDep, who: Reader, person_id: RowId) -> Response:
    """The most trusted paths to a person, as a fragment for the person's page (htmx)."""
    with access.reading(store, who) as db:
        try:
            report: paths.PathReport | None = paths.paths_to_person(db, who.workspace_id, person_id)
            note = None
        except NotFound:
            raise
        except ServiceError as exc:
            report, note = None, str(exc)
    return render(request, "leads/paths.html", who, report=report, note=note)
