"""Minutes set aside for manual posts before the rest of a week's plan is chosen.

A post the user scheduled for a network without an API is a commitment: it is reserved first
(in the order given, overdue and best first), within the kind's weekly cap and half the time
left, and the planner chooses the other actions in what remains.
"""

from __future__ import annotations

from collections.abc import Iterable

from takethelead.domain.actions import Action, ActionKind
from takethelead.domain.planner import DEFAULT_CAPS


def reserve_manual_posts(candidates: Iterable[Action], planned: int, minutes: int) -> list[Action]:
    """The manual posts to reserve of `candidates`, `planned` of them being in the week already."""
    cap = DEFAULT_CAPS[ActionKind.MANUAL_POST].count - planned
    reserved: list[Action] = []
    used = 0
    for candidate in candidates:
        if candidate.kind != ActionKind.MANUAL_POST or len(reserved) >= cap:
            continue
        # One that does not fit leaves room for a shorter one after it.
        if used + candidate.minutes <= minutes // 2:
            reserved.append(candidate)
            used += candidate.minutes
    return reserved
