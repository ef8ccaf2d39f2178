"""A delivery worker for crash tests and benchmarks: loops `publish --once` until killed.

Run from the project root: ``python -m tests.delivery.worker --data-dir D [--database-url U]``.
Timings are short so that a killed worker's claims are recovered within seconds.
"""

from __future__ import annotations

import argparse
import dataclasses
import threading
import time
from datetime import timedelta

from takethelead.config import Settings
from takethelead.services.core.store import Store
from takethelead.services.posting.delivery import DeliveryEngine, DeliveryPolicy

FAST = DeliveryPolicy(
    lease=timedelta(seconds=6),
    backoff_base=timedelta(milliseconds=500),
    backoff_cap=timedelta(seconds=3),
    max_attempts=25,
    request_timeout=2.0,
    settle={
        "mastodon": timedelta(0),
        "bluesky": timedelta(seconds=1),
        "discourse": timedelta(seconds=1),
    },
    batch=25,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--database-url")
    parser.add_argument("--name", default="worker")
    parser.add_argument("--threads", type=int, default=1, help="engines in this process")
    parser.add_argument(
        "--no-replay",
        action="store_true",
        help="never count on Mastodon replaying a key: reconcile by text alone",
    )
    options = parser.parse_args()
    env = {"LEAD_DATA_DIR": options.data_dir, "LEAD_ENV": "development"}
    if options.database_url:
        env["DATABASE_URL"] = options.database_url
    store = Store.open(Settings.from_env(env))
    policy = dataclasses.replace(FAST, replay={}) if options.no_replay else FAST
    engines = [
        DeliveryEngine(store, policy, worker=f"{options.name}/{i}") for i in range(options.threads)
    ]
    threads = [threading.Thread(target=_loop, args=(e,), daemon=True) for e in engines]
    for thread in threads:
        thread.start()
    print("ready", flush=True)
    for thread in threads:
        thread.join()


def _loop(engine: DeliveryEngine) -> None:
    while True:
        report = engine.run_pass()
        if report.total() + report.found + report.requeued + report.recovered == 0:
            time.sleep(0.1)


if __name__ == "__main__":
    main()
