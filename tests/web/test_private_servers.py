"""Connecting an account on a private address: refused unless the instance allows it."""

from __future__ import annotations

import dataclasses
import html

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from starlette.testclient import TestClient
from typer.testing import CliRunner

from takethelead.cli.app import app as cli
from takethelead.config import Settings, SettingsError
from takethelead.services.core.store import Store
from takethelead.storage.tables import ConnectorAccount
from takethelead.web.app import create_app
from tests.servers.base import RunningServer
from tests.servers.fixtures import mastodon_server
from tests.servers.mastodon import TOKEN
from tests.web.conftest import World, csrf_of, sign_in

__all__ = ["mastodon_server"]


def accounts(store: Store) -> int:
    with store.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(ConnectorAccount)) or 0)


def test_by_default_neither_the_page_nor_the_api_connects_to_a_private_server(
    settings: Settings, store: Store, world: World, mastodon_server: RunningServer
) -> None:
    before = accounts(store)
    strict = create_app(dataclasses.replace(settings, private_servers=False))
    try:
        api = TestClient(strict, headers={"Authorization": f"Bearer {world.tokens['ana']}"})
        answer = api.post(
            "/api/accounts",
            json={"network": "mastodon", "url": mastodon_server.url, "secret": TOKEN,
                  "allow_private": True},
        )  # fmt: skip
        assert answer.status_code == 422
        assert "LEAD_PRIVATE_SERVERS=allow" in answer.text
        ana = sign_in(strict, "ana@example.org")
        csrf = csrf_of(ana.get("/posts/accounts").text)
        page = ana.post(
            "/posts/accounts",
            data={"csrf_token": csrf, "network": "mastodon", "url": mastodon_server.url,
                  "secret": TOKEN, "allow_private": "true"},
        )  # fmt: skip
        assert "LEAD_PRIVATE_SERVERS=allow" in page.text
        # Without the box ticked, the address itself is refused by the connector's check.
        plain = api.post(
            "/api/accounts",
            json={"network": "mastodon", "url": mastodon_server.url, "secret": TOKEN},
        )
        assert plain.status_code == 422
    finally:
        strict.state.store.close()
    assert accounts(store) == before
    permissive = create_app(dataclasses.replace(settings, private_servers=True))
    try:
        allowed = TestClient(permissive, headers={"Authorization": f"Bearer {world.tokens['ana']}"})
        answer = allowed.post(
            "/api/accounts",
            json={"network": "mastodon", "url": mastodon_server.url, "secret": TOKEN,
                  "allow_private": True},
        )  # fmt: skip
        assert answer.status_code == 201, answer.text
    finally:
        permissive.state.store.close()
    assert accounts(store) == before + 1


def test_the_setting_reads_allow_or_deny_and_nothing_else(tmp_path: object) -> None:
    base = {"LEAD_DATA_DIR": "/tmp/x"}
    assert not Settings.from_env(base).private_servers
    assert Settings.from_env({**base, "LEAD_PRIVATE_SERVERS": "allow"}).private_servers
    assert not Settings.from_env({**base, "LEAD_PRIVATE_SERVERS": "deny"}).private_servers
    with pytest.raises(SettingsError, match="LEAD_PRIVATE_SERVERS: expected allow or deny"):
        Settings.from_env({**base, "LEAD_PRIVATE_SERVERS": "yes"})


def test_web_threads_are_a_small_whole_number() -> None:
    base = {"LEAD_DATA_DIR": "/tmp/x"}
    assert Settings.from_env(base).web_threads == 2
    assert Settings.from_env({**base, "LEAD_WEB_THREADS": "6"}).web_threads == 6
    for bad in ("0", "many", "65"):
        with pytest.raises(SettingsError, match="LEAD_WEB_THREADS: expected a whole number"):
            Settings.from_env({**base, "LEAD_WEB_THREADS": bad})


MALFORMED = [
    ("http://0177.0.0.1", "four decimal numbers"),  # octal: 127.0.0.1 to inet_aton
    ("http://0x7f.0.0.1", "four decimal numbers"),
    ("http://2130706433", "four decimal numbers"),
    ("http://ana:secret@forum.example", "user name or password"),
    ("http://forum.example:99999", "expected a web address"),
    ("http://:8080", "expected a web address"),
]


@pytest.mark.parametrize(("url", "said"), MALFORMED)
@pytest.mark.parametrize(
    ("network", "handle"), [("discourse", "ana"), ("bluesky", "ana.example"), ("mastodon", "")]
)
def test_a_malformed_server_address_is_a_422_with_a_sentence_on_every_network(
    app: FastAPI, world: World, network: str, handle: str, url: str, said: str
) -> None:
    api = TestClient(
        app,
        headers={"Authorization": f"Bearer {world.tokens['ana']}"},
        raise_server_exceptions=False,
    )
    answer = api.post(
        "/api/accounts",
        json={"network": network, "url": url, "secret": "s3cret", "handle": handle,
              "allow_private": True},
    )  # fmt: skip
    assert answer.status_code == 422, answer.text
    # The API's schema or the service's check refuses it, either way in a sentence.
    assert "expected a web address" in answer.json()["detail"][0]["msg"]


@pytest.mark.parametrize(("url", "said"), MALFORMED)
def test_a_malformed_server_address_on_the_accounts_page_is_explained(
    app: FastAPI, world: World, url: str, said: str
) -> None:
    ana = sign_in(app, "ana@example.org")
    csrf = csrf_of(ana.get("/posts/accounts").text)
    page = ana.post(
        "/posts/accounts",
        data={"csrf_token": csrf, "network": "discourse", "url": url, "secret": "s3cret",
              "handle": "ana", "allow_private": "true"},
    )  # fmt: skip
    assert page.status_code < 500
    assert said in html.unescape(page.text)


@pytest.mark.parametrize(("url", "said"), MALFORMED[:4])
def test_lead_connect_explains_a_malformed_server_address(
    cli_env: dict[str, str | None], store: Store, url: str, said: str
) -> None:
    result = CliRunner().invoke(
        cli, ["connect", "discourse", "--url", url, "--api-key", "k", "--user", "ana"], env=cli_env
    )
    assert result.exit_code == 1
    assert "--url: expected a web address" in result.output
    assert said in " ".join(result.output.split())  # Rich wraps long lines
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert accounts(store) == 0
