"""The one seam for outbound HTTP: timeouts, our User-Agent, and the private-address refusal.

Every connector builds its client here. httpx is our client (Discourse, RSS, and atproto,
which accepts an httpx transport); Mastodon.py insists on a `requests.Session`, so the same
guard is offered as a requests adapter. Both check the address of every request they send,
redirects included, before a socket opens.

A host is resolved once for the check and again by the client when it connects; a DNS
answer that changes in between (rebinding) is not caught here. Connectors meant for
untrusted URLs (RSS) also refuse redirects to private addresses, because each hop is checked.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Mapping
from importlib import metadata
from urllib.parse import urlsplit

import httpx
import requests
import requests.adapters
from requests.models import PreparedRequest, Response

from takethelead.connectors.base import Rejected


def _version() -> str:
    try:
        return metadata.version("takethelead")
    except metadata.PackageNotFoundError:
        return "dev"


USER_AGENT = f"TakeTheLead/{_version()} (local-first networking assistant)"
CONNECT_SECONDS = 5.0
READ_SECONDS = 20.0
DEFAULT_TIMEOUT = httpx.Timeout(READ_SECONDS, connect=CONNECT_SECONDS)


class AddressRefused(Rejected):
    """A URL points at a private, loopback or link-local address and that was not allowed."""


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


def check_url(url: str, *, allow_private: bool) -> None:
    """Raise AddressRefused unless every address the URL's host resolves to is public."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise AddressRefused(f"Only http and https addresses can be fetched, not {url!r}.")
    if allow_private:
        return
    host = parts.hostname or ""
    try:
        infos = socket.getaddrinfo(host, parts.port or 0, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        return  # the client's own connect fails the same way and says so
    for info in infos:
        address = str(info[4][0])
        if not _is_public(address):
            raise AddressRefused(
                f"{host} resolves to {address}, a private or local address; "
                "allow private addresses to reach it."
            )


class _GuardedTransport(httpx.BaseTransport):
    def __init__(self, inner: httpx.BaseTransport, *, allow_private: bool) -> None:
        self._inner = inner
        self._allow_private = allow_private

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        check_url(str(request.url), allow_private=self._allow_private)
        return self._inner.handle_request(request)

    def close(self) -> None:
        self._inner.close()


def guarded_transport(*, allow_private: bool = False) -> httpx.BaseTransport:
    """An httpx transport that refuses private addresses, for clients built by libraries."""
    return _GuardedTransport(httpx.HTTPTransport(retries=0), allow_private=allow_private)


def http_client(
    *,
    allow_private: bool = False,
    timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
    base_url: str = "",
    headers: Mapping[str, str] | None = None,
    follow_redirects: bool = False,
) -> httpx.Client:
    """An httpx client with our timeouts and User-Agent that refuses private addresses."""
    return httpx.Client(
        transport=guarded_transport(allow_private=allow_private),
        timeout=timeout,
        base_url=base_url,
        headers={"User-Agent": USER_AGENT, **(headers or {})},
        follow_redirects=follow_redirects,
        trust_env=False,
    )


class _GuardedAdapter(requests.adapters.HTTPAdapter):
    def __init__(self, *, allow_private: bool) -> None:
        super().__init__(max_retries=0)  # a retried POST could post twice
        self._allow_private = allow_private

    def send(
        self,
        request: PreparedRequest,
        stream: bool = False,
        timeout: float | tuple[float | None, float | None] | None = None,
        verify: bool | str = True,
        cert: str | tuple[str, str] | None = None,
        proxies: dict[str, str] | None = None,
    ) -> Response:
        check_url(str(request.url), allow_private=self._allow_private)
        return super().send(request, stream, timeout, verify, cert, proxies)


def requests_session(*, allow_private: bool = False) -> requests.Session:
    """A requests session with the same guard, for Mastodon.py (which only speaks requests)."""
    session = requests.Session()
    session.trust_env = False  # no .netrc or proxy settings from the environment
    session.headers["User-Agent"] = USER_AGENT
    adapter = _GuardedAdapter(allow_private=allow_private)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session
