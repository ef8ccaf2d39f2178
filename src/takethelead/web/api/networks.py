"""Networks: list and add."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter

from takethelead.services.auth import access
from takethelead.services.networks.networks import add_network, list_networks
from takethelead.services.networks.timeentries import rank_networks
from takethelead.web.api.schemas import NetworkCreate, NetworkOut, NetworkRankOut, conflict
from takethelead.web.deps import ApiReader, ApiWriter, StoreDep

router = APIRouter(prefix="/networks", tags=["networks"])


@router.get("", response_model=list[NetworkOut])
def get_networks(store: StoreDep, who: ApiReader) -> list[NetworkOut]:
    with access.reading(store, who) as db:
        return [NetworkOut.model_validate(asdict(n)) for n in list_networks(db, who.workspace_id)]


@router.get("/ranking", response_model=list[NetworkRankOut])
def get_ranking(store: StoreDep, who: ApiReader) -> list[NetworkRankOut]:
    """Networks by responses an hour spent there, best first (as `lead networks` ranks them)."""
    with access.reading(store, who) as db:
        ranked = rank_networks(db, who.workspace_id)
    return [
        NetworkRankOut(
            network_id=n.network_id,
            name=n.name,
            kind=n.kind,
            per_hour=round(n.mean, 4),
            low=round(n.low, 4),
            high=round(n.high, 4),
            hours=round(n.hours, 3),
            responses=round(n.outcomes, 3),
            has_evidence=n.has_evidence,
            sentence=n.sentence,
        )
        for n in ranked
    ]


@router.post(
    "",
    status_code=201,
    response_model=NetworkOut,
    responses=conflict("A network of that name exists already"),
)
def create_network(store: StoreDep, who: ApiWriter, body: NetworkCreate) -> NetworkOut:
    with access.writing(store, who) as db:
        network_id = add_network(db, who.workspace_id, body.name, body.kind, body.url)
        found = next(n for n in list_networks(db, who.workspace_id) if n.id == network_id)
    return NetworkOut.model_validate(asdict(found))
