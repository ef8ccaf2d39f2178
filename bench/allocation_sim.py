"""Simulate 12 weeks on 5 networks and compare ways of splitting the week's network minutes.

Each network answers at a known, possibly drifting rate (responses an hour); every minute spent
draws Poisson responses. All strategies face the same random numbers (the responses of minute
k of week w on network n are fixed per seed), so differences are the strategies' own.

    .venv/bin/python bench/allocation_sim.py [--seeds 200] [--minutes 60]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from takethelead.domain.allocation import allocate_minutes
from takethelead.domain.usefulness import (
    EXPLORATION_VISIT_MINUTES,
    EXPLORATION_VISITS,
    MIN_EVIDENCE_HOURS,
    RatePosterior,
    TimeEntry,
    network_posterior,
)

WEEKS = 12
BLOCK = 10
NAMES = ("steady 4/h", "steady 2.5/h", "decays 6→1/h", "improves 1→7/h", "quiet 0.5/h")


def true_rates() -> npt.NDArray[np.float64]:
    """Responses an hour per network (rows) and week (columns)."""
    w = np.arange(WEEKS) / (WEEKS - 1)
    return np.vstack(
        [
            np.full(WEEKS, 4.0),
            np.full(WEEKS, 2.5),
            6.0 - 5.0 * w,
            1.0 + 6.0 * w,
            np.full(WEEKS, 0.5),
        ]
    )


Strategy = Callable[[dict[int, RatePosterior], int, np.random.Generator], dict[int, int]]


def thompson(
    posteriors: dict[int, RatePosterior], minutes: int, rng: np.random.Generator
) -> dict[int, int]:
    allocation = allocate_minutes(posteriors, minutes, rng, block_minutes=BLOCK)
    return {s.network_id: s.minutes for s in allocation.shares}


def greedy_mean(
    posteriors: dict[int, RatePosterior], minutes: int, rng: np.random.Generator
) -> dict[int, int]:
    """Same floors, then every block to the best posterior mean: exploitation without sampling."""
    split = dict.fromkeys(posteriors, 0)
    remaining = minutes
    for n in sorted(posteriors, key=lambda n: (posteriors[n].hours, n)):
        if not posteriors[n].has_evidence(MIN_EVIDENCE_HOURS) and remaining >= 20:
            split[n] += EXPLORATION_VISITS * EXPLORATION_VISIT_MINUTES
            remaining -= EXPLORATION_VISITS * EXPLORATION_VISIT_MINUTES
    best = max(posteriors, key=lambda n: posteriors[n].mean)
    split[best] += remaining // BLOCK * BLOCK
    return split


def run_adaptive(
    strategy: Strategy, counts: npt.NDArray[np.int64], minutes: int, seed: int
) -> tuple[float, npt.NDArray[np.int64]]:
    """Responses obtained and minutes spent per network and week by a learning strategy."""
    n_networks = counts.shape[0]
    history: dict[int, list[TimeEntry]] = {n: [] for n in range(n_networks)}
    spent = np.zeros((n_networks, WEEKS), dtype=np.int64)
    total = 0.0
    rng = np.random.default_rng(seed)
    for week in range(WEEKS):
        posteriors = {n: network_posterior(history[n], current_week=week) for n in history}
        for n, m in strategy(posteriors, minutes, rng).items():
            got = int(counts[n, week, :m].sum())
            history[n].append(TimeEntry(week, m, got))
            spent[n, week] = m
            total += got
    return total, spent


def best_fixed_split(cumulative: npt.NDArray[np.int64], minutes: int) -> float:
    """Best split in whole blocks, the same every week, chosen knowing all responses (hindsight)."""
    blocks = minutes // BLOCK
    per_blocks = cumulative[:, :, ::BLOCK].sum(axis=1)[:, : blocks + 1]  # network × blocks
    best = np.full(blocks + 1, -np.inf)
    best[0] = 0.0
    for gains in per_blocks:
        best = np.array(
            [max(best[b - k] + gains[k] for k in range(b + 1)) for b in range(blocks + 1)]
        )
    return float(best.max())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=200)
    parser.add_argument("--minutes", type=int, default=60, help="network minutes per week")
    args = parser.parse_args()
    rates = true_rates()
    n_networks = rates.shape[0]
    names = ["Thompson (ours)", "greedy posterior mean", "even split",
             "best single network, hindsight", "best fixed split, hindsight"]  # fmt: skip
    results = {name: np.zeros(args.seeds) for name in names}
    expected_ours = np.zeros(args.seeds)
    share_ours = np.zeros((n_networks, WEEKS))
    started = time.perf_counter()
    for seed in range(args.seeds):
        data_rng = np.random.default_rng(10_000 + seed)
        counts = data_rng.poisson(rates[:, :, None] / 60.0, size=(n_networks, WEEKS, args.minutes))
        cumulative = np.concatenate(
            [np.zeros((n_networks, WEEKS, 1), dtype=np.int64), counts.cumsum(axis=2)], axis=2
        )
        ours, spent = run_adaptive(thompson, counts, args.minutes, seed)
        results["Thompson (ours)"][seed] = ours
        expected_ours[seed] = float((rates * spent).sum() / 60.0)
        share_ours += spent / args.minutes / args.seeds
        results["greedy posterior mean"][seed] = run_adaptive(
            greedy_mean, counts, args.minutes, seed
        )[0]
        even = args.minutes // n_networks  # 12 minutes each for 60 minutes and 5 networks
        results["even split"][seed] = float(cumulative[:, :, even].sum())
        results["best single network, hindsight"][seed] = float(
            cumulative[:, :, args.minutes].sum(axis=1).max()
        )
        results["best fixed split, hindsight"][seed] = best_fixed_split(cumulative, args.minutes)
    elapsed = time.perf_counter() - started

    oracle = float(rates.max(axis=0).sum() * args.minutes / 60.0)
    best_fixed = results["best fixed split, hindsight"]
    print(f"{WEEKS} weeks, {n_networks} networks, {args.minutes} network minutes a week,", end=" ")
    print(f"{args.seeds} seeds")
    print("true rates (responses an hour), weeks 1 → 12:")
    for name, row in zip(NAMES, rates, strict=True):
        print(f"  {name:<16} {' '.join(f'{r:4.1f}' for r in row)}")
    print(f"\n{'strategy':<32} {'responses':>10} {'± s.e.':>7} {'regret vs best fixed':>21}")
    for name, values in results.items():
        regret = best_fixed - values
        print(f"{name:<32} {values.mean():10.1f} {values.std(ddof=1) / np.sqrt(args.seeds):7.1f} "
              f"{regret.mean():21.1f}")  # fmt: skip
    print(
        f"\nexpected responses of our allocation: {expected_ours.mean():.1f}; "
        f"oracle that knows each week's best network: {oracle:.1f} "
        f"(regret {oracle - expected_ours.mean():.1f})"
    )
    ratio = results["Thompson (ours)"].mean() / results["even split"].mean()
    print(f"ours / even split: {ratio:.2f}×; ours / best fixed split in hindsight: "
          f"{results['Thompson (ours)'].mean() / best_fixed.mean():.2f}×")  # fmt: skip
    print("\nour average share of minutes per network, weeks 1 → 12:")
    for name, row in zip(NAMES, share_ours, strict=True):
        print(f"  {name:<16} {' '.join(f'{r:4.2f}' for r in row)}")
    print(f"\n({elapsed:.1f} s)")


if __name__ == "__main__":
    main()
