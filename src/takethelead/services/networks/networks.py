"""Networks: the places where networking happens."""

from __future__ import annotations

from typing import Final

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from takethelead.domain.records import NetworkKind
from takethelead.services.core.errors import Conflict, NotFound, ServiceError
from takethelead.services.core.views import NetworkView
from takethelead.services.networks.tallies import tallies
from takethelead.storage.tables import Network

DEFAULT_NAMES = {
    NetworkKind.LINKEDIN: "LinkedIn",
    NetworkKind.MASTODON: "Mastodon",
    NetworkKind.BLUESKY: "Bluesky",
    NetworkKind.DISCOURSE: "Forum (Discourse)",
    NetworkKind.X: "X",
    NetworkKind.FACEBOOK: "Facebook",
    NetworkKind.FORUM: "Forum",
    NetworkKind.EMAIL: "E-mail",
    NetworkKind.IN_PERSON: "In person",
    NetworkKind.OTHER: "Other",
}


def parse_kind(raw: str) -> NetworkKind:
    try:
        return NetworkKind(raw.strip().lower().replace("_", "-").replace("inperson", "in-person"))
    except ValueError:
        kinds = ", ".join(k.value for k in NetworkKind)
        raise ServiceError(f"network kind {raw!r}: expected one of {kinds}") from None


def add_network(session: Session, workspace_id: int, name: str, kind: str, url: str = "") -> int:
    """Create a network; names are unique within a workspace."""
    network_kind = parse_kind(kind)
    if not name.strip():
        raise ServiceError("network name: expected a non-empty name")
    exists = session.scalar(
        select(Network.id).where(Network.workspace_id == workspace_id, Network.name == name)
    )
    if exists is not None:
        raise Conflict(f"a network named {name!r} exists already")
    network = Network(workspace_id=workspace_id, name=name.strip(), kind=network_kind, url=url)
    session.add(network)
    session.flush()
    return network.id


def default_network(session: Session, workspace_id: int, kind: NetworkKind) -> int:
    """The first network of a kind, created with its default name when there is none."""
    found = session.scalar(
        select(Network.id)
        .where(Network.workspace_id == workspace_id, Network.kind == kind.value)
        .order_by(Network.id)
        .limit(1)
    )
    if found is not None:
        return found
    network = Network(workspace_id=workspace_id, name=DEFAULT_NAMES[kind], kind=kind.value)
    session.add(network)
    session.flush()
    return network.id


def resolve_network(session: Session, workspace_id: int, ref: str) -> int:
    """A network by name (case-insensitive), id or kind."""
    rows = session.execute(
        select(Network.id, Network.name, Network.kind).where(Network.workspace_id == workspace_id)
    ).all()
    wanted = ref.strip().lower()
    for network_id, name, _kind in rows:
        if name.lower() == wanted or str(network_id) == wanted.lstrip("#"):
            return int(network_id)
    by_kind = [r for r in rows if r[2] == wanted]
    if len(by_kind) == 1:
        return int(by_kind[0][0])
    try:
        kind = parse_kind(ref)
    except ServiceError:
        names = ", ".join(r[1] for r in rows) or "none yet"
        raise NotFound(f"no network {ref!r} (networks: {names})") from None
    return default_network(session, workspace_id, kind)


_NETWORKS: Final = text(
    "SELECT n.id, n.name, n.kind, n.url, coalesce(t.m, 0) FROM network n "
    "LEFT JOIN (SELECT network_id, sum(minutes) AS m FROM time_entry "
    "WHERE workspace_id = :ws GROUP BY network_id) t ON t.network_id = n.id "
    "WHERE n.workspace_id = :ws ORDER BY n.name"
)


def list_networks(session: Session, workspace_id: int) -> list[NetworkView]:
    """Networks with how many interactions and minutes each has seen."""
    counts = tallies(session, workspace_id).per_network
    rows = session.execute(_NETWORKS, {"ws": workspace_id}).all()
    return [
        NetworkView(
            id=r[0],
            name=r[1],
            kind=r[2],
            url=r[3],
            interactions=counts.get(r[0], 0),
            minutes_spent=int(r[4]),
        )
        for r in rows
    ]
