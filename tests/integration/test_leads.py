"""Leads, referrals, introductions and trusted paths on a real database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from takethelead.services.core.errors import ServiceError
from takethelead.services.core.store import Store, workspace_id
from takethelead.services.leads.embeddings import CachedEmbedder, load_embedder, semantic_available
from takethelead.services.leads.introductions import (
    accept_introduction,
    introduction_candidates,
    propose_introduction,
)
from takethelead.services.leads.leads import (
    add_lead,
    find_referrers,
    list_leads,
    match_lead,
    pass_lead,
)
from takethelead.services.leads.paths import find_paths
from takethelead.services.leads.profile import (
    LeadProfileParts,
    compose_lead_profile,
    my_profile,
    set_my_profile,
)
from takethelead.services.leads.referrals import list_referrals, record_referral, update_referral
from takethelead.services.people import people
from takethelead.services.planning.inputs import gather
from takethelead.services.relationships.ledger import person_ledger
from takethelead.storage.tables import Interaction, LedgerEntry, Person, Referral, Tie

NOW = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Circle:
    ws: int
    ana: int  # bookkeeper, close
    bruno: int  # web designer, close, met Ana at 3 meetings
    carla: int  # bookkeeper, weak tie
    maria: int  # bakery owner: brings the lead
    dario: int  # distrusted bookkeeper
    eva: int  # payroll specialist at Fjord, no offer written


@pytest.fixture
def circle(store: Store) -> Circle:
    with store.transaction() as session:
        ws = workspace_id(session, "default")
        set_my_profile(
            session,
            ws,
            offer="Career coaching for new managers",
            lead_profile="Managers promoted in the last year who want coaching",
            name="Sam Rivera",
        )

        def add(
            name: str,
            strength: float,
            *,
            offer: str | None = None,
            company: str | None = None,
            title: str | None = None,
            lead_profile: str | None = None,
        ) -> int:
            fields = people.PersonInput(
                offer=offer, company=company, title=title, lead_profile=lead_profile
            )
            pid = people.add_person(session, ws, name, fields)
            session.execute(update(Person).where(Person.id == pid).values(strength=strength))
            return pid

        found = Circle(
            ws=ws,
            ana=add("Ana Díaz", 0.8, offer="Bookkeeping and payroll for small businesses"),
            bruno=add("Bruno Costa", 0.85, offer="Websites for bakeries and cafés"),
            carla=add("Carla Lima", 0.1, offer="Bookkeeping and payroll for small businesses"),
            maria=add(
                "Maria Rossi",
                0.5,
                company="Greenleaf Bakery",
                lead_profile="Bakery owners who need a new website",
            ),
            dario=add("Dario Neri", 0.95, offer="Bookkeeping, payroll and tax for bakeries"),
            eva=add("Eva Lund", 0.3, title="Payroll specialist", company="Fjord Software"),
        )
        session.execute(update(Person).where(Person.id == found.dario).values(distrusted=True))
        session.add_all(
            [
                Tie(workspace_id=ws, person_a=min(found.ana, found.bruno),
                    person_b=max(found.ana, found.bruno), trust=0.78, source="meeting",
                    evidence=3),
                Tie(workspace_id=ws, person_a=min(found.dario, found.carla),
                    person_b=max(found.dario, found.carla), trust=1.0, source="manual"),
                Tie(workspace_id=ws, person_a=min(found.bruno, found.carla),
                    person_b=max(found.bruno, found.carla), trust=0.5, source="manual"),
            ]
        )  # fmt: skip
        return found


def test_a_lead_finds_the_person_whose_offer_serves_it_with_reasons(
    store: Store, circle: Circle
) -> None:
    with store.transaction() as session:
        lead = add_lead(session, circle.ws, "Bakery needs a bookkeeper who knows payroll", "Maria")
        found = match_lead(session, circle.ws, lead.id)
    assert lead.from_person == "Maria Rossi"
    assert found.matches[0].full_name == "Ana Díaz"
    assert "bookkeeping and payroll for small businesses" in found.matches[0].why
    assert "matched: bookkeeper, payroll" in found.matches[0].why
    assert "close tie (0.80)" in found.matches[0].why
    assert found.matches[0].score > found.matches[1].score


def test_the_person_who_brought_the_lead_and_distrusted_people_are_never_suggested(
    store: Store, circle: Circle
) -> None:
    with store.transaction() as session:
        lead = add_lead(session, circle.ws, "bookkeeping payroll tax for a bakery", "Maria Rossi")
        found = match_lead(session, circle.ws, lead.id, limit=10)
    suggested = {m.person_id for m in found.matches}
    assert circle.dario not in suggested
    assert circle.maria not in suggested
    assert circle.ana in suggested


def test_an_empty_offer_is_read_from_title_and_company_and_says_so(
    store: Store, circle: Circle
) -> None:
    with store.transaction() as session:
        lead = add_lead(session, circle.ws, "A payroll specialist for a software firm")
        found = match_lead(session, circle.ws, lead.id)
    eva = next(m for m in found.matches if m.person_id == circle.eva)
    assert eva.offer == "Payroll specialist at Fjord Software"
    assert "(from their title)" in eva.why


def test_past_referral_success_lifts_a_provider_and_is_told(store: Store, circle: Circle) -> None:
    with store.transaction() as session:
        session.execute(update(Person).where(Person.id == circle.carla).values(strength=0.8))
        referral = record_referral(session, circle.ws, "given", circle.carla, "a florist")
        update_referral(session, circle.ws, referral.id, "won", 800.0)
        lead = add_lead(session, circle.ws, "bookkeeping and payroll")
        found = match_lead(session, circle.ws, lead.id)
    assert found.matches[0].full_name == "Carla Lima"
    assert "referred 1 lead before, won" in found.matches[0].why


def test_passing_a_lead_gives_a_referral_counted_in_the_ledger(
    store: Store, circle: Circle
) -> None:
    with store.transaction() as session:
        lead = add_lead(session, circle.ws, "Bakery needs a bookkeeper", "Maria")
        referral = pass_lead(session, circle.ws, lead.id, "Ana Díaz", now=NOW)
        assert referral.direction == "given" and referral.status == "given"
        assert referral.lead_id == lead.id
        assert [lead.status for lead in list_leads(session, circle.ws)] == ["passed"]
        standing = person_ledger(session, circle.ws, circle.ana).standing
        assert (standing.given, standing.received) == (1, 0)
        touches = session.scalars(
            select(Interaction.kind).where(Interaction.person_id == circle.ana)
        ).all()
        assert touches == ["referral"]
        with pytest.raises(ServiceError, match="the lead came from"):
            pass_lead(session, circle.ws, lead.id, "Maria Rossi")


def test_a_referral_only_moves_forward_and_a_won_received_one_makes_a_thank_you_due(
    store: Store, circle: Circle
) -> None:
    with store.transaction() as session:
        referral = record_referral(session, circle.ws, "received", circle.bruno, "a new client")
        assert update_referral(session, circle.ws, referral.id, "met").status == "met"
        with pytest.raises(ServiceError, match="cannot go back to contacted"):
            update_referral(session, circle.ws, referral.id, "contacted")
        won = update_referral(session, circle.ws, referral.id, "won", 1200.0)
        assert won.thank_due and won.value == 1200.0
        with pytest.raises(ServiceError, match="already won"):
            update_referral(session, circle.ws, referral.id, "lost")
        assert referral.id in gather(session, circle.ws, datetime.now(UTC)).thanks.ids.tolist()
        assert [r.status for r in list_referrals(session, circle.ws, status="won")] == ["won"]
        standing = person_ledger(session, circle.ws, circle.bruno).standing
        assert standing.received == 1 and standing.value_received == 1200.0


@pytest.mark.parametrize(
    ("status", "value", "message"),
    [("closed", None, "status 'closed'"), ("won", -5.0, "value"), ("won", float("nan"), "value")],
)
def test_bad_referral_input_names_the_field_and_writes_nothing(
    store: Store, circle: Circle, status: str, value: float | None, message: str
) -> None:
    with store.transaction() as session:
        referral = record_referral(session, circle.ws, "given", circle.ana)
    with pytest.raises(ServiceError, match=message), store.transaction() as session:
        update_referral(session, circle.ws, referral.id, status, value)
    with store.transaction() as session:
        assert session.scalar(select(Referral.status)) == "given"


def test_a_path_says_who_to_ask_and_why_they_would_vouch(store: Store, circle: Circle) -> None:
    with store.transaction() as session:
        session.execute(update(Person).where(Person.id == circle.ana).values(strength=0.05))
        report = find_paths(session, circle.ws, "Ana Díaz", k=3)
    best = report.paths[0]
    assert best.ask == "Bruno Costa" and best.hops == 2
    assert best.explanation == (
        "ask Bruno Costa (close tie, 0.85): Bruno Costa met Ana Díaz at 3 meetings (trust 0.78)"
    )
    assert best.trust == pytest.approx(0.85 * 0.78)
    assert report.widest is not None and report.widest.weakest == pytest.approx(0.78)
    assert any(p.hops == 1 and p.explanation.startswith("reach out directly") for p in report.paths)


def test_distrusted_people_are_never_routed_through(store: Store, circle: Circle) -> None:
    with store.transaction() as session:
        report = find_paths(session, circle.ws, "Carla Lima", k=10)
    assert report.paths
    for path in [*report.paths, report.widest]:
        assert path is not None
        assert circle.dario not in [step.person_id for step in path.steps]
    assert report.distrusted_avoided == 1


def test_a_company_reaches_anyone_who_works_there(store: Store, circle: Circle) -> None:
    with store.transaction() as session:
        report = find_paths(session, circle.ws, "greenleaf bakery")
    assert report.company == "Greenleaf Bakery" and report.targets == 1
    assert {p.target for p in report.paths} == {"Maria Rossi"}


def test_an_unknown_target_is_one_clear_error(store: Store, circle: Circle) -> None:
    expected = "nobody and no company matches 'Zyx Qwv'"
    with pytest.raises(ServiceError, match=expected), store.transaction() as session:
        find_paths(session, circle.ws, "Zyx Qwv")


def test_an_introduction_needs_both_yeses_then_counts_for_both(
    store: Store, circle: Circle
) -> None:
    with store.transaction() as session:
        intro = propose_introduction(
            session, circle.ws, "Maria", "Bruno", "Maria wants a new website", NOW
        )
        assert intro.status == "asked"
        assert [d.to for d in intro.drafts] == ["Maria Rossi", "Bruno Costa"]
        assert "Would you like me to connect you?" in intro.drafts[0].body
        half = accept_introduction(session, circle.ws, intro.id, "A", NOW)
        assert half.status == "asked" and half.drafts == ()
        assert session.scalar(select(func.count()).select_from(LedgerEntry)) == 0
        made = accept_introduction(session, circle.ws, intro.id, "Bruno Costa", NOW)
        assert made.status == "made"
        assert "Maria, meet Bruno Costa" in made.drafts[0].body
        for person in (circle.maria, circle.bruno):
            entry = person_ledger(session, circle.ws, person).entries[0]
            assert (entry.direction, entry.kind) == ("given", "introduction")
        with pytest.raises(ServiceError, match="already made"):
            accept_introduction(session, circle.ws, intro.id, "B")


def test_who_can_help_whom_pairs_a_need_with_an_offer(store: Store, circle: Circle) -> None:
    with store.transaction() as session:
        add_lead(session, circle.ws, "needs help with payroll and bookkeeping", "Maria")
        found = introduction_candidates(session, circle.ws, limit=10)
        pairs = {(c.person_a, c.person_b) for c in found}
        assert (circle.maria, circle.bruno) in pairs  # her lead profile: a new website
        assert (circle.maria, circle.ana) in pairs  # her open lead: payroll and bookkeeping
        assert all(circle.dario not in pair for pair in pairs)
        website = next(c for c in found if c.person_b == circle.bruno)
        assert website.reason.startswith("Maria Rossi is looking for what Bruno Costa offers")
        # Introduced once, a pair is not proposed again.
        propose_introduction(session, circle.ws, "Maria", "Bruno")
        again = introduction_candidates(session, circle.ws, limit=10)
        assert (circle.maria, circle.bruno) not in {(c.person_a, c.person_b) for c in again}


def test_referrers_are_people_who_serve_my_audience(store: Store, circle: Circle) -> None:
    with store.transaction() as session:
        hr = people.add_person(
            session,
            circle.ws,
            "Hana Ito",
            people.PersonInput(offer="HR for newly promoted managers"),
        )
        found = find_referrers(session, circle.ws)
    assert found.matches[0].person_id == hr
    assert found.matches[0].why.startswith("works with")


def test_my_profile_is_created_on_first_write_and_reads_as_a_text_to_share(store: Store) -> None:
    parts = LeadProfileParts(
        who="café and bakery owners",
        need="payroll and monthly bookkeeping",
        size="2 to 20 staff",
        signals="hiring their first employee",
    )
    written = compose_lead_profile(parts)
    assert written == (
        "Café and bakery owners who need payroll and monthly bookkeeping (2 to 20 staff). "
        "Signals: hiring their first employee."
    )
    with store.transaction() as session:
        ws = workspace_id(session, "default")
        assert my_profile(session, ws).person_id is None
        mine = set_my_profile(
            session, ws, offer="Bookkeeping for small shops", lead_profile=written
        )
        assert session.scalar(select(Person.is_me).where(Person.id == mine.person_id)) is True
    assert mine.share_text.splitlines() == [
        "What I do: Bookkeeping for small shops.",
        f"A good lead for me: {written}",
        "If you meet someone like that, I'd be glad of an introduction.",
    ]
    with pytest.raises(ServiceError, match="lead profile: expected at least"):
        compose_lead_profile(LeadProfileParts(size="big"))


@pytest.mark.skipif(
    not semantic_available(), reason="the semantic extra (MiniLM ONNX, tokenizers) is not installed"
)
def test_embeddings_find_a_provider_by_meaning_and_are_cached(
    store: Store, circle: Circle, tmp_path: Path
) -> None:
    embedder = load_embedder(tmp_path)
    assert embedder is not None
    with store.transaction() as session:
        lead = add_lead(session, circle.ws, "someone to sort out my accounts and wages")
        plain = match_lead(session, circle.ws, lead.id)
        fused = match_lead(session, circle.ws, lead.id, embedder=embedder)
    assert not plain.semantic and fused.semantic
    assert circle.ana not in {m.person_id for m in plain.matches}  # no shared word
    assert circle.ana in {m.person_id for m in fused.matches}
    assert (tmp_path / "embeddings-all-MiniLM-L6-v2-int8.npz").exists()
    assert isinstance(embedder, CachedEmbedder)
    reread = CachedEmbedder(embedder.model, embedder.cache_file)
    # Every profile's vector comes back from the file; a single query is not written.
    assert len(reread.vectors) == len(embedder.vectors) - 1 == 5
