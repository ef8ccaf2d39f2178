"""The weekly plan's introductions: the introductions page's suggestions, as arrays.

There is one matcher, `introductions.introduction_candidates` (cached per workspace); the
plan takes its suggestions between people it knows, at most one for each person looking,
and says in its own sentence what one looks for and the other offers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from sqlalchemy.orm import Session

from takethelead.services.leads.introductions import (
    MAX_CANDIDATES,
    introduction_candidates,
    short,
)


@dataclass(frozen=True)
class Pairs:
    a: npt.NDArray[np.int64]  # the one looking
    b: npt.NDArray[np.int64]  # the one who offers it
    score: npt.NDArray[np.float64]  # in (0, 1]: how well the offer fits the need
    reasons: list[str]


def introduction_pairs(
    session: Session,
    workspace_id: int,
    ids: npt.NDArray[np.int64],
    distrusted: npt.NDArray[np.bool_],
) -> Pairs:
    """The suggested introductions between trusted people of `ids`, one per person looking."""
    trusted = {int(pid) for pid in ids[~distrusted]}
    a: list[int] = []
    b: list[int] = []
    score: list[float] = []
    reasons: list[str] = []
    for c in introduction_candidates(session, workspace_id, MAX_CANDIDATES):
        if c.person_a in a or not {c.person_a, c.person_b} <= trusted:
            continue  # one introduction per person a week is plenty
        a.append(c.person_a)
        b.append(c.person_b)
        score.append(c.score)
        reasons.append(
            f"{c.name_a} is looking for {short(c.need)}; {c.name_b} offers {short(c.offer)} "
            f"(matched: {', '.join(c.matched)})"
        )
    return Pairs(np.array(a, np.int64), np.array(b, np.int64), np.array(score), reasons)
