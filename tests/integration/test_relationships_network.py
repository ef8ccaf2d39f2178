"""The ledger, ties between contacts (recorded and inferred) and the network report on a
real database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from takethelead.services.core.errors import ServiceError
from takethelead.services.core.store import Store, workspace_id
from takethelead.services.relationships import contact_ties as ties
from takethelead.services.relationships import ledger, report
from takethelead.storage.tables import Interaction, LedgerEntry, Person, Referral, Tie

NOW = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def people(session: Session, ws: int, *names: str) -> dict[str, int]:
    ids = {}
    for name in names:
        person = Person(workspace_id=ws, full_name=name)
        session.add(person)
        session.flush()
        ids[name] = person.id
    return ids


def seen(
    ws: int, person: int, at: datetime, kind: str, source: str, external: str, summary: str = ""
) -> Interaction:
    return Interaction(
        workspace_id=ws,
        person_id=person,
        occurred_at=at,
        kind=kind,
        direction="mutual" if kind == "meeting" else "outbound",
        summary=summary,
        source=source,
        external_id=external,
    )


def test_a_ledger_entry_is_checked_before_anything_is_written(store: Store) -> None:
    with store.transaction() as session:
        ws = workspace_id(session, "mine")
        ana = people(session, ws, "Ana")["Ana"]
    for kwargs, message in (
        ({"kind": "gift"}, "kind 'gift': expected referral, introduction or favour"),
        ({"kind": "favour", "value": -5.0}, "value: expected an amount of zero or more"),
        ({"kind": "favour", "direction": "lent"}, "direction: expected --gave or --received"),
    ):
        with pytest.raises(ServiceError, match=message), store.transaction() as session:
            ledger.add_entry(
                session,
                ws,
                ana,
                str(kwargs.get("direction", "given")),
                str(kwargs["kind"]),
                value=kwargs.get("value"),  # type: ignore[arg-type]
            )
    with store.transaction() as session:
        assert session.scalar(select(func.count()).select_from(LedgerEntry)) == 0


def test_referrals_count_once_and_a_won_referral_brings_its_value(store: Store) -> None:
    with store.transaction() as session:
        ws = workspace_id(session, "mine")
        ana = people(session, ws, "Ana")["Ana"]
        won = Referral(
            workspace_id=ws,
            direction="received",
            person_id=ana,
            status="won",
            value=1500.0,
            updated_at=NOW - timedelta(days=3),
        )
        pending = Referral(workspace_id=ws, direction="received", person_id=ana, status="met")
        given = Referral(workspace_id=ws, direction="given", person_id=ana, status="given")
        linked = Referral(
            workspace_id=ws, direction="received", person_id=ana, status="won", value=900.0
        )
        session.add_all([won, pending, given, linked])
        session.flush()
        session.add(
            LedgerEntry(
                workspace_id=ws,
                person_id=ana,
                direction="received",
                kind="referral",
                referral_id=linked.id,
                occurred_at=NOW - timedelta(days=10),
            )
        )
        ledger.add_entry(session, ws, ana, "given", "favour", note="proofread the deck")
    with store.transaction() as session:
        found = ledger.person_ledger(session, ws, ana)
    kinds = [(e.direction, e.kind, e.value, e.source) for e in found.entries]
    assert ("received", "referral", 1500.0, "referral") in kinds
    assert ("received", "referral", 900.0, "ledger") in kinds  # the linked one, once
    assert ("given", "referral", None, "referral") in kinds
    assert len(kinds) == 4  # the referral still at "met" is not on the ledger yet
    standing = found.standing
    assert (standing.given, standing.received) == (2, 2)
    assert standing.value_received == 2400.0
    assert standing.balance == pytest.approx(1.0 + 0.4 - 2.0)


def test_one_sided_relationships_are_found_both_ways(store: Store) -> None:
    with store.transaction() as session:
        ws = workspace_id(session, "mine")
        ids = people(session, ws, "Giver", "Taker", "Even")
        for _ in range(3):
            ledger.add_entry(session, ws, ids["Giver"], "received", "introduction")
            ledger.add_entry(session, ws, ids["Taker"], "given", "referral", value=100.0)
        ledger.add_entry(session, ws, ids["Even"], "given", "favour")
        ledger.add_entry(session, ws, ids["Even"], "received", "favour")
        ledger.add_entry(session, ws, ids["Even"], "given", "favour")
        sides = ledger.one_sided_ledger(session, ws)
    assert [s.full_name for s in sides.you_take] == ["Giver"]
    assert [s.full_name for s in sides.you_give] == ["Taker"]
    assert sides.you_give[0].value_given == 300.0 and sides.entries == 9


def test_a_manual_tie_is_stored_once_in_order_and_its_trust_can_change(store: Store) -> None:
    with store.transaction() as session:
        ws = workspace_id(session, "mine")
        ids = people(session, ws, "Ana", "Bruno")
        first = ties.record_tie(session, ws, ids["Bruno"], ids["Ana"], 0.8)
        again = ties.record_tie(session, ws, ids["Ana"], ids["Bruno"], 0.3)
        rows = session.scalars(select(Tie).where(Tie.workspace_id == ws)).all()
    assert first.created and not again.created
    assert [(t.person_a, t.person_b, t.trust, t.source) for t in rows] == [
        (ids["Ana"], ids["Bruno"], 0.3, "manual")
    ]


@pytest.mark.parametrize(("trust", "message"), [(0.0, "trust: "), (1.2, "trust: ")])
def test_a_tie_needs_a_trust_in_range(store: Store, trust: float, message: str) -> None:
    with store.transaction() as session:
        ws = workspace_id(session, "mine")
        ids = people(session, ws, "Ana", "Bruno")
        with pytest.raises(ServiceError, match=message):
            ties.record_tie(session, ws, ids["Ana"], ids["Bruno"], trust)
        with pytest.raises(ServiceError, match="two different people"):
            ties.record_tie(session, ws, ids["Ana"], ids["Ana"])


def test_ties_are_inferred_from_shared_meetings_and_threads_and_manual_ties_survive(
    store: Store,
) -> None:
    at = NOW - timedelta(days=7)
    with store.transaction() as session:
        ws = workspace_id(session, "mine")
        me = Person(workspace_id=ws, full_name="Sam Me", is_me=True)
        session.add(me)
        session.flush()
        ids = people(
            session, ws, "Ana", "Bruno", "Chloé", "Dmitri", *[f"Guest {i}" for i in range(13)]
        )
        for name in ("Ana", "Bruno", "Chloé"):  # one workshop, three contacts and the owner
            session.add(seen(ws, ids[name], at, "meeting", "ical", f"w1/{name}", "Workshop"))
        session.add(seen(ws, me.id, at, "meeting", "ical", "w1/me", "Workshop"))
        # Same time, other event: Dmitri was not in the workshop.
        session.add(seen(ws, ids["Dmitri"], at, "meeting", "ical", "w2/Dmitri", "Board"))
        for name in ("Ana", "Dmitri"):  # one e-mail to both
            session.add(seen(ws, ids[name], at, "email", "mbox", f"<m1@x>/{name}"))
        for i in range(13):  # a conference: too big to say who knows whom
            session.add(seen(ws, ids[f"Guest {i}"], at, "meeting", "ical", f"c/{i}", "Summit"))
        ties.record_tie(session, ws, ids["Ana"], ids["Bruno"], 0.9)
        found = ties.infer_ties(session, ws)
        again = ties.infer_ties(session, ws)
        rows = session.execute(
            select(Tie.person_a, Tie.person_b, Tie.source, Tie.trust).where(Tie.workspace_id == ws)
        ).all()
    assert found == again
    assert (found.meeting_ties, found.thread_ties, found.too_large, found.manual_ties) == (
        3,
        1,
        1,
        1,
    )
    by_source = {(a, b, source): trust for a, b, source, trust in rows}
    pair = (min(ids["Ana"], ids["Bruno"]), max(ids["Ana"], ids["Bruno"]))
    assert by_source[(*pair, "manual")] == 0.9
    assert by_source[(*pair, "meeting")] == pytest.approx(ties.inferred_trust(1))
    assert (min(ids["Ana"], ids["Dmitri"]), max(ids["Ana"], ids["Dmitri"]), "thread") in by_source
    assert all(me.id not in (a, b) for a, b, _, _ in rows)


def test_the_report_gives_a_snapshot_a_month_and_counts_referrals_in_and_out(
    store: Store,
) -> None:
    with store.transaction() as session:
        ws = workspace_id(session, "mine")
        ids = people(session, ws, "Ana", "Bruno", "Chloé")
        for days in range(2, 360, 9):
            for name in ("Ana", "Bruno"):
                session.add(
                    seen(
                        ws,
                        ids[name],
                        NOW - timedelta(days=days),
                        "meeting",
                        "t",
                        f"{name}-{days}",
                        "catch-up",
                    )
                )
        session.add(seen(ws, ids["Chloé"], NOW - timedelta(days=200), "call", "t", "c", ""))
        ties.record_tie(session, ws, ids["Ana"], ids["Chloé"])
        ledger.add_entry(
            session, ws, ids["Ana"], "received", "referral", 800.0, when=NOW - timedelta(days=5)
        )
        ledger.add_entry(
            session, ws, ids["Bruno"], "given", "referral", when=NOW - timedelta(days=100)
        )
        found = report.network_strength(session, ws)
    assert len(found.months) == 13 and found.months[-1] == found.now
    assert [s.at for s in found.months] == sorted(s.at for s in found.months)
    assert found.now.strong_ties == 2 and found.now.active_ties == 2
    assert found.now.referrals_in == 1 and found.now.referrals_out == 0
    assert (found.referrals_in_year, found.referrals_out_year) == (1, 1)
    assert found.now.reciprocity_balance == pytest.approx(0.0)
    assert found.now.two_hop_reach == 3 and found.known_ties == 1
    assert found.now.effective_size is not None and found.now.constraint is not None
    assert sum(found.now.layer_fill) == found.now.live_ties


@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_the_report_chart_is_a_real_image(store: Store, tmp_path: Path, suffix: str) -> None:
    with store.transaction() as session:
        ws = workspace_id(session, "mine")
        ana = people(session, ws, "Ana")["Ana"]
        session.add(seen(ws, ana, NOW - timedelta(days=3), "meeting", "t", "a", "coffee"))
        found = report.network_strength(session, ws, months=6)
    path = report.write_chart(found, tmp_path / f"network{suffix}")
    data = path.read_bytes()
    if suffix == ".png":
        assert data.startswith(b"\x89PNG\r\n\x1a\n") and b"IEND" in data[-16:]
    else:
        assert b"<svg" in data[:1000] and data.rstrip().endswith(b"</svg>")


def test_a_chart_needs_a_png_or_svg_name(tmp_path: Path) -> None:
    with pytest.raises(ServiceError, match=r"expected a file name ending in \.png or \.svg"):
        report.check_chart_path(tmp_path / "network.jpg")
    with pytest.raises(ServiceError, match="does not exist"):
        report.check_chart_path(tmp_path / "missing" / "network.png")
