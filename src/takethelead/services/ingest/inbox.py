"""Inbox sync: responses on the live networks become inbound interactions, incrementally.

Each account keeps a cursor; a page's interactions and the cursor after it are written in
one transaction, so a crash re-reads at most one page and re-reads create no duplicates
(interactions are unique by source and external id). A response to one of our posts is
tied to that post in `post_response`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from takethelead.connectors.base import AuthExpired, ConnectorError, InboxItem
from takethelead.domain.records import NetworkKind
from takethelead.services.core.store import Store
from takethelead.services.networks.networks import default_network
from takethelead.services.people.people import name_parts, refresh_search_text
from takethelead.services.posting.connections import Secrets, build_connector, pause_account
from takethelead.storage.tables import (
    ConnectorAccount,
    Delivery,
    Identity,
    Interaction,
    Person,
    PostResponse,
    utcnow,
)

log = logging.getLogger(__name__)
MAX_PAGES = 50


@dataclass(slots=True)
class SyncReport:
    """What a sync stored, per account handle, and the problems met."""

    stored: dict[str, int] = field(default_factory=dict)
    linked: int = 0
    problems: list[str] = field(default_factory=list)


def source_of(kind: str) -> str:
    return f"{kind}-inbox"


def _person(session: Session, workspace_id: int, item: InboxItem) -> int:
    record = item.interaction
    for ident in record.counterpart:
        found = session.scalar(
            select(Identity.person_id).where(
                Identity.workspace_id == workspace_id,
                Identity.kind == ident.kind.value,
                Identity.value == ident.value,
            )
        )
        if found is not None:
            return int(found)
    name = record.counterpart_name or (
        record.counterpart[0].display or record.counterpart[0].value
        if record.counterpart
        else "Unknown"
    )
    first, last = name_parts(name)
    person = Person(workspace_id=workspace_id, full_name=name, first_name=first, last_name=last)
    session.add(person)
    session.flush()
    for ident in record.counterpart:
        session.add(
            Identity(
                workspace_id=workspace_id,
                person_id=person.id,
                kind=ident.kind.value,
                value=ident.value,
                display=ident.display or ident.value,
            )
        )
    session.flush()
    refresh_search_text(session, person)
    return person.id


def store_items(
    session: Session, workspace_id: int, account: ConnectorAccount, items: list[InboxItem]
) -> tuple[int, int]:
    """Store new items as inbound interactions; (stored, linked to our posts)."""
    source = source_of(account.kind)
    network_id = default_network(session, workspace_id, NetworkKind(account.kind))
    stored = linked = 0
    for item in items:
        record = item.interaction
        exists = session.scalar(
            select(Interaction.id).where(
                Interaction.workspace_id == workspace_id,
                Interaction.source == source,
                Interaction.external_id == record.external_id,
            )
        )
        if exists is not None:
            continue
        interaction = Interaction(
            workspace_id=workspace_id,
            person_id=_person(session, workspace_id, item),
            network_id=network_id,
            occurred_at=record.occurred_at,
            kind=record.kind.value,
            direction=record.direction.value,
            automated=False,
            summary=record.summary,
            source=source,
            external_id=record.external_id,
        )
        session.add(interaction)
        session.flush()
        stored += 1
        if item.in_reply_to is None:
            continue
        ours = session.execute(
            select(Delivery.id, Delivery.post_id).where(
                Delivery.workspace_id == workspace_id,
                Delivery.account_id == account.id,
                Delivery.remote_id == item.in_reply_to,
            )
        ).first()
        if ours is not None:
            session.add(
                PostResponse(
                    interaction_id=interaction.id,
                    workspace_id=workspace_id,
                    post_id=ours[1],
                    delivery_id=ours[0],
                )
            )
            linked += 1
    session.flush()
    return stored, linked


def sync_inboxes(
    store: Store, workspace_id: int | None = None, timeout: float = 20.0
) -> SyncReport:
    """Read every active account's new responses (of one workspace, or all)."""
    secrets = Secrets.from_settings(store.settings)
    report = SyncReport()
    with store.transaction() as session:
        query = select(ConnectorAccount).where(ConnectorAccount.status == "active")
        if workspace_id is not None:
            query = query.where(ConnectorAccount.workspace_id == workspace_id)
        accounts = list(session.scalars(query.order_by(ConnectorAccount.id)))
    for account in accounts:
        label = f"{account.kind}:{account.handle}"
        report.stored[label] = 0
        try:
            connector = build_connector(account, secrets.decrypt(account.secret), timeout)
            cursor = account.inbox_cursor
            for _ in range(MAX_PAGES):
                page = connector.fetch_inbox(cursor)
                with store.transaction() as session:
                    stored, linked = store_items(session, account.workspace_id, account, page.items)
                    row = session.get(ConnectorAccount, account.id)
                    assert row is not None
                    row.inbox_cursor = page.next_since
                    row.inbox_synced_at = utcnow()
                report.stored[label] += stored
                report.linked += linked
                cursor = page.next_since
                if not page.has_more:
                    break
        except AuthExpired as error:
            with store.transaction() as session:
                pause_account(session, account.id, error.reason)
            report.problems.append(f"{label} is paused: {error.reason}")
        except ConnectorError as error:
            # A temporary failure: the cursor is where the last good page left it.
            report.problems.append(f"{label}: {error.reason} (will try again)")
    return report
