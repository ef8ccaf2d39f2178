"""Trusted introduction paths, checked against brute-force enumeration on small graphs."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from takethelead.domain.paths import (
    TrustGraph,
    TrustPath,
    build_trust_graph,
    most_trusted_path,
    top_trusted_paths,
    widest_path,
)

Edge = tuple[int, int, float]


@st.composite
def small_graphs(draw: st.DrawFn) -> tuple[TrustGraph, list[Edge], bool, int, int]:
    n = draw(st.integers(min_value=2, max_value=7))
    node = st.integers(min_value=0, max_value=n - 1)
    # Mixing a few repeated values with arbitrary ones exercises ties and trust-1 loops.
    trust = st.one_of(st.sampled_from([0.5, 1.0]), st.floats(min_value=0.01, max_value=1.0))
    edges = draw(st.lists(st.tuples(node, node, trust), max_size=24))
    undirected = draw(st.booleans())
    distrusted = draw(st.sets(node, max_size=3))
    source = draw(node)
    target = draw(node.filter(lambda v: v != source))
    graph = build_trust_graph(
        n,
        [u for u, _, _ in edges],
        [v for _, v, _ in edges],
        [w for _, _, w in edges],
        distrusted=distrusted,
        undirected=undirected,
    )
    return graph, edges, undirected, source, target


def all_simple_paths(
    edges: list[Edge], undirected: bool, distrusted: set[int], source: int, target: int
) -> list[tuple[tuple[int, ...], tuple[float, ...]]]:
    """Every loopless path whose intermediaries are trusted, by depth-first search."""
    best: dict[tuple[int, int], float] = {}
    for u, v, w in edges:
        for a, b in [(u, v), (v, u)] if undirected else [(u, v)]:
            if a != b:
                best[a, b] = max(best.get((a, b), 0.0), w)
    found = []

    def extend(nodes: tuple[int, ...], weights: tuple[float, ...]) -> None:
        here = nodes[-1]
        if here == target:
            found.append((nodes, weights))
            return
        if here != source and here in distrusted:
            return
        for (a, b), w in best.items():
            if a == here and b not in nodes:
                extend((*nodes, b), (*weights, w))

    extend((source,), ())
    return found


def distrusted_of(graph: TrustGraph) -> set[int]:
    return {int(i) for i in graph.distrusted.nonzero()[0]}


def assert_valid(graph: TrustGraph, path: TrustPath, source: int, target: int) -> None:
    assert path.nodes[0] == source and path.nodes[-1] == target
    assert len(set(path.nodes)) == len(path.nodes)
    assert not set(path.nodes[1:-1]) & distrusted_of(graph)
    for (u, v), w in zip(
        zip(path.nodes, path.nodes[1:], strict=False), path.edge_trust, strict=True
    ):
        assert graph.trust(u, v) == w > 0.0


@settings(max_examples=300, deadline=None)
@given(small_graphs(), st.integers(min_value=1, max_value=3), st.integers(min_value=1, max_value=6))
def test_top_paths_match_brute_force_enumeration(
    case: tuple[TrustGraph, list[Edge], bool, int, int], max_hops: int, k: int
) -> None:
    graph, edges, undirected, s, t = case
    brute = [
        (math.prod(w), nodes)
        for nodes, w in all_simple_paths(edges, undirected, distrusted_of(graph), s, t)
        if len(w) <= max_hops
    ]
    brute.sort(key=lambda row: -row[0])
    ours = top_trusted_paths(graph, s, t, k, max_hops=max_hops)
    assert [p.trust for p in ours] == pytest.approx([v for v, _ in brute[:k]], abs=1e-12)
    for path in ours:
        assert_valid(graph, path, s, t)
    if len(brute) <= k or brute[k - 1][0] > brute[k][0] + 1e-12:
        assert {p.nodes for p in ours} == {nodes for _, nodes in brute[:k]}


@settings(max_examples=300, deadline=None)
@given(small_graphs(), st.sampled_from([None, 1, 2, 3]))
def test_most_trusted_path_matches_brute_force_with_and_without_hop_limit(
    case: tuple[TrustGraph, list[Edge], bool, int, int], max_hops: int | None
) -> None:
    graph, edges, undirected, s, t = case
    paths = all_simple_paths(edges, undirected, distrusted_of(graph), s, t)
    values = [math.prod(w) for _, w in paths if max_hops is None or len(w) <= max_hops]
    ours = most_trusted_path(graph, s, t, max_hops=max_hops)
    if not values:
        assert ours is None
    else:
        assert ours is not None
        assert_valid(graph, ours, s, t)
        assert ours.trust == pytest.approx(max(values), abs=1e-12)


@settings(max_examples=300, deadline=None)
@given(small_graphs(), st.sampled_from([None, 1, 2, 3]))
def test_widest_path_equals_the_brute_force_best_weakest_link(
    case: tuple[TrustGraph, list[Edge], bool, int, int], max_hops: int | None
) -> None:
    graph, edges, undirected, s, t = case
    paths = all_simple_paths(edges, undirected, distrusted_of(graph), s, t)
    widths = [min(w) for _, w in paths if max_hops is None or len(w) <= max_hops]
    ours = widest_path(graph, s, t, max_hops=max_hops)
    if not widths:
        assert ours is None
    else:
        assert ours is not None
        assert_valid(graph, ours, s, t)
        assert ours.weakest == max(widths)


def test_distrusted_person_is_routed_around_but_can_be_reached() -> None:
    # 0 → 1 → 3 is the stronger route, but 1 is distrusted; 0 → 2 → 3 is used instead.
    graph = build_trust_graph(
        4, [0, 1, 0, 2, 0], [1, 3, 2, 3, 1], [0.9, 0.9, 0.5, 0.5, 0.9], distrusted=[1]
    )
    path = most_trusted_path(graph, 0, 3)
    assert path is not None and path.nodes == (0, 2, 3)
    direct = most_trusted_path(graph, 0, 1)
    assert direct is not None and direct.nodes == (0, 1)


def test_distrusted_source_may_still_start_a_path() -> None:
    graph = build_trust_graph(3, [0, 1], [1, 2], [0.8, 0.5], distrusted=[0])
    path = most_trusted_path(graph, 0, 2)
    assert path is not None and path.nodes == (0, 1, 2)


def test_path_says_who_to_ask_first_and_the_trust_of_each_tie() -> None:
    graph = build_trust_graph(4, [0, 1, 2], [1, 2, 3], [0.9, 0.8, 0.5])
    path = most_trusted_path(graph, 0, 3)
    assert path == TrustPath((0, 1, 2, 3), (0.9, 0.8, 0.5))
    assert path.ask == 1 and path.hops == 3 and path.weakest == 0.5
    assert path.trust == pytest.approx(0.36)


def test_unbounded_search_finds_a_path_longer_than_three_hops() -> None:
    graph = build_trust_graph(6, [0, 1, 2, 3, 4, 0], [1, 2, 3, 4, 5, 5], [1, 1, 1, 1, 0.9, 0.1])
    assert top_trusted_paths(graph, 0, 5, 5)[0].nodes == (0, 5)
    best = most_trusted_path(graph, 0, 5)
    assert best is not None and best.nodes == (0, 1, 2, 3, 4, 5)
    assert widest_path(graph, 0, 5) == best


def test_duplicate_ties_keep_the_highest_trust_and_self_ties_are_dropped() -> None:
    graph = build_trust_graph(2, [0, 0, 1], [1, 1, 1], [0.3, 0.7, 1.0])
    assert graph.trust(0, 1) == 0.7
    assert graph.n_edges == 1


def test_undirected_ties_can_be_walked_both_ways() -> None:
    graph = build_trust_graph(3, [0, 2], [1, 1], [0.6, 0.5], undirected=True)
    path = most_trusted_path(graph, 2, 0)
    assert path is not None and path.nodes == (2, 1, 0)


def test_directed_ties_are_walked_only_forwards() -> None:
    graph = build_trust_graph(3, [0, 2], [1, 1], [0.6, 0.5])
    assert most_trusted_path(graph, 0, 2) is None
    assert top_trusted_paths(graph, 0, 2) == []


def test_with_distrusted_changes_the_route_without_copying_ties() -> None:
    graph = build_trust_graph(4, [0, 1, 0, 2], [1, 3, 2, 3], [0.9, 0.9, 0.5, 0.5])
    avoiding = graph.with_distrusted([1])
    assert avoiding.out_ids is graph.out_ids
    path = most_trusted_path(avoiding, 0, 3)
    assert path is not None and path.nodes == (0, 2, 3)


@pytest.mark.parametrize("trust", [0.0, -0.5, 1.5, float("nan")])
def test_trust_outside_zero_to_one_is_rejected(trust: float) -> None:
    with pytest.raises(ValueError, match="trust"):
        build_trust_graph(2, [0], [1], [trust])


def test_unknown_people_and_same_endpoints_are_rejected() -> None:
    graph = build_trust_graph(2, [0], [1], [0.5])
    with pytest.raises(ValueError, match="node ids"):
        build_trust_graph(2, [0], [2], [0.5])
    with pytest.raises(ValueError, match="same person"):
        most_trusted_path(graph, 1, 1)
    with pytest.raises(ValueError, match="max_hops"):
        top_trusted_paths(graph, 0, 1, max_hops=4)
    with pytest.raises(ValueError, match="distrusted"):
        graph.with_distrusted([5])
