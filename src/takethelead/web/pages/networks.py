"""Networks: where networking happens, and how well each answers the time spent there."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import RedirectResponse, Response

from takethelead.domain.records import NetworkKind
from takethelead.services.auth import access
from takethelead.services.core.errors import ServiceError
from takethelead.services.networks.networks import add_network, list_networks
from takethelead.services.networks.timeentries import rank_networks
from takethelead.web.charts import usefulness_chart
from takethelead.web.deps import Reader, StoreDep, Writer
from takethelead.web.templating import render

router = APIRouter()


@router.get("/networks")
def networks_page(request: Request, store: StoreDep, who: Reader) -> Response:
    return _page(request, store, who)


def _page(
    request: Request, store: StoreDep, who: access.Principal, error: str | None = None
) -> Response:
    with access.reading(store, who) as db:
        networks = list_networks(db, who.workspace_id)
        ranked = rank_networks(db, who.workspace_id)
    return render(
        request,
        "networks.html",
        who,
        400 if error else 200,
        networks=networks,
        ranked=ranked,
        usefulness=usefulness_chart(ranked),
        kinds=[k.value for k in NetworkKind],
        error=error,
    )


@router.post("/networks")
def create_network(
    request: Request,
    store: StoreDep,
    who: Writer,
    name: Annotated[str, Form(max_length=200)],
    kind: Annotated[str, Form(max_length=20)],
    url: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    try:
        with access.writing(store, who) as db:
            add_network(db, who.workspace_id, name, kind, url)
    except ServiceError as exc:
        return _page(request, store, who, str(exc))
    return RedirectResponse("/networks", status_code=303)
