"""1,000 deliveries to each of three networks while workers are killed and networks misbehave.

Three fake networks and two delivery workers run as separate processes. Workers are killed
with SIGKILL at random moments (and restarted); the servers drop connections after storing
posts, answer 429, 500 with nothing stored, and 500 after storing (with the same page as the
one that stored nothing). The posts are the hard kind for reconciliation: of every four posts
one says its own words, one the same words as many others, one words that are a prefix of
other posts', and one recurs weekly with three occurrences due at once (one text). It runs
twice: as deployed (Mastodon's key replay in use) and with Mastodon reconciled by text alone.

At the end, for every delivery: sent and its network holds exactly one post made with its key,
whose text is its own and which no other delivery holds; or unconfirmed or failed with its
reason (a failed one not there). Nothing is posted twice, lost or falsely reported sent.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from takethelead.connectors.markup import comparable
from takethelead.domain.posting import AMBIGUOUS, DeliveryState
from takethelead.services.core.store import Store
from takethelead.services.posting.posts import PostRequest, create_post
from takethelead.storage.tables import Delivery
from tests.delivery.conftest import connect_all
from tests.delivery.processes import NETWORKS, ServerProcess, WorkerProcess

PER_NETWORK = 1000
MIN_KILLS = 20
DEADLINE_SECONDS = 170
UNFINISHED = (DeliveryState.QUEUED, DeliveryState.SENDING, DeliveryState.UNCONFIRMED)
FAULTS = ("reset", "rate_limit", "server_error", "server_error_unacted", "server_error_with_body")
SAME = "The same words from many posts: referrals come from trust, week after week."
PREFIX = "Prefix words come first"


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
    server.fault(rng.choice(FAULTS), times=rng.randint(1, 4), seconds=1.0)


def _schedule(store: Store, ws: int) -> Counter[str]:
    """Posts of four kinds until each network has PER_NETWORK deliveries; their counts."""
    now = datetime.now(UTC)
    kinds: Counter[str] = Counter()
    made = 0
    number = 0
    with store.transaction() as session:
        while made < PER_NETWORK:
            kind = ("unique", "same", "prefix", "recurring")[number % 4]
            text = {
                "unique": f"Crash post {number:04d}: said once on every network, whatever happens.",
                "same": SAME,
                "prefix": PREFIX + ", and then some more" * (number % 5),
                "recurring": f"Weekly note {number:04d}: the same reminder every week.",
            }[kind]
            request = PostRequest(text=text, targets=list(NETWORKS))
            count = 1
            if kind == "recurring":
                count = min(3, PER_NETWORK - made)
                start = now - timedelta(days=7 * (count - 1))
                request = PostRequest(
                    text=text, targets=list(NETWORKS), at=start, every_days=7, repeat=count
                )
            create_post(session, ws, request, now)
            kinds[kind] += count
            made += count
            number += 1
    return kinds


@pytest.mark.slow
@pytest.mark.parametrize("replay", [True, False], ids=["key-replay", "text-only"])
def test_every_post_reaches_each_network_exactly_once_through_kills_and_faults(
    store: Store, servers: dict[str, ServerProcess], tmp_path: Path, replay: bool
) -> None:
    if not store.settings.is_sqlite:
        pytest.skip("the crash test runs on the default SQLite database")
    started = time.monotonic()
    rng = random.Random(20261125 + replay)
    ws = connect_all(store, "default", {name: s.url for name, s in servers.items()})
    kinds = _schedule(store, ws)
    data_dir = store.settings.data_dir
    url = store.settings.database_url

    def worker(name: str) -> WorkerProcess:
        return WorkerProcess(data_dir, url, name, replay=replay)

    workers = [worker(f"worker-{i}-0") for i in range(2)]
    kills = 0
    try:
        while time.monotonic() - started < DEADLINE_SECONDS:
            time.sleep(rng.uniform(0.2, 1.5))
            if kills < MIN_KILLS:
                victim = rng.randrange(len(workers))
                workers[victim].kill()
                kills += 1
                workers[victim] = worker(f"worker-{victim}-{kills}")
                _inject(servers, rng)
                _inject(servers, rng)
                continue
            states = _states(store)
            flagged = _flagged(store)
            if states[DeliveryState.UNCONFIRMED] == flagged and not any(
                states[s] for s in (DeliveryState.QUEUED, DeliveryState.SENDING)
            ):
                break
            _inject(servers, rng)  # faults go on between kills, until the work is done
    finally:
        for running in workers:
            running.kill()
    elapsed = time.monotonic() - started

    with store.transaction() as session:
        deliveries = session.execute(
            select(Delivery.id, Delivery.network, Delivery.state, Delivery.last_error,
                   Delivery.text, Delivery.attempts, Delivery.idempotency_key,
                   Delivery.remote_id)
        ).all()  # fmt: skip
    posted = {name: server.records() for name, server in servers.items()}
    made_with = {name: Counter(key for _, key, _ in posts) for name, posts in posted.items()}
    by_id = {name: {rid: (key, text) for rid, key, text in posts} for name, posts in posted.items()}
    duplicates = sum(c - 1 for counts in made_with.values() for c in counts.values() if c > 1)
    keyless = sum(counts[None] for counts in made_with.values())
    holders = Counter((d.network, d.remote_id) for d in deliveries if d.remote_id is not None)

    def accounted(d: Any) -> bool:
        copies = made_with[d.network][d.idempotency_key]
        state, reason = d.state, d.last_error
        if state == DeliveryState.SENT:
            return copies == 1
        if state == DeliveryState.UNCONFIRMED:
            return bool(reason)
        if state == DeliveryState.FAILED:
            return bool(reason) and copies == 0
        return False

    def falsely_sent(d: Any) -> bool:
        if d.state != DeliveryState.SENT:
            return False
        found = by_id[d.network].get(str(d.remote_id))
        if found is None or holders[(d.network, d.remote_id)] > 1:
            return True
        key, text = found
        return key != d.idempotency_key or comparable(text) != comparable(d.text)

    lost = [(d.network, d.state, d.text[:16]) for d in deliveries if not accounted(d)]
    false_sent = [(d.network, d.id) for d in deliveries if falsely_sent(d)]
    states = Counter(d.state for d in deliveries)
    flagged = sum(1 for d in deliveries if d.last_error.startswith(AMBIGUOUS))
    retried = sum(1 for d in deliveries if d.attempts > 1)
    print(
        f"\ncrash test ({'key replay' if replay else 'text only'}): deliveries {len(deliveries)} "
        f"({dict(kinds)} per network), delivered {states[DeliveryState.SENT]}, "
        f"unconfirmed {states[DeliveryState.UNCONFIRMED]} (flagged as ambiguous {flagged}), "
        f"failed {states[DeliveryState.FAILED]}, claimed more than once {retried}, "
        f"kills {kills}, duplicates {duplicates}, lost {len(lost)}, "
        f"false sent {len(false_sent)}, elapsed {elapsed:.1f} s"
    )
    assert len(deliveries) == PER_NETWORK * len(NETWORKS)
    assert kills >= MIN_KILLS
    assert duplicates == 0
    assert keyless == 0
    assert lost == []
    assert false_sent == []


def _flagged(store: Store) -> int:
    with store.transaction() as session:
        return int(
            session.scalar(
                select(func.count()).where(
                    Delivery.state == DeliveryState.UNCONFIRMED,
                    Delivery.last_error.startswith(AMBIGUOUS),
                )
            )
            or 0
        )
