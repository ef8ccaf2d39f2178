"""Posts: schedule, list, read, edit, cancel; the queue, posting slots, connected accounts,
and a delivery pass or an inbox sync on demand (what `lead post`, `queue`, `slots`,
`connect`, `publish` and `sync` do)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Any, Final, Literal

from fastapi import APIRouter, Query, Request, Response

from takethelead.services.auth import access
from takethelead.services.core.errors import ServiceError
from takethelead.services.ingest.inbox import sync_inboxes
from takethelead.services.posting import connections
from takethelead.services.posting import posts as service
from takethelead.services.posting import views as postviews
from takethelead.services.posting.delivery import publish_once
from takethelead.services.posting.manual import mark_manual_posted
from takethelead.web.api.posts_schemas import (
    AccountConnect,
    AccountConnected,
    AccountOut,
    ChangeOut,
    DisconnectOut,
    DraftSchedule,
    FreeSlotOut,
    ManualDone,
    PostCreate,
    PostEdit,
    PostOut,
    PostSummaryOut,
    QueueOut,
    SlotsOut,
    SlotsSet,
    SyncOut,
    Untouched,
)
from takethelead.web.api.schemas import Problem, conflict
from takethelead.web.deps import ApiReader, ApiWriter, QueryFlag, RowId, StoreDep

router = APIRouter(tags=["posts"])
POST_MISSING: dict[int | str, dict[str, Any]] = {
    404: {"model": Problem, "description": "No such post in this workspace"}
}
POST_FINISHED = POST_MISSING | conflict(
    "The post is cancelled, not a draft, or does not go to that network"
)
ACCOUNT_MISSING: dict[int | str, dict[str, Any]] = {
    404: {"model": Problem, "description": "No such account in this workspace"}
}
# The services speak the CLI's option names; the API's fields are named differently.
FIELDS: Final = {
    "--to": "to", "--at": "at", "--next-slot": "next_slot", "--variant": "variants",
    "--every": "every_days", "--repeat": "repeat", "--network": "network", "--server": "url",
    "--url": "url", "--service": "url", "--token": "secret", "--app-password": "secret",
    "--api-key": "secret", "--handle": "handle", "--user": "handle",
}  # fmt: skip
_FLAG = re.compile(r"--[a-z-]+")


def _now() -> datetime:
    return datetime.now().astimezone()


@contextmanager
def _named_fields() -> Iterator[None]:
    """Service errors with the API's field names in place of the CLI's options."""
    try:
        yield
    except ServiceError as exc:
        if type(exc) is not ServiceError:  # NotFound, Forbidden…: their own answers
            raise
        named = _FLAG.sub(lambda m: FIELDS.get(m.group(0), m.group(0)), str(exc))
        raise ServiceError(named) from None


def _still_owner(store: StoreDep, who: access.Principal) -> None:
    """Read the membership again before work that runs outside one transaction."""
    with access.writing(store, who):
        pass


def _post(store: StoreDep, who: access.Principal | access.TokenCaller, post_id: int) -> PostOut:
    with access.reading(store, who) as db:
        return PostOut.model_validate(asdict(postviews.show_post(db, who.workspace_id, post_id)))


def _change(change: service.Change) -> ChangeOut:
    untouched = [Untouched(network=n, state=s) for n, s in change.untouched]
    return ChangeOut(post_id=change.post_id, changed=change.changed, untouched=untouched)


@router.get("/posts", response_model=list[PostSummaryOut])
def list_posts(
    store: StoreDep,
    who: ApiReader,
    status: Literal["draft", "scheduled", "cancelled"] | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> list[PostSummaryOut]:
    """Posts, newest first, each with its next delivery and its deliveries by state."""
    with access.reading(store, who) as db:
        found = postviews.list_posts(db, who.workspace_id, status, limit, offset)
    return [PostSummaryOut.model_validate(asdict(p)) for p in found]


@router.post(
    "/posts",
    status_code=201,
    response_model=PostOut,
    responses={404: {"model": Problem, "description": "No account connected for a network"}},
)
def create_post(store: StoreDep, who: ApiWriter, body: PostCreate) -> PostOut:
    """Schedule a post to several networks at once, checked against each network's rules."""
    request = service.PostRequest(
        text=body.text,
        targets=body.to,
        at=body.at,
        next_slot=body.next_slot,
        draft=body.draft,
        variants={k.lower(): v for k, v in body.variants.items()},
        every_days=body.every_days,
        repeat=body.repeat,
    )
    with _named_fields(), access.writing(store, who) as db:
        post_id = service.create_post(db, who.workspace_id, request, _now())
    return _post(store, who, post_id)


@router.get("/posts/{post_id:int}", response_model=PostOut, responses=POST_MISSING)
def get_post(store: StoreDep, who: ApiReader, post_id: RowId) -> PostOut:
    """One post with every delivery and its state."""
    return _post(store, who, post_id)


@router.patch("/posts/{post_id:int}", response_model=ChangeOut, responses=POST_FINISHED)
def edit_post(store: StoreDep, who: ApiWriter, post_id: RowId, body: PostEdit) -> ChangeOut:
    """New text for the deliveries not yet claimed (of one network with `network`)."""
    with _named_fields(), access.writing(store, who) as db:
        change = service.edit_post(db, who.workspace_id, post_id, body.text, body.network)
    return _change(change)


@router.post("/posts/{post_id:int}/cancel", response_model=ChangeOut, responses=POST_MISSING)
def cancel_post(store: StoreDep, who: ApiWriter, post_id: RowId) -> ChangeOut:
    """Cancel every delivery not yet claimed; what is sending or sent stays as it is."""
    with access.writing(store, who) as db:
        change = service.cancel_post(db, who.workspace_id, post_id)
    return _change(change)


@router.post("/posts/{post_id:int}/schedule", response_model=PostOut, responses=POST_FINISHED)
def schedule_draft(store: StoreDep, who: ApiWriter, post_id: RowId, body: DraftSchedule) -> PostOut:
    """Schedule a draft: at a time, in each network's next free slot, or now."""
    with _named_fields(), access.writing(store, who) as db:
        service.schedule_draft(db, who.workspace_id, post_id, body.at, body.next_slot, _now())
    return _post(store, who, post_id)


@router.post(
    "/posts/{post_id:int}/done",
    response_model=PostOut,
    responses=POST_MISSING | conflict("Nothing of the post waits on that network"),
)
def mark_done(store: StoreDep, who: ApiWriter, post_id: RowId, body: ManualDone) -> PostOut:
    """Record that you published the next occurrence on a network without an API."""
    with access.writing(store, who) as db:
        mark_manual_posted(db, who.workspace_id, post_id, body.network, body.url.strip())
    return _post(store, who, post_id)


@router.get("/queue", response_model=QueueOut)
def queue(
    store: StoreDep,
    who: ApiReader,
    everything: Annotated[
        QueryFlag, Query(alias="all", description="Include sent and cancelled deliveries")
    ] = False,
) -> QueueOut:
    """What goes out when, with its state, and what needs your attention."""
    with access.reading(store, who) as db:
        found = service.list_queue(db, who.workspace_id, _now(), everything)
    return QueueOut.model_validate(asdict(found))


@router.get("/slots", response_model=list[SlotsOut])
def list_slots(store: StoreDep, who: ApiReader) -> list[SlotsOut]:
    """Weekly posting slots per network, with each network's next free one."""
    now = _now()
    with access.reading(store, who) as db:
        found = service.list_slots(db, who.workspace_id)
        return [
            SlotsOut(
                network=network,
                slots=[s.label() for s in chosen],
                next_free=service.free_slot(db, who.workspace_id, network, now),
            )
            for network, chosen in found.items()
        ]


@router.put("/slots", response_model=SlotsOut)
def set_slots(store: StoreDep, who: ApiWriter, body: SlotsSet) -> SlotsOut:
    """Replace one network's weekly posting slots ("mon-fri 09:00,13:00; sat 10:00")."""
    with access.writing(store, who) as db:
        chosen = service.set_slots(db, who.workspace_id, body.network, body.slots)
        next_free = service.free_slot(db, who.workspace_id, body.network, _now())
    return SlotsOut(network=body.network, slots=[s.label() for s in chosen], next_free=next_free)


@router.get("/slots/free", response_model=list[FreeSlotOut])
def free_slots(
    store: StoreDep,
    who: ApiReader,
    network: Annotated[
        list[str] | None, Query(max_length=20, description="Only these networks' slots")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 8,
) -> list[FreeSlotOut]:
    """The coming posting slots no post holds yet, each with the networks it belongs to."""
    with access.reading(store, who) as db:
        found = postviews.free_slots(db, who.workspace_id, _now(), network, limit)
    return [FreeSlotOut(at=f.at, networks=f.networks) for f in found]


@router.get("/accounts", response_model=list[AccountOut])
def list_accounts(store: StoreDep, who: ApiReader) -> list[AccountOut]:
    """Connected accounts; a paused one says why."""
    with access.reading(store, who) as db:
        found = connections.list_accounts(db, who.workspace_id)
    return [AccountOut.model_validate(asdict(a)) for a in found]


@router.post(
    "/accounts",
    status_code=201,
    response_model=AccountConnected,
    responses={200: {"model": AccountConnected, "description": "Reconnected: new credentials"}},
)
def connect_account(
    request: Request, response: Response, store: StoreDep, who: ApiWriter, body: AccountConnect
) -> AccountConnected:
    """Connect a live account after asking the network who the credentials belong to."""
    if body.allow_private and not request.app.state.settings.private_servers:
        raise ServiceError(
            "allow_private: this instance does not connect to private addresses; "
            "its administrator can allow it with LEAD_PRIVATE_SERVERS=allow"
        )
    with _named_fields():
        given = connections.prepare(
            body.network, base_url=body.url, secret=body.secret, handle=body.handle,
            allow_private=body.allow_private,
        )  # fmt: skip
        secrets = connections.Secrets.from_settings(request.app.state.settings)
        with access.writing(store, who) as db:
            account_id, created = connections.connect_account(db, who.workspace_id, secrets, given)
            found = connections.list_accounts(db, who.workspace_id)
    if not created:
        response.status_code = 200
    account = next(a for a in found if a.id == account_id)
    return AccountConnected(account=AccountOut.model_validate(asdict(account)), created=created)


@router.delete(
    "/accounts/{account_id:int}", response_model=DisconnectOut, responses=ACCOUNT_MISSING
)
def disconnect_account(store: StoreDep, who: ApiWriter, account_id: RowId) -> DisconnectOut:
    """Forget an account's credentials; posts waiting on it stay paused, never dropped."""
    with access.writing(store, who) as db:
        done = connections.disconnect_account(db, who.workspace_id, account_id)
    return DisconnectOut.model_validate(asdict(done))


@router.post("/publish", response_model=QueueOut)
def publish(store: StoreDep, who: ApiWriter) -> QueueOut:
    """Publish due posts now (one delivery pass, as `lead publish --once`); answers the queue.

    The worker makes the same pass every minute; a pass sends only what is due.
    """
    _still_owner(store, who)
    publish_once(store)
    with access.reading(store, who) as db:
        found = service.list_queue(db, who.workspace_id, _now())
    return QueueOut.model_validate(asdict(found))


@router.post("/sync", response_model=SyncOut)
def sync(store: StoreDep, who: ApiWriter) -> SyncOut:
    """Read new mentions, replies, follows, reposts and likes from the connected accounts."""
    _still_owner(store, who)
    report = sync_inboxes(store, who.workspace_id)
    return SyncOut(stored=report.stored, linked=report.linked, problems=report.problems)
