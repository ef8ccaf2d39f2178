"""Pairs of people who can help each other, sized for the weekly plan.

`services.introductions.introduction_candidates` searches the whole network; the plan needs
an answer in milliseconds on 30,000 people, so this looks only among the strongest ties.

One person's lead profile (who they want to meet) is matched against the offers of the
user's live ties with the lead-matching index (`domain.matching`, BM25). Only the strongest
ties take part: an introduction is trusted as far as the weaker of the two ties, so a pair
of distant acquaintances is never worth the user's minutes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt
from sqlalchemy import bindparam, select, text
from sqlalchemy.orm import Session

from takethelead.domain.matching import (
    Profile,
    Relationship,
    build_match_index,
    suggest_providers,
)
from takethelead.storage.tables import Introduction

POOL: Final = 300  # strongest ties whose offers are searched
SEEKERS: Final = 40  # strongest ties with a lead profile, for whom a match is sought
MIN_MATCHED_WORDS: Final = 2
LIVE: Final = 0.05


@dataclass(frozen=True)
class Pairs:
    a: npt.NDArray[np.int64]  # the one looking
    b: npt.NDArray[np.int64]  # the one who offers it
    score: npt.NDArray[np.float64]  # in (0, 1]: how well the offer fits the lead profile
    reasons: list[str]


def introduction_pairs(
    session: Session,
    workspace_id: int,
    ids: npt.NDArray[np.int64],
    strength: npt.NDArray[np.float64],
    distrusted: npt.NDArray[np.bool_],
) -> Pairs:
    """Who could serve whom among the strongest ties, skipping pairs already introduced."""
    live = np.flatnonzero((strength >= LIVE) & ~distrusted)
    pool = live[np.lexsort((ids[live], -strength[live]))][:POOL]
    empty = Pairs(np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0), [])
    if pool.size < 2:
        return empty
    rows = session.execute(
        text("SELECT id, full_name, offer, lead_profile FROM person WHERE id IN :ids").bindparams(
            bindparam("ids", expanding=True)
        ),
        {"ids": [int(ids[i]) for i in pool]},
    ).all()
    by_id = {r[0]: r for r in rows}
    strength_of = {int(ids[i]): float(strength[i]) for i in pool}
    order = [int(ids[i]) for i in pool]  # strongest first
    offers = [Profile(pid, offer=by_id[pid][2]) for pid in order if by_id[pid][2].strip()]
    seekers = [pid for pid in order if by_id[pid][3].strip()][:SEEKERS]
    if not offers or not seekers:
        return empty
    index = build_match_index(offers)
    ties = {pid: Relationship(strength=strength_of[pid]) for pid in order}
    done = {
        frozenset(pair)
        for pair in session.execute(
            select(Introduction.person_a, Introduction.person_b).where(
                Introduction.workspace_id == workspace_id
            )
        )
    }
    a, b, score, reasons = [], [], [], []
    for seeker in seekers:
        wanted = by_id[seeker][3]
        for found in suggest_providers(index, wanted, ties, limit=3, exclude={seeker}):
            pair = frozenset((seeker, found.person_id))
            same_trade = by_id[found.person_id][2].strip() == by_id[seeker][2].strip()
            if len(found.matched) < MIN_MATCHED_WORDS or pair in done or same_trade:
                continue  # a competitor is no introduction
            done.add(pair)
            a.append(seeker)
            b.append(found.person_id)
            score.append(found.relevance * min(1.0, len(found.matched) / 4))
            reasons.append(
                f"{by_id[seeker][1]} is looking for {_short(wanted)}; "
                f"{by_id[found.person_id][1]} offers {_short(by_id[found.person_id][2])} "
                f"(matched: {', '.join(found.matched)})"
            )
            break  # one introduction per person a week is plenty
    return Pairs(np.array(a, np.int64), np.array(b, np.int64), np.array(score), reasons)


def _short(text: str, width: int = 60) -> str:
    flat = " ".join(text.split()).rstrip(".;,:!")
    return flat if len(flat) <= width else flat[:width].rsplit(" ", 1)[0] + "…"
