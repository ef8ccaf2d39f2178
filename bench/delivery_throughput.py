"""Delivery throughput: 10,000 posts due in the same minute, two workers, three fake networks.

The fake Mastodon, Bluesky and Discourse servers and the two workers run as separate
processes (the crash test's entry points); the database is SQLite (WAL) unless DATABASE_URL
is set. Posts go round-robin to one network each (`--all-networks` sends each to all three).
Prints the time until the last delivery, the rate, and the median and 95th-percentile delay
between due time and delivery (whole seconds: timestamps are stored in seconds).

    .venv/bin/python bench/delivery_throughput.py [--posts 10000] [--all-networks]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select, update
from tests.delivery.conftest import connect_all
from tests.delivery.processes import NETWORKS, ServerProcess, WorkerProcess

from takethelead.config import Settings
from takethelead.domain.posting import DeliveryState
from takethelead.services.core.store import Store
from takethelead.services.posting.posts import PostRequest, create_post
from takethelead.storage.tables import Delivery

TIME_LIMIT = 60.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1, help="engines per worker process")
    parser.add_argument("--all-networks", action="store_true")
    options = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="lead-bench-"))
    env = {"LEAD_DATA_DIR": str(data_dir), "LEAD_ENV": "development"}
    if os.environ.get("DATABASE_URL"):
        env["DATABASE_URL"] = os.environ["DATABASE_URL"]
    settings = Settings.from_env(env)
    store = Store.open(settings)
    servers = {name: ServerProcess(name) for name in NETWORKS}
    workers: list[WorkerProcess] = []
    try:
        ws = connect_all(store, "default", {n: s.url for n, s in servers.items()})
        later = datetime.now(UTC) + timedelta(days=1)
        setup = time.monotonic()
        with store.transaction() as session:
            for number in range(options.posts):
                targets = list(NETWORKS) if options.all_networks else [NETWORKS[number % 3]]
                text = f"Benchmark post {number:05d}: due in the same minute as all the others."
                create_post(session, ws, PostRequest(text=text, targets=targets, at=later), later)
        with store.transaction() as session:
            total = int(session.scalar(select(func.count()).select_from(Delivery)) or 0)
        # Storing takes longer than a minute: make them all due together, now, then start.
        due = datetime.now(UTC).replace(microsecond=0)
        with store.transaction() as session:
            session.execute(update(Delivery).values(due_at=due))
        stored = time.monotonic() - setup
        print(f"{options.posts} posts, {total} deliveries due at {due:%H:%M:%S} UTC "
              f"(stored in {stored:.1f} s); {options.workers} workers "
              f"x {options.threads} thread(s)")  # fmt: skip
        started = time.monotonic()
        workers = [
            WorkerProcess(data_dir, settings.database_url, f"bench-{i}", options.threads)
            for i in range(options.workers)
        ]
        sent = 0
        while time.monotonic() - started < TIME_LIMIT * 3:
            time.sleep(0.5)
            with store.transaction() as session:
                sent = int(
                    session.scalar(select(func.count()).where(Delivery.state == DeliveryState.SENT))
                    or 0
                )
            if sent == total:
                break
        elapsed = time.monotonic() - started
    finally:
        for worker in workers:
            worker.kill()
    with store.transaction() as session:
        rows = session.execute(select(Delivery.due_at, Delivery.sent_at, Delivery.state)).all()
    states = Counter(r.state for r in rows)
    delays = sorted((r.sent_at - r.due_at).total_seconds() for r in rows if r.sent_at)
    on_servers = {name: len(server.posts()) for name, server in servers.items()}
    for server in servers.values():
        server.stop()
    store.close()
    print(f"delivered {states[DeliveryState.SENT]} of {total} in {elapsed:.1f} s "
          f"({states[DeliveryState.SENT] / elapsed:.0f}/s); states {dict(states)}")  # fmt: skip
    if delays:
        p95 = delays[int(0.95 * (len(delays) - 1))]
        print(f"delay from due time to delivery: median {statistics.median(delays):.0f} s, "
              f"95th percentile {p95:.0f} s, max {delays[-1]:.0f} s")  # fmt: skip
    print(f"posts on the servers: {on_servers}")
    verdict = "within" if elapsed <= TIME_LIMIT and sent == total else "NOT within"
    print(f"{verdict} the {TIME_LIMIT:.0f} s target")


if __name__ == "__main__":
    main()
