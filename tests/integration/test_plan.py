"""The weekly plan end to end on a real database: evidence, selection, storage, the loop."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from takethelead.services.core.errors import NotFound, ServiceError
from takethelead.services.core.store import Store, workspace_id
from takethelead.services.networks import timeentries
from takethelead.services.planning import actions as planactions
from takethelead.services.planning import weekly as planning
from takethelead.storage.tables import (
    Interaction,
    LedgerEntry,
    Network,
    Person,
    Plan,
    Referral,
    Setting,
    TimeEntry,
)

NOW = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)  # a Wednesday, ISO week 10


@dataclass(frozen=True)
class World:
    ws: int
    people: dict[str, int]
    networks: dict[str, int]


def touch(
    ws: int, person: int, days_ago: float, kind: str, direction: str, network: int | None = None
) -> Interaction:
    at = NOW - timedelta(days=days_ago)
    return Interaction(
        workspace_id=ws,
        person_id=person,
        network_id=network,
        occurred_at=at,
        kind=kind,
        direction=direction,
        source="test",
        external_id=f"{person}-{at.timestamp()}-{kind}-{direction}",
    )


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def world(store: Store, clock: time_machine.Traveller) -> World:
    """Five people the plan has something to say about, three networks, some history."""
    with store.transaction() as session:
        ws = workspace_id(session, "plan")
        session.add(Person(workspace_id=ws, full_name="Sam Me", is_me=True))
        names = ["Ana", "Bruno", "Chloé", "Dmitri", "Elena"]
        people = {}
        for name in names:
            person = Person(
                workspace_id=ws, full_name=name, cadence_days=14 if name == "Ana" else None
            )
            session.add(person)
            session.flush()
            people[name] = person.id
        networks = {}
        for name, kind in (
            ("Mastodon", "mastodon"),
            ("LinkedIn", "linkedin"),
            ("Facebook group", "facebook"),
        ):
            network = Network(workspace_id=ws, name=name, kind=kind)
            session.add(network)
            session.flush()
            networks[name] = network.id
        for days in (40, 60, 80, 100):  # Ana: a regular, but not for 40 days
            session.add(touch(ws, people["Ana"], days + 1, "message", "inbound"))
            session.add(touch(ws, people["Ana"], days, "message", "outbound"))
        session.add(touch(ws, people["Bruno"], 2, "message", "inbound", networks["LinkedIn"]))
        for days in (3, 10, 20):
            session.add(touch(ws, people["Elena"], days, "meeting", "mutual"))
        session.add(touch(ws, people["Chloé"], 30, "call", "mutual"))
        session.add(touch(ws, people["Dmitri"], 30, "call", "mutual"))
        session.add(
            Referral(
                workspace_id=ws,
                direction="received",
                person_id=people["Chloé"],
                status="won",
                value=2000.0,
                updated_at=NOW - timedelta(days=5),
            )
        )
        for days in (30, 60, 90):
            session.add(
                LedgerEntry(
                    workspace_id=ws,
                    person_id=people["Dmitri"],
                    direction="received",
                    kind="introduction",
                    occurred_at=NOW - timedelta(days=days),
                )
            )
        for weeks in (1, 2, 3):
            for name, responses in (("Mastodon", 6), ("LinkedIn", 1)):
                session.add(
                    TimeEntry(
                        workspace_id=ws,
                        network_id=networks[name],
                        spent_at=NOW - timedelta(weeks=weeks),
                        minutes=60,
                        responses=responses,
                    )
                )
    return World(ws, people, networks)


def test_inbound_touches_within_three_days_of_an_entry_are_its_responses(
    store: Store, world: World
) -> None:
    forum, ana = world.networks["Facebook group"], world.people["Ana"]
    with store.transaction() as session:
        timeentries.record_time(
            session, world.ws, "Facebook group", 30, when=NOW - timedelta(days=6)
        )
        session.add(touch(world.ws, ana, 5, "reply", "inbound", forum))  # a day after: counts
        session.add(touch(world.ws, ana, 4.5, "comment", "inbound", forum))  # counts
        session.add(touch(world.ws, ana, 2, "reply", "inbound", forum))  # four days after: no
        session.add(touch(world.ws, ana, 5.5, "reply", "outbound", forum))  # the user's own: no
        posterior = timeentries.network_posteriors(session, world.ws)[forum]
    assert posterior.hours == pytest.approx(0.5 * 0.9)  # last week's half hour, discounted
    assert posterior.outcomes == pytest.approx(2 * 0.9)


def test_an_explicit_response_count_absorbs_replies_but_not_meetings(
    store: Store, world: World
) -> None:
    forum, ana = world.networks["Facebook group"], world.people["Ana"]
    with store.transaction() as session:
        timeentries.record_time(session, world.ws, "#" + str(forum), 30, responses=4, when=NOW)
        session.add(touch(world.ws, ana, -0.0, "reply", "inbound", forum))
        session.add(touch(world.ws, ana, -0.0, "meeting", "inbound", forum))
        session.flush()
        later = NOW + timedelta(hours=1)
        posterior = timeentries.network_posteriors(session, world.ws, later)[forum]
    assert posterior.outcomes == pytest.approx(4 + 5)  # four counted responses and a meeting


def test_networks_are_ranked_with_the_evidence_in_words(store: Store, world: World) -> None:
    with store.transaction() as session:
        ranked = timeentries.rank_networks(session, world.ws)
    assert [n.name for n in ranked] == ["Mastodon", "LinkedIn", "Facebook group"]
    assert ranked[0].sentence.startswith("Mastodon: ")
    assert "responses an hour (" in ranked[0].sentence and "over 2.4 h" in ranked[0].sentence
    assert ranked[2].sentence == "Facebook group: too little evidence — try two 10-minute visits"


def test_durations_and_budgets_are_read_like_people_write_them() -> None:
    assert [timeentries.parse_minutes(x) for x in ("25m", "2h", "1h30m", "1h30", "150")] == [
        25, 120, 90, 90, 150,
    ]  # fmt: skip
    with pytest.raises(ServiceError, match="budget '2x': expected minutes"):
        planning.parse_budget("2x")
    with pytest.raises(ServiceError, match="budget '5': expected between"):
        planning.parse_budget("5")


def test_the_plan_fits_the_budget_and_says_why_for_every_action(store: Store, world: World) -> None:
    with store.transaction() as session:
        view = planning.make_plan(session, world.ws)
    assert view.budget_minutes == 150 and view.minutes <= 150
    assert view.week == 10 and view.seed == 10
    assert [i.number for i in view.items] == list(range(1, len(view.items) + 1))
    assert all(i.reason and i.minutes > 0 for i in view.items)
    who = {(i.kind, i.person) for i in view.items if i.person}
    assert ("reply", "Bruno") in who
    assert ("check-in", "Ana") in who
    assert ("thank", "Chloé") in who
    assert ("give-back", "Dmitri") in who
    assert not any(i.person == "Elena" for i in view.items)  # seen three days ago
    networks = {i.network for i in view.items if i.kind == "network"}
    assert "Facebook group" in networks  # too little evidence: it gets its exploration visits
    reply = next(i for i in view.items if i.kind == "reply")
    assert reply.title == "Reply to Bruno on LinkedIn"
    assert reply.reason == "wrote to you 2 days ago and is still waiting for an answer"
    assert view.balance.sentence.startswith("Last 30 days: ")


def test_the_same_week_and_seed_give_the_same_plan(store: Store, world: World) -> None:
    with store.transaction() as session:
        first = planning.make_plan(session, world.ws)
        again = planning.make_plan(session, world.ws)
        other = planning.make_plan(session, world.ws, seed=99)

    def strip(plan: planning.PlanView) -> list[tuple[str, int, int | None, int | None]]:
        return [(i.kind, i.minutes, i.person_id, i.network_id) for i in plan.items]

    assert strip(first) == strip(again)
    assert other.seed == 99
    with store.transaction() as session:
        assert len(session.scalars(select(Plan).where(Plan.workspace_id == world.ws)).all()) == 1


def test_a_smaller_budget_is_remembered_and_respected(store: Store, world: World) -> None:
    with store.transaction() as session:
        view = planning.make_plan(session, world.ws, budget=45)
    assert view.minutes <= 45
    with store.transaction() as session:
        assert session.get(Setting, (world.ws, "budget_minutes")).value == "45"  # type: ignore[union-attr]
        assert planning.make_plan(session, world.ws).budget_minutes == 45


def test_regenerating_the_week_keeps_done_and_skipped_actions(store: Store, world: World) -> None:
    with store.transaction() as session:
        view = planning.make_plan(session, world.ws)
        reply = next(i for i in view.items if i.kind == "reply")
        thank = next(i for i in view.items if i.kind == "thank")
        planactions.mark_done(session, world.ws, reply.number, "responded")
        planactions.mark_skipped(session, world.ws, thank.number, "not this week")
        again = planning.make_plan(session, world.ws, seed=3)
    kept = {i.number: (i.kind, i.status) for i in again.items if i.status != "open"}
    assert kept == {reply.number: ("reply", "done"), thank.number: ("thank", "skipped")}
    assert sorted(i.number for i in again.items) == list(range(1, len(again.items) + 1))
    assert sum(1 for i in again.items if i.kind == "thank") == 1  # not proposed twice
    assert again.minutes <= again.budget_minutes


def test_unknown_action_numbers_and_outcomes_are_refused(store: Store, world: World) -> None:
    with store.transaction() as session, pytest.raises(NotFound, match="no plan for this week"):
        planactions.mark_done(session, world.ws, 1)
    with store.transaction() as session:
        planning.make_plan(session, world.ws)
    with store.transaction() as session, pytest.raises(NotFound, match="action 99: not in"):
        planactions.mark_done(session, world.ws, 99)
    with store.transaction() as session, pytest.raises(ServiceError, match="outcome 'won'"):
        planactions.mark_done(session, world.ws, 1, "won")


def test_checking_in_takes_someone_off_next_weeks_overdue_list(
    store: Store, world: World, clock: time_machine.Traveller
) -> None:
    with store.transaction() as session:
        view = planning.make_plan(session, world.ws)
        check_in = next(i for i in view.items if i.kind == "check-in" and i.person == "Ana")
        before = session.get(Person, world.people["Ana"]).strength  # type: ignore[union-attr]
        planactions.mark_done(session, world.ws, check_in.number, "responded")
    with store.transaction() as session:
        touches = session.scalars(
            select(Interaction).where(Interaction.source == "plan").order_by(Interaction.id)
        ).all()
        assert [(t.kind, t.direction) for t in touches] == [
            ("message", "outbound"),
            ("reply", "inbound"),
        ]
        assert (
            touches[0].external_id
            == f"plan-action-{_action_id(session, world.ws, check_in.number)}"
        )
        after = session.get(Person, world.people["Ana"]).strength  # type: ignore[union-attr]
        assert before is not None and after is not None and after > before
    clock.shift(timedelta(days=7))
    with store.transaction() as session:
        next_week = planning.make_plan(session, world.ws)
    assert next_week.week == 11
    assert not any(i.person == "Ana" for i in next_week.items)


def test_thanks_and_referrals_reach_the_ledger(
    store: Store, world: World, clock: time_machine.Traveller
) -> None:
    with store.transaction() as session:
        view = planning.make_plan(session, world.ws)
        thank = next(i for i in view.items if i.kind == "thank")
        give = next(i for i in view.items if i.kind == "give-back")
        planactions.mark_done(session, world.ws, thank.number)
        planactions.mark_done(session, world.ws, give.number, "referral-given")
    with store.transaction() as session:
        assert session.scalars(select(Referral.thanked).where(Referral.status == "won")).all() == [
            True
        ]
        given = session.scalars(select(LedgerEntry).where(LedgerEntry.direction == "given")).one()
        assert given.person_id == world.people["Dmitri"] and given.referral_id is not None
    clock.shift(timedelta(days=7))
    with store.transaction() as session:
        kinds = {i.kind for i in planning.make_plan(session, world.ws).items}
    assert "thank" not in kinds


def test_a_network_that_stops_answering_loses_minutes_to_one_that_answers(
    store: Store, world: World, clock: time_machine.Traveller
) -> None:
    mastodon, linkedin = world.networks["Mastodon"], world.networks["LinkedIn"]

    def minutes(view: planning.PlanView, network: int) -> int:
        return sum(i.minutes for i in view.items if i.network_id == network)

    with store.transaction() as session:
        first = planning.make_plan(session, world.ws)
    for _ in range(5):  # Mastodon goes quiet, LinkedIn starts answering
        with store.transaction() as session:
            view = planning.make_plan(session, world.ws)
            for item in view.items:
                if item.kind == "network":
                    answers = 12 if item.network_id == linkedin else 0
                    planactions.mark_done(session, world.ws, item.number, responses=answers)
        clock.shift(timedelta(days=7))
    with store.transaction() as session:
        last = planning.make_plan(session, world.ws)
        entries = session.scalars(
            select(TimeEntry).where(TimeEntry.note.like("plan action%"))
        ).all()
    assert entries and all(e.responses in (0, 12) for e in entries)
    assert minutes(first, mastodon) > minutes(first, linkedin)
    assert minutes(last, linkedin) > minutes(last, mastodon)


def _action_id(session: object, ws: int, number: int) -> int:
    from takethelead.storage.tables import PlanAction

    assert hasattr(session, "scalar")
    found = session.scalar(select(PlanAction.id).where(PlanAction.position == number))
    assert isinstance(found, int)
    return found


def test_the_evidence_cache_and_a_fresh_count_agree(store: Store, world: World) -> None:
    forum, ana = world.networks["Facebook group"], world.people["Ana"]
    with store.transaction() as session:
        timeentries.record_time(
            session, world.ws, "Facebook group", 30, when=NOW - timedelta(days=9)
        )
        timeentries.record_time(
            session, world.ws, "Facebook group", 20, when=NOW - timedelta(days=1)
        )
        session.add(touch(world.ws, ana, 8, "reply", "inbound", forum))  # the closed entry's
        session.add(touch(world.ws, ana, 0.5, "meeting", "inbound", forum))  # the open one's
        session.flush()
        assert timeentries.refresh_evidence(session, world.ws) == 7  # six seeded and one forum
        cached = timeentries.network_posteriors(session, world.ws)
        fresh = timeentries.network_posteriors(session, world.ws, cached=False)
    assert cached == fresh
    assert cached[forum].outcomes == pytest.approx(1 * 0.9 + 5)


def test_a_plan_from_the_strength_cache_matches_one_from_every_interaction(
    store: Store, world: World
) -> None:
    with store.transaction() as session:
        fresh = planning.make_plan(session, world.ws, fresh=True)
        cached = planning.make_plan(session, world.ws)
        strengths = session.scalars(select(Person.strength).where(Person.is_me.is_(False))).all()
    assert None not in strengths

    def strip(plan: planning.PlanView) -> list[tuple[str, int, int | None, int | None]]:
        return [(i.kind, i.minutes, i.person_id, i.network_id) for i in plan.items]

    assert strip(fresh) == strip(cached)


def test_two_people_who_can_help_each_other_are_introduced(store: Store, world: World) -> None:
    with store.transaction() as session:
        elena = session.get(Person, world.people["Elena"])
        dmitri = session.get(Person, world.people["Dmitri"])
        assert elena is not None and dmitri is not None
        elena.lead_profile = "startups that need contracts and employment law"
        dmitri.offer = "contracts and employment law for startups"
        session.flush()
        view = planning.make_plan(session, world.ws)
    intro = next(i for i in view.items if i.kind == "introduce")
    assert (intro.person, intro.other_person) == ("Elena", "Dmitri")
    assert intro.title == "Introduce Elena and Dmitri"
    assert intro.reason.startswith("Elena is looking for startups that need contracts")
    assert "(matched: startups, contracts, employment, law)" in intro.reason
