"""Networks: list and add."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter

from takethelead.services import access
from takethelead.services.networks import add_network, list_networks
from takethelead.web.api.schemas import NetworkCreate, NetworkOut
from takethelead.web.deps import ApiReader, ApiWriter, StoreDep

router = APIRouter(prefix="/networks", tags=["networks"])


@router.get("", response_model=list[NetworkOut])
def get_networks(store: StoreDep, who: ApiReader) -> list[NetworkOut]:
    with access.reading(store, who) as db:
        return [NetworkOut.model_validate(asdict(n)) for n in list_networks(db, who.workspace_id)]


@router.post("", status_code=201, response_model=NetworkOut)
def create_network(store: StoreDep, who: ApiWriter, body: NetworkCreate) -> NetworkOut:
    with access.writing(store, who) as db:
        network_id = add_network(db, who.workspace_id, body.name, body.kind, body.url)
        found = next(n for n in list_networks(db, who.workspace_id) if n.id == network_id)
    return NetworkOut.model_validate(asdict(found))
