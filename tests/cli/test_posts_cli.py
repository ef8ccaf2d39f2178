"""`lead post`, `queue`, `slots`, `connect`, `publish --once` and `sync` from the terminal."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import cast

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from takethelead.cli.app import app
from takethelead.services.core.store import Store
from takethelead.storage.tables import ConnectorAccount, Delivery, Post

_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from tests.servers.base import RunningServer  # noqa: E402
from tests.servers.mastodon import TOKEN, MastodonApp  # noqa: E402

runner = CliRunner()


def lead(env: dict[str, str | None], *args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env=env)
    return result.exit_code, result.output


@pytest.fixture
def mastodon() -> Iterator[RunningServer]:
    server = RunningServer(MastodonApp())
    yield server
    server.stop()


def _count(store: Store, model: type[Post] | type[Delivery]) -> int:
    with store.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_connect_post_publish_and_queue_end_to_end(
    cli_env: dict[str, str | None], store: Store, mastodon: RunningServer
) -> None:
    code, out = lead(
        cli_env, "connect", "mastodon", "--server", mastodon.url, "--token", TOKEN,
        "--allow-private",
    )  # fmt: skip
    assert code == 0, out
    assert "Connected mastodon account" in out
    code, out = lead(cli_env, "post", "Hello from the terminal", "--to", "mastodon,linkedin")
    assert code == 0, out
    assert "Scheduled post #1" in out
    code, out = lead(cli_env, "publish", "--once")
    assert code == 0, out
    assert "sent 1" in out
    code, out = lead(cli_env, "queue", "--json")
    queue = json.loads(out)
    states = {d["network"]: d["state"] for d in queue["deliveries"]}
    assert states == {"mastodon": "sent", "linkedin": "queued"}
    assert len(mastodon.app.state()["posts"]) == 1
    code, out = lead(cli_env, "post", "done", "1", "linkedin")
    assert code == 0, out


def test_a_post_too_long_for_a_network_exits_1_with_one_line_and_writes_nothing(
    cli_env: dict[str, str | None], store: Store
) -> None:
    code, out = lead(cli_env, "post", "x" * 281, "--to", "linkedin,x")
    assert code == 1
    assert out.strip().splitlines() == [
        "error: x: The post is 281 weighted characters long; X allows 280 (1 too many)."
    ]
    assert _count(store, Post) == 0


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("post", "Hi", "--to", "myspace"), "--to 'myspace'"),
        (("post", "Hi", "--to", "linkedin", "--at", "someday 25:00"), "--at"),
        (("post", "Hi", "--to", "linkedin", "--every", "weekly"), "--every"),
        (("post", "Hi", "--to", "linkedin", "--variant", "bluesky"), "--variant"),
        (("post", "Hi"), "--to"),
        (("slots", "linkedin", "mon-fri 9h"), "slots"),
        (("connect", "mastodon", "--token", "t"), "--server"),
        (("connect", "bluesky", "--app-password", "p"), "--handle"),
    ],
)
def test_bad_input_names_the_field_and_exits_1(
    cli_env: dict[str, str | None], store: Store, args: tuple[str, ...], field: str
) -> None:
    code, out = lead(cli_env, *args)
    assert code == 1
    assert len(out.strip().splitlines()) == 1
    assert field in out
    assert _count(store, Post) == 0


def test_slots_then_next_slot_then_edit_and_cancel(
    cli_env: dict[str, str | None], store: Store
) -> None:
    code, out = lead(cli_env, "slots", "linkedin", "mon-sun 09:00,13:00")
    assert code == 0, out
    code, out = lead(cli_env, "slots", "--json")
    assert json.loads(out)["linkedin"][:2] == ["mon 09:00", "mon 13:00"]
    code, out = lead(
        cli_env, "post", "Weekly note", "--to", "linkedin", "--next-slot", "--every", "7d",
        "--repeat", "3",
    )  # fmt: skip
    assert code == 0, out
    assert _count(store, Delivery) == 3
    code, out = lead(cli_env, "post", "edit", "1", "Weekly note, edited")
    assert code == 0, out
    assert "3 waiting" in out
    code, out = lead(cli_env, "post", "cancel", "1")
    assert code == 0, out
    code, out = lead(cli_env, "queue", "--json", "--all")
    assert {d["state"] for d in json.loads(out)["deliveries"]} == {"cancelled"}


def test_a_draft_waits_until_scheduled(cli_env: dict[str, str | None], store: Store) -> None:
    code, out = lead(cli_env, "post", "Not yet", "--to", "x", "--draft")
    assert code == 0, out
    assert _count(store, Delivery) == 0
    code, out = lead(cli_env, "post", "schedule", "1", "--at", "tomorrow 09:00")
    assert code == 0, out
    assert _count(store, Delivery) == 1


def test_reconnecting_says_so_and_keeps_one_account(
    cli_env: dict[str, str | None], store: Store, mastodon: RunningServer
) -> None:
    for _ in range(2):
        code, out = lead(
            cli_env, "connect", "mastodon", "--server", mastodon.url, "--token", TOKEN,
            "--allow-private",
        )  # fmt: skip
        assert code == 0, out
    assert "Reconnected" in out
    with store.transaction() as session:
        assert session.scalar(select(func.count()).select_from(ConnectorAccount)) == 1


def test_a_refused_token_at_connect_is_one_error_line(
    cli_env: dict[str, str | None], store: Store, mastodon: RunningServer
) -> None:
    code, out = lead(
        cli_env, "connect", "mastodon", "--server", mastodon.url, "--token", "wrong",
        "--allow-private",
    )  # fmt: skip
    assert code == 1
    assert out.startswith("error: mastodon: the network refused to connect")
    with store.transaction() as session:
        assert session.scalar(select(func.count()).select_from(ConnectorAccount)) == 0


def test_sync_reports_new_responses(
    cli_env: dict[str, str | None], store: Store, mastodon: RunningServer
) -> None:
    lead(
        cli_env, "connect", "mastodon", "--server", mastodon.url, "--token", TOKEN,
        "--allow-private",
    )  # fmt: skip
    cast(MastodonApp, mastodon.app).notify("follow", "ana@remote.example")
    code, out = lead(cli_env, "sync")
    assert code == 0, out
    assert ": 1 new" in out
