"""Candidate actions for the weekly plan, generated from plain arrays.

Every candidate carries its minutes, an expected value and its reason in words. Values are in
response equivalents (see `usefulness.OUTCOME_WEIGHTS`: response 1, conversation 2, meeting 5,
referral 10) so that a reply, a check-in and an hour on Mastodon can be weighed against each
other. Generators are vectorised over everyone and only build objects for the `limit` best,
which is what keeps a 30,000-person workspace fast.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from takethelead.domain.allocation import Allocation
from takethelead.domain.usefulness import OUTCOME_WEIGHTS, Outcome, RatePosterior, describe_rate

CONVERSATION: Final = OUTCOME_WEIGHTS[Outcome.CONVERSATION]
MEETING: Final = OUTCOME_WEIGHTS[Outcome.MEETING]
REFERRAL: Final = OUTCOME_WEIGHTS[Outcome.REFERRAL]


class ActionKind(enum.StrEnum):
    AUTOMATION = "automation"  # batch-schedule the week's posts
    NETWORK = "network"  # time on one network
    REPLY = "reply"  # answer an inbound message still waiting
    CHECK_IN = "check-in"  # someone overdue for contact
    THANK = "thank"  # thank the person behind a won referral
    GIVE_BACK = "give-back"  # a relationship where they have given more than received
    INTRODUCE = "introduce"  # two people who can help each other
    SHARE_PROFILE = "share-profile"  # share your lead profile with a bridging tie
    MANUAL_POST = "manual-post"  # a due post to paste on a network without an API


KIND_ORDER: Final = {kind: i for i, kind in enumerate(ActionKind)}


@dataclass(frozen=True, slots=True)
class Action:
    """One thing to do this week, with the minutes it takes and why it was chosen."""

    kind: ActionKind
    minutes: int
    value: float  # expected response equivalents
    reason: str
    person_id: int | None = None
    other_person_id: int | None = None  # the second person of an introduction
    network_id: int | None = None
    post_id: int | None = None
    referral_id: int | None = None

    def __post_init__(self) -> None:
        if self.minutes < 1:
            raise ValueError(f"an action takes at least a minute, got {self.minutes}")

    def sort_key(self) -> tuple[int, float, int, int, int, int, int, int]:
        """Canonical order: kind, best value first, then shortest, then ids."""
        ids = (self.person_id, self.other_person_id, self.network_id, self.post_id)
        ref = -1 if self.referral_id is None else self.referral_id
        p, o, n, q = (-1 if i is None else i for i in ids)
        return (KIND_ORDER[self.kind], -self.value, self.minutes, p, o, n, q, ref)


FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def check_in_candidates(
    person_ids: npt.ArrayLike,
    days_since_contact: npt.ArrayLike,
    cadence_days: npt.ArrayLike,
    strength: npt.ArrayLike,
    *,
    minutes: int = 10,
    limit: int = 50,
) -> list[Action]:
    """People past their keep-in-touch cadence: stronger and longer overdue come first."""
    ids, since, cadence, s = (
        _ints(person_ids),
        _floats(days_since_contact),
        _floats(cadence_days),
        _floats(strength),
    )
    overdue = since > cadence
    # Half the value for being overdue at all, the rest grows until a full cadence overdue.
    ratio = np.minimum((since - cadence) / np.maximum(cadence, 1.0), 1.0)
    value = CONVERSATION * np.clip(s, 0.0, 1.0) * (0.5 + 0.5 * ratio)
    return [
        Action(
            ActionKind.CHECK_IN,
            minutes,
            float(value[i]),
            f"last spoke {round(since[i])} days ago, you usually talk {cadence_words(cadence[i])}",
            person_id=int(ids[i]),
        )
        for i in _top(value, overdue, ids, limit)
    ]


def reply_candidates(
    person_ids: npt.ArrayLike,
    network_ids: npt.ArrayLike,
    days_waiting: npt.ArrayLike,
    strength: npt.ArrayLike,
    *,
    minutes: int = 5,
    limit: int = 50,
) -> list[Action]:
    """Inbound messages still unanswered: they took the first step, so answering is cheap value."""
    ids, nets, days, s = (
        _ints(person_ids),
        _ints(network_ids),
        _floats(days_waiting),
        _floats(strength),
    )
    # A fresh message keeps a conversation alive; one two months old has mostly gone cold.
    value = CONVERSATION * (0.5 + np.clip(s, 0.0, 1.0)) * np.exp(-days / 60.0)
    return [
        Action(
            ActionKind.REPLY,
            minutes,
            float(value[i]),
            f"wrote to you {_days_ago(days[i])} and is still waiting for an answer",
            person_id=int(ids[i]),
            network_id=int(nets[i]),
        )
        for i in _top(value, days >= 0, ids, limit)
    ]


def thank_candidates(
    referral_ids: npt.ArrayLike,
    referrer_ids: npt.ArrayLike,
    days_since_won: npt.ArrayLike,
    *,
    minutes: int = 5,
    limit: int = 20,
) -> list[Action]:
    """Won referrals not yet thanked: thanks keep referrers referring; fresh ones count more."""
    refs, people, days = _ints(referral_ids), _ints(referrer_ids), _floats(days_since_won)
    value = MEETING * (0.5 + 0.5 * np.exp(-days / 30.0))
    return [
        Action(
            ActionKind.THANK,
            minutes,
            float(value[i]),
            f"sent you a referral you won {_days_ago(days[i])}; not thanked yet",
            person_id=int(people[i]),
            referral_id=int(refs[i]),
        )
        for i in _top(value, days >= 0, refs, limit)
    ]


def give_back_candidates(
    person_ids: npt.ArrayLike,
    received: npt.ArrayLike,
    given: npt.ArrayLike,
    strength: npt.ArrayLike,
    *,
    min_gap: int = 2,
    minutes: int = 15,
    limit: int = 30,
) -> list[Action]:
    """One-sided relationships (they gave referrals, introductions, favours; you gave less)."""
    ids, got, gave, s = _ints(person_ids), _floats(received), _floats(given), _floats(strength)
    gap = got - gave
    # Worth a conversation per favour owed, up to three: past that it is one gesture anyway.
    value = CONVERSATION * np.minimum(gap, 3.0) / 2.0 * (0.5 + np.clip(s, 0.0, 1.0))
    return [
        Action(
            ActionKind.GIVE_BACK,
            minutes,
            float(value[i]),
            f"gave you {round(got[i])} referrals, introductions or favours; "
            f"you have given {round(gave[i])} back",
            person_id=int(ids[i]),
        )
        for i in _top(value, gap >= min_gap, ids, limit)
    ]


def introduce_candidates(
    person_a: npt.ArrayLike,
    person_b: npt.ArrayLike,
    match_score: npt.ArrayLike,
    strength_a: npt.ArrayLike,
    strength_b: npt.ArrayLike,
    *,
    reasons: Sequence[str] | None = None,
    minutes: int = 10,
    limit: int = 20,
) -> list[Action]:
    """Pairs who can help each other; an introduction is trusted as far as the weaker tie."""
    a, b, score = _ints(person_a), _ints(person_b), _floats(match_score)
    weaker = np.minimum(_floats(strength_a), _floats(strength_b))
    value = REFERRAL * np.clip(score, 0.0, 1.0) * np.clip(weaker, 0.0, 1.0)
    return [
        Action(
            ActionKind.INTRODUCE,
            minutes,
            float(value[i]),
            reasons[i] if reasons is not None else f"could help each other (match {score[i]:.2f})",
            person_id=int(a[i]),
            other_person_id=int(b[i]),
        )
        for i in _top(value, a != b, a * (1 << 32) + b, limit)
    ]


def share_profile_candidates(
    person_ids: npt.ArrayLike,
    reach: npt.ArrayLike,
    strength: npt.ArrayLike,
    already_shared: npt.ArrayLike,
    *,
    minutes: int = 10,
    limit: int = 20,
) -> list[Action]:
    """Bridging ties (reach = people you reach only through them) who have not seen your profile."""
    ids, r, s = _ints(person_ids), _floats(reach), _floats(strength)
    shared = np.asarray(already_shared, dtype=bool)
    # The chance they pass a lead grows with the tie and saturates with reach.
    value = REFERRAL * np.clip(s, 0.0, 1.0) * r / (r + 50.0)
    return [
        Action(
            ActionKind.SHARE_PROFILE,
            minutes,
            float(value[i]),
            f"a bridge to {round(r[i])} people outside your circle; has not seen your lead profile",
            person_id=int(ids[i]),
        )
        for i in _top(value, ~shared & (r > 0), ids, limit)
    ]


def manual_post_candidates(
    post_ids: npt.ArrayLike,
    network_ids: npt.ArrayLike,
    days_until_due: npt.ArrayLike,
    network_rate: npt.ArrayLike,
    *,
    horizon_days: float = 7.0,
    minutes: int = 5,
    limit: int = 20,
) -> list[Action]:
    """Posts due this week on networks without an API, worth what their network answers."""
    posts, nets, due, rate = (
        _ints(post_ids),
        _ints(network_ids),
        _floats(days_until_due),
        _floats(network_rate),
    )
    # A post draws about an hour's worth of a visit's responses; overdue ones go first.
    value = (0.5 + rate / 6.0) * np.where(due < 0, 1.5, 1.0)
    return [
        Action(
            ActionKind.MANUAL_POST,
            minutes,
            float(value[i]),
            f"{_due_words(due[i])} on a network without automation: paste it by hand",
            network_id=int(nets[i]),
            post_id=int(posts[i]),
        )
        for i in _top(value, due <= horizon_days, posts, limit)
    ]


def automation_candidate(
    posts: int,
    networks: int,
    *,
    base_minutes: int = 5,
    minutes_per_post: int = 3,
    max_minutes: int = 30,
) -> Action | None:
    """One block to batch-schedule the week's posts, or None when nothing is waiting."""
    if posts <= 0 or networks <= 0:
        return None
    minutes = min(base_minutes + minutes_per_post * posts, max_minutes)
    # Scheduled posts keep you visible everywhere for a few minutes: each is worth a response.
    value = float(posts * networks)
    noun = "post" if posts == 1 else "posts"
    where = "network" if networks == 1 else "networks"
    return Action(
        ActionKind.AUTOMATION,
        minutes,
        value,
        f"schedule {posts} {noun} to {networks} {where} in one sitting",
    )


def network_candidates(
    allocation: Allocation, posteriors: dict[int, RatePosterior] | None = None
) -> list[Action]:
    """One block per network with minutes, valued at its posterior mean."""
    actions = []
    for share in allocation.shares:
        if share.minutes <= 0:
            continue
        posterior = (posteriors or {}).get(share.network_id)
        mean = posterior.mean if posterior is not None else 0.0
        if posterior is None:
            reason = "no evidence yet"
        elif share.exploring:
            reason = f"exploring: {describe_rate(posterior)}"
        else:
            reason = describe_rate(posterior)
        actions.append(
            Action(
                ActionKind.NETWORK,
                share.minutes,
                share.minutes / 60.0 * mean,
                reason,
                network_id=share.network_id,
            )
        )
    return actions


def cadence_words(days: float) -> str:
    """A keep-in-touch cadence as people say it ('monthly', 'every three months')."""
    return _CADENCES.get(round(days), f"every {round(days)} days")


_CADENCES: Final = {
    7: "weekly",
    14: "every two weeks",
    30: "monthly",
    31: "monthly",
    60: "every two months",
    90: "every three months",
    91: "every three months",
    180: "twice a year",
    182: "twice a year",
    365: "yearly",
}


def _top(
    value: FloatArray, eligible: npt.NDArray[np.bool_], ids: IntArray, limit: int
) -> list[int]:
    """Indices of the `limit` best eligible rows, best first, ties broken by ascending id."""
    rows = np.flatnonzero(eligible & (value > 0))
    if rows.size > limit:
        # argpartition is O(n); only then sort the survivors, with their ties kept whole.
        cut = np.partition(value[rows], rows.size - limit)[rows.size - limit]
        rows = rows[value[rows] >= cut]
    order = np.lexsort((ids[rows], -value[rows]))
    top: list[int] = rows[order][:limit].tolist()
    return top


def _floats(a: npt.ArrayLike) -> FloatArray:
    return np.asarray(a, dtype=np.float64)


def _ints(a: npt.ArrayLike) -> IntArray:
    return np.asarray(a, dtype=np.int64)


def _days_ago(days: float) -> str:
    n = round(days)
    return "today" if n == 0 else "yesterday" if n == 1 else f"{n} days ago"


def _due_words(days: float) -> str:
    n = round(days)
    if n == 0:
        return "due today"
    if n > 0:
        return "due tomorrow" if n == 1 else f"due in {n} days"
    return "1 day overdue" if n == -1 else f"{-n} days overdue"
