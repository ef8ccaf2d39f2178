"""The weekly plan end to end from the database, on the largest workspace we plan for.

Builds the demo workspace with 30,000 people and 1,000,000 interactions into a temporary
SQLite file (timed), then times computing and storing the week's plan from the database:
with the tie-strength cache (`person.strength`, what the daily rescore task keeps fresh)
and without it (reading and scoring every interaction). Target: a plan in at most a second.

    .venv/bin/python bench/plan_e2e.py [--people 30000] [--interactions 1000000]
                                       [--database-url postgresql://postgres@127.0.0.1/test]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from takethelead.config import Settings
from takethelead.services.demo import build_demo
from takethelead.services.planinputs import gather
from takethelead.services.planning import make_plan
from takethelead.services.scoring import rescore_all
from takethelead.services.store import Store, workspace_id

REPEATS = 5


def timed(store: Store, run: Callable[..., object], repeats: int = REPEATS) -> list[float]:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        with store.transaction() as session:
            run(session, workspace_id(session, "bench", create=False))
        times.append(time.perf_counter() - started)
    return times


def show(label: str, times: list[float]) -> None:
    print(f"{label:<58} median {statistics.median(times) * 1000:8.1f} ms   "
          f"max {max(times) * 1000:8.1f} ms")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=30_000)
    parser.add_argument("--interactions", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = {"LEAD_DATA_DIR": tmp, "LEAD_ENV": "development"}
        if args.database_url:
            env["DATABASE_URL"] = args.database_url
        store = Store.open(Settings.from_env(env))
        now = datetime.now(UTC)
        started = time.perf_counter()
        with store.transaction() as session:
            summary = build_demo(
                session,
                "bench",
                people=args.people,
                interactions=args.interactions,
                now=now,
                force=True,
            )
        build = time.perf_counter() - started
        size = Path(tmp, "lead.db").stat().st_size if not args.database_url else 0
        print(f"{summary.people:,} people, {summary.interactions:,} interactions, "
              f"{summary.time_entries} time entries on {summary.networks} networks")  # fmt: skip
        print(f"build the workspace: {build:.1f} s" + (f", {size / 2**20:.0f} MiB" if size else ""))

        rescore = timed(store, lambda s, ws: rescore_all(s, ws, now), repeats=1)
        show("daily rescore: score every tie, fill the cache", rescore)
        show(
            "plan inputs from the database (cache)", timed(store, lambda s, ws: gather(s, ws, now))
        )
        cached = timed(store, lambda s, ws: make_plan(s, ws, now))
        show("plan end to end, with the strength cache", cached)
        fresh = timed(store, lambda s, ws: make_plan(s, ws, now, fresh=True), repeats=3)
        show("plan end to end, rescoring 1M interactions first", fresh)

        with store.transaction() as session:
            view = make_plan(session, workspace_id(session, "bench", create=False), now)
        verdict = "met" if statistics.median(cached) <= 1.0 else "missed"
        print(f"plan: {len(view.items)} actions, {view.minutes} of {view.budget_minutes} min; "
              f"target ≤ 1 s: {verdict}")  # fmt: skip
        for item in view.items:
            print(f"  {item.number:>2}. {item.minutes:3d} min  {item.title} — {item.reason}")
        print(f"  {view.balance.sentence}")
        store.close()


if __name__ == "__main__":
    main()
