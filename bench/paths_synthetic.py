"""Trusted paths at scale: a synthetic network of 1,000,000 people and 10,000,000 ties.

Ties are undirected with Chung–Lu style endpoints (weight ∝ rank^-0.5, so a few people have
thousands of ties and most have a handful), trust uniform in [0.05, 1], 1% of people
distrusted. Self-ties are dropped and repeated pairs merged, so slightly fewer than 10M remain.
Queries are ≤ 3-hop most-trusted paths between (a) uniformly random pairs — mostly unreachable
in 3 hops, so this times the proof of absence — and (b) pairs 2–3 random steps apart.
Memory: tracemalloc peak while building (numpy reports its buffers to it) and the process RSS.

Run: .venv/bin/python bench/paths_synthetic.py [--people 1000000] [--ties 10000000]
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np

from takethelead.domain.paths import (
    TrustGraph,
    build_trust_graph,
    most_trusted_path,
    top_trusted_paths,
    widest_path,
)


def rss_mib() -> tuple[float, float]:
    """Current and peak resident memory of this process, in MiB (Linux)."""
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def walk(graph: TrustGraph, start: int, steps: int, rng: np.random.Generator) -> int:
    node = start
    for _ in range(steps):
        lo, hi = int(graph.out_ptr[node]), int(graph.out_ptr[node + 1])
        if lo == hi:
            break
        node = int(graph.out_ids[rng.integers(lo, hi)])
    return node


def timed(query: Callable[[int, int], object], pairs: list[tuple[int, int]]) -> list[float]:
    times = []
    for s, t in pairs:
        started = time.perf_counter()
        query(s, t)
        times.append((time.perf_counter() - started) * 1e3)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--ties", type=int, default=10_000_000)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--unbounded", type=int, default=20, help="near pairs for unbounded search")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)

    started = time.perf_counter()
    weight = rng.permutation(np.arange(1, args.people + 1, dtype=np.float64) ** -0.5)
    weight /= weight.sum()
    ends = rng.choice(args.people, size=(2, args.ties), p=weight)
    trust = rng.uniform(0.05, 1.0, size=args.ties)
    distrusted = rng.choice(args.people, size=args.people // 100, replace=False)
    generate = time.perf_counter() - started
    before, _ = rss_mib()

    tracemalloc.start()
    started = time.perf_counter()
    graph = build_trust_graph(
        args.people, ends[0], ends[1], trust, distrusted=distrusted.tolist(), undirected=True
    )
    load = time.perf_counter() - started
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del ends, trust
    after, high_water = rss_mib()
    degree = np.diff(graph.out_ptr)
    print(f"generated {args.ties:,} ties among {args.people:,} people in {generate:.1f} s")
    print(
        f"graph: {graph.n_edges // 2:,} undirected ties after merging, degree median "
        f"{int(np.median(degree))}, max {int(degree.max()):,}"
    )
    print(
        f"load (CSR build): {load:.2f} s; graph arrays {graph.nbytes / 2**20:.0f} MiB; "
        f"tracemalloc peak during build {traced_peak / 2**20:.0f} MiB; "
        f"RSS {before:.0f} → {after:.0f} MiB (high-water {high_water:.0f} MiB)"
    )

    random_pairs = [
        (int(s), int(t)) for s, t in rng.integers(0, args.people, size=(args.queries, 2)) if s != t
    ]
    near_pairs: list[tuple[int, int]] = []
    while len(near_pairs) < args.queries:
        s = int(rng.integers(args.people))
        t = walk(graph, s, int(rng.integers(2, 4)), rng)
        if t != s:
            near_pairs.append((s, t))

    def best3(s: int, t: int) -> object:
        return most_trusted_path(graph, s, t, max_hops=3)

    def top5(s: int, t: int) -> object:
        return top_trusted_paths(graph, s, t, 5, max_hops=3)

    def widest3(s: int, t: int) -> object:
        return widest_path(graph, s, t, max_hops=3)

    def unbounded(s: int, t: int) -> object:
        return most_trusted_path(graph, s, t)

    found = sum(best3(s, t) is not None for s, t in near_pairs)
    found_random = sum(best3(s, t) is not None for s, t in random_pairs)
    print(
        f"pairs with a ≤3-hop path: near {found}/{len(near_pairs)}, "
        f"random {found_random}/{len(random_pairs)}"
    )
    runs = [
        ("most trusted ≤3 hops, random pairs", best3, random_pairs),
        ("most trusted ≤3 hops, near pairs", best3, near_pairs),
        ("top-5 ≤3 hops, near pairs", top5, near_pairs),
        ("widest ≤3 hops, near pairs", widest3, near_pairs),
        ("most trusted unbounded, near pairs", unbounded, near_pairs[: args.unbounded]),
    ]
    for name, query, pairs in runs:
        times = timed(query, pairs)
        print(
            f"  {name:38s} n={len(times):4d}  p50 {np.percentile(times, 50):8.2f} ms  "
            f"p95 {np.percentile(times, 95):8.2f} ms  max {max(times):8.2f} ms"
        )


if __name__ == "__main__":
    main()
