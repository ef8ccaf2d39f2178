"""A full workspace for export and backup tests: the demo plus a row in every other table.

Built through the services (posts, slots, plans done and skipped, introductions, users,
tokens, invitations, an import), so its rows look like the product's own.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from takethelead.config import Settings
from takethelead.services.auth.accounts import add_user, issue_token
from takethelead.services.auth.invitations import invite
from takethelead.services.core.store import Store
from takethelead.services.demo import build_demo
from takethelead.services.ingest.imports import import_file
from takethelead.services.leads.introductions import accept_introduction, propose_introduction
from takethelead.services.planning.actions import mark_done, mark_skipped
from takethelead.services.planning.preferences import update_preferences
from takethelead.services.planning.weekly import make_plan
from takethelead.services.posting.connections import Secrets
from takethelead.services.posting.manual import mark_manual_posted
from takethelead.services.posting.posts import PostRequest, create_post, set_slots
from takethelead.storage.tables import (
    Base,
    ConnectorAccount,
    Delivery,
    Interaction,
    Person,
    PostResponse,
)

NOW = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)  # a Wednesday morning
VCARDS = Path(__file__).parent / "exports" / "contacts.vcf"
SECRET = "mastodon-access-token-of-ana"


def build_full_workspace(store: Store, settings: Settings, name: str = "demo") -> int:
    """Fill a workspace with every kind of row; returns its id."""
    with store.transaction() as session:
        build_demo(session, name, people=40, interactions=400, seed=7, now=NOW)
    with store.transaction() as session:
        ws = _workspace(session, name)
        _accounts_and_posts(session, ws, Secrets.from_settings(settings))
        set_slots(session, ws, "mastodon", "mon-fri 09:00,13:00")
        set_slots(session, ws, "linkedin", "tue 08:30")
        update_preferences(
            session, ws, preferred_hours="mon-fri 08:00-12:00", digest_email="a@b.org"
        )
        import_file(session, ws, VCARDS)
        _automated_touch(session, ws)
    with store.transaction() as session:
        make_plan(session, ws, NOW)
    with store.transaction() as session:
        mark_done(session, ws, 1, outcome="responded", now=NOW)
        mark_skipped(session, ws, 2, reason="no time", now=NOW)
        people = session.scalars(
            select(Person.full_name).where(Person.workspace_id == ws, Person.is_me.is_(False))
        ).all()
        intro = propose_introduction(session, ws, people[0], people[1], "both bake", now=NOW)
        accept_introduction(session, ws, intro.id, "a", now=NOW)
        propose_introduction(session, ws, people[2], people[3], now=NOW)
        owner = add_user(session, "owner@example.org", "correct horse battery", name)
        add_user(session, "member@example.org", "another long password", name, "member")
        issue_token(session, "owner@example.org", "laptop", name)
        invite(session, ws, "guest@example.org", "member", owner.id, now=NOW)
    with store.transaction() as session:
        _answer_a_post(session, ws)
    return ws


def _workspace(session: Session, name: str) -> int:
    from takethelead.services.core.store import workspace_id

    return workspace_id(session, name, create=False)


def _accounts_and_posts(session: Session, ws: int, secrets: Secrets) -> None:
    session.add(
        ConnectorAccount(
            workspace_id=ws,
            kind="mastodon",
            base_url="https://coaching.social",
            handle="ana@coaching.social",
            secret=secrets.encrypt(SECRET),
            max_length=500,
        )
    )
    session.add(
        ConnectorAccount(
            workspace_id=ws,
            kind="bluesky",
            base_url="https://bsky.social",
            handle="ana.bsky.social",
            secret=secrets.encrypt("app-password"),
            session_secret=secrets.encrypt('{"access": "jwt"}'),
        )
    )
    session.flush()
    once = create_post(
        session,
        ws,
        PostRequest(
            text="New workshop on referrals next week",
            targets=["linkedin", "mastodon"],
            at=NOW + timedelta(hours=2),
            variants={"mastodon": "New #workshop on referrals next week"},
        ),
        NOW,
    )
    create_post(
        session,
        ws,
        PostRequest(
            text="Office hours: ask me anything",
            targets=["mastodon", "bluesky"],
            at=NOW + timedelta(days=1),
            every_days=7,
            repeat=4,
        ),
        NOW,
    )
    create_post(session, ws, PostRequest(text="An idea for later", targets=["x"], draft=True), NOW)
    mark_manual_posted(session, ws, once, "linkedin", url="https://www.linkedin.com/feed/1")
    session.execute(
        update(Delivery)
        .where(Delivery.post_id == once, Delivery.network == "mastodon")
        .values(state="sent", remote_id="1100", remote_url="https://coaching.social/@ana/1100")
    )


def _answer_a_post(session: Session, ws: int) -> None:
    delivery = session.scalars(
        select(Delivery).where(Delivery.workspace_id == ws, Delivery.remote_id == "1100")
    ).one()
    reply = session.scalars(
        select(Interaction.id)
        .where(Interaction.workspace_id == ws, Interaction.direction == "inbound")
        .order_by(Interaction.id)
        .limit(1)
    ).one()
    session.add(
        PostResponse(
            interaction_id=reply, workspace_id=ws, post_id=delivery.post_id, delivery_id=delivery.id
        )
    )


def _automated_touch(session: Session, ws: int) -> None:
    """A mention by a scheduled post to someone just imported: the plan's balance names them."""
    newest = session.scalars(
        select(Person.id).where(Person.workspace_id == ws).order_by(Person.id.desc()).limit(1)
    ).one()
    session.add(
        Interaction(
            workspace_id=ws,
            person_id=newest,
            occurred_at=NOW - timedelta(days=2),
            kind="mention",
            direction="outbound",
            automated=True,
            source="builder",
            external_id="automated-mention",
        )
    )


def empty_tables(session: Session, ws: int) -> list[str]:
    """Tables keyed by workspace in which this workspace has no row (the fixture misses them)."""
    return [
        t.name
        for t in Base.metadata.sorted_tables
        if "workspace_id" in t.c
        and not session.scalar(select(func.count()).select_from(t).where(t.c.workspace_id == ws))
    ]
