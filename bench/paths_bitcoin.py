"""Most trusted introduction paths on Bitcoin OTC: ours against NetworkX on the same queries.

Data: ../shared/data/soc-sign-bitcoinotc.csv (source,target,rating,unix_seconds), read in place.
Choices, stated:
- a positive rating r is a directed tie rater → ratee with trust r/10;
- negative ratings are not ties; a person whose mean received rating is negative is distrusted,
  i.e. never an intermediary (they may still be a target);
- NetworkX gets the equivalent graph: weight -log(trust), and the out-ties of distrusted people
  removed, which forbids them as intermediaries while keeping them reachable. Sources are drawn
  among trusted people with at least one tie, so that graph is exact for every query;
- the comparison is unbounded in hops (NetworkX has no hop-bounded weighted search); the ≤ 3-hop
  enumeration is timed too, and checked against brute force in tests/domain/test_paths.py.

Run: .venv/bin/python bench/paths_bitcoin.py [--pairs 1000] [--seed 7]
"""

from __future__ import annotations

import argparse
import contextlib
import math
import time
from pathlib import Path

import networkx as nx
import numpy as np

from takethelead.domain.paths import build_trust_graph, most_trusted_path, widest_path

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "soc-sign-bitcoinotc.csv"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    rows = np.loadtxt(DATA, delimiter=",", dtype=np.int64)
    src, dst, rating = rows[:, 0], rows[:, 1], rows[:, 2]
    n = int(max(src.max(), dst.max())) + 1
    received = np.bincount(dst, weights=rating, minlength=n)
    count = np.bincount(dst, minlength=n)
    distrusted = np.flatnonzero((count > 0) & (received < 0))
    positive = rating > 0

    started = time.perf_counter()
    graph = build_trust_graph(
        n, src[positive], dst[positive], rating[positive] / 10.0, distrusted=distrusted.tolist()
    )
    load_ours = time.perf_counter() - started

    started = time.perf_counter()
    bad = set(distrusted.tolist())
    peer = nx.DiGraph()
    peer.add_nodes_from(range(n))
    for u, v, r in zip(
        src[positive].tolist(), dst[positive].tolist(), rating[positive].tolist(), strict=True
    ):
        if u not in bad:
            peer.add_edge(u, v, weight=-math.log(r / 10.0))
    load_peer = time.perf_counter() - started

    rng = np.random.default_rng(args.seed)
    out_degree = np.diff(graph.out_ptr)
    in_degree = np.diff(graph.in_ptr)
    sources = np.flatnonzero((out_degree > 0) & ~graph.distrusted)
    targets = np.flatnonzero(in_degree > 0)
    pairs: list[tuple[int, int]] = []
    while len(pairs) < args.pairs:
        s, t = int(rng.choice(sources)), int(rng.choice(targets))
        if s != t:
            pairs.append((s, t))

    print(
        f"Bitcoin OTC: {n - 1:,} ids, {graph.n_edges:,} positive ties, "
        f"{len(distrusted):,} distrusted people (mean received rating < 0)"
    )
    print(f"load: ours {load_ours * 1e3:.1f} ms, NetworkX {load_peer * 1e3:.1f} ms")

    ours_ms, hop3_ms, widest_ms, peer_ms, peer_bi_ms = [], [], [], [], []
    mismatches = reachable = 0
    for s, t in pairs:
        started = time.perf_counter()
        path = most_trusted_path(graph, s, t)
        ours_ms.append((time.perf_counter() - started) * 1e3)

        started = time.perf_counter()
        most_trusted_path(graph, s, t, max_hops=3)
        hop3_ms.append((time.perf_counter() - started) * 1e3)

        started = time.perf_counter()
        widest_path(graph, s, t)
        widest_ms.append((time.perf_counter() - started) * 1e3)

        started = time.perf_counter()
        try:
            nodes = nx.dijkstra_path(peer, s, t)
        except nx.NetworkXNoPath:
            nodes = None
        peer_ms.append((time.perf_counter() - started) * 1e3)

        started = time.perf_counter()
        with contextlib.suppress(nx.NetworkXNoPath):
            nx.bidirectional_dijkstra(peer, s, t)
        peer_bi_ms.append((time.perf_counter() - started) * 1e3)

        if nodes is None:
            mismatches += path is not None
            continue
        reachable += 1
        expected = math.exp(-nx.path_weight(peer, nodes, "weight"))
        if path is None or abs(path.trust - expected) > 1e-9:
            mismatches += 1
            print(f"  mismatch {s}→{t}: ours {path}, NetworkX {nodes} ({expected:.12f})")

    def p(values: list[float], q: float) -> float:
        return float(np.percentile(values, q))

    print(
        f"{len(pairs)} random pairs, {reachable} reachable; "
        f"best-path trust differs from NetworkX (> 1e-9 or reachability) on {mismatches}"
    )
    for name, values in [
        ("ours most_trusted_path, unbounded", ours_ms),
        ("ours most_trusted_path, max_hops=3", hop3_ms),
        ("ours widest_path, unbounded", widest_ms),
        ("NetworkX dijkstra_path", peer_ms),
        ("NetworkX bidirectional_dijkstra", peer_bi_ms),
    ]:
        print(f"  {name:38s} p50 {p(values, 50):8.3f} ms  p95 {p(values, 95):8.3f} ms")
    print(
        f"ratio p50 NetworkX dijkstra_path / ours unbounded: {p(peer_ms, 50) / p(ours_ms, 50):.1f}×"
    )
    print(
        f"ratio p50 NetworkX bidirectional_dijkstra / ours unbounded: "
        f"{p(peer_bi_ms, 50) / p(ours_ms, 50):.1f}×"
    )


if __name__ == "__main__":
    main()
