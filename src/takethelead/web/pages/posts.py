"""Posts: the queue, the calendar, the composer, one post's page, accounts and slots."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any, Final

from fastapi import APIRouter, Form, Query, Request
from starlette.responses import RedirectResponse, Response

from takethelead.domain.posting import UNCLAIMED, ScheduleError, parse_when
from takethelead.domain.text_rules import post_length
from takethelead.services.auth import access
from takethelead.services.core.errors import ServiceError
from takethelead.services.ingest.inbox import sync_inboxes
from takethelead.services.posting import connections
from takethelead.services.posting import posts as service
from takethelead.services.posting import views as postviews
from takethelead.services.posting.delivery import publish_once
from takethelead.services.posting.manual import mark_manual_posted
from takethelead.services.posting.posts import MANUAL_KINDS, DeliveryView
from takethelead.web.deps import Reader, RowId, StoreDep, Writer
from takethelead.web.templating import render

router = APIRouter()
WEEKS: Final = 5
GROUPS: Final = (
    ("attention", "Needs your attention", ("failed", "unconfirmed", "paused")),
    ("scheduled", "Scheduled", ("queued", "sending")),
    ("delivered", "Delivered in the last day", ("sent",)),
)
# The services speak the CLI's option names; the forms' fields have labels.
LABELS: Final = {
    "--to": "Networks", "--at": "When", "--next-slot": "When", "--variant": "Text for",
    "--every": "Repeat every", "--repeat": "Times", "--network": "Network",
    "--server": "Server", "--url": "Address", "--service": "Server", "--token": "Access token",
    "--app-password": "App password", "--api-key": "API key", "--handle": "Handle",
    "--user": "Username",
}  # fmt: skip
_FLAG = re.compile(r"--[a-z-]+")
Text = Annotated[str, Form(max_length=100_000)]
Variant = Annotated[str, Form(max_length=100_000)]


def _now() -> datetime:
    return datetime.now().astimezone()


def when(moment: datetime | None) -> str:
    """A moment in the server's time zone, as the pages show it: 'Tue 05 Mar 09:00'."""
    return "" if moment is None else f"{moment.astimezone():%a %d %b %H:%M}"


def _labelled(exc: ServiceError) -> str:
    return _FLAG.sub(lambda m: LABELS.get(m.group(0), m.group(0)), str(exc))


@contextmanager
def _form_errors() -> Iterator[None]:
    """Service errors with the form's labels in place of the CLI's options."""
    try:
        yield
    except ServiceError as exc:
        if type(exc) is not ServiceError:  # NotFound, Forbidden…: their own answers
            raise
        raise ServiceError(_labelled(exc)) from None


def _page(request: Request, template: str, who: access.Principal, status: int = 200,
          **context: Any) -> Response:  # fmt: skip
    now = _now()
    return render(request, template, who, status, when=when, now=now,
                  zone=now.tzname() or "local time", **context)  # fmt: skip


# The queue.
@router.get("/posts")
def queue_page(
    request: Request,
    store: StoreDep,
    who: Reader,
    network: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    return _queue(request, store, who, network)


def _queue(request: Request, store: StoreDep, who: access.Principal, network: str = "",
           notice: str | None = None, error: str | None = None) -> Response:  # fmt: skip
    with access.reading(store, who) as db:
        found = service.list_queue(db, who.workspace_id, _now())
        drafts = postviews.list_posts(db, who.workspace_id, "draft", limit=50)
        accounts = connections.list_accounts(db, who.workspace_id)
    counts: dict[str, int] = {}
    for d in found.deliveries:
        counts[d.network] = counts.get(d.network, 0) + 1
    shown = [d for d in found.deliveries if not network or d.network == network]
    groups = [
        (key, title, [d for d in shown if d.state in states]) for key, title, states in GROUPS
    ]
    return _page(request, "posts/queue.html", who, 400 if error else 200, groups=groups,
                 notices=found.notices, drafts=drafts, counts=counts, network=network,
                 accounts=accounts, notice=notice, error=error)  # fmt: skip


# The calendar.
@dataclass
class Day:
    day: date
    today: bool
    items: list[CalendarItem] = field(default_factory=list)


@dataclass
class CalendarItem:
    """One post at one moment of a day, with the networks it goes to and their states."""

    at: datetime
    post_id: int
    text: str
    networks: list[tuple[str, str]]


def _weeks(deliveries: list[DeliveryView], first: date, today: date) -> list[list[Day]]:
    days = [Day(first + timedelta(days=i), first + timedelta(days=i) == today)
            for i in range(WEEKS * 7)]  # fmt: skip
    for d in deliveries:
        local = d.due_at.astimezone()
        day = days[(local.date() - first).days]
        item = next((i for i in day.items if i.post_id == d.post_id and i.at == local), None)
        if item is None:
            item = CalendarItem(local, d.post_id, d.text, [])
            day.items.append(item)
        item.networks.append((d.network, d.state))
    return [days[i : i + 7] for i in range(0, len(days), 7)]


@router.get("/posts/calendar")
def calendar_page(
    request: Request,
    store: StoreDep,
    who: Reader,
    start: Annotated[date | None, Query(description="A day of the first week shown")] = None,
) -> Response:
    now = _now()
    chosen = start or now.date()
    first = chosen - timedelta(days=chosen.weekday())
    begin = datetime.combine(first, time(), tzinfo=now.tzinfo)
    end = begin + timedelta(weeks=WEEKS)
    with access.reading(store, who) as db:
        found = postviews.deliveries_between(db, who.workspace_id, begin, end)
    weeks = _weeks(found, first, now.date())
    return _page(request, "posts/calendar.html", who, weeks=weeks, total=len(found),
                 previous=first - timedelta(weeks=WEEKS), following=first + timedelta(weeks=WEEKS),
                 first=first, last=first + timedelta(days=WEEKS * 7 - 1))  # fmt: skip


# The composer.
@dataclass(frozen=True)
class Draft:
    """What the composer shows: empty, or what was sent when it comes back with an error."""

    text: str = ""
    to: tuple[str, ...] = ()
    choice: str = ""
    at: str = ""
    draft: bool = False
    every_days: int | None = None
    repeat: int | None = None
    variants: dict[str, str] = field(default_factory=dict)


def _composer(request: Request, store: StoreDep, who: access.Principal, values: Draft,
              error: str | None = None) -> Response:  # fmt: skip
    now = _now()
    with access.reading(store, who) as db:
        targets = postviews.targets(db, who.workspace_id)
        slots = postviews.free_slots(db, who.workspace_id, now, limit=10)
    tomorrow = (now + timedelta(days=1)).replace(hour=9, minute=0, second=0, microsecond=0)
    choice = values.choice or (f"slot:{slots[0].at.isoformat()}" if slots else "at")
    # Counted here too, so the counters are right before (or without) the script.
    lengths = {t.kind: post_length(values.variants.get(t.kind) or values.text, t.kind)
               for t in targets} if values.text else {}  # fmt: skip
    return _page(request, "posts/compose.html", who, 400 if error else 200, targets=targets,
                 slots=slots, values=values, choice=choice, lengths=lengths,
                 at_value=values.at or f"{tomorrow:%Y-%m-%dT%H:%M}", error=error)  # fmt: skip


@router.get("/posts/new")
def compose_page(
    request: Request,
    store: StoreDep,
    who: Reader,
    text: Annotated[str, Query(max_length=100_000)] = "",
) -> Response:
    return _composer(request, store, who, Draft(text=text))


def _moment(choice: str, at: str, now: datetime) -> tuple[datetime | None, bool]:
    """(at, next_slot) for the picker's choice; a clear error naming the field otherwise."""
    if choice == "now":
        return now, False
    if choice == "next":
        return None, True
    raw = choice.removeprefix("slot:") if choice.startswith("slot:") else at
    if choice != "at" and not choice.startswith("slot:"):
        raise ServiceError(f"When: {choice!r} is not one of the choices; pick a slot or a time")
    try:
        return parse_when(raw.replace("T", " ", 1) if choice == "at" else raw, now), False
    except ScheduleError as exc:
        raise ServiceError(f"When: {exc}") from None


@router.post("/posts")
def create_post(
    request: Request,
    store: StoreDep,
    who: Writer,
    text: Text,
    to: Annotated[list[str] | None, Form(max_length=20)] = None,
    choice: Annotated[str, Form(alias="when", max_length=100)] = "at",
    at: Annotated[str, Form(max_length=40)] = "",
    draft: Annotated[bool, Form()] = False,
    every_days: Annotated[int | None, Form(ge=1, le=3660)] = None,
    repeat: Annotated[int | None, Form(ge=1, le=1000)] = None,
    variant_mastodon: Variant = "",
    variant_bluesky: Variant = "",
    variant_discourse: Variant = "",
    variant_linkedin: Variant = "",
    variant_x: Variant = "",
    variant_facebook: Variant = "",
) -> Response:
    given = {"mastodon": variant_mastodon, "bluesky": variant_bluesky,
             "discourse": variant_discourse, "linkedin": variant_linkedin, "x": variant_x,
             "facebook": variant_facebook}  # fmt: skip
    chosen = [t for t in (to or []) if t.strip()]
    kinds = {t.partition(":")[0] for t in chosen}
    # Only the chosen networks' variants: a hidden field's leftover text is not an error.
    variants = {k: v for k, v in given.items() if v.strip() and k in kinds}
    values = Draft(text, tuple(chosen), choice, at, draft, every_days, repeat, variants)
    now = _now()
    try:
        moment, next_slot = (None, False) if draft else _moment(choice, at, now)
        if every_days is not None and draft:
            raise ServiceError("Repeat every: schedule the draft first, then it can repeat")
        post_request = service.PostRequest(
            text=text, targets=chosen, at=moment, next_slot=next_slot, draft=draft,
            variants=variants, every_days=every_days, repeat=repeat,
        )  # fmt: skip
        with _form_errors(), access.writing(store, who) as db:
            post_id = service.create_post(db, who.workspace_id, post_request, now)
    except ServiceError as exc:
        if type(exc) is not ServiceError:
            raise
        return _composer(request, store, who, values, str(exc))
    return RedirectResponse(f"/posts/{post_id}?saved=1", status_code=303)


# Connected accounts and posting slots (static paths before /posts/{post_id}).
def _accounts(request: Request, store: StoreDep, who: access.Principal,
              notice: str | None = None, error: str | None = None) -> Response:  # fmt: skip
    now = _now()
    with access.reading(store, who) as db:
        accounts = connections.list_accounts(db, who.workspace_id)
        slots = service.list_slots(db, who.workspace_id)
        next_free = {n: service.free_slot(db, who.workspace_id, n, now) for n in slots}
    networks = [k.value for k in (*connections.LIVE_KINDS, *MANUAL_KINDS)]
    return _page(request, "posts/accounts.html", who, 400 if error else 200, accounts=accounts,
                 slots=slots, next_free=next_free, networks=networks, notice=notice,
                 error=error)  # fmt: skip


PRIVATE_REFUSED = (
    "The server is on a private address, which this instance does not connect to; "
    "its administrator can allow it with LEAD_PRIVATE_SERVERS=allow."
)


@router.get("/posts/accounts")
def accounts_page(request: Request, store: StoreDep, who: Reader) -> Response:
    return _accounts(request, store, who)


@router.post("/posts/accounts")
def connect_account(
    request: Request,
    store: StoreDep,
    who: Writer,
    network: Annotated[str, Form(max_length=20)],
    secret: Annotated[str, Form(max_length=2000)] = "",
    url: Annotated[str, Form(max_length=500)] = "",
    handle: Annotated[str, Form(max_length=300)] = "",
    allow_private: Annotated[bool, Form()] = False,
) -> Response:
    if allow_private and not request.app.state.settings.private_servers:
        return _accounts(request, store, who, error=PRIVATE_REFUSED)
    try:
        with _form_errors():
            given = connections.prepare(network, base_url=url or None, secret=secret,
                                        handle=handle, allow_private=allow_private)  # fmt: skip
            secrets = connections.Secrets.from_settings(request.app.state.settings)
            with access.writing(store, who) as db:
                account_id, created = connections.connect_account(
                    db, who.workspace_id, secrets, given
                )
    except ServiceError as exc:
        if type(exc) is not ServiceError:
            raise
        return _accounts(request, store, who, error=str(exc))
    verb = "Connected" if created else "Reconnected"
    notice = f"{verb} {given.kind.value} account #{account_id}; its waiting posts are queued."
    return _accounts(request, store, who, notice=notice)


@router.post("/posts/accounts/{account_id}/disconnect")
def disconnect_account(
    request: Request, store: StoreDep, who: Writer, account_id: RowId
) -> Response:
    with access.writing(store, who) as db:
        done = connections.disconnect_account(db, who.workspace_id, account_id)
    notice = (
        f"Account #{account_id} is disconnected and removed."
        if done.removed
        else f"Account #{account_id} is disconnected; its {done.waiting} waiting post(s) are "
        "paused until you reconnect it or cancel them."
    )
    return _accounts(request, store, who, notice=notice)


@router.post("/posts/slots")
def set_slots(
    request: Request,
    store: StoreDep,
    who: Writer,
    network: Annotated[str, Form(max_length=20)],
    slots: Annotated[str, Form(max_length=1000)],
) -> Response:
    try:
        with access.writing(store, who) as db:
            chosen = service.set_slots(db, who.workspace_id, network, slots)
    except ServiceError as exc:
        if type(exc) is not ServiceError:
            raise
        return _accounts(request, store, who, error=f"Posting slots: {exc}")
    labels = ", ".join(s.label() for s in chosen)
    return _accounts(request, store, who, notice=f"{network}: posting slots {labels}.")


@router.post("/posts/publish")
def publish(request: Request, store: StoreDep, who: Writer) -> Response:
    with access.writing(store, who):
        pass  # the membership is read again before a pass that runs outside one transaction
    # The pass covers every workspace's due posts (as the worker's does); its counts are not
    # this workspace's to show, so the queue below tells where each post now stands.
    publish_once(store)
    return _queue(request, store, who, notice="Delivery pass done; the queue shows each post now.")


@router.post("/posts/sync")
def sync(request: Request, store: StoreDep, who: Writer) -> Response:
    with access.writing(store, who):
        pass  # the membership is read again before the sync's own transactions
    report = sync_inboxes(store, who.workspace_id)
    if not report.stored:
        notice = "No accounts to read: connect one below."
    else:
        notice = "Inbox read: " + ", ".join(f"{k} {n} new" for k, n in report.stored.items())
    error = " ".join(report.problems) or None
    return _accounts(request, store, who, notice=notice, error=error)


# One post.
def _post(request: Request, store: StoreDep, who: access.Principal, post_id: int,
          notice: str | None = None, error: str | None = None) -> Response:  # fmt: skip
    with access.reading(store, who) as db:
        post = postviews.show_post(db, who.workspace_id, post_id)
        targets = {t.kind: t for t in postviews.targets(db, who.workspace_id)}
    waiting = [d for d in post.deliveries if d.state in UNCLAIMED]
    manual_kinds = {k.value for k in MANUAL_KINDS}
    manual = sorted({d.network for d in post.deliveries
                     if d.state == "queued" and d.network in manual_kinds})  # fmt: skip
    rules = [targets[n] for n in post.networks if n in targets]
    return _page(request, "posts/post.html", who, 400 if error else 200, post=post,
                 waiting=waiting, manual=manual, rules=rules, notice=notice,
                 error=error)  # fmt: skip


@router.get("/posts/{post_id}")
def post_page(
    request: Request,
    store: StoreDep,
    who: Reader,
    post_id: RowId,
    saved: Annotated[bool, Query()] = False,
) -> Response:
    notice = "Saved. Each network's delivery is listed below." if saved else None
    return _post(request, store, who, post_id, notice=notice)


@router.post("/posts/{post_id}/edit")
def edit_post(
    request: Request,
    store: StoreDep,
    who: Writer,
    post_id: RowId,
    text: Text,
    network: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    try:
        with _form_errors(), access.writing(store, who) as db:
            change = service.edit_post(db, who.workspace_id, post_id, text, network or None)
    except ServiceError as exc:
        if type(exc) is not ServiceError:
            raise
        return _post(request, store, who, post_id, error=str(exc))
    notice = f"New text on {change.changed} waiting delivery(ies)." + _untouched(change)
    return _post(request, store, who, post_id, notice=notice)


def _untouched(change: service.Change) -> str:
    if not change.untouched:
        return ""
    left = ", ".join(f"{n} ({s})" for n, s in change.untouched)
    return f" Left as they are: {left}."


@router.post("/posts/{post_id}/cancel")
def cancel_post(request: Request, store: StoreDep, who: Writer, post_id: RowId) -> Response:
    with access.writing(store, who) as db:
        change = service.cancel_post(db, who.workspace_id, post_id)
    notice = f"Cancelled {change.changed} delivery(ies)." + _untouched(change)
    return _post(request, store, who, post_id, notice=notice)


@router.post("/posts/{post_id}/schedule")
def schedule_draft(
    request: Request,
    store: StoreDep,
    who: Writer,
    post_id: RowId,
    choice: Annotated[str, Form(alias="when", max_length=100)] = "next",
    at: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    now = _now()
    try:
        moment, next_slot = _moment(choice, at, now)
        with _form_errors(), access.writing(store, who) as db:
            service.schedule_draft(db, who.workspace_id, post_id, moment, next_slot, now)
    except ServiceError as exc:
        if type(exc) is not ServiceError:
            raise
        return _post(request, store, who, post_id, error=str(exc))
    return _post(request, store, who, post_id, notice="Scheduled.")


@router.post("/posts/{post_id}/done")
def mark_done(
    request: Request,
    store: StoreDep,
    who: Writer,
    post_id: RowId,
    network: Annotated[str, Form(max_length=20)],
    url: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    try:
        with access.writing(store, who) as db:
            mark_manual_posted(db, who.workspace_id, post_id, network, url.strip())
    except ServiceError as exc:
        if type(exc) is not ServiceError:
            raise
        return _post(request, store, who, post_id, error=str(exc))
    return _post(request, store, who, post_id, notice=f"Marked as published on {network}.")
