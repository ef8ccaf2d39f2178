"""Trusted introduction paths: who to ask, in turn, to reach someone.

People are ids 0..n-1; a tie u→v with trust in (0, 1] means u would pass a request to v.
A path's trust is the product of its edge trusts (maximising it is Dijkstra on -log trust;
we multiply directly, which orders paths identically and saves storing logs). The widest path
maximises the weakest edge instead.

Distrusted people are never intermediaries. They may be the source or the target: the user may
still want to reach (or start from) someone they distrust, we only refuse to route a request
through them.

Paths of up to three hops are enumerated exactly by meeting in the middle: out-neighbours of the
source against in-neighbours of the target, expanding whichever side touches fewer edges. That
gives exact, loopless top-k lists and hop-bounded answers (plain Dijkstra cannot bound hops).
Unbounded queries use a bidirectional Dijkstra seeded with the best short path as a bound.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

MAX_ENUMERATED_HOPS = 3

Ints = NDArray[np.int64]
Floats = NDArray[np.float64]
Score = Callable[[Floats], Floats]


@dataclass(frozen=True, slots=True, eq=False)
class TrustGraph:
    """Ties between people stored as CSR rows out of and into each person."""

    out_ptr: Ints
    out_ids: NDArray[np.int32]
    out_trust: Floats
    in_ptr: Ints
    in_ids: NDArray[np.int32]
    in_trust: Floats
    distrusted: NDArray[np.bool_]

    @property
    def n_nodes(self) -> int:
        """Number of people."""
        return len(self.out_ptr) - 1

    @property
    def n_edges(self) -> int:
        """Number of directed ties (an undirected tie counts twice)."""
        return len(self.out_ids)

    @property
    def nbytes(self) -> int:
        """Memory held by the arrays, counting shared arrays once."""
        arrays = {
            id(a): a
            for a in (
                self.out_ptr,
                self.out_ids,
                self.out_trust,
                self.in_ptr,
                self.in_ids,
                self.in_trust,
                self.distrusted,
            )
        }
        return sum(a.nbytes for a in arrays.values())

    def trust(self, source: int, target: int) -> float:
        """Trust on the tie source→target, or 0.0 when there is none."""
        lo, hi = self.out_ptr[source], self.out_ptr[source + 1]
        pos = lo + int(np.searchsorted(self.out_ids[lo:hi], target))
        return float(self.out_trust[pos]) if pos < hi and self.out_ids[pos] == target else 0.0

    def with_distrusted(self, ids: Iterable[int]) -> TrustGraph:
        """The same ties with a different distrusted set (arrays are shared, not copied)."""
        return TrustGraph(
            self.out_ptr,
            self.out_ids,
            self.out_trust,
            self.in_ptr,
            self.in_ids,
            self.in_trust,
            _mask(self.n_nodes, ids),
        )


@dataclass(frozen=True, slots=True)
class TrustPath:
    """A chain of introductions: nodes[0] asks nodes[1], who asks nodes[2], and so on."""

    nodes: tuple[int, ...]
    edge_trust: tuple[float, ...]

    @property
    def trust(self) -> float:
        """Product of the edge trusts."""
        return math.prod(self.edge_trust)

    @property
    def weakest(self) -> float:
        """The weakest edge trust (the path's width)."""
        return min(self.edge_trust)

    @property
    def hops(self) -> int:
        """Number of ties walked."""
        return len(self.edge_trust)

    @property
    def ask(self) -> int:
        """Who the source should ask first."""
        return self.nodes[1]


def build_trust_graph(
    n_nodes: int,
    sources: ArrayLike,
    targets: ArrayLike,
    trust: ArrayLike,
    *,
    distrusted: Iterable[int] = (),
    undirected: bool = False,
) -> TrustGraph:
    """Build the CSR graph from edge lists; self-ties are dropped, duplicate ties keep max trust."""
    src = np.asarray(sources, dtype=np.int64).ravel()
    dst = np.asarray(targets, dtype=np.int64).ravel()
    weight = np.asarray(trust, dtype=np.float64).ravel()
    if not len(src) == len(dst) == len(weight):
        raise ValueError("sources, targets and trust must have the same length")
    if len(src) and (min(src.min(), dst.min()) < 0 or max(src.max(), dst.max()) >= n_nodes):
        raise ValueError(f"node ids must be in [0, {n_nodes})")
    if len(weight) and not (np.all(weight > 0.0) and np.all(weight <= 1.0)):
        raise ValueError("trust must be in (0, 1]")
    keep = src != dst
    src, dst, weight = src[keep], dst[keep], weight[keep]
    if undirected:
        src, dst = np.concatenate([src, dst]), np.concatenate([dst, src])
        weight = np.concatenate([weight, weight])
    out_ptr, out_ids, out_trust = _csr(n_nodes, src, dst, weight)
    if undirected:
        in_ptr, in_ids, in_trust = out_ptr, out_ids, out_trust
    else:
        in_ptr, in_ids, in_trust = _csr(n_nodes, dst, src, weight)
    return TrustGraph(
        out_ptr, out_ids, out_trust, in_ptr, in_ids, in_trust, _mask(n_nodes, distrusted)
    )


def top_trusted_paths(
    graph: TrustGraph, source: int, target: int, k: int = 5, *, max_hops: int = 3
) -> list[TrustPath]:
    """The k most trusted loopless paths of at most max_hops (≤ 3) hops, best first."""
    if k < 1:
        raise ValueError("k must be at least 1")
    return _rank(_short_paths(graph, source, target, max_hops), _product, k, source, target)


def most_trusted_path(
    graph: TrustGraph, source: int, target: int, *, max_hops: int | None = None
) -> TrustPath | None:
    """The path with the highest trust product, or None when target cannot be reached."""
    if max_hops is not None:
        return next(iter(top_trusted_paths(graph, source, target, 1, max_hops=max_hops)), None)
    seed = most_trusted_path(graph, source, target, max_hops=MAX_ENUMERATED_HOPS)
    return _bidirectional_search(graph, source, target, seed)


def widest_path(
    graph: TrustGraph, source: int, target: int, *, max_hops: int | None = None
) -> TrustPath | None:
    """The path whose weakest tie is strongest, or None when target cannot be reached."""
    hops = MAX_ENUMERATED_HOPS if max_hops is None else max_hops
    blocks = _short_paths(graph, source, target, hops)
    short = next(iter(_rank(blocks, _weakest, 1, source, target)), None)
    return short if max_hops is not None else _widest_search(graph, source, target, short)


def _mask(n_nodes: int, ids: Iterable[int]) -> NDArray[np.bool_]:
    mask = np.zeros(n_nodes, dtype=np.bool_)
    chosen = np.fromiter(ids, dtype=np.int64)
    if len(chosen) and (chosen.min() < 0 or chosen.max() >= n_nodes):
        raise ValueError(f"distrusted ids must be in [0, {n_nodes})")
    mask[chosen] = True
    return mask


def _csr(
    n_nodes: int, rows: Ints, cols: Ints, weight: Floats
) -> tuple[Ints, NDArray[np.int32], Floats]:
    key = rows * n_nodes + cols
    order = np.argsort(key, kind="stable")
    key, weight = key[order], weight[order]
    del order
    first = np.flatnonzero(np.concatenate([[True], key[1:] != key[:-1]])) if len(key) else key
    weight = np.maximum.reduceat(weight, first) if len(key) else weight
    key = key[first]
    counts = np.bincount(key // n_nodes, minlength=n_nodes)
    ptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    return ptr, (key % n_nodes).astype(np.int32), weight


def _check_pair(graph: TrustGraph, source: int, target: int, max_hops: int) -> None:
    if not (0 <= source < graph.n_nodes and 0 <= target < graph.n_nodes):
        raise ValueError(f"node ids must be in [0, {graph.n_nodes})")
    if source == target:
        raise ValueError("source and target are the same person")
    if not 1 <= max_hops <= MAX_ENUMERATED_HOPS:
        raise ValueError(f"max_hops must be between 1 and {MAX_ENUMERATED_HOPS}")


# A block holds every candidate path with the same hop count: its intermediaries (m, hops-1)
# and its edge trusts (m, hops).
Block = tuple[Ints, Floats]


def _short_paths(graph: TrustGraph, s: int, t: int, max_hops: int) -> list[Block]:
    _check_pair(graph, s, t, max_hops)
    blocks: list[Block] = []
    direct = graph.trust(s, t)
    if direct > 0.0:
        blocks.append((np.empty((1, 0), np.int64), np.array([[direct]])))
    if max_hops == 1:
        return blocks
    lo, hi = graph.out_ptr[s], graph.out_ptr[s + 1]
    a_ids, a_w = graph.out_ids[lo:hi].astype(np.int64), graph.out_trust[lo:hi]
    ok = (a_ids != t) & ~graph.distrusted[a_ids]
    a_ids, a_w = a_ids[ok], a_w[ok]
    lo, hi = graph.in_ptr[t], graph.in_ptr[t + 1]
    b_ids, b_w = graph.in_ids[lo:hi].astype(np.int64), graph.in_trust[lo:hi]
    ok = (b_ids != s) & ~graph.distrusted[b_ids]
    b_ids, b_w = b_ids[ok], b_w[ok]
    _, ia, ib = np.intersect1d(a_ids, b_ids, assume_unique=True, return_indices=True)
    blocks.append((a_ids[ia, None], np.stack([a_w[ia], b_w[ib]], axis=1)))
    if max_hops == 2 or not len(a_ids) or not len(b_ids):
        return blocks
    forward_cost = int((graph.out_ptr[a_ids + 1] - graph.out_ptr[a_ids]).sum())
    backward_cost = int((graph.in_ptr[b_ids + 1] - graph.in_ptr[b_ids]).sum())
    if forward_cost <= backward_cost:
        ai, mid, w_mid = _expand(graph.out_ptr, graph.out_ids, graph.out_trust, a_ids)
        bi, hit = _locate(b_ids, mid)
        ai = ai[hit]
    else:
        bi, mid, w_mid = _expand(graph.in_ptr, graph.in_ids, graph.in_trust, b_ids)
        ai, hit = _locate(a_ids, mid)
        bi = bi[hit]
    middle = np.stack([a_ids[ai], b_ids[bi]], axis=1)
    blocks.append((middle, np.stack([a_w[ai], w_mid[hit], b_w[bi]], axis=1)))
    return blocks


def _expand(
    ptr: Ints, ids: NDArray[np.int32], trust: Floats, rows: Ints
) -> tuple[Ints, Ints, Floats]:
    """All ties of the given rows: (position of the row in rows, neighbour, trust)."""
    starts = ptr[rows]
    lengths = ptr[rows + 1] - starts
    owner = np.repeat(np.arange(len(rows)), lengths)
    offsets = np.cumsum(lengths) - lengths
    flat = np.arange(int(lengths.sum()), dtype=np.int64) + np.repeat(starts - offsets, lengths)
    return owner, ids[flat].astype(np.int64), trust[flat]


def _locate(sorted_ids: Ints, values: Ints) -> tuple[Ints, NDArray[np.bool_]]:
    """Positions of values in sorted_ids, only where present, and the mask of those present."""
    pos = np.minimum(np.searchsorted(sorted_ids, values), len(sorted_ids) - 1)
    hit = sorted_ids[pos] == values
    return pos[hit], hit


def _product(edge_trust: Floats) -> Floats:
    return np.asarray(np.prod(edge_trust, axis=1), dtype=np.float64)


def _weakest(edge_trust: Floats) -> Floats:
    return np.asarray(np.min(edge_trust, axis=1), dtype=np.float64)


def _rank(blocks: list[Block], score: Score, k: int, s: int, t: int) -> list[TrustPath]:
    """Best k paths by score; ties go to fewer hops, then to lower intermediary ids."""
    found: list[tuple[float, tuple[int, ...], int, int]] = []
    for b, (middle, trust) in enumerate(blocks):
        values = score(trust) if len(trust) else np.empty(0)
        chosen = np.arange(len(values))
        if len(values) > k:
            cut = np.partition(values, len(values) - k)[len(values) - k]
            chosen = np.flatnonzero(values >= cut)
        found += [(-float(values[i]), (s, *middle[i].tolist(), t), b, int(i)) for i in chosen]
    found.sort(key=lambda row: (row[0], len(row[1]), row[1]))
    return [TrustPath(nodes, tuple(blocks[b][1][i].tolist())) for _, nodes, b, i in found[:k]]


def _bidirectional_search(
    graph: TrustGraph, s: int, t: int, seed: TrustPath | None
) -> TrustPath | None:
    """Bidirectional Dijkstra on trust products, stopping once no better meeting can exist."""
    ends = (s, t)
    rows = (
        (graph.out_ptr, graph.out_ids, graph.out_trust),
        (graph.in_ptr, graph.in_ids, graph.in_trust),
    )
    best: list[dict[int, float]] = [{s: 1.0}, {t: 1.0}]
    parent: list[dict[int, int]] = [{s: -1}, {t: -1}]
    heaps: list[list[tuple[float, int]]] = [[(-1.0, s)], [(-1.0, t)]]
    distrusted = graph.distrusted
    found, meet = (seed.trust, -1) if seed is not None else (0.0, -1)
    while heaps[0] and heaps[1]:
        # Heap keys are negated trusts: their product is the best any unseen meeting could give.
        if heaps[0][0][0] * heaps[1][0][0] <= found:
            break
        side = 0 if len(heaps[0]) <= len(heaps[1]) else 1
        here, there, far = best[side], best[1 - side], ends[1 - side]
        key, u = heapq.heappop(heaps[side])
        reached = -key
        if reached < here[u] or u == far:
            continue
        ptr, ids, trust = rows[side]
        lo, hi = ptr[u], ptr[u + 1]
        for v, w in zip(ids[lo:hi].tolist(), trust[lo:hi].tolist(), strict=True):
            if v != far and distrusted[v]:
                continue
            value = reached * w
            if value > here.get(v, 0.0):
                here[v] = value
                parent[side][v] = u
                heapq.heappush(heaps[side], (-value, v))
                if v in there and value * there[v] > found:
                    found, meet = value * there[v], v
    if meet < 0:
        return seed
    forward = _walk(parent[0], meet)[::-1]
    return _as_path(graph, _drop_cycles(forward + _walk(parent[1], meet)[1:]))


def _widest_search(graph: TrustGraph, s: int, t: int, seed: TrustPath | None) -> TrustPath | None:
    """Maximum-bottleneck Dijkstra from s, pruned below the best short path's width."""
    floor = seed.weakest if seed is not None else 0.0
    width: dict[int, float] = {s: math.inf}
    parent: dict[int, int] = {s: -1}
    heap: list[tuple[float, int]] = [(-math.inf, s)]
    distrusted = graph.distrusted
    while heap:
        key, u = heapq.heappop(heap)
        reached = -key
        if reached <= floor:
            break
        if reached < width[u]:
            continue
        if u == t:
            return _as_path(graph, _walk(parent, t)[::-1])
        lo, hi = graph.out_ptr[u], graph.out_ptr[u + 1]
        ids, trust = graph.out_ids[lo:hi].tolist(), graph.out_trust[lo:hi].tolist()
        for v, w in zip(ids, trust, strict=True):
            if w <= floor or (v != t and distrusted[v]):
                continue
            value = min(reached, w)
            if value > width.get(v, floor):
                width[v] = value
                parent[v] = u
                heapq.heappush(heap, (-value, v))
    return seed


def _walk(parent: dict[int, int], node: int) -> list[int]:
    nodes = []
    while node >= 0:
        nodes.append(node)
        node = parent[node]
    return nodes


def _drop_cycles(nodes: list[int]) -> list[int]:
    """Cut loops out of a walk; with trust ≤ 1 a loop never raises the product."""
    last = {node: i for i, node in enumerate(nodes)}
    kept, i = [], 0
    while i < len(nodes):
        kept.append(nodes[i])
        i = last[nodes[i]] + 1
    return kept


def _as_path(graph: TrustGraph, nodes: list[int]) -> TrustPath:
    weights = tuple(graph.trust(u, v) for u, v in itertools.pairwise(nodes))
    return TrustPath(tuple(nodes), weights)
