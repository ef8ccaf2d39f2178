"""Fading ties: who lost the most strength lately."""

from __future__ import annotations

from takethelead.domain.fading import fading_ties
from takethelead.domain.records import InteractionKind
from takethelead.domain.strength import DAY, KINDS, MUTUAL, Touches

NOW = 1_700_000_000.0
MEETING = KINDS.index(InteractionKind.MEETING)


def test_ties_that_went_quiet_fade_biggest_loss_first_and_a_steady_one_does_not() -> None:
    days = [*range(100, 400, 10), *range(95, 400, 30), *range(0, 400, 10)]
    people = [0] * 30 + [1] * 11 + [2] * 40
    touches = Touches.from_arrays(
        person=people,
        ts=[NOW - d * DAY for d in days],
        kind=[MEETING] * len(days),
        direction=[MUTUAL] * len(days),
    )
    fades = fading_ties(touches, NOW, 3)
    assert sorted(f.person for f in fades) == [0, 1]
    assert fades[0].drop >= fades[1].drop >= 0.05
    assert all(f.before > f.now for f in fades)
