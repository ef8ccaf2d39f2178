"""What the weekly plan is computed from, read from the database as arrays.

Two ways to get tie strength and last contact: `fresh` reads every interaction and scores
them (what the daily rescore does), the default reads the strength cache (`person.strength`)
and asks the database for the last contact of only the people who can be due (finite
keep-in-touch cadence). Either way only the last 60 days of interactions are read for
waiting replies and the automation balance.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final, cast

import numpy as np
import numpy.typing as npt
from sqlalchemy import CursorResult, TextClause, select, text
from sqlalchemy.orm import Session

from takethelead.domain.egonet import bridging_ties
from takethelead.domain.layers import assign_layers, cadence_days
from takethelead.domain.planner import (
    AutomationBalance,
    WaitingReplies,
    automation_balance,
    waiting_replies,
)
from takethelead.domain.reciprocity import LEDGER_KINDS, Ledger, balances
from takethelead.domain.strength import DIRECTIONS
from takethelead.domain.usefulness import RatePosterior
from takethelead.services.core import settings
from takethelead.services.leads.intropairs import Pairs, introduction_pairs
from takethelead.services.networks.timeentries import network_posteriors
from takethelead.services.posting.manual import (
    ManualPost,
    due_manual_posts,
    scheduled_posts,
)
from takethelead.services.posting.posts import MANUAL_KINDS
from takethelead.services.relationships.activity import load_touches, score_activity
from takethelead.services.relationships.scoring import (
    DIRECTION_CODE,
    KIND_CODE,
    cached_people,
    last_personal_contact,
    rescore_all,
)
from takethelead.storage.tables import LedgerEntry, Network, PlanAction, Referral

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

DAY: Final = 86_400.0
RECENT_DAYS: Final = 60.0
BALANCE_DAYS: Final = 30.0
# Kinds that carry a message one can answer (likes and follows do not wait for a reply).
CONVERSATION_KINDS: Final = frozenset(
    KIND_CODE[k]
    for k in (
        "message",
        "email",
        "reply",
        "mention",
        "comment",
        "meeting",
        "call",
        "introduction",
        "referral",
    )
)
INBOUND_CODE: Final = DIRECTION_CODE[DIRECTIONS[0].value]
API_KINDS: Final = frozenset({"linkedin", "mastodon", "bluesky", "discourse", "x"})
# Above this share of a workspace's interactions, a window is read by scanning the table.
SCAN_SHARE: Final = 0.05


@dataclass(frozen=True)
class Referrals:
    """Won referrals the user has not thanked for yet."""

    ids: IntArray
    person_ids: IntArray
    days_since_won: FloatArray


@dataclass(frozen=True)
class PlanInputs:
    """Everything the candidates are generated from, per person index where per person."""

    now: float
    person_ids: IntArray
    strength: FloatArray
    cadence: FloatArray  # inf: never due
    last_contact: FloatArray  # -inf: no personal contact known
    distrusted: BoolArray
    waiting: WaitingReplies  # person ids are database ids
    balance: AutomationBalance  # person ids are database ids
    thanks: Referrals
    received: FloatArray  # ledger entries received, per person
    given: FloatArray
    reach: FloatArray  # people reached only through this tie
    shared: BoolArray  # has seen the lead profile (a done share-profile action)
    posteriors: dict[int, RatePosterior]
    pairs: Pairs  # who could help whom, for introductions
    api_networks: int
    posts_per_week: int  # the setting, the fallback when nothing is scheduled this week
    scheduled_posts: int  # posts queued to connected accounts this week
    scheduled_networks: int
    manual: tuple[ManualPost, ...]  # due by the end of the week on networks without an API
    manual_network_ids: tuple[int, ...]  # per manual post: its network's id, or negative


def week_bounds(now: datetime) -> tuple[datetime, datetime]:
    """Monday 00:00 UTC of the week `now` falls in, and the Monday after."""
    day = now.astimezone(UTC).date()
    monday = datetime(day.year, day.month, day.day, tzinfo=UTC) - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=7)


def manual_network_id(kind: str, networks: dict[str, int]) -> int:
    """The workspace's network of this kind, or a negative stand-in per kind when it has none."""
    found = networks.get(kind)
    if found is not None:
        return found
    return -1 - [k.value for k in MANUAL_KINDS].index(kind)


def gather(session: Session, workspace_id: int, now: datetime, fresh: bool = False) -> PlanInputs:
    """Read the plan's inputs; `fresh` rescores every tie first instead of using the cache."""
    moment = now.timestamp()
    until = int(moment)
    if fresh:
        activity = load_touches(session, workspace_id, now)
        table = score_activity(activity, now)
        ids, strength = activity.people.ids, table.score
        overrides, distrusted = activity.people.cadence_days, activity.people.distrusted
        last_contact = table.last_contact
        cadence = cadence_days(assign_layers(strength), overrides)
    else:
        ids, strength, overrides, distrusted = cached_people(session, workspace_id)
        if np.isnan(strength).any():  # never scored (new people, an import): score them now
            rescore_all(session, workspace_id, now)
            ids, strength, overrides, distrusted = cached_people(session, workspace_id)
        cadence = cadence_days(assign_layers(strength), overrides)
        last_contact = last_personal_contact(
            session, workspace_id, ids, np.isfinite(cadence), until
        )

    recent = _recent(session, workspace_id, ids, until - int(RECENT_DAYS * DAY), until)
    person, network, ts, kind, direction, automated = recent
    talk = ~automated & np.isin(kind, list(CONVERSATION_KINDS))
    waiting = waiting_replies(
        ids[person[talk]], network[talk], ts[talk], direction[talk] == INBOUND_CODE, moment
    )
    mine = direction != INBOUND_CODE
    balance = automation_balance(
        ids[person[mine]], ts[mine], automated[mine], moment, days=BALANCE_DAYS
    )
    received, given = _ledger(session, workspace_id, ids)
    reach = _reach(session, workspace_id, ids, strength)
    shared_ids = session.scalars(
        select(PlanAction.person_id).where(
            PlanAction.workspace_id == workspace_id,
            PlanAction.kind == "share-profile",
            PlanAction.status == "done",
        )
    ).all()
    networks = session.execute(
        select(Network.id, Network.kind)
        .where(Network.workspace_id == workspace_id)
        .order_by(Network.id.desc())
    ).all()
    kinds = [row[1] for row in networks]
    by_kind = {str(row[1]): int(row[0]) for row in networks}  # the oldest of each kind wins
    posts = settings.get(session, workspace_id, settings.POSTS_PER_WEEK)
    start, end = week_bounds(now)
    scheduled = scheduled_posts(session, workspace_id, start, end)
    manual = due_manual_posts(session, workspace_id, now, within=end - now)
    return PlanInputs(
        now=moment,
        person_ids=ids,
        strength=strength,
        cadence=cadence,
        last_contact=last_contact,
        distrusted=distrusted,
        waiting=waiting,
        balance=balance,
        thanks=_thanks(session, workspace_id, moment),
        received=received,
        given=given,
        reach=reach,
        shared=np.isin(ids, np.array([p for p in shared_ids if p is not None], np.int64)),
        posteriors=network_posteriors(session, workspace_id, now),
        pairs=introduction_pairs(session, workspace_id, ids, distrusted),
        api_networks=sum(1 for k in kinds if k in API_KINDS),
        posts_per_week=posts,
        scheduled_posts=scheduled.posts,
        scheduled_networks=scheduled.networks,
        manual=tuple(manual),
        manual_network_ids=tuple(manual_network_id(m.network, by_kind) for m in manual),
    )


def plain_rows(
    session: Session, statement: TextClause, params: dict[str, Any]
) -> list[tuple[Any, ...]]:
    """Rows as the driver returns them: no Row objects for a few hundred thousand rows.

    Only for columns that need no type conversion (integers, floats, text).
    """
    result = cast(CursorResult[Any], session.execute(statement, params))
    try:
        return list(result.cursor.fetchall())
    finally:
        result.close()


def _recent(
    session: Session, workspace_id: int, ids: IntArray, since: int, until: int
) -> tuple[IntArray, IntArray, FloatArray, IntArray, IntArray, BoolArray]:
    """Interactions in a window as arrays: person index, network (-1), time, kind, direction."""
    params = {"ws": workspace_id, "since": since, "until": until}
    # Kinds and directions come back as codes, so that the rows become one integer array.
    kind = " ".join(f"WHEN '{k}' THEN {c}" for k, c in KIND_CODE.items())
    direction = " ".join(f"WHEN '{d}' THEN {c}" for d, c in DIRECTION_CODE.items())
    columns = (
        f"person_id, COALESCE(network_id, -1), occurred_at, CASE kind {kind} END, "
        f"CASE direction {direction} END, CASE WHEN automated THEN 1 ELSE 0 END"
    )
    # A wide window is read faster by one pass over the table than by a lookup per row
    # through the time index; the `+` keeps SQLite off the index (other databases plan
    # for themselves). The share is counted on the index alone, which is cheap.
    share = session.execute(
        text(
            "SELECT (SELECT COUNT(*) FROM interaction WHERE workspace_id = :ws "
            "AND occurred_at >= :since AND occurred_at <= :until), "
            "(SELECT COUNT(*) FROM interaction WHERE workspace_id = :ws)"
        ),
        params,
    ).one()
    wide = share[1] > 0 and share[0] / share[1] > SCAN_SHARE
    where = (
        "+workspace_id = :ws AND +occurred_at >= :since AND +occurred_at <= :until"
        if wide
        else "workspace_id = :ws AND occurred_at >= :since AND occurred_at <= :until"
    )
    rows = plain_rows(session, text(f"SELECT {columns} FROM interaction WHERE {where}"), params)
    flat = itertools.chain.from_iterable(rows)
    table = np.fromiter(flat, dtype=np.int64, count=6 * len(rows)).reshape(-1, 6)
    pid = table[:, 0]
    index = np.minimum(np.searchsorted(ids, pid), max(ids.size - 1, 0))
    known = ids[index] == pid if ids.size else np.zeros(pid.size, dtype=bool)  # the owner: no
    mine = table[known]
    return (
        index[known],
        mine[:, 1],
        mine[:, 2].astype(np.float64),
        mine[:, 3],
        mine[:, 4],
        mine[:, 5].astype(np.bool_),
    )


def _ledger(session: Session, workspace_id: int, ids: IntArray) -> tuple[FloatArray, FloatArray]:
    rows = session.execute(
        select(
            LedgerEntry.person_id, LedgerEntry.occurred_at, LedgerEntry.kind, LedgerEntry.direction
        ).where(LedgerEntry.workspace_id == workspace_id)
    ).all()
    codes = {k.value: i for i, k in enumerate(LEDGER_KINDS)}
    rows = [r for r in rows if r[2] in codes]
    index = np.searchsorted(ids, np.array([r[0] for r in rows], dtype=np.int64))
    known = index < ids.size
    known[known] &= ids[index[known]] == np.array([r[0] for r in rows], np.int64)[known]
    ledger = Ledger.from_arrays(
        index[known],
        np.array([r[1].timestamp() for r in rows], dtype=np.float64)[known],
        np.array([codes[r[2]] for r in rows], dtype=np.int8)[known],
        np.array([1 if r[3] == "given" else 0 for r in rows], dtype=np.int8)[known],
    )
    balance = balances(ledger, ids.size)
    return balance.received_count.astype(np.float64), balance.given_count.astype(np.float64)


def _reach(session: Session, workspace_id: int, ids: IntArray, strength: FloatArray) -> FloatArray:
    rows = plain_rows(
        session,
        text("SELECT person_a, person_b FROM tie WHERE workspace_id = :ws"),
        {"ws": workspace_id},
    )
    reach = np.zeros(ids.size)
    if not rows or not ids.size:
        return reach
    flat = itertools.chain.from_iterable(rows)
    pairs = np.fromiter(flat, dtype=np.int64, count=2 * len(rows)).reshape(-1, 2)
    a, b = pairs[:, 0], pairs[:, 1]
    ia = np.minimum(np.searchsorted(ids, a), ids.size - 1)
    ib = np.minimum(np.searchsorted(ids, b), ids.size - 1)
    known = (ids[ia] == a) & (ids[ib] == b)
    for bridge in bridging_ties(strength, ia[known], ib[known], limit=50):
        reach[bridge.person] = bridge.unique_reach
    return reach


def _thanks(session: Session, workspace_id: int, now: float) -> Referrals:
    rows = session.execute(
        select(Referral.id, Referral.person_id, Referral.updated_at)
        .where(
            Referral.workspace_id == workspace_id,
            Referral.direction == "received",
            Referral.status == "won",
            Referral.thanked.is_(False),
        )
        .order_by(Referral.id)
    ).all()
    return Referrals(
        ids=np.array([r[0] for r in rows], dtype=np.int64),
        person_ids=np.array([r[1] for r in rows], dtype=np.int64),
        days_since_won=np.array(
            [max(now - r[2].timestamp(), 0.0) / DAY for r in rows], dtype=np.float64
        ),
    )
