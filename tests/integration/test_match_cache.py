"""The trust graph and match index are built once and rebuilt exactly when their data changes."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import update

from takethelead.services.core.errors import NotFound
from takethelead.services.core.store import Store, workspace_id
from takethelead.services.core.workspacecache import REVALIDATE, WorkspaceCache
from takethelead.services.leads.introductions import introduction_candidates, propose_introduction
from takethelead.services.leads.leads import add_lead, match_lead
from takethelead.services.leads.matchcache import INDEXES
from takethelead.services.leads.paths import NETWORKS, load_network, paths_to_person, trust_network
from takethelead.services.people import people
from takethelead.services.relationships.contact_ties import record_tie
from takethelead.storage.tables import Person


@pytest.fixture
def ws(store: Store) -> int:
    with store.transaction() as session:
        ws = workspace_id(session, "default")
        for name, offer, strength in (
            ("Ana Díaz", "Bookkeeping and payroll for bakeries", 0.8),
            ("Bruno Costa", "Websites for cafés", 0.7),
            ("Carla Lima", "", 0.0),
        ):
            pid = people.add_person(session, ws, name, people.PersonInput(offer=offer))
            session.execute(update(Person).where(Person.id == pid).values(strength=strength))
    return ws


def _id(store: Store, ws: int, name: str) -> int:
    with store.transaction() as session:
        return people.resolve_person(session, ws, name)


def test_a_repeated_call_reuses_the_built_graph(store: Store, ws: int) -> None:
    with store.transaction() as session:
        first = trust_network(session, ws)
    builds = NETWORKS.stats().builds
    with store.transaction() as session:
        again = trust_network(session, ws)
    assert again is first
    assert NETWORKS.stats().builds == builds


def test_recording_a_tie_invalidates_the_graph_and_the_new_path_shows(
    store: Store, ws: int
) -> None:
    ana, carla = _id(store, ws, "Ana Díaz"), _id(store, ws, "Carla Lima")
    with store.transaction() as session:
        before = trust_network(session, ws)
        assert paths_to_person(session, ws, carla).paths == ()  # nobody leads to Carla yet
    with store.transaction() as session:
        record_tie(session, ws, ana, carla, trust=0.9)
    with store.transaction() as session:
        after = trust_network(session, ws)
        report = paths_to_person(session, ws, carla)
    assert after is not before
    assert [p.ask for p in report.paths] == ["Ana Díaz"]
    assert report.paths[0].hops == 2


def test_changing_a_tie_s_trust_alone_invalidates_the_graph(store: Store, ws: int) -> None:
    ana, carla = _id(store, ws, "Ana Díaz"), _id(store, ws, "Carla Lima")
    with store.transaction() as session:
        record_tie(session, ws, ana, carla, trust=0.9)
    with store.transaction() as session:
        assert paths_to_person(session, ws, carla).paths[0].trust == pytest.approx(0.8 * 0.9)
    with store.transaction() as session:
        record_tie(session, ws, ana, carla, trust=0.5)  # same rows, same ids: only trust moves
    with store.transaction() as session:
        assert paths_to_person(session, ws, carla).paths[0].trust == pytest.approx(0.8 * 0.5)


def test_editing_an_offer_rebuilds_the_match_index(store: Store, ws: int) -> None:
    with store.transaction() as session:
        lead = add_lead(session, ws, "a florist needs flower arrangements for weddings")
    with store.transaction() as session:
        assert match_lead(session, ws, lead.id).matches == ()
    builds = INDEXES.stats().builds
    with store.transaction() as session:
        assert match_lead(session, ws, lead.id).matches == ()
    assert INDEXES.stats().builds == builds  # the second look reused the index
    carla = _id(store, ws, "Carla Lima")
    with store.transaction() as session:
        people.edit_person(
            session, ws, carla, people.PersonInput(offer="Flower arrangements for weddings")
        )
    with store.transaction() as session:
        found = match_lead(session, ws, lead.id)
    assert [m.full_name for m in found.matches] == ["Carla Lima"]
    assert INDEXES.stats().builds == builds + 1


def test_a_transaction_s_own_uncommitted_writes_never_reach_the_cache(
    store: Store, ws: int
) -> None:
    with store.transaction() as session:
        lead = add_lead(session, ws, "someone needs a sommelier for a wine bar")
    carla = _id(store, ws, "Carla Lima")
    with pytest.raises(RuntimeError), store.transaction() as session:
        people.edit_person(session, ws, carla, people.PersonInput(offer="Sommelier for wine bars"))
        assert [m.full_name for m in match_lead(session, ws, lead.id).matches] == ["Carla Lima"]
        raise RuntimeError("roll back")
    with store.transaction() as session:
        assert match_lead(session, ws, lead.id).matches == ()  # nothing of the rolled back edit


def test_a_new_introduction_drops_its_pair_from_the_cached_candidates(
    store: Store, ws: int
) -> None:
    with store.transaction() as session:
        add_lead(session, ws, "needs bookkeeping and payroll for the bakery", "Bruno Costa")
    with store.transaction() as session:
        found = introduction_candidates(session, ws)
        assert any(c.name_a == "Bruno Costa" and c.name_b == "Ana Díaz" for c in found)
    with store.transaction() as session:
        propose_introduction(session, ws, "Bruno Costa", "Ana Díaz")
    with store.transaction() as session:
        again = introduction_candidates(session, ws)
    assert not any(c.name_a == "Bruno Costa" and c.name_b == "Ana Díaz" for c in again)


def test_paths_to_someone_of_another_workspace_are_not_found(store: Store, ws: int) -> None:
    with store.transaction() as session:
        other = workspace_id(session, "other")
        stranger = people.add_person(session, other, "Zed Zu")
    with store.transaction() as session, pytest.raises(NotFound):
        paths_to_person(session, ws, stranger)


@pytest.fixture
def sqlite_file(store: Store) -> str:
    url = store.engine.url
    if url.get_backend_name() != "sqlite" or not url.database:
        pytest.skip("writes from another process are simulated with sqlite3 on the file")
    return url.database


def test_people_added_by_another_process_are_seen_at_once(
    store: Store, ws: int, sqlite_file: str
) -> None:
    with store.transaction() as session:
        first = trust_network(session, ws)
    with sqlite3.connect(sqlite_file) as raw:  # not through SQLAlchemy: no event sees it
        raw.execute(
            "INSERT INTO person (workspace_id, full_name, first_name, last_name, company, title,"
            " notes, offer, lead_profile, is_me, strength, distrusted, search_text, created_at,"
            " updated_at) VALUES (?, 'Dora Eze', '', '', '', '', '', '', '', 0, 0.6, 0, '', 0, 0)",
            (ws,),
        )
    with store.transaction() as session:
        again = trust_network(session, ws)
    assert again is not first
    assert "Dora Eze" in again.names


def test_edits_by_another_process_are_seen_once_the_entry_is_due_for_a_check(
    store: Store, ws: int, sqlite_file: str
) -> None:
    now = [1000.0]
    cache: WorkspaceCache[object] = WorkspaceCache(clock=lambda: now[0])
    with store.transaction() as session:
        first = cache.get(session, ws, lambda: load_network(session, ws))
    with sqlite3.connect(sqlite_file) as raw:
        raw.execute("UPDATE person SET strength = 0.05 WHERE full_name = 'Ana Díaz'")
    with store.transaction() as session:
        assert cache.get(session, ws, lambda: load_network(session, ws)) is first
    now[0] += REVALIDATE + 1
    with store.transaction() as session:
        again = cache.get(session, ws, lambda: load_network(session, ws))
    assert again is not first
    now[0] += REVALIDATE + 1  # checked again, found unchanged: kept
    with store.transaction() as session:
        assert cache.get(session, ws, lambda: load_network(session, ws)) is again
    assert cache.stats().builds == 2
