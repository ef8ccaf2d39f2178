"""The weekly plan end to end from the database, on the largest workspace we plan for.

Builds the demo workspace with 30,000 people and 1,000,000 interactions into a temporary
SQLite file (timed), then times computing and storing the week's plan from the database:
with the tie-strength cache (`person.strength`, what the daily rescore task keeps fresh)
and without it (reading and scoring every interaction), then reading the stored plan back
(`current_plan`, what the dashboard and /api/plan show). Target: a plan in at most a second.

    .venv/bin/python bench/plan_e2e.py [--people 30000] [--interactions 1000000]
                                       [--database-url postgresql://postgres@127.0.0.1/test]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from takethelead.config import Settings
from takethelead.services.core.store import Store, workspace_id
from takethelead.services.demo import build_demo
from takethelead.services.networks.timeentries import refresh_evidence
from takethelead.services.planning.inputs import gather
from takethelead.services.planning.weekly import current_plan, make_plan
from takethelead.services.relationships.scoring import rescore_all
from takethelead.storage.tables import Interaction, Workspace

REPEATS = 5


Timing = tuple[list[float], list[float]]  # wall-clock and CPU seconds per run


def timed(store: Store, run: Callable[..., object], repeats: int = REPEATS) -> Timing:
    wall, cpu = [], []
    for _ in range(repeats):
        started, started_cpu = time.perf_counter(), time.process_time()
        with store.transaction() as session:
            run(session, workspace_id(session, "bench", create=False))
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return wall, cpu


def show(label: str, timing: Timing) -> None:
    # CPU time is what the machine's other load cannot inflate; wall time is what a user waits.
    wall, cpu = timing
    median_wall, median_cpu = statistics.median(wall) * 1000, statistics.median(cpu) * 1000
    print(f"{label:<56} wall median {median_wall:8.1f} ms (min {min(wall) * 1000:7.1f})   "
          f"cpu median {median_cpu:8.1f} ms")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=30_000)
    parser.add_argument("--interactions", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument(
        "--data-dir", help="Keep the database here; reuse a workspace built before."
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        tmp = args.data_dir or scratch
        env = {"LEAD_DATA_DIR": tmp, "LEAD_ENV": "development"}
        if args.database_url:
            env["DATABASE_URL"] = args.database_url
        store = Store.open(Settings.from_env(env))
        now = datetime.now(UTC)
        with store.transaction() as session:
            built = session.scalar(select(Workspace.id).where(Workspace.name == "bench"))
        if built is None or not args.data_dir:
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
                  f"{summary.time_entries} time entries, {summary.networks} networks")  # fmt: skip
            print(f"build the workspace: {build:.1f} s"
                  + (f", {size / 2**20:.0f} MiB" if size else ""))  # fmt: skip
        else:  # measure at the moment the workspace was built, so its last weeks are busy
            with store.transaction() as session:
                latest = session.scalar(
                    select(func.max(Interaction.occurred_at)).where(
                        Interaction.workspace_id == built
                    )
                )
            now = latest or now
        print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")

        rescore = timed(store, lambda s, ws: rescore_all(s, ws, now), repeats=1)
        show("daily task: score every tie (strength cache)", rescore)
        evidence = timed(store, lambda s, ws: refresh_evidence(s, ws, now), repeats=1)
        show("daily task: count what time entries brought (evidence)", evidence)
        show(
            "plan inputs from the database (cache)", timed(store, lambda s, ws: gather(s, ws, now))
        )
        cached = timed(store, lambda s, ws: make_plan(s, ws, now))
        show("plan end to end, with the strength cache", cached)
        fresh = timed(store, lambda s, ws: make_plan(s, ws, now, fresh=True), repeats=3)
        show("plan end to end, no caches (reads every interaction)", fresh)
        # What the dashboard and /api/plan do on every visit: read the stored week's plan.
        shown = timed(store, lambda s, ws: current_plan(s, ws, now))
        show("read the stored plan (current_plan: dashboard, /api/plan)", shown)

        with store.transaction() as session:
            view = make_plan(session, workspace_id(session, "bench", create=False), now)
        verdict = "met" if statistics.median(cached[0]) <= 1.0 else "missed"
        print(f"plan: {len(view.items)} actions, {view.minutes} of {view.budget_minutes} min; "
              f"target ≤ 1 s: {verdict}")  # fmt: skip
        for item in view.items:
            print(f"  {item.number:>2}. {item.minutes:3d} min  {item.title} — {item.reason}")
        print(f"  {view.balance.sentence}")
        store.close()


if __name__ == "__main__":
    main()
