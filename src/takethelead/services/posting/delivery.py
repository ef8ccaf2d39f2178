"""The delivery engine: publish due posts exactly once, whatever crashes or the network does.

One pass, in order:
1. A delivery left in `sending` longer than the lease (its worker died) becomes `unconfirmed`.
2. Every due `unconfirmed` delivery is reconciled (`services.reconciliation`). Where the
   network replays our key (Mastodon's Idempotency-Key, kept about an hour) it simply goes
   back to `queued`: the resend returns the post if it exists. Otherwise the network lists
   our posts since the first attempt and the engine chooses (`domain.posting.match_posted`):
   by key where the network keeps ours, else by the whole normalised text, never a post
   another delivery already holds, and never when another delivery with the same words could
   have made it (then it stays unconfirmed, flagged, and the user is told). Found: `sent`
   with that remote id. Not found once the network's settle time has passed: back to
   `queued` with the same idempotency key.
3. Due `queued` deliveries are claimed one at a time (queued → sending, a conditional UPDATE
   on state and version that must change exactly one row, committed before anything is
   sent), published, and their outcome recorded at once:
   NeverSent → queued with exponential backoff (failed after `max_attempts`);
   RateLimited → queued until the network says (Retry-After first), the account held too;
   AuthExpired → paused with the account, the user told, nothing dropped;
   UnknownOutcome → unconfirmed (reconciled before any retry); Rejected → failed with reason.

An account whose secret cannot be decrypted is paused with a notice, in reconciliation and
publishing alike; every other account and workspace goes on.
"""

from __future__ import annotations

import logging
import os
import random
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from takethelead.connectors.base import (
    AuthExpired,
    Connector,
    ConnectorError,
    NeverSent,
    PublishResult,
    RateLimited,
    Rejected,
)
from takethelead.domain.posting import DeliveryState, backoff
from takethelead.domain.records import NetworkKind
from takethelead.services.core.errors import ServiceError
from takethelead.services.core.store import Store
from takethelead.services.posting.connections import (
    Secrets,
    SecretUnreadable,
    build_connector,
    pause_account,
    pause_unreadable,
    resume_readable,
)
from takethelead.services.posting.posts import extend_recurring
from takethelead.services.posting.reconciliation import Reconciliation
from takethelead.services.posting.reconciliation import deliveries as _deliveries
from takethelead.services.posting.reconciliation import now as _now
from takethelead.storage.tables import ConnectorAccount, Delivery

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class DeliveryPolicy:
    """Timings of the engine; tests shorten them, production keeps the defaults."""

    lease: timedelta = timedelta(minutes=2)
    backoff_base: timedelta = timedelta(seconds=30)
    backoff_cap: timedelta = timedelta(hours=1)
    max_attempts: int = 8
    request_timeout: float = 20.0
    # How long after an attempt of unknown outcome a "not found" is believed. Mastodon keeps
    # the Idempotency-Key about an hour, so a resend inside that window cannot duplicate.
    settle: dict[str, timedelta] = field(
        default_factory=lambda: {
            NetworkKind.MASTODON.value: timedelta(0),
            NetworkKind.BLUESKY.value: timedelta(seconds=30),
            NetworkKind.DISCOURSE.value: timedelta(seconds=30),
        }
    )
    # Reconciliation searches back to the first attempt minus this (clocks disagree).
    clock_margin: timedelta = timedelta(minutes=5)
    # How long after the first attempt the network replays our key (a resend returns the
    # post it made): Mastodon keeps an Idempotency-Key for an hour; a margin is kept.
    replay: dict[str, timedelta] = field(
        default_factory=lambda: {NetworkKind.MASTODON.value: timedelta(minutes=50)}
    )
    # A delivery flagged as ambiguous is looked at again this much later.
    recheck: timedelta = timedelta(days=1)
    batch: int = 50


@dataclass(slots=True)
class PassReport:
    """What one pass did."""

    sent: int = 0
    retried: int = 0
    unconfirmed: int = 0
    failed: int = 0
    paused: int = 0
    found: int = 0
    requeued: int = 0
    recovered: int = 0
    claims_lost: int = 0
    ambiguous: int = 0
    resumed: int = 0

    def total(self) -> int:
        return self.sent + self.retried + self.unconfirmed + self.failed + self.paused


@dataclass(frozen=True, slots=True)
class _Claimed:
    id: int
    version: int
    account_id: int
    network: str
    text: str
    key: str
    attempts: int
    first: bool  # never claimed before: its key has never left this machine
    started: datetime  # when the first attempt with this key began


Factory = Callable[[ConnectorAccount, str, float, str | None], Connector]


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class DeliveryEngine(Reconciliation):
    """Publishes due deliveries; keep one per process so connectors (and sessions) are reused."""

    def __init__(
        self,
        store: Store,
        policy: DeliveryPolicy | None = None,
        worker: str | None = None,
        factory: Factory = build_connector,
    ) -> None:
        self.store = store
        self.policy = policy or DeliveryPolicy()
        self.worker = worker or worker_name()
        self._factory = factory
        self._secrets = Secrets.from_settings(store.settings)
        self._connectors: dict[int, tuple[str, Connector]] = {}
        self._checked: set[int] = set()  # accounts whose secret was compared in this pass
        self._sessions: dict[int, str | None] = {}  # the session stored per account

    # Connectors.
    def _connector(self, session: Session, account_id: int) -> Connector:
        account = session.get(ConnectorAccount, account_id)
        assert account is not None
        cached = self._connectors.get(account_id)
        if cached is not None and cached[0] == account.secret:
            return cached[1]
        stored = self._session_of(account)
        connector = self._factory(
            account, self._secrets.decrypt(account.secret), self.policy.request_timeout, stored
        )
        self._connectors[account_id] = (account.secret, connector)
        self._sessions[account_id] = stored
        return connector

    def _session_of(self, account: ConnectorAccount) -> str | None:
        if not account.session_secret:
            return None
        try:
            return self._secrets.decrypt(account.session_secret)
        except SecretUnreadable:
            return None  # only a saved login: the connector logs in again

    def _save_sessions(self) -> None:
        """Store (encrypted) the sessions connectors logged in or refreshed, for the next process.

        Bluesky rate-limits logins; a cron `lead publish --once` reuses the stored session.
        """
        for account_id, (secret, connector) in list(self._connectors.items()):
            current = getattr(connector, "session_string", None)
            fresh = current() if callable(current) else None
            if not isinstance(fresh, str) or fresh == self._sessions.get(account_id):
                continue
            with self.store.transaction() as session:
                # Only onto the credentials it came from: a reconnect meanwhile wins.
                session.execute(
                    update(ConnectorAccount)
                    .where(ConnectorAccount.id == account_id, ConnectorAccount.secret == secret)
                    .values(session_secret=self._secrets.encrypt(fresh))
                )
            self._sessions[account_id] = fresh

    def _connector_for(self, account_id: int) -> Connector:
        cached = self._connectors.get(account_id)
        if cached is not None and account_id in self._checked:
            return cached[1]
        with self.store.transaction() as session:
            self._checked.add(account_id)
            return self._connector(session, account_id)

    # The pass.
    def run_pass(self) -> PassReport:
        """Recover stale claims, reconcile unconfirmed posts, publish what is due."""
        report = PassReport()
        self._checked.clear()
        with self.store.transaction() as session:
            report.recovered = self._recover(session)
            report.resumed = len(resume_readable(session, self._secrets))
            extend_recurring(session, _now())
        try:
            self._reconcile(report)
            self._publish(report)
        finally:
            self._save_sessions()
        return report

    def _recover(self, session: Session) -> int:
        now = _now()
        result = session.execute(
            _deliveries()
            .where(
                Delivery.state == DeliveryState.SENDING,
                Delivery.claimed_at < now - self.policy.lease,
            )
            .values(
                state=DeliveryState.UNCONFIRMED,
                next_attempt_at=now,
                last_error="The worker stopped while sending; the network is checked before "
                "any retry.",
                version=Delivery.version + 1,
            )
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    def _due(self, session: Session, state: DeliveryState, limit: int) -> list[Delivery]:
        now = _now()
        query = (
            select(Delivery)
            .join(ConnectorAccount, ConnectorAccount.id == Delivery.account_id)
            .where(
                Delivery.state == state,
                Delivery.due_at <= now,
                (Delivery.next_attempt_at.is_(None)) | (Delivery.next_attempt_at <= now),
                ConnectorAccount.status == "active",
                (ConnectorAccount.hold_until.is_(None)) | (ConnectorAccount.hold_until <= now),
            )
            .order_by(Delivery.due_at, Delivery.id)
            .limit(limit)
        )
        return list(session.scalars(query))

    def _settle(
        self,
        session: Session,
        delivery_id: int,
        version: int | None,
        found: PublishResult,
        state: DeliveryState,
    ) -> bool:
        condition = [Delivery.id == delivery_id, Delivery.state == state]
        if version is not None:
            condition.append(Delivery.version == version)
        changed = session.execute(
            _deliveries()
            .where(*condition)
            .values(
                state=DeliveryState.SENT,
                remote_id=found.remote_id,
                remote_url=found.url,
                sent_at=_now(),
                last_error="",
                next_attempt_at=None,
                version=Delivery.version + 1,
            )
        )
        return int(changed.rowcount or 0) == 1  # type: ignore[attr-defined]

    # Publishing.
    def _claim(self, delivery: Delivery) -> _Claimed | None:
        now = _now()
        with self.store.transaction() as session:
            changed = session.execute(
                _deliveries()
                .where(
                    Delivery.id == delivery.id,
                    Delivery.state == DeliveryState.QUEUED,
                    Delivery.version == delivery.version,
                )
                .values(
                    state=DeliveryState.SENDING,
                    claimed_by=self.worker,
                    claimed_at=now,
                    first_sent_at=delivery.first_sent_at or now,
                    attempts=Delivery.attempts + 1,
                    version=Delivery.version + 1,
                )
            )
            if int(changed.rowcount or 0) != 1:  # type: ignore[attr-defined]
                return None
        assert delivery.account_id is not None
        return _Claimed(
            id=delivery.id,
            version=delivery.version + 1,
            account_id=delivery.account_id,
            network=delivery.network,
            text=delivery.text,
            key=delivery.idempotency_key,
            attempts=delivery.attempts + 1,
            first=delivery.first_sent_at is None,
            started=delivery.first_sent_at or now,
        )

    def _publish(self, report: PassReport) -> None:
        held: set[int] = set()
        while True:
            with self.store.transaction() as session:
                due = [d for d in self._due(session, DeliveryState.QUEUED, self.policy.batch)]
            due = [d for d in due if d.account_id not in held]
            if not due:
                return
            random.shuffle(due)  # two workers rarely race for the same row
            progressed = False
            for delivery in due:
                if delivery.account_id in held:
                    continue
                claimed = self._claim(delivery)
                if claimed is None:
                    report.claims_lost += 1
                    continue
                progressed = True
                if self._send(claimed, report):
                    held.add(claimed.account_id)
            if not progressed and report.claims_lost > 10 * self.policy.batch:
                return

    def _send(self, claimed: _Claimed, report: PassReport) -> bool:
        """Publish one claimed delivery and record the outcome; True to hold its account."""
        try:
            connector = self._connector_for(claimed.account_id)
        except ServiceError as error:  # nothing left this machine: pause this account alone
            self._finish(claimed, DeliveryState.PAUSED, str(error), refund=True)
            with self.store.transaction() as session:
                if isinstance(error, SecretUnreadable):
                    pause_unreadable(session, claimed.account_id)
                else:
                    pause_account(session, claimed.account_id, str(error))
            report.paused += 1
            return True
        try:
            # A key sent for the first time cannot be on the network yet.
            result = connector.publish(
                claimed.text, claimed.key, first_attempt=claimed.first, started_at=claimed.started
            )
        except RateLimited as error:
            until = error.reset_at or _now() + backoff(
                1, self.policy.backoff_base, self.policy.backoff_cap
            )
            self._finish(claimed, DeliveryState.QUEUED, error.reason, until, refund=True)
            with self.store.transaction() as session:
                session.execute(
                    update(ConnectorAccount)
                    .where(ConnectorAccount.id == claimed.account_id)
                    .values(hold_until=until)
                )
            report.retried += 1
            return True
        except NeverSent as error:
            if claimed.attempts >= self.policy.max_attempts:
                reason = f"Gave up after {claimed.attempts} attempts: {error.reason}"
                self._finish(claimed, DeliveryState.FAILED, reason)
                report.failed += 1
            else:
                wait = backoff(claimed.attempts, self.policy.backoff_base, self.policy.backoff_cap)
                self._finish(claimed, DeliveryState.QUEUED, error.reason, _now() + wait)
                report.retried += 1
            return False
        except AuthExpired as error:
            self._finish(claimed, DeliveryState.PAUSED, error.reason, refund=True)
            with self.store.transaction() as session:
                pause_account(session, claimed.account_id, error.reason)
            self._connectors.pop(claimed.account_id, None)
            report.paused += 1
            return True
        except Rejected as error:
            self._finish(claimed, DeliveryState.FAILED, error.reason)
            report.failed += 1
            return False
        except ConnectorError as error:  # UnknownOutcome
            self._unconfirmed(claimed, error.reason)
            report.unconfirmed += 1
            return False
        except Exception as error:  # a library bug: the request may have left, so never resend
            log.exception("delivery %s: unexpected error while publishing", claimed.id)
            self._unconfirmed(claimed, f"Unexpected error while publishing: {error!r}")
            report.unconfirmed += 1
            return False
        self._record(claimed, result)
        report.sent += 1
        return False

    def _unconfirmed(self, claimed: _Claimed, reason: str) -> None:
        settle = self.policy.settle.get(claimed.network, timedelta(seconds=30))
        self._finish(claimed, DeliveryState.UNCONFIRMED, reason, _now() + settle)

    def _record(self, claimed: _Claimed, result: PublishResult) -> None:
        with self.store.transaction() as session:
            if self._settle(session, claimed.id, claimed.version, result, DeliveryState.SENDING):
                return
            # Our lease ran out while the network answered: the answer is still the truth.
            for state in (DeliveryState.UNCONFIRMED, DeliveryState.QUEUED):
                if self._settle(session, claimed.id, None, result, state):
                    return

    def _finish(
        self,
        claimed: _Claimed,
        state: DeliveryState,
        reason: str,
        next_attempt: datetime | None = None,
        refund: bool = False,
    ) -> None:
        values: dict[str, object] = {
            "state": state,
            "last_error": reason,
            "next_attempt_at": next_attempt,
            "version": Delivery.version + 1,
        }
        if refund:  # rate limits and refused tokens are not attempts at the post
            values["attempts"] = Delivery.attempts - 1
        with self.store.transaction() as session:
            session.execute(
                _deliveries()
                .where(
                    Delivery.id == claimed.id,
                    Delivery.state == DeliveryState.SENDING,
                    Delivery.claimed_by == self.worker,
                    Delivery.version == claimed.version,
                )
                .values(**values)
            )

    def close(self) -> None:
        for _secret, connector in self._connectors.values():
            close = getattr(connector, "close", None)
            if callable(close):
                close()
        self._connectors.clear()


def publish_once(store: Store, policy: DeliveryPolicy | None = None) -> PassReport:
    """One pass in this process (`lead publish --once`, cron, tests)."""
    engine = DeliveryEngine(store, policy)
    try:
        return engine.run_pass()
    finally:
        engine.close()
