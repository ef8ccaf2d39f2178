"""Time the weekly plan for the largest workspace: 30,000 people and 1,000,000 interactions.

Two timings on the same synthetic arrays: deriving the plan's inputs from the interactions
(waiting replies, last month's automation balance), then generating candidates and choosing
the plan. The peer builds every eligible candidate (no per-kind preselection) before the same
exact knapsack; both must find plans of equal value, and the ratio is printed.

    .venv/bin/python bench/planner_speed.py [--people 30000] [--interactions 1000000]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from takethelead.domain.actions import (
    Action,
    automation_candidate,
    check_in_candidates,
    give_back_candidates,
    introduce_candidates,
    manual_post_candidates,
    reply_candidates,
    share_profile_candidates,
    thank_candidates,
)
from takethelead.domain.planner import (
    AutomationBalance,
    Plan,
    WaitingReplies,
    automation_balance,
    build_plan,
    waiting_replies,
)
from takethelead.domain.usefulness import RatePosterior, TimeEntry, network_posterior

DAY = 86_400.0
NOW = 800 * DAY
NETWORKS = 5
REPEATS = 7


@dataclass(frozen=True)
class Workspace:
    """Synthetic arrays shaped like the precomputed inputs a service would pass."""

    person: npt.NDArray[np.int64]  # per interaction
    network: npt.NDArray[np.int64]
    time: npt.NDArray[np.float64]
    inbound: npt.NDArray[np.bool_]
    automated: npt.NDArray[np.bool_]
    strength: npt.NDArray[np.float64]  # per person
    cadence: npt.NDArray[np.float64]
    received: npt.NDArray[np.float64]
    given: npt.NDArray[np.float64]
    reach: npt.NDArray[np.float64]
    shared: npt.NDArray[np.bool_]
    pairs: npt.NDArray[np.int64]  # candidate introductions (a, b)
    pair_score: npt.NDArray[np.float64]


def synthesise(people: int, interactions: int, seed: int = 7) -> Workspace:
    rng = np.random.default_rng(seed)
    # A few people get most interactions, as in real inboxes.
    weights = 1.0 / np.arange(1, people + 1) ** 0.8
    person = rng.choice(people, size=interactions, p=weights / weights.sum()).astype(np.int64)
    strength = np.clip(weights / weights[0] * 3 + rng.random(people) * 0.2, 0, 1)
    cadence = np.select([strength > 0.8, strength > 0.5, strength > 0.2], [14.0, 30.0, 90.0], 365.0)
    n_pairs = 5_000
    return Workspace(
        person=person,
        network=rng.integers(0, NETWORKS, interactions),
        time=np.sort(rng.uniform(0, NOW, interactions)),
        inbound=rng.random(interactions) < 0.45,
        automated=rng.random(interactions) < 0.3,
        strength=strength,
        cadence=cadence,
        received=rng.poisson(0.2, people).astype(np.float64),
        given=rng.poisson(0.1, people).astype(np.float64),
        reach=rng.poisson(10, people).astype(np.float64),
        shared=rng.random(people) < 0.1,
        pairs=rng.integers(0, people, (n_pairs, 2)),
        pair_score=rng.random(n_pairs),
    )


def last_contact_days(w: Workspace, people: int) -> npt.NDArray[np.float64]:
    last = np.full(people, -np.inf)
    np.maximum.at(last, w.person, w.time)
    return np.where(np.isfinite(last), (NOW - last) / DAY, 10_000.0)


def derive(w: Workspace) -> tuple[npt.NDArray[np.float64], WaitingReplies, AutomationBalance]:
    """The per-person arrays the plan needs, from the interaction arrays."""
    people = w.strength.size
    since = last_contact_days(w, people)
    waiting = waiting_replies(w.person, w.network, w.time, w.inbound, NOW)
    outbound = ~w.inbound
    balance = automation_balance(w.person[outbound], w.time[outbound], w.automated[outbound], NOW)
    return since, waiting, balance


def candidates(
    w: Workspace, since: npt.NDArray[np.float64], waiting: WaitingReplies, *, everything: bool
) -> list[Action]:
    """Ours keeps each generator's default limit; the peer asks for every eligible row."""
    people = np.arange(w.strength.size)
    every = max(w.strength.size, w.pairs.shape[0])

    def k(default: int) -> int:
        return every if everything else default

    a, b = w.pairs[:, 0], w.pairs[:, 1]
    strength_of_waiting = w.strength[waiting.person_ids]
    out = [
        *check_in_candidates(people, since, w.cadence, w.strength, limit=k(50)),
        *reply_candidates(
            waiting.person_ids,
            waiting.network_ids,
            waiting.days_waiting,
            strength_of_waiting,
            limit=k(50),
        ),
        *thank_candidates([1, 2, 3], [5, 17, 230], [4, 20, 61], limit=k(20)),
        *give_back_candidates(people, w.received, w.given, w.strength, limit=k(30)),
        *introduce_candidates(a, b, w.pair_score, w.strength[a], w.strength[b], limit=k(20)),
        *share_profile_candidates(people, w.reach, w.strength, w.shared, limit=k(20)),
        *manual_post_candidates([1, 2], [3, 4], [1, 5], [2.0, 4.0], limit=k(20)),
    ]
    automation = automation_candidate(posts=5, networks=4)
    return out if automation is None else [*out, automation]


def posteriors() -> dict[int, RatePosterior]:
    history = {0: [(60, 6)], 1: [(40, 1)], 2: [(90, 12)], 3: [], 4: [(10, 0)]}
    return {
        n: network_posterior([TimeEntry(9, m, r) for m, r in entries], current_week=10)
        for n, entries in history.items()
    }


def timed(run: Callable[[], object]) -> tuple[list[float], object]:
    times, result = [], None
    for _ in range(REPEATS):
        started = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - started)
    return times, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=30_000)
    parser.add_argument("--interactions", type=int, default=1_000_000)
    args = parser.parse_args()
    w = synthesise(args.people, args.interactions)
    posts = posteriors()

    derive_times, derived = timed(lambda: derive(w))
    assert isinstance(derived, tuple)
    since, waiting, balance = derived

    def ours() -> Plan:
        return build_plan(candidates(w, since, waiting, everything=False), posts, seed=1)

    def peer() -> Plan:
        return build_plan(candidates(w, since, waiting, everything=True), posts, seed=1)

    ours_times, ours_plan = timed(ours)
    peer_times, peer_plan = timed(peer)
    assert isinstance(ours_plan, Plan) and isinstance(peer_plan, Plan)

    def show(label: str, times: list[float]) -> None:
        print(f"{label:<52} median {statistics.median(times) * 1000:7.1f} ms   "
              f"max {max(times) * 1000:7.1f} ms")  # fmt: skip

    print(f"{args.people:,} people, {args.interactions:,} interactions, {REPEATS} runs each")
    show("derive inputs (last contact, waiting, balance)", derive_times)
    show("candidates + plan (ours: top per kind)", ours_times)
    show("candidates + plan (peer: every eligible candidate)", peer_times)
    total = [d + o for d, o in zip(derive_times, ours_times, strict=True)]
    show("derive + plan, ours", total)
    print(f"peer / ours: {statistics.median(peer_times) / statistics.median(ours_times):.1f}×")
    print(f"plan value ours {ours_plan.value:.3f}, peer {peer_plan.value:.3f}; "
          f"{len(ours_plan.actions)} actions, {ours_plan.minutes} of "
          f"{ours_plan.budget_minutes} min")  # fmt: skip
    print(f"waiting replies: {len(waiting.person_ids)}; automated share last month: "
          f"{balance.automated_share:.0%}; automated-only relationships: "
          f"{balance.automated_only.size}")  # fmt: skip
    for action in ours_plan.actions:
        print(f"  {action.kind:<14} {action.minutes:3d} min  {action.value:5.2f}  {action.reason}")


if __name__ == "__main__":
    main()
