"""Trusted introduction paths: who to ask, in turn, to reach a person or a company.

The graph has the user as node 0 and every contact as nodes 1..n. The user's own ties carry
their tie strength (the `person.strength` cache); ties between contacts carry the trust of
their `tie` rows (recorded by the user, or inferred from shared meetings and threads).
Paths of up to three hops are ranked by the product of their trusts; the widest path (the
strongest weakest link) is shown too. Distrusted people are never asked to pass a request on.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Final

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from takethelead.domain.identities import fold
from takethelead.domain.paths import TrustGraph, TrustPath, build_trust_graph, top_trusted_paths
from takethelead.domain.paths import widest_path as domain_widest_path
from takethelead.services.core.errors import NotFound, ServiceError
from takethelead.services.core.workspacecache import WorkspaceCache
from takethelead.services.people.people import resolve_person
from takethelead.services.relationships.scoring import rescore_all
from takethelead.storage.tables import Person, Tie

MAX_HOPS: Final = 3
MAX_PATHS: Final = 50
ME: Final = 0


@dataclass(frozen=True)
class TrustNetwork:
    """The workspace as a trust graph: node 0 is the user, node i + 1 is person_ids[i]."""

    graph: TrustGraph
    person_ids: NDArray[np.int64]  # sorted
    names: list[str]
    strength: NDArray[np.float64]
    # Best path trust by person: the network never changes once built, so it is kept.
    known_trust: dict[int, float] = field(default_factory=dict, compare=False, repr=False)

    def node(self, person_id: int) -> int:
        """The graph node of a person id."""
        at = int(np.searchsorted(self.person_ids, person_id))
        if at >= len(self.person_ids) or self.person_ids[at] != person_id:
            raise NotFound(f"no person #{person_id} among your contacts")
        return at + 1

    def person(self, node: int) -> int:
        return int(self.person_ids[node - 1])

    def name(self, node: int) -> str:
        return "you" if node == ME else self.names[node - 1]


@dataclass(frozen=True, slots=True)
class PathStep:
    """One person on a path, the trust of the tie that reaches them and why it holds."""

    person_id: int
    full_name: str
    trust: float
    why: str


@dataclass(frozen=True, slots=True)
class IntroPath:
    """A chain of introductions to one target, with who to ask first and why."""

    target_id: int
    target: str
    trust: float
    weakest: float
    hops: int
    ask_id: int
    ask: str
    steps: tuple[PathStep, ...]
    explanation: str


@dataclass(frozen=True, slots=True)
class PathReport:
    """The best paths to a person (or to anyone at a company) and the widest one."""

    query: str
    target: str  # the person's name, or the company as the workspace spells it
    company: str | None
    targets: int
    paths: tuple[IntroPath, ...]
    widest: IntroPath | None
    distrusted_avoided: int


def load_network(session: Session, workspace_id: int) -> TrustNetwork:
    """Read people, tie strengths and contact-to-contact ties into one trust graph."""
    rows = _people(session, workspace_id)
    if any(r[2] is None for r in rows):  # never scored (new people, an import): score them now
        rescore_all(session, workspace_id)
        rows = _people(session, workspace_id)
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    strength = np.array([r[2] or 0.0 for r in rows], dtype=np.float64)
    distrusted = [i + 1 for i, r in enumerate(rows) if r[3]]
    ties = session.execute(
        text("SELECT person_a, person_b, trust FROM tie WHERE workspace_id = :ws"),
        {"ws": workspace_id},
    ).all()
    a = np.array([t[0] for t in ties], dtype=np.int64)
    b = np.array([t[1] for t in ties], dtype=np.int64)
    trust = np.array([t[2] for t in ties], dtype=np.float64)
    known = np.zeros(len(ties), dtype=np.bool_)
    ia = ib = np.zeros(len(ties), dtype=np.int64)
    if len(ids):
        ia = np.minimum(np.searchsorted(ids, a), len(ids) - 1)
        ib = np.minimum(np.searchsorted(ids, b), len(ids) - 1)
        known = (ids[ia] == a) & (ids[ib] == b) & (trust > 0.0)
    mine = np.flatnonzero(strength > 0.0)
    graph = build_trust_graph(
        len(ids) + 1,
        np.concatenate([np.zeros(len(mine), np.int64), ia[known] + 1]),
        np.concatenate([mine + 1, ib[known] + 1]),
        np.concatenate([np.minimum(strength[mine], 1.0), np.minimum(trust[known], 1.0)]),
        distrusted=distrusted,
        undirected=True,
    )
    return TrustNetwork(graph, ids, [r[1] for r in rows], strength)


NETWORKS: Final[WorkspaceCache[TrustNetwork]] = WorkspaceCache()


def trust_network(session: Session, workspace_id: int) -> TrustNetwork:
    """The workspace's trust graph, built once and reused until its people or ties change."""
    return NETWORKS.get(session, workspace_id, lambda: load_network(session, workspace_id))


def _people(session: Session, workspace_id: int) -> list[tuple[int, str, float | None, bool]]:
    rows = session.execute(
        text(
            "SELECT id, full_name, strength, distrusted FROM person "
            "WHERE workspace_id = :ws AND is_me = :no ORDER BY id"
        ),
        {"ws": workspace_id, "no": False},
    ).all()
    return [(int(r[0]), str(r[1]), r[2], bool(r[3])) for r in rows]


def best_path_trust(network: TrustNetwork, person_id: int) -> float:
    """Trust of the best path of up to three hops from the user to a person (0: none)."""
    known = network.known_trust.get(person_id)
    if known is None:
        node = network.node(person_id)
        found = top_trusted_paths(network.graph, ME, node, 1, max_hops=MAX_HOPS)
        known = network.known_trust[person_id] = found[0].trust if found else 0.0
    return known


def find_paths(
    session: Session, workspace_id: int, query: str, k: int = 5, company: bool = False
) -> PathReport:
    """The k most trusted paths to a person or to anyone at a company, and the widest one."""
    _check_k(k)
    company_name, targets = _targets(session, workspace_id, query, company)
    return _report(session, workspace_id, query, company_name, targets, k)


def paths_to_person(session: Session, workspace_id: int, person_id: int, k: int = 5) -> PathReport:
    """The k most trusted paths to one of your contacts, and the widest one."""
    _check_k(k)
    is_me = session.scalar(
        select(Person.is_me).where(Person.id == person_id, Person.workspace_id == workspace_id)
    )
    if is_me is None:
        raise NotFound(f"person #{person_id}: not one of your contacts")
    if is_me:
        raise NotFound("paths: this is you; paths lead from you to your contacts")
    return _report(session, workspace_id, f"#{person_id}", None, [person_id], k)


def _check_k(k: int) -> None:
    if not 1 <= k <= MAX_PATHS:
        raise ServiceError(f"top: expected between 1 and {MAX_PATHS} paths")


def _report(
    session: Session,
    workspace_id: int,
    query: str,
    company_name: str | None,
    targets: list[int],
    k: int,
) -> PathReport:
    network = trust_network(session, workspace_id)
    found: list[TrustPath] = []
    widest: TrustPath | None = None
    for person_id in targets:
        node = network.node(person_id)
        found += top_trusted_paths(network.graph, ME, node, k, max_hops=MAX_HOPS)
        wide = domain_widest_path(network.graph, ME, node, max_hops=MAX_HOPS)
        if wide is not None and (widest is None or _wider(wide, widest)):
            widest = wide
    found.sort(key=lambda p: (-p.trust, p.hops, p.nodes))
    chosen = found[:k]
    evidence = _evidence(session, workspace_id, network, [*chosen, *([widest] if widest else [])])
    name = company_name or network.name(network.node(targets[0]))
    return PathReport(
        query=query,
        target=name,
        company=company_name,
        targets=len(targets),
        paths=tuple(_describe(network, p, evidence) for p in chosen),
        widest=None if widest is None else _describe(network, widest, evidence),
        distrusted_avoided=int(network.graph.distrusted.sum()),
    )


def _wider(path: TrustPath, than: TrustPath) -> bool:
    return (path.weakest, path.trust, -path.hops) > (than.weakest, than.trust, -than.hops)


def _targets(
    session: Session, workspace_id: int, query: str, company: bool
) -> tuple[str | None, list[int]]:
    """People at the company the query names exactly (or, failing a person, partly)."""
    wanted = fold(query).strip()
    if not wanted:
        raise ServiceError("target: expected a person's name or a company")
    rows = session.execute(
        select(Person.id, Person.company).where(
            Person.workspace_id == workspace_id, Person.is_me.is_(False), Person.company != ""
        )
    ).all()
    by_company: dict[str, list[int]] = defaultdict(list)
    spelled: dict[str, str] = {}
    for pid, name in rows:
        key = fold(name).strip()
        by_company[key].append(pid)
        spelled.setdefault(key, name)
    if wanted in by_company:
        return spelled[wanted], sorted(by_company[wanted])
    if not company:
        try:
            return None, [resolve_person(session, workspace_id, query)]
        except NotFound:
            pass
    pattern = re.compile(r"\b" + re.escape(wanted))
    partial = sorted(key for key in by_company if pattern.search(key))
    if len(partial) == 1:
        return spelled[partial[0]], sorted(by_company[partial[0]])
    if len(partial) > 1:
        listed = "; ".join(spelled[key] for key in partial[:10])
        raise ServiceError(f"company {query!r} matches several companies: {listed}")
    raise NotFound(f"nobody and no company matches {query!r}: try `lead people search WORD`")


Evidence = dict[tuple[int, int], list[tuple[str, int]]]


def _evidence(
    session: Session, workspace_id: int, network: TrustNetwork, paths: list[TrustPath]
) -> Evidence:
    """Where each contact-to-contact tie on the paths came from: (source, gatherings)."""
    pairs = {
        tuple(sorted((network.person(u), network.person(v))))
        for path in paths
        for u, v in zip(path.nodes[1:], path.nodes[2:], strict=False)
    }
    found: Evidence = defaultdict(list)
    people = sorted({p for pair in pairs for p in pair})
    if not people:
        return found
    rows = session.execute(
        select(Tie.person_a, Tie.person_b, Tie.source, Tie.evidence)
        .where(Tie.workspace_id == workspace_id, Tie.person_a.in_(people), Tie.person_b.in_(people))
        .order_by(Tie.source)
    ).all()
    for a, b, source, count in rows:
        if (a, b) in pairs:
            found[(a, b)].append((source, count))
    return found


def strength_label(strength: float) -> str:
    """How the user's own tie reads in words."""
    if strength >= 0.6:
        return "close tie"
    if strength >= 0.3:
        return "regular contact"
    return "weak tie"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _knows(name: str, other: str, sources: list[tuple[str, int]]) -> str:
    said = []
    for source, count in sources:
        if source == "meeting":
            said.append(f"met {other} at {_plural(count, 'meeting')}")
        elif source == "thread":
            said.append(f"wrote with {other} in {_plural(count, 'thread')}")
        elif source == "manual":
            said.append(f"knows {other} (you noted it)")
        else:
            said.append(f"knows {other} ({source})")
    return f"{name} " + (" and ".join(said) or f"knows {other}")


def _describe(network: TrustNetwork, path: TrustPath, evidence: Evidence) -> IntroPath:
    steps = []
    for u, v, trust in zip(path.nodes, path.nodes[1:], path.edge_trust, strict=False):
        if u == ME:
            why = f"{strength_label(trust)}, {trust:.2f}"
        else:
            pair = tuple(sorted((network.person(u), network.person(v))))
            sources = evidence.get((pair[0], pair[1]), [])
            why = f"{_knows(network.name(u), network.name(v), sources)} (trust {trust:.2f})"
        steps.append(PathStep(network.person(v), network.name(v), trust, why))
    first, target = steps[0], steps[-1]
    if path.hops == 1:
        explanation = f"reach out directly: you know {target.full_name} yourself ({first.why})"
    else:
        vouch = "; ".join(step.why for step in steps[1:])
        explanation = f"ask {first.full_name} ({first.why}): {vouch}"
    return IntroPath(
        target_id=target.person_id,
        target=target.full_name,
        trust=path.trust,
        weakest=path.weakest,
        hops=path.hops,
        ask_id=first.person_id,
        ask=first.full_name,
        steps=tuple(steps),
        explanation=explanation,
    )
