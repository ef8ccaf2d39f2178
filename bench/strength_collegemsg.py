"""Does tie strength predict which CollegeMsg pairs keep talking? ROC AUC against baselines.

Every undirected pair is one relationship; its first 150 days of messages are the
interactions (a message is a MESSAGE, outbound when the pair's lower id sent it) and the
label is whether the pair exchanges any message in the remaining 43 days.
Run: .venv/bin/python bench/strength_collegemsg.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from scipy.stats import rankdata

from takethelead.domain.records import InteractionKind
from takethelead.domain.strength import (
    DAY,
    FEATURES,
    INBOUND,
    OUTBOUND,
    Touches,
    kind_codes,
    score_all,
)

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "CollegeMsg.txt"
SPLIT_DAY = 150


def roc_auc(score: NDArray[np.float64], label: NDArray[np.bool_]) -> float:
    """Mann-Whitney AUC with ties counted as half."""
    ranks = rankdata(score)
    pos = int(label.sum())
    neg = len(label) - pos
    return float((ranks[label].sum() - pos * (pos + 1) / 2) / (pos * neg))


def main() -> None:
    raw = np.loadtxt(DATA, dtype=np.int64)
    sender, receiver, ts = raw[:, 0], raw[:, 1], raw[:, 2].astype(np.float64)
    low, high = np.minimum(sender, receiver), np.maximum(sender, receiver)
    pair_keys, pair = np.unique(low * 10_000 + high, return_inverse=True)
    split = ts.min() + SPLIT_DAY * DAY
    before = ts < split
    touches = Touches.from_arrays(
        person=pair[before],
        ts=ts[before],
        kind=np.full(int(before.sum()), kind_codes([InteractionKind.MESSAGE])[0]),
        direction=np.where(sender[before] == low[before], OUTBOUND, INBOUND),
    )
    n_pairs = len(pair_keys)
    table = score_all(touches, split, n_pairs)
    seen = np.bincount(pair[before], minlength=n_pairs) > 0
    label = (np.bincount(pair[~before], minlength=n_pairs) > 0)[seen]

    last = np.full(n_pairs, -np.inf)
    np.maximum.at(last, pair[before], ts[before])
    count = np.bincount(pair[before], minlength=n_pairs).astype(np.float64)
    print(f"pairs with a message in the first {SPLIT_DAY} days: {int(seen.sum())}")
    print(f"still talking in the last 43 days: {int(label.sum())} ({label.mean():.1%})")
    results = {
        "strength (default weights)": roc_auc(table.score[seen], label),
        "recency alone (last message)": roc_auc(last[seen], label),
        "count alone (messages)": roc_auc(count[seen], label),
    }
    for name, column in zip(FEATURES, table.features.T, strict=True):
        results[f"  feature {name}"] = roc_auc(column[seen], label)
    for name, auc in results.items():
        print(f"ROC AUC {name:<32} {auc:.4f}")
    best_baseline = max(results["recency alone (last message)"], results["count alone (messages)"])
    margin = results["strength (default weights)"] - best_baseline
    print(f"strength beats the best baseline by {margin:+.4f}")
    # Only a couple of hundred pairs keep talking, so show how stable the margin is.
    rng = np.random.default_rng(0)
    s_seen, r_seen, c_seen = table.score[seen], last[seen], count[seen]
    wins, deltas = 0, []
    for _ in range(200):
        pick = rng.integers(0, len(label), len(label))
        if not label[pick].any():
            continue
        base = max(roc_auc(r_seen[pick], label[pick]), roc_auc(c_seen[pick], label[pick]))
        deltas.append(roc_auc(s_seen[pick], label[pick]) - base)
        wins += deltas[-1] > 0
    lo, hi = np.percentile(deltas, [2.5, 97.5])
    print(
        f"bootstrap (200 resamples): margin 95% interval [{lo:+.4f}, {hi:+.4f}], "
        f"strength ahead in {wins / len(deltas):.0%}"
    )
    assert margin > 0, "strength must beat both baselines"


if __name__ == "__main__":
    main()
