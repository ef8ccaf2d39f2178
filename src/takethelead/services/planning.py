"""The weekly plan: computed from the workspace, stored, and shown with a reason per line.

A plan belongs to a week (Monday to Sunday). Its actions are numbered 1..N; regenerating the
week replaces the open actions and keeps the ones already done or skipped, whose minutes
(when done) count against the week's budget. The seed is the ISO week number unless given,
so the same week gives the same plan.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Final

import numpy as np
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from takethelead.domain.actions import (
    Action,
    ActionKind,
    automation_candidate,
    check_in_candidates,
    give_back_candidates,
    introduce_candidates,
    reply_candidates,
    share_profile_candidates,
    thank_candidates,
)
from takethelead.domain.planner import DEFAULT_BUDGET_MINUTES, build_plan
from takethelead.services.errors import ServiceError
from takethelead.services.planinputs import BALANCE_DAYS, DAY, PlanInputs, gather, setting
from takethelead.services.timeentries import (
    has_evidence_cache,
    parse_minutes,
    refresh_evidence,
)
from takethelead.storage.tables import Network, Person, Plan, PlanAction, Setting

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
    if budget is not None:
        if not MIN_BUDGET <= budget <= MAX_BUDGET:
            raise ServiceError(f"budget {budget}: expected between {MIN_BUDGET} and {MAX_BUDGET}")
        store_setting(session, workspace_id, "budget_minutes", budget)
    stored = setting(session, workspace_id, "budget_minutes")
    minutes = budget or (int(stored) if isinstance(stored, int | str) else DEFAULT_BUDGET_MINUTES)
    start = week_start(moment)
    chosen_seed = seed if seed is not None else start.isocalendar().week
    plan = _plan_row(session, workspace_id, start)
    kept = [a for a in plan.actions if a.status != "open"] if plan is not None else []

    if fresh or not has_evidence_cache(session, workspace_id):
        refresh_evidence(session, workspace_id, moment)
    inputs = gather(session, workspace_id, moment, fresh=fresh)
    taken = {(a.kind, a.person_id, a.network_id) for a in kept}
    spent = sum(a.minutes for a in kept if a.status == "done")
    candidates = [
        c for c in _candidates(inputs) if (c.kind.value, c.person_id, _network(c)) not in taken
    ]
    done_networks = {a.network_id for a in kept if a.kind == ActionKind.NETWORK}
    posteriors = {k: v for k, v in inputs.posteriors.items() if k not in done_networks}
    left = max(minutes - spent, 0)
    network_minutes = int(10 * round(left * NETWORK_SHARE / 10))
    chosen = build_plan(
        candidates, posteriors, chosen_seed, budget_minutes=left, network_minutes=network_minutes
    )

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
    used = {a.position for a in kept}
    free = (n for n in range(1, len(kept) + len(chosen.actions) + 1) if n not in used)
    for action in chosen.actions:
        session.add(
            PlanAction(
                workspace_id=workspace_id,
                plan_id=plan.id,
                position=next(free),
                kind=action.kind.value,
                minutes=action.minutes,
                value=round(action.value, 4),
                person_id=action.person_id,
                other_person_id=action.other_person_id,
                network_id=_network(action),
                reason=action.reason,
            )
        )
    session.flush()
    session.expire(plan, ["actions"])
    return _view(session, workspace_id, plan, inputs)


def current_plan(
    session: Session, workspace_id: int, now: datetime | None = None
) -> PlanView | None:
    """This week's stored plan, or None when there is none yet."""
    moment = now or datetime.now(UTC)
    plan = _plan_row(session, workspace_id, week_start(moment))
    if plan is None:
        return None
    return _view(session, workspace_id, plan, gather(session, workspace_id, moment))


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
    automation = automation_candidate(inputs.posts_per_week, inputs.api_networks)
    return out if automation is None else [*out, automation]


def _network(action: Action) -> int | None:
    return None if action.network_id is None or action.network_id < 0 else action.network_id


def _plan_row(session: Session, workspace_id: int, start: date) -> Plan | None:
    return session.scalar(
        select(Plan)
        .where(Plan.workspace_id == workspace_id, Plan.week_start == start)
        .order_by(Plan.id.desc())
        .limit(1)
    )


def store_setting(session: Session, workspace_id: int, key: str, value: object) -> None:
    """Set a workspace setting to a JSON value."""
    row = session.get(Setting, (workspace_id, key))
    if row is None:
        session.add(Setting(workspace_id=workspace_id, key=key, value=json.dumps(value)))
    else:
        row.value = json.dumps(value)


def _view(session: Session, workspace_id: int, plan: Plan, inputs: PlanInputs) -> PlanView:
    actions = sorted(plan.actions, key=lambda a: a.position)
    wanted = {a.person_id for a in actions} | {a.other_person_id for a in actions}
    automated_only = inputs.balance.automated_only
    shown = [int(p) for p in automated_only[:SHOWN_AUTOMATED_ONLY]]
    names = _names(session, workspace_id, {p for p in wanted | set(shown) if p is not None})
    rows = session.execute(
        select(Network.id, Network.name).where(Network.workspace_id == workspace_id)
    )
    networks = {nid: name for nid, name in rows}
    items = tuple(
        PlanItem(
            number=a.position,
            kind=a.kind,
            title=_title(a, names, networks),
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
        )
        for a in actions
    )
    return PlanView(
        plan_id=plan.id,
        week_start=plan.week_start,
        week=plan.week_start.isocalendar().week,
        seed=plan.seed,
        budget_minutes=plan.budget_minutes,
        minutes=sum(i.minutes for i in items if i.status != "skipped"),
        items=items,
        balance=_balance(inputs, [names[p] for p in shown if p in names]),
    )


def _balance(inputs: PlanInputs, shown: list[str]) -> BalanceLine:
    b = inputs.balance
    total = b.automated + b.personal
    only = int(b.automated_only.size)
    if total == 0:
        sentence = f"No touches in the last {BALANCE_DAYS:.0f} days."
    else:
        sentence = (
            f"Last {BALANCE_DAYS:.0f} days: {b.automated_share:.0%} of your {total} touches "
            f"were automated, {1 - b.automated_share:.0%} personal"
        )
        if only:
            more = f" and {only - len(shown)} more" if only > len(shown) else ""
            noun = "relationship" if only == 1 else "relationships"
            sentence += f"; {only} {noun} got only automated touches: {', '.join(shown)}{more}"
        sentence += "."
    return BalanceLine(
        b.automated, b.personal, round(b.automated_share, 4), only, tuple(shown), sentence
    )


def _names(session: Session, workspace_id: int, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.execute(
        select(Person.id, Person.full_name).where(
            Person.workspace_id == workspace_id, Person.id.in_(sorted(ids))
        )
    )
    return {pid: name for pid, name in rows}


def _title(action: PlanAction, names: dict[int, str], networks: dict[int, str]) -> str:
    who = names.get(action.person_id, "someone") if action.person_id is not None else ""
    other = names.get(action.other_person_id, "someone") if action.other_person_id else ""
    where = networks.get(action.network_id, "") if action.network_id is not None else ""
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
