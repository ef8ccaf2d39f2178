"""Ego networks: Burt's measures equal NetworkX's definitions; reach and bridges are right."""

from __future__ import annotations

import math

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from takethelead.domain.egonet import (
    adjacency,
    bridging_ties,
    ego_adjacency,
    structural_holes,
    two_hop_reach,
)

edge_lists = st.lists(
    st.tuples(st.integers(0, 7), st.integers(0, 7), st.integers(1, 5)), max_size=20
)


def graph_of(edges: list[tuple[int, int, int]]) -> nx.Graph:
    g = nx.Graph()
    g.add_nodes_from(range(8))
    for u, v, w in edges:
        if u != v:
            old = g[u][v]["weight"] if g.has_edge(u, v) else 0
            g.add_edge(u, v, weight=old + w)
    return g


@settings(max_examples=80, deadline=None)
@given(edge_lists)
def test_effective_size_and_constraint_match_networkx_per_node_definitions(
    edges: list[tuple[int, int, int]],
) -> None:
    adj = adjacency([e[0] for e in edges], [e[1] for e in edges], 8, [e[2] for e in edges])
    effective, constraint = structural_holes(adj)
    g = graph_of(edges)
    # nodes=... takes NetworkX's documented per-node path (its all-node shortcut
    # mis-normalises weighted effective size: networkx PR #8906).
    ref_eff = nx.effective_size(g, nodes=list(g), weight="weight")
    ref_con = nx.constraint(g, nodes=list(g), weight="weight")
    for node in range(8):
        if g.degree(node) == 0:
            assert math.isnan(effective[node]) and math.isnan(constraint[node])
        else:
            assert effective[node] == pytest.approx(ref_eff[node], abs=1e-9)
            assert constraint[node] == pytest.approx(ref_con[node], abs=1e-9)


@settings(max_examples=80, deadline=None)
@given(edge_lists)
def test_two_hop_reach_counts_what_breadth_first_search_finds(
    edges: list[tuple[int, int, int]],
) -> None:
    adj = adjacency([e[0] for e in edges], [e[1] for e in edges], 8)
    g = graph_of(edges)
    expected = [len(nx.single_source_shortest_path_length(g, i, cutoff=2)) - 1 for i in range(8)]
    assert two_hop_reach(adj).tolist() == expected
    assert two_hop_reach(adj, [3, 0]).tolist() == [expected[3], expected[0]]


def test_a_star_has_full_effective_size_and_a_clique_has_one() -> None:
    star = adjacency([0, 0, 0, 0], [1, 2, 3, 4], 5)
    clique = adjacency([0, 0, 0, 1, 1, 2], [1, 2, 3, 2, 3, 3], 4)
    assert structural_holes(star, [0])[0][0] == pytest.approx(4.0)
    assert structural_holes(star, [0])[1][0] == pytest.approx(0.25)
    assert structural_holes(clique, [0])[0][0] == pytest.approx(1.0)


def test_edges_into_unknown_people_are_refused() -> None:
    with pytest.raises(ValueError, match="within"):
        adjacency([0], [5], 3)


def test_the_user_is_the_extra_node_tied_to_live_contacts() -> None:
    ego = ego_adjacency([True, False, True], [0], [1], 3)
    assert ego.shape == (4, 4)
    assert sorted(ego[[3]].indices.tolist()) == [0, 2]
    assert two_hop_reach(ego, [3]).tolist() == [3]  # 0 and 2, and 1 through 0


def test_a_weak_contact_who_alone_reaches_new_people_is_a_bridge() -> None:
    # 0 and 1 are close and know each other; 2 is a weak tie who knows 5 and 6, whom no other
    # contact knows; 3 is weak but only knows my close contacts; 4 is dormant.
    strength = [0.8, 0.7, 0.2, 0.3, 0.01, 0.0, 0.0]
    src, dst = [0, 3, 3, 2, 2, 4], [1, 0, 1, 5, 6, 5]
    bridges = bridging_ties(strength, src, dst)
    assert [b.person for b in bridges] == [2]
    assert bridges[0].unique_reach == 2
    assert bridges[0].overlap == 0.0
