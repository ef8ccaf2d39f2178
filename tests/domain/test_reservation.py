"""The manual posts reserved before a week's plan is chosen: in order, within cap and half."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from takethelead.domain.actions import Action, ActionKind
from takethelead.domain.planner import DEFAULT_CAPS
from takethelead.domain.reservation import reserve_manual_posts

CAP = DEFAULT_CAPS[ActionKind.MANUAL_POST].count


def post(n: int, minutes: int = 5) -> Action:
    return Action(ActionKind.MANUAL_POST, minutes, 1.0, "due", network_id=-1, post_id=n)


def test_posts_are_reserved_in_the_order_given_up_to_the_kinds_cap() -> None:
    posts = [post(n) for n in range(CAP + 2)]
    assert reserve_manual_posts(posts, 0, 600) == posts[:CAP]


def test_posts_already_in_the_week_count_against_the_cap() -> None:
    posts = [post(n) for n in range(CAP)]
    assert reserve_manual_posts(posts, CAP - 1, 600) == posts[:1]
    assert reserve_manual_posts(posts, CAP, 600) == []
    assert reserve_manual_posts(posts, CAP + 3, 600) == []


def test_at_most_half_the_minutes_left_are_reserved() -> None:
    posts = [post(n, 10) for n in range(3)]
    assert reserve_manual_posts(posts, 0, 41) == posts[:2]  # 20 of 41: half rounded down
    assert reserve_manual_posts(posts, 0, 39) == posts[:1]
    assert reserve_manual_posts(posts, 0, 19) == []


def test_a_post_too_long_for_the_room_left_lets_a_shorter_one_after_it_in() -> None:
    long, short = post(1, 30), post(2, 5)
    assert reserve_manual_posts([long, short], 0, 40) == [short]


def test_actions_of_other_kinds_are_never_reserved() -> None:
    check_in = Action(ActionKind.CHECK_IN, 5, 2.0, "overdue", person_id=1)
    assert reserve_manual_posts([check_in, post(1)], 0, 600) == [post(1)]


@given(
    st.lists(st.integers(min_value=1, max_value=60), max_size=12),
    st.integers(min_value=0, max_value=8),
    st.integers(min_value=0, max_value=600),
)
def test_the_reservation_keeps_to_cap_and_half_and_the_given_order(
    lengths: list[int], planned: int, minutes: int
) -> None:
    posts = [post(n, m) for n, m in enumerate(lengths)]
    reserved = reserve_manual_posts(posts, planned, minutes)
    assert len(reserved) <= max(CAP - planned, 0)
    assert sum(r.minutes for r in reserved) <= minutes // 2
    assert reserved == [p for p in posts if p in reserved]
