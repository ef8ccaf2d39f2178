"""The weekly plan: the best set of candidate actions that fits the user's time budget.

Selection is an exact 0/1 knapsack on minutes with a cap per kind (minutes and count), so no
kind crowds out the rest. It is solved in two exact stages: within each kind a small dynamic
programme over (count, minutes), then a max-plus combination of the kinds over the budget.
Candidates are first put in a canonical order so that ties always resolve the same way.
`build_plan` reserves the week's network time (split by `allocation`) before the knapsack.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final

import numpy as np
import numpy.typing as npt

from takethelead.domain.actions import KIND_ORDER, Action, ActionKind, network_candidates
from takethelead.domain.allocation import Allocation, allocate_minutes
from takethelead.domain.usefulness import RatePosterior

DEFAULT_BUDGET_MINUTES: Final = 150
DEFAULT_NETWORK_MINUTES: Final = 60
_SECONDS_PER_DAY: Final = 86_400.0


@dataclass(frozen=True, slots=True)
class KindCap:
    """At most this many minutes and this many actions of one kind in a week."""

    minutes: int
    count: int


# For a 150-minute week; they add up to more than the budget, so the knapsack still chooses.
DEFAULT_CAPS: Final[Mapping[ActionKind, KindCap]] = MappingProxyType(
    {
        ActionKind.AUTOMATION: KindCap(30, 1),
        ActionKind.NETWORK: KindCap(DEFAULT_NETWORK_MINUTES, 12),
        ActionKind.REPLY: KindCap(30, 6),
        ActionKind.CHECK_IN: KindCap(40, 4),
        ActionKind.THANK: KindCap(15, 3),
        ActionKind.GIVE_BACK: KindCap(30, 2),
        ActionKind.INTRODUCE: KindCap(20, 2),
        ActionKind.SHARE_PROFILE: KindCap(20, 2),
        ActionKind.MANUAL_POST: KindCap(20, 4),
    }
)


def caps_for_budget(budget_minutes: int) -> dict[ActionKind, KindCap]:
    """The default caps scaled to another budget, in whole 5-minute steps."""
    factor = budget_minutes / DEFAULT_BUDGET_MINUTES
    return {
        kind: KindCap(max(5, 5 * round(cap.minutes * factor / 5)), cap.count)
        for kind, cap in DEFAULT_CAPS.items()
    }


@dataclass(frozen=True, slots=True)
class Plan:
    """The week's chosen actions, in display order (kind, then best first)."""

    actions: tuple[Action, ...]
    budget_minutes: int
    allocation: Allocation = field(default_factory=lambda: Allocation((), 0))

    @property
    def minutes(self) -> int:
        """Minutes the plan takes."""
        return sum(a.minutes for a in self.actions)

    @property
    def value(self) -> float:
        """Expected response equivalents of the plan."""
        return sum(a.value for a in self.actions)


def select_actions(
    candidates: Iterable[Action],
    budget_minutes: int = DEFAULT_BUDGET_MINUTES,
    caps: Mapping[ActionKind, KindCap] = DEFAULT_CAPS,
) -> tuple[Action, ...]:
    """The most valuable set of candidates within the budget and the caps (exact)."""
    if budget_minutes < 0:
        raise ValueError(f"the budget cannot be negative, got {budget_minutes}")
    by_kind: dict[ActionKind, list[Action]] = {}
    for action in sorted(candidates, key=Action.sort_key):
        cap = caps.get(action.kind)
        if cap is None or action.value <= 0 or action.minutes > min(cap.minutes, budget_minutes):
            continue
        by_kind.setdefault(action.kind, []).append(action)

    best = np.full(budget_minutes + 1, -np.inf)
    best[0] = 0.0
    stages: list[tuple[_KindTable, npt.NDArray[np.int64]]] = []
    for kind in sorted(by_kind, key=KIND_ORDER.__getitem__):
        cap = caps[kind]
        limit = min(cap.minutes, budget_minutes)
        table = _KindTable.solve(_preselect(by_kind[kind], cap.count, limit), cap.count, limit)
        # combined[m, j] = best of earlier kinds in m - j minutes + this kind in j minutes.
        m = np.arange(budget_minutes + 1)[:, None]
        j = np.arange(limit + 1)[None, :]
        earlier = np.where(m >= j, best[np.maximum(m - j, 0)], -np.inf)
        combined = earlier + table.value_at[None, :]
        split = np.argmax(combined, axis=1)  # first maximum: fewer minutes on this kind
        best = combined[np.arange(budget_minutes + 1), split]
        stages.append((table, split))

    chosen: list[Action] = []
    minutes = int(np.argmax(best))  # first maximum: the shortest of equally good plans
    for table, split in reversed(stages):
        spent = int(split[minutes])
        chosen.extend(table.chosen(spent))
        minutes -= spent
    return tuple(sorted(chosen, key=Action.sort_key))


def build_plan(
    candidates: Sequence[Action],
    posteriors: Mapping[int, RatePosterior],
    seed: int,
    *,
    budget_minutes: int = DEFAULT_BUDGET_MINUTES,
    network_minutes: int = DEFAULT_NETWORK_MINUTES,
    block_minutes: int = 10,
    caps: Mapping[ActionKind, KindCap] | None = None,
) -> Plan:
    """The week's plan: network time by Thompson sampling, the rest by knapsack; seed-deterministic.

    Network time is reserved first: it is the part of the week that learns which networks
    answer, and an exploration visit would otherwise lose to any personal action on expected
    value alone. Minutes the personal actions leave unused go back to the networks.
    """
    limits = caps if caps is not None else caps_for_budget(budget_minutes)
    personal = [c for c in candidates if c.kind is not ActionKind.NETWORK]
    reserved = min(network_minutes, budget_minutes)
    allocation = _allocate(posteriors, reserved, seed, block_minutes)
    chosen = select_actions(personal, budget_minutes - allocation.total, limits)
    leftover = budget_minutes - allocation.total - sum(a.minutes for a in chosen)
    if posteriors and leftover >= block_minutes:
        allocation = _allocate(posteriors, reserved + leftover, seed, block_minutes)
    actions = sorted(
        [*chosen, *network_candidates(allocation, dict(posteriors))], key=Action.sort_key
    )
    return Plan(actions=tuple(actions), budget_minutes=budget_minutes, allocation=allocation)


def _allocate(
    posteriors: Mapping[int, RatePosterior], minutes: int, seed: int, block_minutes: int
) -> Allocation:
    rng = np.random.default_rng(seed)
    return allocate_minutes(posteriors, minutes, rng, block_minutes=block_minutes)


@dataclass(frozen=True, slots=True)
class AutomationBalance:
    """How last month's touches split between automated and personal."""

    automated: int
    personal: int
    automated_only: npt.NDArray[np.int64]  # people whose touches were all automated, sorted

    @property
    def automated_share(self) -> float:
        """Share of touches that were automated (0 when there were none)."""
        total = self.automated + self.personal
        return self.automated / total if total else 0.0


def automation_balance(
    person_ids: npt.ArrayLike,
    times: npt.ArrayLike,
    automated: npt.ArrayLike,
    now: float,
    days: float = 30.0,
) -> AutomationBalance:
    """Automated vs personal share of the user's touches in the last `days` (epoch seconds)."""
    people = np.asarray(person_ids, dtype=np.int64)
    when = np.asarray(times, dtype=np.float64)
    auto = np.asarray(automated, dtype=bool)
    recent = (when <= now) & (when > now - days * _SECONDS_PER_DAY)
    people, auto = people[recent], auto[recent]
    n_auto = int(auto.sum())
    touched, inverse = np.unique(people, return_inverse=True)
    personal_per_person = np.bincount(inverse, weights=~auto, minlength=touched.size)
    return AutomationBalance(
        automated=n_auto,
        personal=int(people.size - n_auto),
        automated_only=touched[personal_per_person == 0],
    )


@dataclass(frozen=True, slots=True)
class WaitingReplies:
    """People whose latest message to the user is newer than the user's latest to them."""

    person_ids: npt.NDArray[np.int64]
    network_ids: npt.NDArray[np.int64]  # where their waiting message arrived
    days_waiting: npt.NDArray[np.float64]


def waiting_replies(
    person_ids: npt.ArrayLike,
    network_ids: npt.ArrayLike,
    times: npt.ArrayLike,
    inbound: npt.ArrayLike,
    now: float,
    max_days: float = 60.0,
) -> WaitingReplies:
    """Unanswered inbound messages (seconds since epoch); older than `max_days` are let go."""
    people = np.asarray(person_ids, dtype=np.int64)
    nets = np.asarray(network_ids, dtype=np.int64)
    when = np.asarray(times, dtype=np.float64)
    into = np.asarray(inbound, dtype=bool)
    # Sort by person then time: the last row of each person is their latest interaction.
    order = np.lexsort((when, people))
    last = order[np.r_[people[order][1:] != people[order][:-1], True]] if people.size else order
    waiting = last[into[last] & (when[last] >= now - max_days * _SECONDS_PER_DAY)]
    return WaitingReplies(
        person_ids=people[waiting],
        network_ids=nets[waiting],
        days_waiting=np.maximum(now - when[waiting], 0.0) / _SECONDS_PER_DAY,
    )


def _preselect(items: list[Action], count: int, minutes: int) -> list[Action]:
    """Keep, per distinct length, only the best that could ever be chosen together (exact).

    An optimal plan never uses an item ranked below `k` among same-length items of its kind,
    where `k` is how many of them fit, because swapping in an unused better one of the same
    length keeps it feasible and at least as good.
    """
    kept: list[Action] = []
    seen: dict[int, int] = {}
    for action in items:  # already best first within the kind
        fit = min(count, minutes // action.minutes)
        if seen.get(action.minutes, 0) < fit:
            seen[action.minutes] = seen.get(action.minutes, 0) + 1
            kept.append(action)
    return kept


@dataclass(frozen=True, slots=True)
class _KindTable:
    """Best value of one kind in exactly j minutes with at most `count` items, and how."""

    items: list[Action]
    value_at: npt.NDArray[np.float64]  # per minutes j: best value, -inf when unreachable
    best_count: npt.NDArray[np.int64]  # per minutes j: how many items reach it
    took: list[npt.NDArray[np.bool_]]  # per item: the (count, minutes) states it improved

    @staticmethod
    def solve(items: list[Action], count: int, minutes: int) -> _KindTable:
        table = np.full((count + 1, minutes + 1), -np.inf)
        table[0, 0] = 0.0
        took: list[npt.NDArray[np.bool_]] = []
        for item in items:
            w = item.minutes
            gain = table[:-1, : minutes + 1 - w] + item.value
            better = gain > table[1:, w:]  # strictly: on ties the earlier, canonical items stay
            mask = np.zeros(table.shape, dtype=bool)
            mask[1:, w:] = better
            table[1:, w:] = np.where(better, gain, table[1:, w:])
            took.append(mask)
        best_count = np.argmax(table, axis=0)  # first maximum: fewest actions
        value_at = table[best_count, np.arange(minutes + 1)]
        return _KindTable(items, value_at, best_count.astype(np.int64), took)

    def chosen(self, minutes: int) -> list[Action]:
        """The items that make up the best value in exactly `minutes`."""
        if not np.isfinite(self.value_at[minutes]):
            return []
        picked: list[Action] = []
        c, m = int(self.best_count[minutes]), minutes
        # The last item that improved a state is the one that set it: walk back through them.
        for i in range(len(self.items) - 1, -1, -1):
            if c > 0 and self.took[i][c, m]:
                picked.append(self.items[i])
                c, m = c - 1, m - self.items[i].minutes
        return picked
