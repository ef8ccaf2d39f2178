"""Burt's effective size and constraint for all 1,899 CollegeMsg egos, against NetworkX.

The graph is undirected and weighted: an edge's weight is the number of messages the two
people exchanged (either way); an unweighted copy is checked too. NetworkX runs on the
same graph in the same process and values must agree to 1e-9.

NetworkX 3.6's all-nodes call takes a sparse shortcut whose weighted effective size
divides by the wrong axis's maximum (networkx/networkx PR #8906); its per-node path
(`nodes=...`) follows the documented formula, so weighted effective size is checked
against that path. Pass --all to run the per-node path on every ego (slow).
Run: .venv/bin/python bench/egonet_speed.py [--all]
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import scipy.sparse as sp

from takethelead.domain.egonet import adjacency, structural_holes, two_hop_reach

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "CollegeMsg.txt"
SAMPLE = 100  # egos for NetworkX's per-node path unless --all


def best_of(runs: int, fn: Callable[[], Any]) -> tuple[float, Any]:
    """Fastest wall time of `runs` calls, and the last result."""
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def to_networkx(adj: sp.csr_array) -> nx.Graph:
    """The same undirected weighted graph as a NetworkX Graph."""
    graph = nx.Graph()
    graph.add_nodes_from(range(adj.shape[0]))
    coo = adj.tocoo()
    upper = coo.row < coo.col
    rows, cols, weights = coo.row[upper].tolist(), coo.col[upper].tolist(), coo.data[upper].tolist()
    edges = zip(rows, cols, weights, strict=True)
    graph.add_weighted_edges_from(edges)
    return graph


def gap(ours: np.ndarray, theirs: dict[int, float], nodes: list[int]) -> float:
    """Largest absolute difference; NaN (isolated) must match NaN."""
    ref = np.array([theirs[i] for i in nodes])
    assert np.array_equal(np.isnan(ours), np.isnan(ref))
    return float(np.nanmax(np.abs(ours - ref)))


def compare(name: str, adj: sp.csr_array, per_node: list[int]) -> None:
    """Time ours and NetworkX on one graph and check the values."""
    graph, weight = to_networkx(adj), "weight"
    n = adj.shape[0]
    ours, (effective, constraint) = best_of(3, lambda: structural_holes(adj))
    t_eff, nx_eff = best_of(1, lambda: nx.effective_size(graph, weight=weight))
    t_con, nx_con = best_of(1, lambda: nx.constraint(graph, weight=weight))
    everyone = list(range(n))
    eff_gap, con_gap = gap(effective, nx_eff, everyone), gap(constraint, nx_con, everyone)
    print(f"[{name}] ours, all {n} egos, both measures: {ours:.4f} s")
    print(
        f"[{name}] NetworkX all-node calls: {t_eff + t_con:.4f} s "
        f"(ratio {(t_eff + t_con) / ours:.1f}x); max |diff| constraint {con_gap:.1e}, "
        f"effective size {eff_gap:.1e}"
    )
    assert con_gap < 1e-9
    t_ours, (eff_s, con_s) = best_of(3, lambda: structural_holes(adj, per_node))
    t_loop, (loop_eff, loop_con) = best_of(
        1,
        lambda: (
            nx.effective_size(graph, nodes=per_node, weight=weight),
            nx.constraint(graph, nodes=per_node, weight=weight),
        ),
    )
    loop_gap = max(gap(eff_s, loop_eff, per_node), gap(con_s, loop_con, per_node))
    assert loop_gap < 1e-9, loop_gap
    print(
        f"[{name}] {len(per_node)} egos, ours {t_ours:.4f} s vs NetworkX per-node "
        f"{t_loop:.3f} s (ratio {t_loop / t_ours:.0f}x); max |diff| {loop_gap:.1e}"
    )


def main() -> None:
    raw = np.loadtxt(DATA, dtype=np.int64)
    ids, idx = np.unique(raw[:, :2], return_inverse=True)
    src, dst = idx.reshape(-1, 2).T
    n = len(ids)
    weighted = adjacency(src, dst, n)  # repeated messages add up: weight = messages exchanged
    unweighted = weighted.copy()
    unweighted.data[:] = 1.0
    print(f"CollegeMsg: {n} egos, {weighted.nnz // 2} undirected edges")
    rng = np.random.default_rng(0)
    per_node = (
        list(range(n)) if "--all" in sys.argv else sorted(rng.choice(n, SAMPLE, False).tolist())
    )
    compare("weight = messages", weighted, per_node)
    compare("unweighted", unweighted, per_node)

    reach_t, reach = best_of(3, lambda: two_hop_reach(weighted))
    graph = to_networkx(weighted)
    expected = [
        len(nx.single_source_shortest_path_length(graph, i, cutoff=2)) - 1 for i in per_node
    ]
    assert reach[per_node].tolist() == expected
    print(f"2-hop reach, all egos: {reach_t:.4f} s (equal to NetworkX BFS on the checked egos)")


if __name__ == "__main__":
    main()
