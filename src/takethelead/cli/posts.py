"""`lead post`, `queue`, `slots`, `connect`, `publish` and `sync`: broadcast once, everywhere."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Annotated

import typer
from rich.table import Table

from takethelead.cli.state import STATE, console, escape, fail, friendly, print_json
from takethelead.domain.posting import ScheduleError, parse_every, parse_when
from takethelead.services.core.store import workspace_id
from takethelead.services.ingest.inbox import sync_inboxes
from takethelead.services.posting import posts as service
from takethelead.services.posting.connections import Secrets, connect_account, prepare
from takethelead.services.posting.delivery import publish_once
from takethelead.services.posting.manual import mark_manual_posted

_ACTIONS = ("edit", "cancel", "schedule", "done")


def _local_now() -> datetime:
    return datetime.now().astimezone()


def _when(raw: str, field: str) -> datetime:
    try:
        return parse_when(raw, _local_now())
    except ScheduleError as error:
        fail(f"{field}: {error}")


def _variants(raw: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for item in raw:
        network, sep, text = item.partition("=")
        if not sep or not network.strip():
            fail(f'--variant {item!r}: expected NETWORK="text", e.g. bluesky="shorter text"')
        found[network.strip().lower()] = text
    return found


@friendly
def post(
    words: Annotated[
        list[str],
        typer.Argument(
            help='The text; or edit ID "new text", cancel ID, schedule ID, done ID NETWORK.'
        ),
    ],
    to: Annotated[
        str, typer.Option("--to", help="Networks, comma-separated: mastodon,bluesky,linkedin…")
    ] = "",
    at: Annotated[
        str | None, typer.Option(help='When: "tue 09:00", "tomorrow 8:30", "2026-12-01 09:00".')
    ] = None,
    next_slot: Annotated[
        bool, typer.Option("--next-slot", help="Each network's next free posting slot.")
    ] = False,
    draft: Annotated[
        bool, typer.Option("--draft", help="Keep as a draft; nothing is sent.")
    ] = False,
    variant: Annotated[
        list[str] | None, typer.Option(help='Per-network text: --variant bluesky="shorter".')
    ] = None,
    every: Annotated[str | None, typer.Option(help="Recur every N days: 7d, 2w.")] = None,
    repeat: Annotated[
        int | None, typer.Option(help="How many times in all (with --every).")
    ] = None,
    network: Annotated[
        str | None, typer.Option(help="With edit: change only this network's text.")
    ] = None,
    url: Annotated[str, typer.Option(help="With done: where you published it.")] = "",
) -> None:
    """Schedule a post to several networks at once, checked against each network's rules.

    \b
    Examples:
      lead post "New article: how referrals work" --to mastodon,bluesky --at "tue 09:00"
      lead post "Weekly office hours" --to mastodon --next-slot --every 7d --repeat 4
      lead post "Long text" --to mastodon,bluesky --variant bluesky="Short text"
      lead post edit 12 "Fixed typo"      lead post cancel 12
      lead post schedule 12 --next-slot   lead post done 12 linkedin

    Networks without an API (linkedin, x, facebook) come back in your plan with the text
    ready to paste.
    """
    if words and words[0] in _ACTIONS and len(words) >= 2:
        _action(words, at, next_slot, network, url)
        return
    if len(words) != 1:
        fail('text: expected one quoted text, e.g. lead post "Hello" --to mastodon')
    every_days = None
    if every is not None:
        try:
            every_days = parse_every(every)
        except ScheduleError as error:
            fail(f"--every: {error}")
    request = service.PostRequest(
        text=words[0],
        targets=[t for t in to.split(",") if t.strip()],
        at=_when(at, "--at") if at else None,
        next_slot=next_slot,
        draft=draft,
        variants=_variants(variant or []),
        every_days=every_days,
        repeat=repeat,
    )
    with STATE.transaction() as (session, ws):
        post_id = service.create_post(session, ws, request, _local_now())
        queue = service.list_queue(session, ws, _local_now())
    mine = [d for d in queue.deliveries if d.post_id == post_id]
    if draft:
        console.print(f"Saved draft #{post_id}; schedule it with lead post schedule {post_id}")
        return
    console.print(f"Scheduled post #{post_id}:")
    for d in mine[:12]:
        console.print(f"  {d.network:<10} {_at(d.due_at)}  {d.state}", highlight=False)
    if len(mine) > 12:
        console.print(f"  … and {len(mine) - 12} more occurrences")


def _post_id(raw: str) -> int:
    try:
        return int(raw.lstrip("#"))
    except ValueError:
        fail(f"post id {raw!r}: expected a number, e.g. 12")


def _action(
    words: list[str], at: str | None, next_slot: bool, network: str | None, url: str
) -> None:
    action, post_id = words[0], _post_id(words[1])
    if action == "edit":
        if len(words) != 3:
            fail('edit: expected lead post edit ID "new text"')
        with STATE.transaction() as (session, ws):
            change = service.edit_post(session, ws, post_id, words[2], network)
        console.print(f"Post #{post_id}: new text on {change.changed} waiting delivery(ies).")
    elif action == "cancel":
        with STATE.transaction() as (session, ws):
            change = service.cancel_post(session, ws, post_id)
        console.print(f"Post #{post_id}: {change.changed} delivery(ies) cancelled.")
    elif action == "schedule":
        when = _when(at, "--at") if at else None
        with STATE.transaction() as (session, ws):
            service.schedule_draft(session, ws, post_id, when, next_slot, _local_now())
        console.print(f"Post #{post_id} is scheduled; see lead queue.")
        return
    else:
        if len(words) != 3:
            fail("done: expected lead post done ID NETWORK, e.g. lead post done 12 linkedin")
        with STATE.transaction() as (session, ws):
            mark_manual_posted(session, ws, post_id, words[2].lower(), url)
        console.print(f"Post #{post_id} marked as published on {escape(words[2])}.")
        return
    for network_name, state in change.untouched:
        console.print(f"  {network_name}: left as it is ({state})", highlight=False)


def _at(moment: datetime) -> str:
    return moment.astimezone().strftime("%a %Y-%m-%d %H:%M")


@friendly
def queue(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    everything: Annotated[
        bool, typer.Option("--all", help="Include sent and cancelled posts.")
    ] = False,
) -> None:
    """What goes out when, with its state (queued, sending, sent, unconfirmed, failed, paused).

    Example: lead queue --json
    """
    with STATE.transaction() as (session, ws):
        found = service.list_queue(session, ws, _local_now(), everything)
    if as_json:
        print_json(found)
        return
    for notice in found.notices:
        console.print(f"[bold yellow]![/] {escape(notice)}")
    if not found.deliveries:
        console.print('Nothing queued. Example: lead post "Hello" --to mastodon --next-slot')
        return
    table = Table(header_style="bold")
    for column in ("Post", "Network", "When", "State", "Text", "Note"):
        table.add_column(column)
    for d in found.deliveries:
        note = d.remote_url or d.last_error
        table.add_row(
            f"#{d.post_id}",
            d.network,
            _at(d.due_at),
            d.state,
            escape(d.text[:50]),
            escape(note[:60]),
        )
    console.print(table)


@friendly
def slots(
    network: Annotated[str | None, typer.Argument(help="mastodon, bluesky, linkedin…")] = None,
    spec: Annotated[str | None, typer.Argument(help='"mon-fri 09:00,13:00; sat 10:00"')] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Weekly posting slots per network; --next-slot fills the next free one.

    Examples: lead slots mastodon "mon-fri 09:00,13:00"     lead slots
    """
    with STATE.transaction() as (session, ws):
        if network is not None and spec is not None:
            service.set_slots(session, ws, network, spec)
        elif network is not None:
            fail('slots: expected the times too, e.g. lead slots mastodon "mon-fri 09:00"')
        found = service.list_slots(session, ws)
    if as_json:
        print_json({k: [s.label() for s in v] for k, v in found.items()})
        return
    if not found:
        console.print('No posting slots yet. Example: lead slots mastodon "mon-fri 09:00,13:00"')
    for name, chosen in found.items():
        console.print(f"{name}: {', '.join(s.label() for s in chosen)}", highlight=False)


@friendly
def connect(
    network: Annotated[str, typer.Argument(help="mastodon, bluesky or discourse")],
    server: Annotated[str | None, typer.Option(help="Mastodon server URL.")] = None,
    token: Annotated[str, typer.Option(help="Mastodon access token.")] = "",
    handle: Annotated[str, typer.Option(help="Bluesky handle.")] = "",
    app_password: Annotated[str, typer.Option(help="Bluesky app password.")] = "",
    service_url: Annotated[
        str | None, typer.Option("--service", help="Bluesky PDS (default bsky.social).")
    ] = None,
    url: Annotated[str | None, typer.Option(help="Discourse forum URL.")] = None,
    api_key: Annotated[str, typer.Option(help="Discourse API key.")] = "",
    user: Annotated[str, typer.Option(help="Discourse username the key acts as.")] = "",
    allow_private: Annotated[
        bool, typer.Option("--allow-private", help="Allow a server on a private address.")
    ] = False,
) -> None:
    """Connect a live account; reconnecting updates that account only.

    \b
    Examples:
      lead connect mastodon --server https://mastodon.social --token TOKEN
      lead connect bluesky --handle ana.bsky.social --app-password xxxx-xxxx-xxxx-xxxx
      lead connect discourse --url https://forum.example.org --api-key KEY --user ana

    Secrets are stored encrypted (LEAD_SECRET_KEY, or a key file in the data directory).
    """
    kind = network.strip().lower()
    base = {"mastodon": server, "bluesky": service_url, "discourse": url}.get(kind)
    secret = {"mastodon": token, "bluesky": app_password, "discourse": api_key}.get(kind, "")
    who = {"bluesky": handle, "discourse": user}.get(kind, "")
    given = prepare(kind, base_url=base, secret=secret, handle=who, allow_private=allow_private)
    store = STATE.open()
    secrets = Secrets.from_settings(store.settings)
    with store.transaction() as session:
        ws = workspace_id(session, STATE.workspace)
        account_id, created = connect_account(session, ws, secrets, given)
    verb = "Connected" if created else "Reconnected"
    console.print(f"{verb} {kind} account #{account_id}; its waiting posts are queued.")


@friendly
def publish(
    once: Annotated[
        bool, typer.Option("--once", help="One pass, then exit (cron, tests).")
    ] = False,
    interval: Annotated[int, typer.Option(help="Seconds between passes without --once.")] = 60,
) -> None:
    """Publish due posts now, in this process (lead worker does it every minute).

    Example: lead publish --once
    """
    store = STATE.open()
    while True:
        report = publish_once(store)
        console.print(
            f"sent {report.sent}, retrying {report.retried}, unconfirmed {report.unconfirmed}, "
            f"failed {report.failed}, paused {report.paused}, found after a crash "
            f"{report.found}, sent again {report.requeued}",
            highlight=False,
        )
        if once:
            return
        time.sleep(interval)


@friendly
def sync(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Read mentions, replies, follows, reposts and likes from connected accounts.

    Example: lead sync
    """
    store = STATE.open()
    with store.transaction() as session:
        ws = workspace_id(session, STATE.workspace)
    report = sync_inboxes(store, ws)
    if as_json:
        print_json(report)
        return
    for label, count in report.stored.items():
        console.print(f"{label}: {count} new", highlight=False)
    for problem in report.problems:
        console.print(f"[bold yellow]![/] {escape(problem)}")
    if not report.stored:
        console.print(
            "No accounts connected. Example: lead connect mastodon --server URL --token T"
        )
