"""Interaction tallies that would cost a pass over every interaction, cached per workspace.

The daily rescore (`jobs.tasks.rescore_everything`) counts the interactions up to the newest
id and stores the counts with that id. A read adds what came after it (a short primary-key
range), so new interactions show at once. Interactions are only ever deleted with their
person, and deleting a person drops the cache (`forget`); until the next refresh, reads
count live. The cache also keeps the people who had gone quiet, or were about to, as
candidates for the dashboard; a read checks each candidate afresh.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from takethelead.services.core import settings
from takethelead.services.people.ranking import refresh_person_counts
from takethelead.storage.tables import Interaction, Person

TALLIES_KEY: Final = settings.TALLIES.name
QUIET_DAYS: Final = 90
QUIET_TOUCHES: Final = 8
# Candidates stay good for two days (a missed nightly run): the refresh keeps who goes
# quiet within them.
CANDIDATE_DAYS: Final = 2
CANDIDATES: Final = 60
MANY_TOUCHED: Final = 2_000
MANY_CANDIDATES: Final = 5_000
RECENT_DAYS: Final = 90
DAY: Final = 86_400


@dataclass(frozen=True, slots=True)
class Tallies:
    """All-time interaction counts: the total and per network (None: no network)."""

    total: int
    per_network: dict[int | None, int]


@dataclass(frozen=True, slots=True)
class QuietTie:
    person_id: int
    full_name: str
    touches: int
    last_contact: datetime


def _live_counts(session: Session, workspace_id: int, after_id: int) -> dict[int | None, int]:
    # The unary plus keeps SQLite on the primary-key range rather than a workspace index.
    rows = session.execute(
        text(
            "SELECT network_id, count(*) FROM interaction "
            "WHERE id > :after AND +workspace_id = :ws GROUP BY network_id"
        ),
        {"after": after_id, "ws": workspace_id},
    ).all()
    return {network_id: int(n) for network_id, n in rows}


def _full_counts(session: Session, workspace_id: int) -> dict[int | None, int]:
    rows = session.execute(
        select(Interaction.network_id, func.count())
        .where(Interaction.workspace_id == workspace_id)
        .group_by(Interaction.network_id)
    ).all()
    return {network_id: int(n) for network_id, n in rows}


def _cached(session: Session, workspace_id: int) -> dict[str, object] | None:
    value = settings.get(session, workspace_id, settings.TALLIES)
    return value if isinstance(value, dict) else None


def tallies(session: Session, workspace_id: int) -> Tallies:
    """Interactions of the workspace, in total and per network, exact."""
    cache = _cached(session, workspace_id)
    if cache is None:
        counts = _full_counts(session, workspace_id)
    else:
        upto = int(str(cache["upto"]))
        stored = cache["networks"]
        assert isinstance(stored, dict)
        counts = {None if k == "" else int(k): int(v) for k, v in stored.items()}
        for network_id, n in _live_counts(session, workspace_id, upto).items():
            counts[network_id] = counts.get(network_id, 0) + n
    return Tallies(total=sum(counts.values()), per_network=counts)


@dataclass(frozen=True, slots=True)
class RecentActivity:
    """Touches and inbound touches on one network since a moment."""

    network_id: int
    touches: int
    inbound: int


_RECENT_SQL: Final = (
    "SELECT {n}, count(*), sum(CASE WHEN direction = 'inbound' THEN 1 ELSE 0 END) "
    "FROM interaction WHERE {where} AND {n} IS NOT NULL GROUP BY {n}"
)


def _recent_rows(
    session: Session, where: str, params: dict[str, int], network: str = "network_id"
) -> dict[int, list[int]]:
    query = _RECENT_SQL.format(where=where, n=network)
    rows = session.execute(text(query), params).all()
    return {int(n): [int(touches), int(inbound or 0)] for n, touches, inbound in rows}


def recent_activity(
    session: Session, workspace_id: int, now: datetime | None = None
) -> list[RecentActivity]:
    """Touches per network over the last 90 days, exact, from the daily counts when cached.

    The window splits at the first midnight after its start: before it, the interactions
    are counted live (under a day of them); after it, the cached per-day counts hold the
    interactions up to the cached id and a short primary-key range adds those since.
    """
    moment = int((now or datetime.now(UTC)).timestamp())
    since = moment - RECENT_DAYS * DAY
    cache = _cached(session, workspace_id)
    recent = cache.get("recent") if cache is not None else None
    boundary = -(-since // DAY) * DAY  # the first midnight (UTC) at or after `since`
    params = {"ws": workspace_id, "since": since, "boundary": boundary}
    if cache is None or not isinstance(recent, dict) or int(recent["from"]) > boundary // DAY:
        counts = _recent_rows(session, "workspace_id = :ws AND occurred_at >= :since", params)
    else:
        params["upto"] = int(str(cache["upto"]))
        # The unary plus keeps SQLite on the (workspace, time) range, not the network index.
        counts = _recent_rows(
            session,
            "workspace_id = :ws AND occurred_at >= :since AND occurred_at < :boundary",
            params,
            network="+network_id",
        )
        first_day = boundary // DAY
        by_network = recent["days"]
        assert isinstance(by_network, dict)
        for key, days in by_network.items():
            total = counts.setdefault(int(key), [0, 0])
            for day, (touches, inbound) in days.items():
                if int(day) >= first_day:
                    total[0] += touches
                    total[1] += inbound
        later = _recent_rows(
            session,
            "id > :upto AND +workspace_id = :ws AND occurred_at >= :boundary",
            params,
        )
        for network_id, (touches, inbound) in later.items():
            total = counts.setdefault(network_id, [0, 0])
            total[0] += touches
            total[1] += inbound
    return [RecentActivity(n, t, i) for n, (t, i) in sorted(counts.items()) if t]


def _recent_days(session: Session, workspace_id: int, first_day: int) -> dict[str, object]:
    """Per network and day from `first_day` on: [touches, inbound], for recent_activity."""
    rows = session.execute(
        text(
            "SELECT network_id, occurred_at / :day AS d, count(*), "
            "sum(CASE WHEN direction = 'inbound' THEN 1 ELSE 0 END) FROM interaction "
            "WHERE workspace_id = :ws AND occurred_at >= :start AND network_id IS NOT NULL "
            "GROUP BY network_id, occurred_at / :day"
        ),
        {"ws": workspace_id, "day": DAY, "start": first_day * DAY},
    ).all()
    days: dict[str, dict[str, list[int]]] = {}
    for network_id, day, touches, inbound in rows:
        days.setdefault(str(network_id), {})[str(int(day))] = [int(touches), int(inbound or 0)]
    return {"from": first_day, "days": days}


def quiet_ties(
    session: Session, workspace_id: int, now: datetime | None = None, limit: int = 5
) -> tuple[QuietTie, ...]:
    """Well-known people (8+ personal touches) with no personal touch for 90 days.

    With a fresh cache only its candidates and the people touched since are read; that is
    exact unless most of the cached quiet people were touched since, and then all are read.
    """
    moment = now or datetime.now(UTC)
    since = moment - timedelta(days=QUIET_DAYS)
    totals = select(
        Interaction.person_id,
        func.count().label("n"),
        func.max(Interaction.occurred_at).label("last"),
    ).where(Interaction.workspace_id == workspace_id, Interaction.automated.is_(False))
    candidates = _candidates(session, workspace_id, moment, limit)
    if candidates is not None:
        if not candidates:
            return ()
        totals = totals.where(Interaction.person_id.in_(sorted(candidates)))
    personal = totals.group_by(Interaction.person_id).subquery()
    rows = session.execute(
        select(Person.id, Person.full_name, personal.c.n, personal.c.last)
        .join(personal, personal.c.person_id == Person.id)
        .where(personal.c.n >= QUIET_TOUCHES, personal.c.last < since)
        .order_by(personal.c.n.desc(), Person.id)
        .limit(limit)
    ).all()
    return tuple(QuietTie(pid, name, int(n), at) for pid, name, n, at in rows)


def _candidates(
    session: Session, workspace_id: int, moment: datetime, limit: int
) -> set[int] | None:
    """Who can be among the quiet now, or None when only reading everyone will tell."""
    cache = _cached(session, workspace_id)
    if cache is None:
        return None
    oldest = int((moment - timedelta(days=CANDIDATE_DAYS)).timestamp())
    if int(str(cache["as_of"])) < oldest:
        return None
    quiet, band = cache["quiet"], cache["band"]
    assert isinstance(quiet, list) and isinstance(band, list)
    touched = set(
        session.scalars(
            text(
                "SELECT DISTINCT person_id FROM interaction WHERE id > :after "
                "AND +workspace_id = :ws"
            ),
            {"after": int(str(cache["upto"])), "ws": workspace_id},
        )
    )
    if len(touched) > MANY_TOUCHED:
        return None  # a big import since the refresh: read everyone
    ranked = [int(p) for p in quiet]
    # Someone ranked below the cached quiet could only rise if those above them changed.
    if len(ranked) == CANDIDATES and len(touched & set(ranked)) > CANDIDATES - limit:
        return None
    candidates = set(ranked) | {int(p) for p in band} | touched
    return candidates if len(candidates) <= MANY_CANDIDATES else None


def refresh_tallies(session: Session, workspace_id: int, now: datetime | None = None) -> int:
    """Count every interaction afresh and cache the counts; returns the total."""
    moment = now or datetime.now(UTC)
    if session.get_bind().dialect.name == "postgresql":
        # Waits for writers in flight, so no lower id can commit after the counts are read.
        session.execute(text("LOCK TABLE interaction IN SHARE MODE"))
    upto = session.scalar(
        select(func.max(Interaction.id)).where(Interaction.workspace_id == workspace_id)
    )
    counts = _full_counts(session, workspace_id)
    gone = moment - timedelta(days=QUIET_DAYS)
    soon = gone + timedelta(days=CANDIDATE_DAYS)
    personal = (
        select(
            Interaction.person_id,
            func.count().label("n"),
            func.max(Interaction.occurred_at).label("last"),
        )
        .where(Interaction.workspace_id == workspace_id, Interaction.automated.is_(False))
        .group_by(Interaction.person_id)
        .having(func.count() >= QUIET_TOUCHES)
        .subquery()
    )
    # Quiet already: the best known of them. Going quiet within the week: all of them.
    quiet = session.scalars(
        select(personal.c.person_id)
        .where(personal.c.last < gone)
        .order_by(personal.c.n.desc(), personal.c.person_id)
        .limit(CANDIDATES)
    ).all()
    band = session.scalars(
        select(personal.c.person_id).where(personal.c.last >= gone, personal.c.last < soon)
    ).all()
    # Every day a 90-day window starting from now on can reach.
    first_day = int(moment.timestamp()) // DAY - RECENT_DAYS
    value = {
        "as_of": int(moment.timestamp()),
        "upto": int(upto or 0),
        "networks": {"" if k is None else str(k): n for k, n in counts.items()},
        "quiet": [int(p) for p in quiet],
        "band": [int(p) for p in band],
        "recent": _recent_days(session, workspace_id, first_day),
    }
    settings.put(session, workspace_id, settings.TALLIES, value)
    refresh_person_counts(session, workspace_id, int(upto or 0))
    return sum(counts.values())


def forget_recent(session: Session, workspace_id: int) -> None:
    """Drop the per-day counts (an interaction's time or direction changed); the rest holds."""
    value = settings.get(session, workspace_id, settings.TALLIES)
    if isinstance(value, dict) and value.pop("recent", None) is not None:
        settings.put(session, workspace_id, settings.TALLIES, value)


def forget_tallies(session: Session, workspace_id: int) -> None:
    """Drop the cache (interactions were deleted); reads count live until the next refresh."""
    settings.clear(session, workspace_id, settings.TALLIES)
