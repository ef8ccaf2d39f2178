"""Relationship commands end to end from the database, on the largest workspace we plan for.

Builds the demo workspace with 30,000 people and 1,000,000 interactions (or reuses one
built earlier with --data-dir), then times the services behind `lead due`, `lead fading`,
`lead report`, `lead strength` (everyone, and one person) and `lead people show`'s
relationship lines, each in its own transaction as the CLI runs them. The peer is the
same joined rows read as SQLAlchemy Row objects (what the old `analytics.load_activity` did).
Target: each command answers in a few seconds.

    .venv/bin/python bench/relationships_e2e.py [--people 30000] [--interactions 1000000]
        [--data-dir /tmp/relbench] [--database-url postgresql://postgres@127.0.0.1/test]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from takethelead.config import Settings
from takethelead.services.core.store import Store, workspace_id
from takethelead.services.demo import build_demo
from takethelead.services.relationships import keepintouch, report
from takethelead.services.relationships import strength as relationships
from takethelead.services.relationships.activity import load_touches
from takethelead.storage.tables import Person, Workspace

REPEATS = 3


def joined_rows(session: Session, ws: int) -> int:
    """The peer: every touch with a person but the owner, as SQLAlchemy rows."""
    rows = session.execute(
        text(
            "SELECT i.id, i.person_id, i.occurred_at, i.kind, i.direction, i.automated, "
            "i.network_id FROM interaction i JOIN person p ON p.id = i.person_id "
            "WHERE i.workspace_id = :ws AND p.is_me = :no"
        ),
        {"ws": ws, "no": False},
    ).all()
    return len(rows)


def timed(store: Store, run: Callable[[Session, int], object]) -> list[float]:
    times = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        with store.transaction() as session:
            run(session, workspace_id(session, "bench", create=False))
        times.append(time.perf_counter() - started)
    return times


def show(label: str, times: list[float]) -> float:
    median = statistics.median(times)
    print(f"{label:<52} median {median:6.2f} s   max {max(times):6.2f} s")
    return median


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--people", type=int, default=30_000)
    parser.add_argument("--interactions", type=int, default=1_000_000)
    parser.add_argument("--data-dir", default=None, help="Reuse (or keep) the workspace here.")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = {"LEAD_DATA_DIR": args.data_dir or tmp, "LEAD_ENV": "development"}
        if args.database_url:
            env["DATABASE_URL"] = args.database_url
        store = Store.open(Settings.from_env(env))
        with store.transaction() as session:
            built = session.scalar(select(Workspace.id).where(Workspace.name == "bench"))
        if built is None:
            started = time.perf_counter()
            with store.transaction() as session:
                build_demo(
                    session, "bench", people=args.people, interactions=args.interactions, force=True
                )
            print(f"built the workspace in {time.perf_counter() - started:.0f} s")
        with store.transaction() as session:
            ws = workspace_id(session, "bench", create=False)
            someone = session.scalar(
                select(Person.id).where(Person.workspace_id == ws, Person.is_me.is_(False))
            )
            touches = len(load_touches(session, ws).touches)
        assert someone is not None
        print(f"{touches:,} touches in the workspace; {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
        peer = show(
            "read every touch: joined rows (peer)",
            timed(store, joined_rows),
        )
        ours = show("read every touch: activity.load_touches", timed(store, load_touches))
        print(f"{'':<52} ratio  {peer / ours:6.1f}x faster")
        show("lead due", timed(store, lambda s, w: keepintouch.due(s, w)))
        show("lead fading --days 90", timed(store, lambda s, w: keepintouch.fading(s, w)))
        show(
            "lead report (13 monthly snapshots)",
            timed(store, lambda s, w: report.network_strength(s, w)),
        )
        show(
            "lead strength --limit 20", timed(store, lambda s, w: relationships.strength_list(s, w))
        )
        show(
            "lead strength NAME",
            timed(store, lambda s, w: relationships.strength_of(s, w, someone)),
        )
        show(
            "lead people show NAME (relationship lines)",
            timed(store, lambda s, w: relationships.relationship_of(s, w, someone)),
        )
        size = Path(env["LEAD_DATA_DIR"], "lead.db")
        if size.exists():
            print(f"database file: {size.stat().st_size / 2**20:.0f} MiB")
        store.close()


if __name__ == "__main__":
    main()
