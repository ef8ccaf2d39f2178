"""Merging a duplicate: everything moves to the kept person, nothing is lost."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from takethelead.services.core.errors import ServiceError
from takethelead.services.core.store import Store, workspace_id
from takethelead.services.people import people
from takethelead.services.people.interactions import log_touch
from takethelead.services.people.merging import merge_people
from takethelead.services.relationships.contact_ties import record_tie
from takethelead.services.relationships.ledger import add_entry
from takethelead.storage.tables import Interaction, LedgerEntry, Person, Tie

WHEN = datetime(2025, 3, 1, 10, 0, tzinfo=UTC)


def test_a_duplicate_folds_into_the_kept_person(store: Store) -> None:
    with store.transaction() as session:
        ws = workspace_id(session, "default")
        robert = people.add_person(
            session, ws, "Robert Smith", identities=["https://www.linkedin.com/in/rsmith"],
            tags=["client"],
        )  # fmt: skip
        bob = people.add_person(
            session, ws, "Bob Smith",
            people.PersonInput(company="Smith & Co", notes="met at BNI"),
            ["bob@smith.example"], ["client", "bni"],
        )  # fmt: skip
        ana = people.add_person(session, ws, "Ana Díaz")
        log_touch(session, ws, "coffee", "meeting", 30, None, WHEN, person=f"#{bob}")
        log_touch(session, ws, "call", "call", 20, None, WHEN, person=f"#{robert}")
        add_entry(session, ws, bob, "given", "favour", when=WHEN)
        record_tie(session, ws, bob, ana, 0.7)
        record_tie(session, ws, bob, robert, 0.9)
    with store.transaction() as session:
        result = merge_people(session, ws, robert, bob)
    assert result.removed_name == "Bob Smith"
    with store.transaction() as session:
        kept = people.show_person(session, ws, robert)
        assert kept.full_name == "Robert Smith"
        assert kept.company == "Smith & Co" and kept.notes == "met at BNI"
        assert {i.value for i in kept.identities} == {"in/rsmith", "bob@smith.example"}
        assert kept.tags == ("bni", "client")
        assert kept.interactions == 2
        assert session.scalar(select(func.count()).select_from(Person)) == 2
        assert session.scalar(
            select(func.count()).where(LedgerEntry.person_id == robert)
        ) == 1  # fmt: skip
        ties = session.execute(select(Tie.person_a, Tie.person_b)).all()
        assert ties == [(min(robert, ana), max(robert, ana))]  # the tie to themselves is gone
        assert session.scalar(select(func.count()).where(Interaction.person_id == bob)) == 0
        found = people.search_people(session, ws, "bob@smith.example")
        assert [p.full_name for p in found] == ["Robert Smith"]


def test_merging_someone_with_themselves_or_a_stranger_is_refused(store: Store) -> None:
    with store.transaction() as session:
        ws = workspace_id(session, "default")
        ana = people.add_person(session, ws, "Ana Díaz")
        other_ws = workspace_id(session, "other")
        stranger = people.add_person(session, other_ws, "Eve")
    with store.transaction() as session, pytest.raises(ServiceError, match="two different"):
        merge_people(session, ws, ana, ana)
    with store.transaction() as session, pytest.raises(ServiceError, match="no person"):
        merge_people(session, ws, ana, stranger)
    with store.transaction() as session:
        assert people.show_person(session, other_ws, stranger).full_name == "Eve"
