"""Shape of the network around a person: Burt's structural holes, 2-hop reach, bridging ties.

Graphs are undirected, weighted `scipy.sparse` matrices over person indexes. Effective
size and constraint follow NetworkX's definitions for undirected weighted graphs exactly
(`nx.effective_size`, `nx.constraint`), computed for many egos at once with sparse
products instead of a Python loop over each ego's neighbours.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


def adjacency(
    src: ArrayLike, dst: ArrayLike, n_nodes: int, weight: ArrayLike | None = None
) -> sp.csr_array:
    """Symmetric weighted adjacency; repeated edges add up, self-loops are dropped."""
    s = np.asarray(src, dtype=np.int64)
    d = np.asarray(dst, dtype=np.int64)
    w = np.ones(len(s)) if weight is None else np.asarray(weight, dtype=np.float64)
    if not len(s) == len(d) == len(w):
        raise ValueError("src, dst and weight must have equal lengths")
    if len(s) and (min(s.min(), d.min()) < 0 or max(s.max(), d.max()) >= n_nodes):
        raise ValueError(f"node indexes must be within [0, {n_nodes})")
    if (w <= 0).any():
        raise ValueError("edge weights must be > 0")
    # A person is not their own contact; NetworkX would count a self-loop in the sums.
    keep = s != d
    s, d, w = s[keep], d[keep], w[keep]
    rows, cols = np.concatenate((s, d)), np.concatenate((d, s))
    a = sp.coo_array((np.concatenate((w, w)), (rows, cols)), shape=(n_nodes, n_nodes))
    return sp.csr_array(a.tocsr())


def structural_holes(
    adj: sp.csr_array, nodes: ArrayLike | None = None
) -> tuple[FloatArray, FloatArray]:
    """Burt's effective size and constraint of each node's ego network (NaN when isolated)."""
    rows = np.arange(adj.shape[0]) if nodes is None else np.asarray(nodes, dtype=np.int64)
    total = np.asarray(adj.sum(axis=1)).ravel()
    biggest = np.asarray(adj.max(axis=1).toarray()).ravel()
    with np.errstate(divide="ignore"):
        p = sp.csr_array(sp.diags_array(_safe_inverse(total)) @ adj)  # share of u's ties
        m = sp.csr_array(sp.diags_array(_safe_inverse(biggest)) @ adj)  # relative to v's top tie
    p_rows = sp.csr_array(p[rows])
    ties = sp.csr_array(p_rows.astype(bool).astype(np.float64))
    degree = np.asarray(ties.sum(axis=1)).ravel()
    # Redundancy of ego u's contact v: sum over w of p_uw * m_vw; summed over v it is
    # sum over w of p_uw * (number-weighted m of u's contacts towards w).
    redundancy = np.asarray(p_rows.multiply(ties @ m).sum(axis=1)).ravel()
    effective = degree - redundancy
    # Local constraint of u on v: (p_uv + sum_w p_uw p_wv)^2 over u's contacts v only.
    direct_and_indirect = sp.csr_array(p_rows + (p_rows @ p).multiply(ties))
    constraint = np.asarray(direct_and_indirect.power(2).sum(axis=1)).ravel()
    isolated = degree == 0
    effective[isolated] = np.nan
    constraint[isolated] = np.nan
    return effective, constraint


def two_hop_reach(adj: sp.csr_array, nodes: ArrayLike | None = None) -> IntArray:
    """How many distinct people each node reaches in one or two steps (itself excluded)."""
    rows = np.arange(adj.shape[0]) if nodes is None else np.asarray(nodes, dtype=np.int64)
    b = sp.csr_array(adj.astype(bool).astype(np.int64))
    b_rows = sp.csr_array(b[rows])
    reach = sp.csr_array(b_rows + b_rows @ b)
    reach.eliminate_zeros()
    counts = np.diff(reach.indptr).astype(np.int64)
    # A node reaches itself through any neighbour; take it back off.
    own = reach[np.arange(len(rows)), rows]
    reached_self = (np.asarray(own).ravel() > 0).astype(np.int64)
    return np.asarray(counts - reached_self, dtype=np.int64)


def ego_adjacency(
    mine: ArrayLike, contact_src: ArrayLike, contact_dst: ArrayLike, n_people: int
) -> sp.csr_array:
    """Unweighted graph of the user (node n_people) tied to `mine` plus known contact edges."""
    mine_idx = np.flatnonzero(np.asarray(mine, dtype=bool))
    src = np.concatenate((np.full(len(mine_idx), n_people), np.asarray(contact_src, np.int64)))
    dst = np.concatenate((mine_idx, np.asarray(contact_dst, np.int64)))
    adj = adjacency(src, dst, n_people + 1)
    adj.data[:] = 1.0  # Burt's measures for the user: every known tie counts once
    return adj


@dataclass(frozen=True)
class BridgingTie:
    """A weak-ish tie worth keeping because it reaches beyond the rest of the network."""

    person: int
    strength: float
    unique_reach: int  # people only this contact connects you to
    overlap: float  # share of neighbours you have in common (Onnela's overlap), 0..1


def bridging_ties(
    strength: ArrayLike,
    contact_src: ArrayLike,
    contact_dst: ArrayLike,
    *,
    live_floor: float = 0.05,
    weak_ceiling: float = 0.6,
    max_overlap: float = 0.1,
    limit: int = 20,
) -> list[BridgingTie]:
    """Weak-ish contacts (live_floor <= strength < weak_ceiling) that bridge to new people.

    A contact bridges when they reach someone none of your other contacts reaches, or when
    few of their known ties are also yours (low overlap). Best bridges come first.
    """
    score = np.asarray(strength, dtype=np.float64)
    n = len(score)
    b = sp.csr_array(adjacency(contact_src, contact_dst, n).astype(bool).astype(np.float64))
    mine = score >= live_floor
    via_mine = b @ mine.astype(np.float64)  # for every person: how many of my contacts know them
    only_one = ((~mine) & (via_mine == 1)).astype(np.float64)
    unique = np.rint(b @ only_one).astype(np.int64)
    degree = np.asarray(b.sum(axis=1)).ravel()
    # Onnela: common / ((k_me - 1) + (k_c - 1) - common), with k_c counting the tie to me.
    denominator = (mine.sum() - 1) + degree - via_mine
    overlap = np.divide(via_mine, denominator, out=np.zeros(n), where=denominator > 0)
    weakish = mine & (score < weak_ceiling)
    bridges = weakish & ((unique > 0) | ((degree > 0) & (overlap <= max_overlap)))
    picked = np.flatnonzero(bridges)
    order = np.lexsort((-score[picked], overlap[picked], -unique[picked]))[:limit]
    return [
        BridgingTie(int(i), float(score[i]), int(unique[i]), float(overlap[i]))
        for i in picked[order]
    ]


def _safe_inverse(x: FloatArray) -> FloatArray:
    out = np.zeros_like(x, dtype=np.float64)
    np.divide(1.0, x, out=out, where=x > 0)
    return out
