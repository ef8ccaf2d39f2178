"""The one HTTP seam: our User-Agent, timeouts, and the private-address refusal."""

from __future__ import annotations

import pytest

from takethelead.connectors.http import (
    USER_AGENT,
    AddressRefused,
    check_url,
    http_client,
    requests_session,
)
from tests.servers.base import RunningServer


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/feed",
        "http://localhost:8080/feed",
        "http://10.1.2.3/",
        "http://172.16.0.1/",
        "http://192.168.1.1/",
        "http://169.254.169.254/latest/meta-data/",  # cloud metadata, link-local
        "http://[::1]/",
        "http://[fe80::1]/",
        "http://[fd00::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://0.0.0.0/",
        "http://224.0.0.1/",
    ],
)
def test_private_loopback_and_link_local_addresses_are_refused(url: str) -> None:
    with pytest.raises(AddressRefused):
        check_url(url, allow_private=False)


@pytest.mark.parametrize("url", ["http://93.184.215.14/", "https://[2606:4700::1111]/"])
def test_public_addresses_pass(url: str) -> None:
    check_url(url, allow_private=False)


def test_allowing_private_addresses_lets_loopback_through() -> None:
    check_url("http://127.0.0.1:9/", allow_private=True)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/x", "gopher://x/"])
def test_only_http_and_https_are_fetched(url: str) -> None:
    with pytest.raises(AddressRefused, match="Only http and https"):
        check_url(url, allow_private=True)


def test_the_httpx_client_sends_our_user_agent(feed_server: RunningServer) -> None:
    with http_client(allow_private=True) as client:
        response = client.get(f"{feed_server.url}/rss.xml")
    assert response.request.headers["User-Agent"] == USER_AGENT


def test_the_httpx_client_refuses_loopback_by_default(feed_server: RunningServer) -> None:
    with http_client() as client, pytest.raises(AddressRefused):
        client.get(f"{feed_server.url}/rss.xml")
    assert feed_server.app.requests == []


def test_the_requests_session_refuses_loopback_by_default(feed_server: RunningServer) -> None:
    with requests_session() as session, pytest.raises(AddressRefused):
        session.get(f"{feed_server.url}/rss.xml")
    with requests_session(allow_private=True) as session:
        response = session.get(f"{feed_server.url}/rss.xml")
    assert response.status_code == 200
    assert response.request.headers["User-Agent"] == USER_AGENT
