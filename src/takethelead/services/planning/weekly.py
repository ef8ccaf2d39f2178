"""The weekly plan: computed from the workspace, stored, and shown with a reason per line.

A plan belongs to a week (Monday to Sunday). Its actions are numbered 1..N; regenerating the
week replaces the open actions and keeps the ones already done or skipped, whose minutes
(when done) count against the week's budget. The seed is the ISO week number unless given,
so the same week gives the same plan.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Final

import numpy as np
from sqlalchemy import Date, bindparam, delete, select, text
from sqlalchemy.orm import Session

from takethelead.domain.actions import (
    Action,
    ActionKind,
    automation_candidate,
    check_in_candidates,
    give_back_candidates,
    introduce_candidates,
    manual_post_candidates,
    reply_candidates,
    share_profile_candidates,
    thank_candidates,
)
from takethelead.domain.planner import build_plan
from takethelead.domain.reservation import reserve_manual_posts
from takethelead.services.core import settings
from takethelead.services.core.errors import ServiceError
from takethelead.services.networks.timeentries import (
    has_evidence_cache,
    parse_minutes,
    refresh_evidence,
)
from takethelead.services.planning.inputs import (
    BALANCE_DAYS,
    DAY,
    PlanInputs,
    gather,
)
from takethelead.services.posting.manual import ManualPost, manual_posts
from takethelead.services.posting.posts import queue_notices
from takethelead.storage.tables import Plan, PlanAction, PlanAutomatedOnly

MIN_BUDGET: Final = 15
MAX_BUDGET: Final = 24 * 60
NETWORK_SHARE: Final = 0.4  # of the budget reserved for network time (60 of 150 minutes)
SHOWN_AUTOMATED_ONLY: Final = 5


@dataclass(frozen=True, slots=True)
class PlanItem:
    """One numbered action of the week's plan."""

    number: int
    kind: str
    title: str  # what to do, in words: "Check in with Ana Díaz"
    minutes: int
    reason: str  # why it is in the plan
    value: float
    status: str  # open | done | skipped
    outcome: str | None
    person_id: int | None
    person: str | None
    other_person_id: int | None
    other_person: str | None
    network_id: int | None
    network: str | None
    # A manual post: the text ready to paste, the page to open, and the post it comes from.
    post_id: int | None = None
    delivery_id: int | None = None
    post_text: str | None = None
    open_url: str | None = None


@dataclass(frozen=True, slots=True)
class BalanceLine:
    """Last month's touches: how many automated, how many personal, who got only automation."""

    automated: int
    personal: int
    automated_share: float
    automated_only: int
    automated_only_names: tuple[str, ...]
    sentence: str


@dataclass(frozen=True, slots=True)
class PlanView:
    plan_id: int
    week_start: date
    week: int  # ISO week number
    seed: int
    budget_minutes: int
    minutes: int  # of open and done actions
    items: tuple[PlanItem, ...]
    balance: BalanceLine
    notices: tuple[str, ...] = ()  # from the posting queue: paused accounts, failed posts


@dataclass(frozen=True, slots=True)
class _Balance:
    """The automation balance as stored with the plan: counts and the first few people's ids."""

    automated: int
    personal: int
    automated_only: int
    shown: tuple[int, ...]


def parse_budget(raw: str) -> int:
    """A budget as '2h', '90m' or '150' (minutes), within a sensible week."""
    minutes = parse_minutes(raw, "budget")
    if not MIN_BUDGET <= minutes <= MAX_BUDGET:
        raise ServiceError(f"budget {raw!r}: expected between {MIN_BUDGET} minutes and 24 h")
    return minutes


def week_start(moment: datetime) -> date:
    """The Monday of the week `moment` falls in (UTC)."""
    day = moment.astimezone(UTC).date()
    return day - timedelta(days=day.weekday())


def make_plan(
    session: Session,
    workspace_id: int,
    now: datetime | None = None,
    *,
    budget: int | None = None,
    seed: int | None = None,
    fresh: bool = False,
) -> PlanView:
    """Compute this week's plan, store it (keeping done and skipped actions) and return it."""
    moment = now or datetime.now(UTC)
    minutes = _budget(session, workspace_id, budget)
    start = week_start(moment)
    chosen_seed = seed if seed is not None else start.isocalendar().week
    plan = _plan_row(session, workspace_id, start)
    kept = [a for a in plan.actions if a.status != "open"] if plan is not None else []

    if fresh or not has_evidence_cache(session, workspace_id):
        refresh_evidence(session, workspace_id, moment)
    inputs = _unposted(gather(session, workspace_id, moment, fresh=fresh), kept)
    planned = _choose(inputs, kept, minutes, chosen_seed)

    if plan is None:
        plan = Plan(workspace_id=workspace_id, week_start=start, budget_minutes=minutes)
        session.add(plan)
    else:
        session.execute(
            delete(PlanAction).where(PlanAction.plan_id == plan.id, PlanAction.status == "open")
        )
        session.expire(plan, ["actions"])
    plan.budget_minutes = minutes
    plan.seed = chosen_seed
    session.flush()
    _add_actions(session, workspace_id, plan.id, kept, planned, inputs)
    balance = _store_balance(session, workspace_id, plan, inputs)
    session.flush()
    stored = _PlanRow(plan.id, plan.week_start, plan.seed, plan.budget_minutes)
    return _view(session, workspace_id, stored, balance)


def _budget(session: Session, workspace_id: int, budget: int | None) -> int:
    """The week's minutes: `budget` when given (and stored as the setting), else the setting."""
    if budget is not None:
        if not MIN_BUDGET <= budget <= MAX_BUDGET:
            raise ServiceError(f"budget {budget}: expected between {MIN_BUDGET} and {MAX_BUDGET}")
        settings.put(session, workspace_id, settings.BUDGET_MINUTES, budget)
    return budget or settings.get(session, workspace_id, settings.BUDGET_MINUTES)


def _unposted(inputs: PlanInputs, kept: list[PlanAction]) -> PlanInputs:
    """The inputs without the manual posts that a kept action stands for already."""
    posted = {a.delivery_id for a in kept if a.delivery_id is not None}
    manual = [
        (m, n)
        for m, n in zip(inputs.manual, inputs.manual_network_ids, strict=True)
        if m.delivery_id not in posted
    ]
    return replace(
        inputs,
        manual=tuple(m for m, _ in manual),
        manual_network_ids=tuple(n for _, n in manual),
    )


def _choose(inputs: PlanInputs, kept: list[PlanAction], minutes: int, seed: int) -> list[Action]:
    """The week's new actions, in canonical order, in the minutes the kept ones leave."""
    # A manual-post action stands for one delivery; the others for a person or a network.
    taken = {(a.kind, a.person_id, a.network_id) for a in kept if a.kind != ActionKind.MANUAL_POST}
    spent = sum(a.minutes for a in kept if a.status == "done")
    candidates = [
        c for c in _candidates(inputs) if (c.kind.value, c.person_id, _network(c)) not in taken
    ]
    done_networks = {a.network_id for a in kept if a.kind == ActionKind.NETWORK}
    posteriors = {k: v for k, v in inputs.posteriors.items() if k not in done_networks}
    left = max(minutes - spent, 0)
    kept_posts = sum(1 for a in kept if a.kind == ActionKind.MANUAL_POST)
    reserved = reserve_manual_posts(candidates, kept_posts, left)
    left -= sum(r.minutes for r in reserved)
    network_minutes = int(10 * round(left * NETWORK_SHARE / 10))
    chosen = build_plan(
        [c for c in candidates if c.kind != ActionKind.MANUAL_POST],
        posteriors,
        seed,
        budget_minutes=left,
        network_minutes=network_minutes,
    )
    return sorted([*chosen.actions, *reserved], key=lambda a: a.sort_key())


def _add_actions(
    session: Session,
    workspace_id: int,
    plan_id: int,
    kept: list[PlanAction],
    planned: list[Action],
    inputs: PlanInputs,
) -> None:
    """Store the planned actions in the numbers the kept ones leave free."""
    used = {a.position for a in kept}
    free = (n for n in range(1, len(kept) + len(planned) + 1) if n not in used)
    waiting: dict[tuple[int | None, int | None], list[ManualPost]] = {}
    for post, nid in zip(inputs.manual, inputs.manual_network_ids, strict=True):
        waiting.setdefault((post.post_id, nid), []).append(post)
    for action in planned:
        delivery = None
        if action.kind == ActionKind.MANUAL_POST:
            # Occurrences of one post on one network go in due order, as they are marked.
            delivery = waiting[(action.post_id, action.network_id)].pop(0).delivery_id
        session.add(
            PlanAction(
                workspace_id=workspace_id,
                plan_id=plan_id,
                position=next(free),
                kind=action.kind.value,
                minutes=action.minutes,
                value=round(action.value, 4),
                person_id=action.person_id,
                other_person_id=action.other_person_id,
                network_id=_network(action),
                reason=action.reason,
                delivery_id=delivery,
            )
        )


def _store_balance(session: Session, workspace_id: int, plan: Plan, inputs: PlanInputs) -> _Balance:
    """Keep last month's balance with the plan, as the plan page shows it all week."""
    b = inputs.balance
    balance = _Balance(
        b.automated,
        b.personal,
        int(b.automated_only.size),
        tuple(int(p) for p in b.automated_only[:SHOWN_AUTOMATED_ONLY]),
    )
    plan.balance_automated = balance.automated
    plan.balance_personal = balance.personal
    plan.balance_automated_only = balance.automated_only
    session.execute(delete(PlanAutomatedOnly).where(PlanAutomatedOnly.plan_id == plan.id))
    session.add_all(
        PlanAutomatedOnly(plan_id=plan.id, position=n, person_id=person, workspace_id=workspace_id)
        for n, person in enumerate(balance.shown, start=1)
    )
    return balance


def current_plan(
    session: Session, workspace_id: int, now: datetime | None = None
) -> PlanView | None:
    """This week's stored plan, or None when there is none yet."""
    moment = now or datetime.now(UTC)
    found = session.execute(
        _PLAN_OF_WEEK, {"ws": workspace_id, "start": week_start(moment)}
    ).first()
    if found is None:
        return None
    plan = _PlanRow(int(found[0]), _as_date(found[1]), int(found[2]), int(found[3]))
    # The balance stored with the plan; plans stored before it was kept count it once,
    # through the (workspace, time) index, over the 30 days only.
    stored = None
    if found[4] is not None:
        shown = session.execute(_AUTOMATED_ONLY, {"plan": plan.id}).scalars()
        stored = _Balance(int(found[4]), int(found[5] or 0), int(found[6] or 0), tuple(shown))
    return _view(
        session, workspace_id, plan, stored or _counted_balance(session, workspace_id, moment)
    )


def plan_for_week(session: Session, workspace_id: int, now: datetime | None = None) -> PlanView:
    """This week's stored plan, computed first when the week has none."""
    return current_plan(session, workspace_id, now) or make_plan(session, workspace_id, now)


def _candidates(inputs: PlanInputs) -> list[Action]:
    ids, strength = inputs.person_ids, inputs.strength
    waiting = inputs.waiting
    w_index = np.searchsorted(ids, waiting.person_ids)
    out = reply_candidates(
        waiting.person_ids, waiting.network_ids, waiting.days_waiting, strength[w_index]
    )
    thanks = inputs.thanks
    out += thank_candidates(thanks.ids, thanks.person_ids, thanks.days_since_won)
    out += give_back_candidates(ids, inputs.received, inputs.given, strength)
    # Someone with a reply, a thank-you or a favour coming is in touch already: no check-in.
    due = np.isfinite(inputs.last_contact) & np.isfinite(inputs.cadence) & ~inputs.distrusted
    due[np.isin(ids, [a.person_id for a in out if a.person_id is not None])] = False
    since = (inputs.now - inputs.last_contact[due]) / DAY
    out += check_in_candidates(ids[due], since, inputs.cadence[due], strength[due])
    trusted = ~inputs.distrusted
    out += share_profile_candidates(
        ids[trusted], inputs.reach[trusted], strength[trusted], inputs.shared[trusted]
    )
    pairs = inputs.pairs
    if pairs.a.size:
        index = np.searchsorted(ids, pairs.a), np.searchsorted(ids, pairs.b)
        out += introduce_candidates(
            pairs.a, pairs.b, pairs.score, strength[index[0]], strength[index[1]],
            reasons=pairs.reasons,
        )  # fmt: skip
    if inputs.manual:
        rates = [
            inputs.posteriors[n].mean if n in inputs.posteriors else 0.0
            for n in inputs.manual_network_ids
        ]
        out += manual_post_candidates(
            [m.post_id for m in inputs.manual],
            list(inputs.manual_network_ids),
            [(m.due_at.timestamp() - inputs.now) / DAY for m in inputs.manual],
            rates,
            horizon_days=7.0,
        )
    return [*out, *_automation(inputs)]


def _automation(inputs: PlanInputs) -> list[Action]:
    """The block to batch-schedule posts: sized by what is queued this week, else the setting."""
    if inputs.scheduled_posts:
        block = automation_candidate(inputs.scheduled_posts, inputs.scheduled_networks)
        if block is None:
            return []
        posts = inputs.scheduled_posts
        noun = "post is" if posts == 1 else "posts are"
        where = "network" if inputs.scheduled_networks == 1 else "networks"
        reason = (
            f"{posts} {noun} scheduled this week to {inputs.scheduled_networks} {where}: "
            "check them and fill the gaps in one sitting"
        )
        return [replace(block, reason=reason)]
    block = automation_candidate(inputs.posts_per_week, inputs.api_networks)
    if block is None:
        return []
    posts = inputs.posts_per_week
    reason = (
        f"nothing scheduled yet this week: {block.reason} "
        f"({posts} a week, your posts_per_week setting)"
    )
    return [replace(block, reason=reason)]


def _network(action: Action) -> int | None:
    return None if action.network_id is None or action.network_id < 0 else action.network_id


def _plan_row(session: Session, workspace_id: int, start: date) -> Plan | None:
    return session.scalar(
        select(Plan)
        .where(Plan.workspace_id == workspace_id, Plan.week_start == start)
        .order_by(Plan.id.desc())
        .limit(1)
    )


def _counted_balance(session: Session, workspace_id: int, moment: datetime) -> _Balance:
    """The user's touches of the last 30 days per person, counted by the database."""
    until = moment.timestamp()
    rows = session.execute(
        text(
            "SELECT i.person_id, SUM(CASE WHEN i.automated THEN 1 ELSE 0 END), COUNT(*) "
            "FROM interaction i JOIN person p ON p.id = i.person_id "
            "WHERE i.workspace_id = :ws AND i.occurred_at > :since AND i.occurred_at <= :until "
            "AND i.direction <> 'inbound' AND p.is_me = :no "
            "GROUP BY i.person_id ORDER BY i.person_id"
        ),
        {
            "ws": workspace_id,
            "since": math.floor(until - BALANCE_DAYS * DAY),
            "until": math.floor(until),
            "no": False,
        },
    ).all()
    automated = sum(int(r[1]) for r in rows)
    total = sum(int(r[2]) for r in rows)
    only = [int(r[0]) for r in rows if int(r[1]) == int(r[2])]
    return _Balance(automated, total - automated, len(only), tuple(only[:SHOWN_AUTOMATED_ONLY]))


# The plan page and /api/plan read these on every view: statements built once.
_PLAN_OF_WEEK: Final = text(
    "SELECT id, week_start, seed, budget_minutes, balance_automated, balance_personal, "
    "balance_automated_only FROM plan "
    "WHERE workspace_id = :ws AND week_start = :start ORDER BY id DESC LIMIT 1"
).bindparams(bindparam("start", type_=Date))
_ACTIONS: Final = text(
    "SELECT id, position, kind, minutes, value, person_id, other_person_id, network_id, "
    "reason, status, outcome, delivery_id FROM plan_action WHERE plan_id = :plan "
    "ORDER BY position"
)
_AUTOMATED_ONLY: Final = text(
    "SELECT person_id FROM plan_automated_only WHERE plan_id = :plan ORDER BY position"
)
_NAMES: Final = text(
    "SELECT id, full_name FROM person WHERE workspace_id = :ws AND id IN :ids"
).bindparams(bindparam("ids", expanding=True))
_NETWORK_NAMES: Final = text("SELECT id, name FROM network WHERE workspace_id = :ws")


@dataclass(frozen=True, slots=True)
class _PlanRow:
    id: int
    week_start: date
    seed: int
    budget_minutes: int


@dataclass(frozen=True, slots=True)
class _ActionRow:
    """What a plan view shows of a stored action."""

    id: int
    position: int
    kind: str
    minutes: int
    value: float
    person_id: int | None
    other_person_id: int | None
    network_id: int | None
    reason: str
    status: str
    outcome: str | None
    delivery_id: int | None


def _as_date(value: object) -> date:
    """A DATE column as SQLite (text) or PostgreSQL (date) returns it through text()."""
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _view(session: Session, workspace_id: int, plan: _PlanRow, balance: _Balance) -> PlanView:
    actions = [_ActionRow(*row) for row in session.execute(_ACTIONS, {"plan": plan.id})]
    wanted = {a.person_id for a in actions} | {a.other_person_id for a in actions}
    shown = list(balance.shown)
    names = _names(session, workspace_id, {p for p in wanted | set(shown) if p is not None})
    deliveries = {a.id: a.delivery_id for a in actions if a.delivery_id is not None}
    posts = manual_posts(session, workspace_id, list(deliveries.values()))
    networks = {
        int(nid): str(name) for nid, name in session.execute(_NETWORK_NAMES, {"ws": workspace_id})
    }

    def manual(action: _ActionRow) -> ManualPost | None:
        found = posts.get(deliveries.get(action.id, -1))
        return found[0] if found is not None else None

    items = tuple(_item(a, names, networks, manual(a)) for a in actions)
    return PlanView(
        plan_id=plan.id,
        week_start=plan.week_start,
        week=plan.week_start.isocalendar().week,
        seed=plan.seed,
        budget_minutes=plan.budget_minutes,
        minutes=sum(i.minutes for i in items if i.status != "skipped"),
        items=items,
        balance=_balance(balance, [names[p] for p in shown if p in names]),
        notices=tuple(queue_notices(session, workspace_id)),
    )


def _item(
    a: _ActionRow, names: dict[int, str], networks: dict[int, str], post: ManualPost | None
) -> PlanItem:
    return PlanItem(
        number=a.position,
        kind=a.kind,
        title=_title(a, names, networks, post),
        minutes=a.minutes,
        reason=a.reason,
        value=a.value,
        status=a.status,
        outcome=a.outcome,
        person_id=a.person_id,
        person=names.get(a.person_id) if a.person_id is not None else None,
        other_person_id=a.other_person_id,
        other_person=names.get(a.other_person_id) if a.other_person_id is not None else None,
        network_id=a.network_id,
        network=networks.get(a.network_id) if a.network_id is not None else None,
        post_id=post.post_id if post is not None else None,
        delivery_id=post.delivery_id if post is not None else None,
        post_text=post.text if post is not None else None,
        open_url=post.open_url if post is not None else None,
    )


def _balance(b: _Balance, shown: list[str]) -> BalanceLine:
    total = b.automated + b.personal
    only = b.automated_only
    share = b.automated / total if total else 0.0
    if total == 0:
        sentence = f"No touches in the last {BALANCE_DAYS:.0f} days."
    else:
        sentence = (
            f"Last {BALANCE_DAYS:.0f} days: {share:.0%} of your {total} touches "
            f"were automated, {1 - share:.0%} personal"
        )
        if only:
            more = f" and {only - len(shown)} more" if only > len(shown) else ""
            noun = "relationship" if only == 1 else "relationships"
            sentence += f"; {only} {noun} got only automated touches: {', '.join(shown)}{more}"
        sentence += "."
    return BalanceLine(b.automated, b.personal, round(share, 4), only, tuple(shown), sentence)


def _names(session: Session, workspace_id: int, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.execute(_NAMES, {"ws": workspace_id, "ids": sorted(ids)})
    return {int(pid): str(name) for pid, name in rows}


MANUAL_NAMES: Final = {"linkedin": "LinkedIn", "x": "X", "facebook": "Facebook"}


def _title(
    action: _ActionRow,
    names: dict[int, str],
    networks: dict[int, str],
    post: ManualPost | None = None,
) -> str:
    who = names.get(action.person_id, "someone") if action.person_id is not None else ""
    other = names.get(action.other_person_id, "someone") if action.other_person_id else ""
    where = networks.get(action.network_id, "") if action.network_id is not None else ""
    if post is not None and not where:
        where = MANUAL_NAMES.get(post.network, post.network)
    on = f" on {where}" if where else ""
    titles = {
        ActionKind.AUTOMATION.value: "Schedule the week's posts",
        ActionKind.NETWORK.value: f"Time on {where}",
        ActionKind.REPLY.value: f"Reply to {who}{on}",
        ActionKind.CHECK_IN.value: f"Check in with {who}",
        ActionKind.THANK.value: f"Thank {who} for the referral",
        ActionKind.GIVE_BACK.value: f"Give back to {who}",
        ActionKind.INTRODUCE.value: f"Introduce {who} and {other}",
        ActionKind.SHARE_PROFILE.value: f"Share your lead profile with {who}",
        ActionKind.MANUAL_POST.value: f"Post by hand{on}",
    }
    return titles.get(action.kind, action.kind)
