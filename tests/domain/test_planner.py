from __future__ import annotations

import itertools
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from takethelead.domain.actions import (
    Action,
    ActionKind,
    automation_candidate,
    cadence_words,
    check_in_candidates,
    give_back_candidates,
    introduce_candidates,
    manual_post_candidates,
    reply_candidates,
    share_profile_candidates,
    thank_candidates,
)
from takethelead.domain.planner import (
    DEFAULT_CAPS,
    KindCap,
    automation_balance,
    build_plan,
    caps_for_budget,
    select_actions,
    waiting_replies,
)
from takethelead.domain.usefulness import RatePosterior, TimeEntry, network_posterior

DAY = 86_400.0
PERSONAL_KINDS = [k for k in ActionKind if k is not ActionKind.NETWORK]

action_strategy = st.builds(
    Action,
    kind=st.sampled_from(PERSONAL_KINDS),
    minutes=st.sampled_from([5, 10, 15, 20, 25, 30]),
    value=st.floats(0.01, 20),
    reason=st.just("because"),
    person_id=st.integers(0, 1000),
)
caps_strategy = st.fixed_dictionaries(
    {k: st.builds(KindCap, st.integers(0, 60), st.integers(0, 4)) for k in PERSONAL_KINDS}
)


def _plan_key(actions: tuple[Action, ...]) -> list[tuple[object, ...]]:
    return [a.sort_key() for a in actions]


@given(
    candidates=st.lists(action_strategy, max_size=40),
    budget=st.integers(0, 200),
    caps=caps_strategy,
)
def test_a_plan_never_goes_over_budget_nor_over_any_cap(
    candidates: list[Action], budget: int, caps: dict[ActionKind, KindCap]
) -> None:
    chosen = select_actions(candidates, budget, caps)
    assert sum(a.minutes for a in chosen) <= budget
    for kind, cap in caps.items():
        of_kind = [a for a in chosen if a.kind is kind]
        assert len(of_kind) <= cap.count
        assert sum(a.minutes for a in of_kind) <= cap.minutes
    remaining = list(candidates)
    for action in chosen:
        remaining.remove(action)  # each candidate is used at most once


@settings(max_examples=60, deadline=None)
@given(
    candidates=st.lists(action_strategy, max_size=10),
    budget=st.integers(0, 80),
    caps=caps_strategy,
)
def test_the_selection_is_as_good_as_trying_every_subset(
    candidates: list[Action], budget: int, caps: dict[ActionKind, KindCap]
) -> None:
    def feasible(subset: tuple[Action, ...]) -> bool:
        if sum(a.minutes for a in subset) > budget:
            return False
        for kind, cap in caps.items():
            of_kind = [a for a in subset if a.kind is kind]
            if len(of_kind) > cap.count or sum(a.minutes for a in of_kind) > cap.minutes:
                return False
        return True

    best = max(
        sum(a.value for a in subset)
        for r in range(len(candidates) + 1)
        for subset in itertools.combinations(candidates, r)
        if feasible(subset)
    )
    chosen = select_actions(candidates, budget, caps)
    assert sum(a.value for a in chosen) == pytest.approx(best)


@given(candidates=st.lists(action_strategy, max_size=30), seed=st.integers(0, 1000))
def test_the_selection_does_not_depend_on_the_order_of_candidates(
    candidates: list[Action], seed: int
) -> None:
    shuffled = list(candidates)
    random.Random(seed).shuffle(shuffled)
    assert _plan_key(select_actions(candidates)) == _plan_key(select_actions(shuffled))


def test_equal_candidates_are_broken_by_the_lowest_person_id() -> None:
    candidates = [Action(ActionKind.CHECK_IN, 10, 1.0, "r", person_id=p) for p in (9, 4, 7, 5, 3)]
    chosen = select_actions(candidates, 150, {ActionKind.CHECK_IN: KindCap(40, 2)})
    assert [a.person_id for a in chosen] == [3, 4]


def test_caps_keep_one_kind_from_crowding_out_the_rest() -> None:
    replies = [Action(ActionKind.REPLY, 5, 10.0, "r", person_id=p) for p in range(40)]
    thanks = [Action(ActionKind.THANK, 5, 1.0, "t", person_id=p) for p in range(3)]
    chosen = select_actions(replies + thanks, 150)
    assert sum(a.kind is ActionKind.REPLY for a in chosen) == DEFAULT_CAPS[ActionKind.REPLY].count
    assert sum(a.kind is ActionKind.THANK for a in chosen) == 3


def test_actions_of_a_kind_without_a_cap_or_worth_nothing_are_left_out() -> None:
    chosen = select_actions(
        [
            Action(ActionKind.THANK, 5, 1.0, "t", person_id=1),
            Action(ActionKind.REPLY, 5, 0.0, "r", person_id=2),
        ],
        150,
        {ActionKind.REPLY: KindCap(30, 6)},
    )
    assert chosen == ()


def test_an_action_of_no_minutes_is_refused() -> None:
    with pytest.raises(ValueError, match="at least a minute"):
        Action(ActionKind.REPLY, 0, 1.0, "r")


def _posteriors() -> dict[int, RatePosterior]:
    return {
        1: network_posterior([TimeEntry(0, 240, 24)], current_week=0),
        2: network_posterior([TimeEntry(0, 120, 2)], current_week=0),
        3: network_posterior([], current_week=0),
    }


def _candidates() -> list[Action]:
    people = np.arange(200)
    rng = np.random.default_rng(5)
    strength = rng.random(200)
    actions = check_in_candidates(people, rng.integers(0, 200, 200), np.full(200, 30), strength)
    actions += reply_candidates(people[:20], np.ones(20), rng.integers(0, 10, 20), strength[:20])
    actions += thank_candidates([1, 2], [10, 11], [3, 40])
    automation = automation_candidate(posts=4, networks=3)
    assert automation is not None
    return [*actions, automation]


def test_a_plan_is_the_same_for_the_same_seed_and_fits_the_budget() -> None:
    candidates, posteriors = _candidates(), _posteriors()
    first = build_plan(candidates, posteriors, seed=11)
    again = build_plan(list(reversed(candidates)), posteriors, seed=11)
    assert first == again
    assert first.minutes <= 150
    kinds = {a.kind for a in first.actions}
    assert {ActionKind.NETWORK, ActionKind.AUTOMATION, ActionKind.REPLY, ActionKind.THANK} <= kinds
    assert ActionKind.CHECK_IN in kinds


def test_a_plan_spends_its_network_time_as_allocated_and_explores_new_networks() -> None:
    plan = build_plan(_candidates(), _posteriors(), seed=3)
    network = {a.network_id: a for a in plan.actions if a.kind is ActionKind.NETWORK}
    assert sum(a.minutes for a in network.values()) == plan.allocation.total == 60
    assert network[3].minutes >= 20
    assert network[3].reason.startswith("exploring: too little evidence")
    assert "responses an hour" in network[1].reason


@given(seed=st.integers(0, 2**32), budget=st.integers(0, 240))
@settings(max_examples=30, deadline=None)
def test_build_plan_never_goes_over_any_budget(seed: int, budget: int) -> None:
    plan = build_plan(_candidates(), _posteriors(), seed=seed, budget_minutes=budget)
    assert plan.minutes <= budget
    for kind, cap in caps_for_budget(budget).items():
        if kind is not ActionKind.NETWORK:
            assert sum(a.minutes for a in plan.actions if a.kind is kind) <= cap.minutes


def test_check_ins_go_to_overdue_people_and_say_why() -> None:
    actions = check_in_candidates([1, 2, 3], [94, 10, 200], [30, 30, 90], [0.8, 0.9, 0.1])
    assert [a.person_id for a in actions] == [1, 3]
    assert actions[0].reason == "last spoke 94 days ago, you usually talk monthly"
    assert actions[1].reason == "last spoke 200 days ago, you usually talk every three months"


def test_generators_keep_only_the_best_up_to_their_limit() -> None:
    people = np.arange(30_000)
    strength = (people % 100) / 100
    actions = check_in_candidates(
        people, np.full(30_000, 400), np.full(30_000, 30), strength, limit=5
    )
    assert len(actions) == 5
    assert [a.person_id for a in actions] == [99, 199, 299, 399, 499]


def test_replies_favour_fresh_messages_from_strong_ties() -> None:
    actions = reply_candidates([1, 2, 3], [7, 7, 8], [2, 90, 1], [0.9, 0.9, 0.1])
    assert [a.person_id for a in actions] == [1, 3, 2]
    assert actions[0].reason == "wrote to you 2 days ago and is still waiting for an answer"
    assert actions[0].network_id == 7


def test_thanks_name_the_referral_and_how_long_ago_it_was_won() -> None:
    (action,) = thank_candidates([55], [9], [12])
    assert (action.referral_id, action.person_id) == (55, 9)
    assert action.reason == "sent you a referral you won 12 days ago; not thanked yet"


def test_give_back_only_where_the_relationship_is_one_sided() -> None:
    actions = give_back_candidates([1, 2, 3], [3, 1, 5], [0, 0, 4], [0.5, 0.5, 0.5])
    assert [a.person_id for a in actions] == [1]
    assert actions[0].reason == (
        "gave you 3 referrals, introductions or favours; you have given 0 back"
    )


def test_introductions_pair_two_people_and_ignore_self_pairs() -> None:
    actions = introduce_candidates([1, 4, 5], [2, 4, 6], [0.9, 1.0, 0.5], [0.8, 1, 1], [0.6, 1, 1])
    assert [(a.person_id, a.other_person_id) for a in actions] == [(1, 2), (5, 6)]
    assert actions[0].reason == "could help each other (match 0.90)"


def test_profiles_are_shared_with_bridges_that_have_not_seen_them() -> None:
    actions = share_profile_candidates(
        [1, 2, 3], [120, 300, 0], [0.5, 0.9, 0.9], [False, True, False]
    )
    assert [a.person_id for a in actions] == [1]
    assert actions[0].reason.startswith("a bridge to 120 people outside your circle")


def test_manual_posts_due_this_week_come_first_when_overdue() -> None:
    actions = manual_post_candidates([10, 11, 12], [3, 3, 3], [-2, 3, 20], [2.0, 2.0, 2.0])
    assert [a.post_id for a in actions] == [10, 11]
    assert actions[0].reason.startswith("2 days overdue")
    assert actions[1].reason.startswith("due in 3 days")


def test_automation_block_grows_with_posts_up_to_its_cap() -> None:
    assert automation_candidate(posts=0, networks=3) is None
    small = automation_candidate(posts=1, networks=1)
    big = automation_candidate(posts=40, networks=4)
    assert small is not None and big is not None
    assert (small.minutes, small.reason) == (8, "schedule 1 post to 1 network in one sitting")
    assert big.minutes == 30


def test_cadences_read_as_people_say_them() -> None:
    assert [cadence_words(d) for d in (7, 30, 90, 365, 45)] == [
        "weekly",
        "monthly",
        "every three months",
        "yearly",
        "every 45 days",
    ]


def test_automation_balance_names_relationships_that_only_got_automated_touches() -> None:
    now = 100 * DAY
    balance = automation_balance(
        person_ids=[1, 1, 2, 3, 3, 4],
        times=[99 * DAY, 98 * DAY, 97 * DAY, 96 * DAY, 95 * DAY, 10 * DAY],
        automated=[True, False, True, True, True, True],
        now=now,
    )
    assert (balance.automated, balance.personal) == (4, 1)
    assert balance.automated_share == pytest.approx(0.8)
    assert balance.automated_only.tolist() == [2, 3]


def test_automation_balance_of_a_quiet_month_is_zero() -> None:
    balance = automation_balance([], [], [], now=0.0)
    assert balance.automated_share == 0.0
    assert balance.automated_only.size == 0


def test_a_message_waits_until_the_user_writes_back() -> None:
    now = 50 * DAY
    waiting = waiting_replies(
        person_ids=[1, 1, 2, 2, 3],
        network_ids=[5, 5, 6, 6, 7],
        times=[40 * DAY, 45 * DAY, 41 * DAY, 42 * DAY, 0.0],
        inbound=[False, True, True, False, True],
        now=now,
        max_days=30,
    )
    assert waiting.person_ids.tolist() == [1]
    assert waiting.network_ids.tolist() == [5]
    assert waiting.days_waiting.tolist() == [5.0]
