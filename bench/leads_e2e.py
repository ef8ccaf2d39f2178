"""Leads and paths end to end on the largest network to plan for: 30,000 people, 1M interactions.

Builds (once, then reuses) the demo generator's workspace "bench" in a SQLite file, then times:
- the `lead` commands as a user runs them, each a fresh process (start-up included):
  `leads add` (stores the lead and shows matches), `leads match`, `referrers`,
  `path PERSON` and `path COMPANY`;
- the same work in-process, split into loading (people, strengths, ties into the trust graph
  and the match index) and answering;
- the peer for paths: NetworkX `all_simple_paths(cutoff=3)` from the user to the same person
  on the same graph, scoring every path by its trust product (what top-k needs), and the ratio.

Run: .venv/bin/python bench/leads_e2e.py [--data-dir /tmp/lead-bench] [--semantic]
"""

from __future__ import annotations

import argparse
import itertools
import math
import os
import subprocess
import sys
import time
from pathlib import Path

import networkx as nx
from sqlalchemy import select

from takethelead.config import Settings
from takethelead.services.core.store import Store, workspace_id
from takethelead.services.demo import build_demo
from takethelead.services.leads.embeddings import load_embedder
from takethelead.services.leads.leads import add_lead, find_referrers, match_lead
from takethelead.services.leads.paths import MAX_HOPS, ME, find_paths, load_network
from takethelead.services.relationships.scoring import rescore_all
from takethelead.storage.tables import Person, Workspace

WORKSPACE = "bench"
PEOPLE = 30_000
INTERACTIONS = 1_000_000
LEAD = "Maria's bakery needs a bookkeeper who knows payroll"


def prepare(store: Store) -> tuple[int, str, str]:
    """The bench workspace (built when missing), a person and a company to reach."""
    with store.transaction() as session:
        found = session.scalar(select(Workspace.id).where(Workspace.name == WORKSPACE))
        if found is None:
            started = time.perf_counter()
            build_demo(session, WORKSPACE, people=PEOPLE, interactions=INTERACTIONS)
            print(f"built {PEOPLE:,} people, {INTERACTIONS:,} interactions "
                  f"in {time.perf_counter() - started:.0f} s")  # fmt: skip
    with store.transaction() as session:
        ws = workspace_id(session, WORKSPACE)
        unscored = select(Person.id).where(
            Person.workspace_id == ws, Person.is_me.is_(False), Person.strength.is_(None)
        )
        if session.scalar(unscored.limit(1)):
            started = time.perf_counter()
            rescore_all(session, ws)
            print(f"scored every tie in {time.perf_counter() - started:.1f} s")
        person = session.scalar(
            select(Person.id)
            .where(Person.workspace_id == ws, Person.is_me.is_(False))
            .order_by(Person.strength)
            .limit(1)
        )
        company = session.scalar(
            select(Person.company)
            .where(Person.workspace_id == ws, Person.is_me.is_(False), Person.company != "")
            .limit(1)
        )
    assert person is not None and company is not None
    return ws, f"#{person}", company


def run_cli(env: dict[str, str], *args: str) -> float:
    started = time.perf_counter()
    done = subprocess.run(
        [str(Path(sys.executable).parent / "lead"), "-w", WORKSPACE, *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"lead {' '.join(args)} failed: {done.stderr.strip()}")
    return seconds


def timed(label: str, seconds: float) -> None:
    print(f"  {label:44s} {seconds * 1e3:9.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default="/tmp/lead-bench")
    parser.add_argument("--semantic", action="store_true", help="also fuse MiniLM embeddings")
    args = parser.parse_args()
    env = {**os.environ, "LEAD_DATA_DIR": args.data_dir, "COLUMNS": "200"}
    env.pop("DATABASE_URL", None)
    settings = Settings.from_env({"LEAD_DATA_DIR": args.data_dir})
    store = Store.open(settings)
    ws, person, company = prepare(store)
    semantic = ["--semantic"] if args.semantic else ["--no-semantic"]
    embedder = load_embedder(settings.data_dir / "cache") if args.semantic else None

    print(f"In-process ({'BM25 + MiniLM' if args.semantic else 'BM25'}):")
    with store.transaction() as session:
        started = time.perf_counter()
        lead = add_lead(session, ws, LEAD)
        found = match_lead(session, ws, lead.id, 5, embedder)
        timed("add a lead + match it (load and rank)", time.perf_counter() - started)
        print(f"    best: {found.matches[0].full_name}: {found.matches[0].why}")
        started = time.perf_counter()
        find_referrers(session, ws, 10, embedder)
        timed("referrers", time.perf_counter() - started)
        started = time.perf_counter()
        network = load_network(session, ws)
        load = time.perf_counter() - started
        timed(f"load trust graph ({network.graph.n_edges:,} directed ties)", load)
        started = time.perf_counter()
        report = find_paths(session, ws, person, 5)
        timed(f"path to one person ({report.target})", time.perf_counter() - started)
        started = time.perf_counter()
        report = find_paths(session, ws, company, 5)
        timed(f"path to a company ({report.targets:,} people)", time.perf_counter() - started)
        session.rollback()

    print("End to end (`lead …` in a fresh process each, start-up included):")
    startup = run_cli(env, "--help")
    timed("lead --help (start-up alone)", startup)
    timed("lead leads add TEXT (shows matches)", run_cli(env, "leads", "add", LEAD, *semantic))
    timed("lead leads match ID", run_cli(env, "leads", "match", "1", *semantic))
    timed("lead referrers", run_cli(env, "referrers", *semantic))
    timed(f"lead path {person}", run_cli(env, "path", person))
    timed(f"lead path {company!r}", run_cli(env, "path", company))

    print("Peer: NetworkX all_simple_paths(cutoff=3), scored by trust product:")
    with store.transaction() as session:
        network = load_network(session, ws)
        target = network.node(int(person.lstrip("#")))
    graph = nx.Graph()
    g = network.graph
    for u in range(g.n_nodes):
        lo, hi = g.out_ptr[u], g.out_ptr[u + 1]
        for v, w in zip(g.out_ids[lo:hi].tolist(), g.out_trust[lo:hi].tolist(), strict=True):
            if u < v:
                graph.add_edge(u, v, trust=w)
    blocked = {int(i) for i in g.distrusted.nonzero()[0]} - {ME, target}
    started = time.perf_counter()
    scored = sorted(
        (
            math.prod(graph[a][b]["trust"] for a, b in itertools.pairwise(p)),
            tuple(p),
        )
        for p in nx.all_simple_paths(graph, ME, target, cutoff=MAX_HOPS)
        if not blocked.intersection(p[1:-1])
    )[::-1][:5]
    peer = time.perf_counter() - started
    with store.transaction() as session:
        started = time.perf_counter()
        ours = find_paths(session, ws, person, 5)
        mine = time.perf_counter() - started
    same = [round(t, 9) for t, _ in scored] == [round(p.trust, 9) for p in ours.paths]
    timed("NetworkX top 5 paths", peer)
    timed("ours (graph load included)", mine)
    print(f"  ratio NetworkX / ours: {peer / mine:.1f}x; same top-5 trusts: {same}")
    store.close()


if __name__ == "__main__":
    main()
