"""How useful each network is: responses per hour, as a discounted Gamma–Poisson posterior.

Time spent on a network is exposure; what comes back is counted in *response equivalents*
(`OUTCOME_WEIGHTS`): a reply or comment is 1, a real conversation 2, a meeting 5 and a
referral 10, because those are roughly how many plain responses each is worth to a
relationship-led business. Responses per hour is then a Poisson rate with a Gamma prior,
and old weeks count less than recent ones (`DISCOUNT_PER_WEEK`) so the estimate follows a
network that fades or takes off.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Final

import numpy as np
import numpy.typing as npt
from scipy.special import gammaincinv


class Outcome(enum.StrEnum):
    RESPONSE = "response"  # a reply, comment, mention or message that answers you
    CONVERSATION = "conversation"  # a back-and-forth of several messages
    MEETING = "meeting"  # a call or meeting that came out of the network
    REFERRAL = "referral"  # a lead passed to you


OUTCOME_WEIGHTS: Final[Mapping[Outcome, float]] = MappingProxyType(
    {
        Outcome.RESPONSE: 1.0,
        Outcome.CONVERSATION: 2.0,
        Outcome.MEETING: 5.0,
        Outcome.REFERRAL: 10.0,
    }
)

# Each week back multiplies both exposure and outcomes by this: evidence halves in ~6.6 weeks.
DISCOUNT_PER_WEEK: Final = 0.9
# Below this much (discounted) time a network is "under-evidenced": one lucky or unlucky visit
# must not decide its fate, so it gets an exploration floor instead.
MIN_EVIDENCE_HOURS: Final = 0.25
# An inbound interaction within this many days after a time entry counts as its response.
ATTRIBUTION_WINDOW_DAYS: Final = 3.0
CREDIBLE_LEVEL: Final = 0.9
EXPLORATION_VISITS: Final = 2
EXPLORATION_VISIT_MINUTES: Final = 10

_SECONDS_PER_DAY: Final = 86_400.0
# 1970-01-05 was a Monday: counting from it makes weeks run Monday to Sunday.
_FIRST_MONDAY_DAYS: Final = 4


@dataclass(frozen=True, slots=True)
class GammaPrior:
    """A weak prior: 0.5 response in a quarter of an hour, i.e. 2 an hour, worth 15 minutes."""

    shape: float = 0.5
    hours: float = 0.25

    def __post_init__(self) -> None:
        if self.shape <= 0 or self.hours <= 0:
            raise ValueError("a Gamma prior needs a positive shape and positive hours")


@dataclass(frozen=True, slots=True)
class TimeEntry:
    """Minutes spent on one network in one week, with the responses they produced."""

    week: int
    minutes: float
    responses: float = 0.0


@dataclass(frozen=True, slots=True)
class OutcomeEvent:
    """Something the network brought beyond plain responses (a meeting, a referral)."""

    week: int
    kind: Outcome
    count: float = 1.0


@dataclass(frozen=True, slots=True)
class RatePosterior:
    """Gamma posterior of response equivalents per hour on one network."""

    shape: float  # prior shape + discounted weighted outcomes
    rate: float  # prior hours + discounted hours
    hours: float  # discounted hours actually observed (no prior)
    outcomes: float  # discounted weighted outcomes actually observed (no prior)

    @property
    def mean(self) -> float:
        """Posterior mean of responses per hour."""
        return self.shape / self.rate

    def interval(self, level: float = CREDIBLE_LEVEL) -> tuple[float, float]:
        """Equal-tailed credible interval of responses per hour."""
        tail = (1.0 - level) / 2.0
        # The gamma quantile is the inverse regularised incomplete gamma function, scaled;
        # scipy.special answers it without importing all of scipy.stats.
        low, high = gammaincinv(self.shape, [tail, 1.0 - tail]) / self.rate
        return float(low), float(high)

    def has_evidence(self, min_hours: float = MIN_EVIDENCE_HOURS) -> bool:
        """Whether enough recent time was spent here to trust the estimate."""
        return self.hours >= min_hours

    def sample(self, rng: np.random.Generator, size: int) -> npt.NDArray[np.float64]:
        """Draws of responses per hour, for Thompson sampling."""
        return rng.gamma(self.shape, 1.0 / self.rate, size=size)


def week_index(moment: datetime) -> int:
    """Monday-based week number since 1970, the `week` of time entries and outcomes."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    days = int(moment.timestamp() // _SECONDS_PER_DAY)
    return (days - _FIRST_MONDAY_DAYS) // 7


def rate_posterior(
    entry_weeks: npt.ArrayLike,
    entry_minutes: npt.ArrayLike,
    outcome_weeks: npt.ArrayLike,
    outcome_values: npt.ArrayLike,
    current_week: int,
    *,
    discount: float = DISCOUNT_PER_WEEK,
    prior: GammaPrior = GammaPrior(),  # frozen, so one shared default is safe
) -> RatePosterior:
    """Posterior from arrays: minutes per entry and weighted outcomes (response equivalents)."""
    if not 0.0 < discount <= 1.0:
        raise ValueError(f"discount must be in (0, 1], got {discount}")
    weeks = np.asarray(entry_weeks, dtype=np.int64)
    minutes = np.asarray(entry_minutes, dtype=np.float64)
    o_weeks = np.asarray(outcome_weeks, dtype=np.int64)
    values = np.asarray(outcome_values, dtype=np.float64)
    if weeks.shape != minutes.shape or o_weeks.shape != values.shape:
        raise ValueError("weeks and their values must have the same length")
    if (minutes < 0).any() or (values < 0).any():
        raise ValueError("minutes and outcomes cannot be negative")
    hours = float(np.sum(minutes * _weights(weeks, current_week, discount))) / 60.0
    outcomes = float(np.sum(values * _weights(o_weeks, current_week, discount)))
    return RatePosterior(
        shape=prior.shape + outcomes,
        rate=prior.hours + hours,
        hours=hours,
        outcomes=outcomes,
    )


def network_posterior(
    entries: Iterable[TimeEntry],
    current_week: int,
    outcomes: Iterable[OutcomeEvent] = (),
    *,
    discount: float = DISCOUNT_PER_WEEK,
    prior: GammaPrior = GammaPrior(),  # frozen, so one shared default is safe
    weights: Mapping[Outcome, float] = OUTCOME_WEIGHTS,
) -> RatePosterior:
    """Posterior of one network from its time entries and weighted outcomes."""
    entry_list = list(entries)
    events = list(outcomes)
    o_weeks = [e.week for e in entry_list] + [o.week for o in events]
    o_values = [e.responses * weights[Outcome.RESPONSE] for e in entry_list] + [
        o.count * weights[o.kind] for o in events
    ]
    return rate_posterior(
        [e.week for e in entry_list],
        [e.minutes for e in entry_list],
        o_weeks,
        o_values,
        current_week,
        discount=discount,
        prior=prior,
    )


def describe_rate(posterior: RatePosterior, level: float = CREDIBLE_LEVEL) -> str:
    """The evidence in words, without the network's name."""
    if not posterior.has_evidence():
        return (
            f"too little evidence — try {_count_word(EXPLORATION_VISITS)} "
            f"{EXPLORATION_VISIT_MINUTES}-minute visits"
        )
    low, high = posterior.interval(level)
    return (
        f"{posterior.mean:.1f} responses an hour ({low:.1f}–{high:.1f}) "
        f"over {_duration(posterior.hours)}"
    )


def evidence_sentence(name: str, posterior: RatePosterior, level: float = CREDIBLE_LEVEL) -> str:
    """'Mastodon: 5.2 responses an hour (3.1–8.0) over 6 h', or a call to gather evidence."""
    return f"{name}: {describe_rate(posterior, level)}"


@dataclass(frozen=True, slots=True)
class Attribution:
    """Which inbound interactions answer which time entries."""

    responses: npt.NDArray[np.int64]  # per time entry: inbound interactions attributed to it
    entry_of_inbound: npt.NDArray[np.int64]  # per inbound interaction: its entry, or -1


def attribute_responses(
    entry_networks: npt.ArrayLike,
    entry_times: npt.ArrayLike,
    entry_explicit: npt.ArrayLike,
    inbound_networks: npt.ArrayLike,
    inbound_times: npt.ArrayLike,
    window_days: float = ATTRIBUTION_WINDOW_DAYS,
) -> Attribution:
    """Count inbound interactions as responses of the latest entry before them on their network.

    Times are seconds since the epoch. An inbound interaction belongs to the latest time entry
    on the same network at or before it, if that entry is at most `window_days` older. When that
    entry already has an explicit responses count (`entry_explicit`), the user counted it
    themselves, so the interaction is absorbed and attributed nowhere: no double counting.
    """
    e_net = np.asarray(entry_networks, dtype=np.int64)
    e_time = np.asarray(entry_times, dtype=np.float64)
    explicit = np.asarray(entry_explicit, dtype=bool)
    i_net = np.asarray(inbound_networks, dtype=np.int64)
    i_time = np.asarray(inbound_times, dtype=np.float64)
    if not (e_net.shape == e_time.shape == explicit.shape) or i_net.shape != i_time.shape:
        raise ValueError("each entry and each inbound interaction needs a network and a time")
    window = window_days * _SECONDS_PER_DAY
    owner = np.full(i_net.shape, -1, dtype=np.int64)
    # Networks are few; within each one the matching is a vectorised binary search.
    for network in np.unique(i_net):
        entries = np.flatnonzero(e_net == network)
        if entries.size == 0:
            continue
        entries = entries[np.argsort(e_time[entries], kind="stable")]
        inbound = np.flatnonzero(i_net == network)
        position = np.searchsorted(e_time[entries], i_time[inbound], side="right") - 1
        found = position >= 0
        latest = entries[np.maximum(position, 0)]
        found &= i_time[inbound] - e_time[latest] <= window
        found &= ~explicit[latest]
        owner[inbound[found]] = latest[found]
    counts = np.bincount(owner[owner >= 0], minlength=e_net.size).astype(np.int64)
    return Attribution(responses=counts, entry_of_inbound=owner)


def _weights(
    weeks: npt.NDArray[np.int64], current_week: int, discount: float
) -> npt.NDArray[np.float64]:
    # Entries dated after the current week (clock skew, typos) count as this week's.
    age = np.maximum(current_week - weeks, 0)
    return np.power(discount, age.astype(np.float64))


def _duration(hours: float) -> str:
    if hours < 1.0:
        return f"{round(hours * 60)} min"
    text = f"{hours:.0f}" if hours >= 10 else f"{hours:.1f}".removesuffix(".0")
    return f"{text} h"


def _count_word(n: int) -> str:
    words = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five"}
    return words.get(n, str(n))
