"""Time spent on networks and what came back: the evidence behind each network's minutes.

The attribution rule, for every network: an inbound (or mutual) personal interaction on a
network belongs to the latest time entry on that network at most three days before it
(`usefulness.ATTRIBUTION_WINDOW_DAYS`). Replies, comments, mentions, messages and e-mails are
*responses*, and when the entry carries an explicit `--responses` count the user counted them
already, so they are absorbed. Meetings and calls (a meeting, weight 5) and referrals or
introductions (a referral, weight 10) always count at their weight; a meeting counts when
they asked for it (inbound), since a mutual meeting at a breakfast club is the time spent
there, not what it brought. Plan actions closed on a
network add their outcome too: responded counts as a conversation, meeting-booked as a
meeting, referral-received as a referral.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

import numpy as np
import numpy.typing as npt
from sqlalchemy import bindparam, select, text
from sqlalchemy.orm import Session

from takethelead.domain.usefulness import (
    ATTRIBUTION_WINDOW_DAYS,
    OUTCOME_WEIGHTS,
    Outcome,
    RatePosterior,
    attribute_responses,
    describe_rate,
    rate_posterior,
    week_index,
)
from takethelead.services.core import settings
from takethelead.services.core.errors import ServiceError
from takethelead.services.networks.networks import resolve_network
from takethelead.storage.tables import Network, PlanAction, TimeEntry

RESPONSE_KINDS: Final = ("reply", "comment", "mention", "message", "email")
MEETING_KINDS: Final = ("meeting", "call")
REFERRAL_KINDS: Final = ("referral", "introduction")
PLAN_OUTCOMES: Final = {
    "responded": Outcome.CONVERSATION,
    "meeting-booked": Outcome.MEETING,
    "referral-received": Outcome.REFERRAL,
}
# Weeks older than this weigh under 0.9^52 ≈ 0.4 %: not worth reading.
HISTORY_WEEKS: Final = 52
# Setting that caches what closed time entries brought (see `refresh_evidence`).
EVIDENCE_KEY: Final = settings.EVIDENCE.name
_DURATION = re.compile(r"^(?:(\d+)\s*h)?\s*(?:(\d+)\s*(?:m|min)?)?$")
_SECONDS_PER_DAY: Final = 86_400
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


def parse_minutes(raw: str, field: str = "minutes") -> int:
    """'25m', '2h', '1h30m', '1h30' or '150' (minutes) as whole minutes."""
    cleaned = raw.strip().lower().replace(" ", "")
    found = _DURATION.match(cleaned) if cleaned else None
    if found is None or not any(found.groups()):
        raise ServiceError(f"{field} {raw!r}: expected minutes like 150, 90m, 2h or 1h30m")
    hours, minutes = (int(g) if g else 0 for g in found.groups())
    return hours * 60 + minutes


@dataclass(frozen=True, slots=True)
class TimeEntryView:
    id: int
    network: str
    spent_at: datetime
    minutes: int
    responses: int | None
    note: str


def record_time(
    session: Session,
    workspace_id: int,
    network: str,
    minutes: int,
    note: str = "",
    responses: int | None = None,
    when: datetime | None = None,
) -> TimeEntryView:
    """Record minutes spent on a network; without `responses` they are attributed later."""
    if minutes <= 0:
        raise ServiceError(f"minutes {minutes}: expected more than zero")
    if minutes > 24 * 60:
        raise ServiceError(f"minutes {minutes}: expected at most a day (1440)")
    if responses is not None and responses < 0:
        raise ServiceError(f"responses {responses}: expected zero or more")
    network_id = resolve_network(session, workspace_id, network)
    entry = TimeEntry(
        workspace_id=workspace_id,
        network_id=network_id,
        spent_at=when or datetime.now(UTC),
        minutes=minutes,
        responses=responses,
        note=note,
    )
    session.add(entry)
    session.flush()
    name = session.scalar(select(Network.name).where(Network.id == network_id)) or ""
    return TimeEntryView(entry.id, name, entry.spent_at, minutes, responses, note)


@dataclass(frozen=True, slots=True)
class NetworkEvidence:
    """One network's usefulness: its posterior and the evidence in words."""

    network_id: int
    name: str
    kind: str
    mean: float  # response equivalents per hour
    low: float
    high: float
    hours: float  # discounted hours observed
    outcomes: float  # discounted response equivalents observed
    has_evidence: bool
    sentence: str


def network_posteriors(
    session: Session, workspace_id: int, now: datetime | None = None, *, cached: bool = True
) -> dict[int, RatePosterior]:
    """Every network's responses-per-hour posterior at `now`, by network id.

    What each time entry brought is read from the evidence cache for entries whose window
    had closed when the cache was refreshed (`refresh_evidence`, daily), and counted from
    the interactions for the rest; `cached=False` counts everything afresh.
    """
    moment = now or datetime.now(UTC)
    current = week_index(moment)
    until = int(moment.timestamp())
    network_ids = list(
        session.scalars(select(Network.id).where(Network.workspace_id == workspace_id))
    )
    e_id, e_net, e_time, e_min, e_explicit, e_resp = _entries(session, workspace_id, until)
    known = _cached_values(session, workspace_id) if cached else {}
    attributed = np.array([known.get(int(i), 0.0) for i in e_id], dtype=np.float64)
    live = np.array([int(i) not in known for i in e_id], dtype=bool)
    if live.any():
        attributed += _attributed(
            session, workspace_id, (e_id, e_net, e_time, e_explicit), e_id[live], until
        )

    plan_rows = [
        (network, done_at, outcome)
        for network, done_at, outcome in session.execute(
            select(PlanAction.network_id, PlanAction.done_at, PlanAction.outcome).where(
                PlanAction.workspace_id == workspace_id,
                PlanAction.kind == "network",
                PlanAction.status == "done",
                PlanAction.outcome.in_(list(PLAN_OUTCOMES)),
            )
        )
        if network is not None and done_at is not None and outcome is not None
    ]
    p_net = np.array([r[0] for r in plan_rows], dtype=np.int64)
    p_week = np.array([week_index(r[1]) for r in plan_rows], dtype=np.int64)
    p_value = np.array([OUTCOME_WEIGHTS[PLAN_OUTCOMES[r[2]]] for r in plan_rows], dtype=np.float64)

    # What an entry brought counts in the entry's own week.
    e_week = _weeks(e_time)
    e_outcomes = e_resp * OUTCOME_WEIGHTS[Outcome.RESPONSE] + attributed
    posteriors = {}
    for network_id in network_ids:
        mine = e_net == network_id
        planned = p_net == network_id
        posteriors[network_id] = rate_posterior(
            e_week[mine],
            e_min[mine],
            np.concatenate((e_week[mine], p_week[planned])),
            np.concatenate((e_outcomes[mine], p_value[planned])),
            current,
        )
    return posteriors


def refresh_evidence(session: Session, workspace_id: int, now: datetime | None = None) -> int:
    """Count what every time entry brought and cache it for entries whose window has closed."""
    moment = now or datetime.now(UTC)
    until = int(moment.timestamp())
    e_id, e_net, e_time, _, e_explicit, _ = _entries(session, workspace_id, until)
    values = _attributed(session, workspace_id, (e_id, e_net, e_time, e_explicit), e_id, until)
    window = ATTRIBUTION_WINDOW_DAYS * _SECONDS_PER_DAY
    closed = e_time + window < until
    cache = {
        "as_of": until,
        "values": {
            str(int(i)): float(v) for i, v in zip(e_id[closed], values[closed], strict=True)
        },
    }
    settings.put(session, workspace_id, settings.EVIDENCE, cache)
    return int(closed.sum())


def has_evidence_cache(session: Session, workspace_id: int) -> bool:
    """Whether the evidence cache was ever filled for this workspace."""
    return settings.is_set(session, workspace_id, settings.EVIDENCE)


def _entries(
    session: Session, workspace_id: int, until: int
) -> tuple[IntArray, IntArray, FloatArray, FloatArray, BoolArray, FloatArray]:
    since = until - HISTORY_WEEKS * 7 * _SECONDS_PER_DAY
    rows = session.execute(
        text(
            "SELECT id, network_id, spent_at, minutes, responses FROM time_entry "
            "WHERE workspace_id = :ws AND spent_at >= :since AND spent_at <= :until ORDER BY id"
        ),
        {"ws": workspace_id, "since": since, "until": until},
    ).all()
    return (
        np.array([r[0] for r in rows], dtype=np.int64),
        np.array([r[1] for r in rows], dtype=np.int64),
        np.array([r[2] for r in rows], dtype=np.float64),
        np.array([r[3] for r in rows], dtype=np.float64),
        np.array([r[4] is not None for r in rows], dtype=bool),
        np.array([r[4] or 0 for r in rows], dtype=np.float64),
    )


def _attributed(
    session: Session,
    workspace_id: int,
    entries: tuple[IntArray, IntArray, FloatArray, BoolArray],
    wanted: IntArray,
    until: int,
) -> FloatArray:
    """Response equivalents the interactions gave each entry, counted for `wanted` entries."""
    e_id, e_net, e_time, e_explicit = entries
    # Only interactions inside a wanted entry's window can count for it: read just those,
    # driven by the (few) entries through the interaction time index.
    rows = session.execute(
        text(
            "SELECT DISTINCT i.id, i.network_id, i.occurred_at, i.kind, i.direction "
            # CROSS JOIN keeps SQLite from scanning every interaction for matching entries.
            "FROM time_entry t CROSS JOIN interaction i "
            "WHERE t.id IN :wanted AND i.workspace_id = t.workspace_id "
            "AND i.occurred_at >= t.spent_at AND i.occurred_at <= t.spent_at + :window "
            "AND i.network_id = t.network_id AND t.workspace_id = :ws "
            "AND i.occurred_at <= :until AND i.direction <> 'outbound' AND i.automated = :no"
        ).bindparams(bindparam("wanted", expanding=True)),
        {
            "ws": workspace_id,
            "wanted": [int(i) for i in wanted],
            "until": until,
            "window": int(ATTRIBUTION_WINDOW_DAYS * _SECONDS_PER_DAY),
            "no": False,
        },
    ).all()
    i_net = np.array([r[1] for r in rows], dtype=np.int64)
    i_time = np.array([r[2] for r in rows], dtype=np.float64)
    i_kind = np.array([r[3] for r in rows], dtype=object)
    asked = np.array([r[4] == "inbound" for r in rows], dtype=bool)
    is_response = np.isin(i_kind, RESPONSE_KINDS)
    value = np.select(
        [is_response, np.isin(i_kind, MEETING_KINDS) & asked],
        [OUTCOME_WEIGHTS[Outcome.RESPONSE], OUTCOME_WEIGHTS[Outcome.MEETING]],
        np.where(np.isin(i_kind, REFERRAL_KINDS), OUTCOME_WEIGHTS[Outcome.REFERRAL], 0.0),
    ).astype(np.float64)
    # Plain responses are absorbed by explicit counts; meetings and referrals never are.
    owner = _owners(e_net, e_time, e_explicit, i_net, i_time)
    owner[~is_response] = _owners(
        e_net, e_time, np.zeros_like(e_explicit), i_net[~is_response], i_time[~is_response]
    )
    counted = (owner >= 0) & np.isin(e_id[np.maximum(owner, 0)], wanted)
    return np.bincount(owner[counted], weights=value[counted], minlength=e_id.size).astype(
        np.float64
    )


def _cached_values(session: Session, workspace_id: int) -> dict[int, float]:
    cache = settings.get(session, workspace_id, settings.EVIDENCE)
    if cache is None:
        return {}
    return {int(k): float(v) for k, v in cache.get("values", {}).items()}


def rank_networks(
    session: Session, workspace_id: int, now: datetime | None = None
) -> list[NetworkEvidence]:
    """Networks by usefulness, best first; under-evidenced ones last, with a call to explore."""
    posteriors = network_posteriors(session, workspace_id, now)
    rows = session.execute(
        select(Network.id, Network.name, Network.kind).where(Network.workspace_id == workspace_id)
    ).all()
    ranked = []
    for network_id, name, kind in rows:
        posterior = posteriors[network_id]
        low, high = posterior.interval()
        ranked.append(
            NetworkEvidence(
                network_id=network_id,
                name=name,
                kind=kind,
                mean=round(posterior.mean, 3),
                low=round(low, 3),
                high=round(high, 3),
                hours=round(posterior.hours, 3),
                outcomes=round(posterior.outcomes, 3),
                has_evidence=posterior.has_evidence(),
                sentence=f"{name}: {describe_rate(posterior)}",
            )
        )
    ranked.sort(key=lambda n: (not n.has_evidence, -n.mean, n.name.lower(), n.network_id))
    return ranked


def _owners(
    e_net: IntArray, e_time: FloatArray, explicit: BoolArray, i_net: IntArray, i_time: FloatArray
) -> IntArray:
    return attribute_responses(e_net, e_time, explicit, i_net, i_time).entry_of_inbound


def _weeks(times: FloatArray) -> IntArray:
    """`usefulness.week_index` of many epoch seconds at once (weeks start on Monday)."""
    return ((np.floor(times / _SECONDS_PER_DAY).astype(np.int64) - 4) // 7).astype(np.int64)
