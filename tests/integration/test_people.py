"""People: add, edit, tag, search (accent- and case-insensitive), resolve, remove."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from takethelead.services.core.errors import Ambiguous, NotFound, ServiceError
from takethelead.services.core.store import Store, workspace_id
from takethelead.services.core.views import PersonSummary
from takethelead.services.people import people
from takethelead.services.people.interactions import log_touch


@pytest.fixture
def crowd(store: Store) -> int:
    with store.transaction() as session:
        ws = workspace_id(session, "default")
        people.add_person(
            session,
            ws,
            "Ana Díaz",
            people.PersonInput(company="Acme Bakery", offer="payroll and bookkeeping"),
            ["ana@example.org"],
            ["client"],
        )
        people.add_person(session, ws, "Anabel Costa", people.PersonInput(company="Fjord"))
        people.add_person(session, ws, "Bruno Díaz", people.PersonInput(notes="met at BNI"))
        people.add_person(
            session, ws, "Chloé Dubois", identities=["https://www.linkedin.com/in/chloe-d/"]
        )
        return ws


def names(found: list[PersonSummary]) -> list[str]:
    return [p.full_name for p in found]


def test_search_ignores_accents_and_case(store: Store, crowd: int) -> None:
    with store.transaction() as session:
        assert names(people.search_people(session, crowd, "DIAZ")) == ["Ana Díaz", "Bruno Díaz"]
        assert names(people.search_people(session, crowd, "chloe")) == ["Chloé Dubois"]


def test_search_covers_companies_notes_offers_and_prefixes(store: Store, crowd: int) -> None:
    with store.transaction() as session:
        assert names(people.search_people(session, crowd, "bakery")) == ["Ana Díaz"]
        assert names(people.search_people(session, crowd, "BNI")) == ["Bruno Díaz"]
        assert names(people.search_people(session, crowd, "payroll diaz")) == ["Ana Díaz"]
        assert names(people.search_people(session, crowd, "ana")) == ["Ana Díaz", "Anabel Costa"]


def test_search_treats_query_syntax_as_plain_words(store: Store, crowd: int) -> None:
    with store.transaction() as session:
        assert people.search_people(session, crowd, 'ana" OR * NEAR(') == []
        assert names(people.search_people(session, crowd, "ana@example.org")) == ["Ana Díaz"]


def test_search_sees_edits(store: Store, crowd: int) -> None:
    with store.transaction() as session:
        pid = people.resolve_person(session, crowd, "Anabel Costa")
        people.edit_person(session, crowd, pid, people.PersonInput(offer="Brand photography"))
    with store.transaction() as session:
        assert names(people.search_people(session, crowd, "photography")) == ["Anabel Costa"]


def test_a_person_is_found_in_a_phrase(store: Store, crowd: int) -> None:
    with store.transaction() as session:
        ana = people.find_in_text(session, crowd, "coffee with Ana Díaz")
        assert people.show_person(session, crowd, ana).full_name == "Ana Díaz"
        assert people.find_in_text(session, crowd, "lunch with chloe dubois") != ana


def test_an_ambiguous_phrase_lists_the_candidates(store: Store, crowd: int) -> None:
    with store.transaction() as session, pytest.raises(Ambiguous) as caught:
        people.find_in_text(session, crowd, "call with Díaz")
    assert sorted(name for _, name in caught.value.candidates) == ["Ana Díaz", "Bruno Díaz"]


def test_resolving_by_identity_and_id(store: Store, crowd: int) -> None:
    with store.transaction() as session:
        chloe = people.resolve_person(session, crowd, "linkedin.com/in/Chloe-D")
        assert people.resolve_person(session, crowd, f"#{chloe}") == chloe
        with pytest.raises(NotFound):
            people.resolve_person(session, crowd, "#99999")


def test_logging_a_touch_puts_it_on_the_timeline(store: Store, crowd: int) -> None:
    moment = datetime(2025, 2, 3, 9, 0, tzinfo=UTC)
    with store.transaction() as session:
        pid, _ = log_touch(
            session, crowd, "coffee with Ana Díaz", "meeting", 45, "in-person", moment
        )
    with store.transaction() as session:
        detail = people.show_person(session, crowd, pid)
    assert detail.interactions == 1
    touch = detail.timeline[0]
    assert (touch.kind, touch.direction, touch.minutes, touch.occurred_at) == (
        "meeting",
        "mutual",
        45,
        moment,
    )
    assert touch.network == "In person"


def test_tags_are_added_and_removed(store: Store, crowd: int) -> None:
    with store.transaction() as session:
        pid = people.resolve_person(session, crowd, "Bruno Díaz")
        assert people.tag_person(session, crowd, pid, ["referrer", "bni"], []) == (
            "bni",
            "referrer",
        )
        assert people.tag_person(session, crowd, pid, [], ["bni"]) == ("referrer",)
        assert names(people.list_people(session, crowd, tag="referrer")) == ["Bruno Díaz"]


def test_an_identity_cannot_belong_to_two_people(store: Store, crowd: int) -> None:
    with store.transaction() as session, pytest.raises(ServiceError, match="already belongs"):
        people.add_person(session, crowd, "Someone Else", identities=["ANA@example.org"])


def test_closeness_outside_one_to_five_is_refused(store: Store, crowd: int) -> None:
    with store.transaction() as session, pytest.raises(ServiceError, match="closeness"):
        people.add_person(session, crowd, "X", people.PersonInput(closeness=7))


def test_removing_a_person_removes_their_interactions(store: Store, crowd: int) -> None:
    with store.transaction() as session:
        pid, _ = log_touch(session, crowd, "call with Bruno Díaz", "call")
    with store.transaction() as session:
        people.remove_person(session, crowd, pid)
    with store.transaction() as session:
        assert "Bruno Díaz" not in names(people.list_people(session, crowd))
        assert names(people.search_people(session, crowd, "bruno")) == []


def test_workspaces_never_see_each_others_people(store: Store, crowd: int) -> None:
    with store.transaction() as session:
        other = workspace_id(session, "other")
        people.add_person(session, other, "Ana Díaz")
        assert len(people.search_people(session, other, "diaz")) == 1
        assert len(people.search_people(session, crowd, "diaz")) == 2


def test_repeated_and_blank_tags_are_kept_once(store: Store) -> None:
    with store.transaction() as session:
        ws = workspace_id(session, "default")
        pid = people.add_person(session, ws, "Dana", tags=["", "client", " client", ""])
        assert people.show_person(session, ws, pid).tags == ("client",)


def test_sorting_by_last_contact_and_by_interactions_pages_through_everyone(store: Store) -> None:
    with store.transaction() as session:
        ws = workspace_id(session, "default")
        for name in ("Ana Díaz", "Bruno Costa", "Chloé Dubois", "Dario Fo", "Eva Ruiz"):
            client = name in ("Ana Díaz", "Dario Fo", "Eva Ruiz")
            people.add_person(session, ws, name, tags=["client"] if client else [])
        at = datetime(2026, 3, 1, tzinfo=UTC)
        touches = {"Bruno Costa": 3, "Dario Fo": 1, "Eva Ruiz": 3}
        for name, n in touches.items():
            for hour in range(n):
                log_touch(session, ws, name, when=at.replace(hour=hour))
        pages = {
            sort: [
                p.full_name
                for offset in range(0, 5, 2)
                for p in people.list_people(session, ws, sort=sort, limit=2, offset=offset)
            ]
            for sort in ("last-contact", "interactions")
        }
        clients = people.list_people(session, ws, tag="client", sort="last-contact", limit=10)
    # Ties go by who was added first; people never contacted come last.
    assert pages["last-contact"] == ["Bruno Costa", "Eva Ruiz", "Dario Fo", "Ana Díaz",
                                     "Chloé Dubois"]  # fmt: skip
    assert pages["interactions"] == ["Bruno Costa", "Eva Ruiz", "Dario Fo", "Ana Díaz",
                                     "Chloé Dubois"]  # fmt: skip
    assert [p.full_name for p in clients] == ["Eva Ruiz", "Dario Fo", "Ana Díaz"]
