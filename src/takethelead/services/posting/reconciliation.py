"""Reconciliation, step 2 of a delivery pass: was an unanswered post made, and which is it?

Where the network replays our key (Mastodon's Idempotency-Key, kept about an hour) the
delivery simply goes back to the queue: the resend returns the post if it exists. Otherwise
the connector lists our posts since the first attempt and `domain.posting.match_posted`
chooses: by key where the network keeps ours, else by the whole normalised text; never a post
another delivery already holds, and never when another delivery with the same words could have
made it (then it stays unconfirmed, flagged with a reason the queue shows, and is looked at
again a day later).
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import Update, exists, select, update
from sqlalchemy.orm import Session, aliased

from takethelead.connectors.base import (
    AuthExpired,
    Connector,
    ConnectorError,
    Posted,
    PublishResult,
)
from takethelead.connectors.markup import comparable
from takethelead.domain.posting import (
    AMBIGUOUS,
    Attempted,
    DeliveryState,
    Listed,
    Verdict,
    match_posted,
)
from takethelead.domain.records import NetworkKind
from takethelead.services.core.errors import ServiceError
from takethelead.services.core.store import Store
from takethelead.services.posting.connections import (
    SecretUnreadable,
    pause_account,
    pause_unreadable,
)
from takethelead.storage.tables import Delivery

if TYPE_CHECKING:
    from takethelead.services.posting.delivery import DeliveryPolicy, PassReport

log = logging.getLogger(__name__)

# Networks that keep our key inside the post: reconcile by key, not by text.
KEYED = {NetworkKind.BLUESKY.value, NetworkKind.DISCOURSE.value}
# Deliveries in these states may have made a post they have not recorded yet (a queued one
# resent on the key's replay, then cancelled, may have: its post is on the network).
_MAY_HAVE_POSTED = (
    DeliveryState.SENDING,
    DeliveryState.UNCONFIRMED,
    DeliveryState.QUEUED,
    DeliveryState.PAUSED,
    DeliveryState.CANCELLED,
)


def deliveries() -> Update:
    """A conditional UPDATE of deliveries (nothing in the session to synchronise)."""
    return update(Delivery).execution_options(synchronize_session=False)


def now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class _Waiting:
    id: int
    version: int
    account_id: int
    network: str
    text: str
    key: str
    started: datetime  # the first attempt: any attempt since may have made the post
    last: datetime  # the latest attempt


class Reconciliation:
    """The engine's reconciliation steps; `DeliveryEngine` supplies the connectors and rows."""

    store: Store
    policy: DeliveryPolicy

    def _connector_for(self, account_id: int) -> Connector:
        raise NotImplementedError

    def _due(self, session: Session, state: DeliveryState, limit: int) -> list[Delivery]:
        raise NotImplementedError

    def _reconcile(self, report: PassReport) -> None:
        with self.store.transaction() as session:
            due = self._due(session, DeliveryState.UNCONFIRMED, self.policy.batch * 4)
            waiting = [
                _Waiting(d.id, d.version, d.account_id, d.network, d.text, d.idempotency_key,
                         d.first_sent_at or d.claimed_at or d.due_at, d.claimed_at or d.due_at)
                for d in due if d.account_id is not None
            ]  # fmt: skip
        moment = now()
        by_account: dict[int, list[_Waiting]] = {}
        for row in waiting:
            if moment < row.started + self.policy.replay.get(row.network, timedelta(0)):
                # The network still holds our key: the resend returns the post if it exists.
                why = "sent again with the same key, answered with the post if it exists."
                report.requeued += self._requeue(row, why)
                continue
            by_account.setdefault(row.account_id, []).append(row)
        accounts = list(by_account)
        random.shuffle(accounts)
        for account_id in accounts:
            rows = by_account[account_id]
            since = min(r.started for r in rows) - self.policy.clock_margin
            try:
                connector = self._connector_for(account_id)
                posted = connector.posted_since(since)
            except SecretUnreadable:
                with self.store.transaction() as session:
                    report.paused += pause_unreadable(session, account_id)
                continue
            except AuthExpired as error:
                with self.store.transaction() as session:
                    report.paused += pause_account(session, account_id, error.reason)
                continue
            except ConnectorError as error:
                for row in rows:
                    self._later(row.id, row.version, error.reason)
                continue
            except ServiceError as error:  # no connector for it: this account alone waits
                with self.store.transaction() as session:
                    report.paused += pause_account(session, account_id, str(error))
                continue
            except Exception as error:  # a library bug must not stop every other account
                log.exception("account %s: unexpected error while listing posts", account_id)
                for row in rows:
                    self._later(row.id, row.version, f"Could not check the network: {error!r}")
                continue
            self._decide(account_id, rows, posted, report)

    def _decide(
        self, account_id: int, rows: list[_Waiting], posted: list[Posted], report: PassReport
    ) -> None:
        """Settle, requeue or flag each waiting delivery of one account from its listed posts."""
        listed = [Listed(p.remote_id, p.created_at, comparable(p.text), p.key) for p in posted]
        by_id = {p.remote_id: p for p in posted}
        with self.store.transaction() as session:
            claimed = self._claimed(session, account_id, list(by_id))
            others = self._may_have_posted(session, account_id)
        for row in rows:
            wanted = Attempted(row.id, row.key, comparable(row.text), row.started)
            verdict, found = match_posted(
                wanted, listed, claimed, others, self.policy.clock_margin, row.network in KEYED
            )
            if verdict is Verdict.FOUND:
                assert found is not None
                post = by_id[found.remote_id]
                if self._settle_found(row, PublishResult(post.remote_id, post.url)):
                    claimed.add(post.remote_id)
                    report.found += 1
            elif verdict is Verdict.AMBIGUOUS:
                report.ambiguous += self._flag(row)
            else:
                self._absent(row, report)

    def _claimed(self, session: Session, account_id: int, remote_ids: list[str]) -> set[str]:
        """Which of these posts some delivery of the account already holds, in any state."""
        held: set[str] = set()
        for start in range(0, len(remote_ids), 500):
            chunk = remote_ids[start : start + 500]
            held.update(
                str(r)
                for r in session.scalars(
                    select(Delivery.remote_id).where(
                        Delivery.account_id == account_id, Delivery.remote_id.in_(chunk)
                    )
                )
            )
        return held

    def _may_have_posted(self, session: Session, account_id: int) -> list[Attempted]:
        """Deliveries of the account that were attempted and hold no post yet."""
        rows = session.execute(
            select(
                Delivery.id, Delivery.idempotency_key, Delivery.text, Delivery.first_sent_at
            ).where(
                Delivery.account_id == account_id,
                Delivery.state.in_(_MAY_HAVE_POSTED),
                Delivery.first_sent_at.is_not(None),
                Delivery.remote_id.is_(None),
            )
        )
        return [Attempted(i, k, comparable(t), s) for i, k, t, s in rows if s is not None]

    def _settle_found(self, row: _Waiting, found: PublishResult) -> bool:
        """Mark sent with a found post, unless another delivery took that post meanwhile."""
        other = aliased(Delivery)
        with self.store.transaction() as session:
            changed = session.execute(
                deliveries()
                .where(
                    Delivery.id == row.id,
                    Delivery.state == DeliveryState.UNCONFIRMED,
                    Delivery.version == row.version,
                    ~exists().where(
                        other.account_id == row.account_id, other.remote_id == found.remote_id
                    ),
                )
                .values(
                    state=DeliveryState.SENT,
                    remote_id=found.remote_id,
                    remote_url=found.url,
                    sent_at=now(),
                    last_error="",
                    next_attempt_at=None,
                    version=Delivery.version + 1,
                )
            )
            return int(changed.rowcount or 0) == 1  # type: ignore[attr-defined]

    def _flag(self, row: _Waiting) -> int:
        """Keep it unconfirmed, tell the user why, and look again much later."""
        reason = (
            f"{AMBIGUOUS}; it is not marked sent nor sent again. Check the network: if the post "
            "is there once for each of them, nothing is missing."
        )
        with self.store.transaction() as session:
            changed = session.execute(
                deliveries()
                .where(
                    Delivery.id == row.id,
                    Delivery.state == DeliveryState.UNCONFIRMED,
                    Delivery.version == row.version,
                )
                .values(
                    last_error=reason,
                    next_attempt_at=now() + self.policy.recheck,
                    version=Delivery.version + 1,
                )
            )
            return int(changed.rowcount or 0)  # type: ignore[attr-defined]

    def _absent(self, row: _Waiting, report: PassReport) -> None:
        settle = self.policy.settle.get(row.network, timedelta(seconds=30))
        if now() < row.last + settle:
            with self.store.transaction() as session:
                session.execute(
                    deliveries()
                    .where(Delivery.id == row.id, Delivery.version == row.version)
                    .values(next_attempt_at=row.last + settle)
                )
            return
        report.requeued += self._requeue(
            row, "not found on the network after an unanswered attempt; sent again with the "
            "same key."
        )  # fmt: skip

    def _requeue(self, row: _Waiting, why: str) -> int:
        with self.store.transaction() as session:
            changed = session.execute(
                deliveries()
                .where(
                    Delivery.id == row.id,
                    Delivery.state == DeliveryState.UNCONFIRMED,
                    Delivery.version == row.version,
                )
                .values(
                    state=DeliveryState.QUEUED,
                    next_attempt_at=None,
                    claimed_by=None,
                    claimed_at=None,
                    last_error=f"Unconfirmed: {why}",
                    version=Delivery.version + 1,
                )
            )
            return int(changed.rowcount or 0)  # type: ignore[attr-defined]

    def _later(self, delivery_id: int, version: int, reason: str) -> None:
        with self.store.transaction() as session:
            session.execute(
                deliveries()
                .where(Delivery.id == delivery_id, Delivery.version == version)
                .values(next_attempt_at=now() + self.policy.backoff_base, last_error=reason)
            )
