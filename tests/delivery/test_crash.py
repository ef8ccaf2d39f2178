"""1,000 posts to three networks while workers are killed and the networks misbehave.

Three fake networks and two delivery workers run as separate processes. Workers are killed
with SIGKILL at random moments (and restarted); the servers drop connections after storing
posts, answer 429 and 500. At the end every (post, network) is on its network exactly once,
or marked unconfirmed or failed with its reason, and nothing is silently lost.
"""

from __future__ import annotations

import random
import re
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from takethelead.domain.posting import DeliveryState
from takethelead.services.posts import PostRequest, create_post
from takethelead.services.store import Store
from takethelead.storage.tables import Delivery
from tests.delivery.conftest import connect_all
from tests.delivery.processes import NETWORKS, ServerProcess, WorkerProcess

POSTS = 1000
MIN_KILLS = 20
DEADLINE_SECONDS = 170
MARK = re.compile(r"Crash post (\d{4})")
UNFINISHED = (DeliveryState.QUEUED, DeliveryState.SENDING, DeliveryState.UNCONFIRMED)


@pytest.fixture
def servers() -> Iterator[dict[str, ServerProcess]]:
    started = {name: ServerProcess(name) for name in NETWORKS}
    yield started
    for server in started.values():
        server.stop()


def _states(store: Store) -> Counter[str]:
    with store.transaction() as session:
        rows = session.execute(select(Delivery.state, func.count()).group_by(Delivery.state))
        return Counter({state: int(count) for state, count in rows})


def _inject(servers: dict[str, ServerProcess], rng: random.Random) -> None:
    server = servers[rng.choice(NETWORKS)]
    kind = rng.choice(("reset", "rate_limit", "server_error"))
    server.fault(kind, times=rng.randint(1, 3), seconds=1.0)


def _number(text: str) -> int:
    found = MARK.search(text)
    assert found is not None
    return int(found.group(1))


def _accounted(state: str, reason: str, copies: int) -> bool:
    """Sent and there once; or unconfirmed or failed with a reason (a failed one not there)."""
    if state == DeliveryState.SENT:
        return copies == 1
    if state == DeliveryState.UNCONFIRMED:
        return bool(reason)
    if state == DeliveryState.FAILED:
        return bool(reason) and copies == 0
    return False


@pytest.mark.slow
def test_every_post_reaches_each_network_exactly_once_through_kills_and_faults(
    store: Store, servers: dict[str, ServerProcess], tmp_path: Path
) -> None:
    if not store.settings.is_sqlite:
        pytest.skip("the crash test runs on the default SQLite database")
    started = time.monotonic()
    rng = random.Random(20261125)
    ws = connect_all(store, "default", {name: s.url for name, s in servers.items()})
    now = datetime.now(UTC)
    with store.transaction() as session:
        for number in range(POSTS):
            text = f"Crash post {number:04d}: said once on every network, whatever happens."
            create_post(session, ws, PostRequest(text=text, targets=list(NETWORKS)), now)
    data_dir = store.settings.data_dir
    url = store.settings.database_url
    workers = [WorkerProcess(data_dir, url, f"worker-{i}-0") for i in range(2)]
    kills = 0
    try:
        while time.monotonic() - started < DEADLINE_SECONDS:
            time.sleep(rng.uniform(0.2, 1.5))
            if kills < MIN_KILLS:
                victim = rng.randrange(len(workers))
                workers[victim].kill()
                kills += 1
                workers[victim] = WorkerProcess(data_dir, url, f"worker-{victim}-{kills}")
                _inject(servers, rng)
                continue
            states = _states(store)
            if not any(states[s] for s in UNFINISHED):
                break
    finally:
        for worker in workers:
            worker.kill()
    elapsed = time.monotonic() - started

    on_network: dict[str, Counter[int]] = {}
    for name, server in servers.items():
        on_network[name] = Counter(int(m.group(1)) for t in server.posts() if (m := MARK.search(t)))
    duplicates = sum(c - 1 for counts in on_network.values() for c in counts.values() if c > 1)
    with store.transaction() as session:
        deliveries = session.execute(
            select(Delivery.network, Delivery.state, Delivery.last_error, Delivery.text,
                   Delivery.attempts)
        ).all()  # fmt: skip
    states = Counter(d.state for d in deliveries)
    lost = [
        (d.network, d.state, d.text[:16])
        for d in deliveries
        if not _accounted(d.state, d.last_error, on_network[d.network][_number(d.text)])
    ]
    retried = sum(1 for d in deliveries if d.attempts > 1)
    print(
        f"\ncrash test: deliveries {len(deliveries)}, delivered {states[DeliveryState.SENT]}, "
        f"unconfirmed {states[DeliveryState.UNCONFIRMED]}, failed {states[DeliveryState.FAILED]}, "
        f"claimed more than once {retried}, kills {kills}, duplicates {duplicates}, "
        f"lost {len(lost)}, elapsed {elapsed:.1f} s"
    )
    assert len(deliveries) == POSTS * len(NETWORKS)
    assert kills >= MIN_KILLS
    assert duplicates == 0
    assert lost == []
