"""The one HTTP seam: our User-Agent, timeouts, and the private-address refusal.

No test sends a packet off the machine: public addresses are answered by a resolver fake,
and the sockets "to" them are opened by connect fakes that record the address asked for
and connect to a server on 127.0.0.1 instead.
"""

from __future__ import annotations

import datetime
import ipaddress
import socket
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpcore
import httpx
import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from takethelead.connectors.addresses import is_global
from takethelead.connectors.http import (
    USER_AGENT,
    AddressRefused,
    UnusableURL,
    check_url,
    checked_url,
    guarded_transport,
    http_client,
    requests_session,
)
from tests.servers.base import RunningServer

PUBLIC = "93.184.216.34"


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


# Each is refused, with why; several are "global" to Python 3.11's ipaddress.
NOT_GLOBAL = [
    "100.64.0.1",  # carrier-grade NAT
    "100.100.100.200",  # carrier-grade NAT: a cloud's metadata service
    "2002:a9fe:a9fe::1",  # 6to4 around 169.254.169.254
    "64:ff9b::a9fe:a9fe",  # NAT64 around 169.254.169.254
    "64:ff9b::7f00:1",  # NAT64 around 127.0.0.1
    "64:ff9b:1::1",  # local-use NAT64
    "169.254.169.254",  # link-local: cloud metadata
    "fe80::1",  # link-local
    "fec0::1",  # site-local
    "::ffff:127.0.0.1",  # IPv4-mapped loopback
    "::ffff:100.64.0.1",  # IPv4-mapped carrier-grade NAT
    "::7f00:1",  # IPv4-compatible, reserved
    "2001::1",  # Teredo
    "10.0.0.1",
    "0.0.0.0",
    "::",
    "224.0.0.1",  # multicast
    "ff02::1",  # multicast
    "192.0.0.9",  # IETF protocol assignments
    "192.0.0.170",
    "192.88.99.1",  # 6to4 relay anycast
    "198.18.0.1",  # benchmarking
    "240.0.0.1",  # reserved
    "255.255.255.255",
    "2001:db8::1",  # documentation
]
GLOBAL = [PUBLIC, "1.1.1.1", "2606:4700::1111", "64:ff9b::5db8:d822"]  # the last: NAT64 of PUBLIC


@pytest.mark.parametrize("address", NOT_GLOBAL)
def test_every_address_that_is_not_global_is_refused(address: str) -> None:
    assert not is_global(address)
    host = f"[{address}]" if ipaddress.ip_address(address).version == 6 else address
    with pytest.raises(AddressRefused, match="private or local address"):
        check_url(f"http://{host}/", allow_private=False)
    with pytest.raises(AddressRefused, match="private or local address"):
        check_url("http://named.example/", allow_private=False, resolve=lambda h, p: [address])


@pytest.mark.parametrize("address", GLOBAL)
def test_global_addresses_pass(address: str) -> None:
    assert is_global(address)
    check_url("https://named.example/", allow_private=False, resolve=lambda h, p: [address])


@pytest.mark.parametrize("url", ["http://93.184.215.14/", "https://[2606:4700::1111]/"])
def test_public_addresses_pass(url: str) -> None:
    check_url(url, allow_private=False)


def test_a_name_with_one_private_answer_among_public_ones_is_refused() -> None:
    with pytest.raises(AddressRefused, match=r"10\.0\.0\.1"):
        check_url(
            "http://mixed.example/", allow_private=False, resolve=lambda h, p: [PUBLIC, "10.0.0.1"]
        )


def test_allowing_private_addresses_lets_loopback_through() -> None:
    check_url("http://127.0.0.1:9/", allow_private=True)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/x", "gopher://x/"])
def test_only_http_and_https_are_fetched(url: str) -> None:
    with pytest.raises(AddressRefused, match="Only http and https"):
        check_url(url, allow_private=True)


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://0177.0.0.1", "four decimal numbers"),
        ("http://0x7f.0.0.1", "four decimal numbers"),
        ("http://2130706433/", "four decimal numbers"),
        ("http://127.1/", "four decimal numbers"),
        ("http://1.2.3.4.5/", "four decimal numbers"),
        ("http://example.0x10/", "four decimal numbers"),
        ("http://", "names no server"),
        ("http://:443/", "names no server"),
        ("http://x.example:99999/", "port"),
        ("http://x.example:0/", "port"),
        ("http://x.example:http/", "port"),
        ("http://ana:secret@x.example/", "user name or password"),
        ("http://ana@x.example/", "user name or password"),
        ("http://[fe80::1%25eth0]/", "not an IPv6 address"),
        ("http://ex_ample.com/", "not a server name"),
        ("http://-x.example/", "not a server name"),
        ("http://a..example/", "not a server name"),
        ("http://bücher.example/", "xn--"),
        ("http://x.example/a b", "spaces or control"),
        ("http://x.example\n/", "spaces or control"),
        ("http://[::1/", "not a web address"),
    ],
)
def test_urls_that_do_not_plainly_name_a_server_are_refused(url: str, problem: str) -> None:
    with pytest.raises(UnusableURL, match=problem):
        checked_url(url)
    with pytest.raises(UnusableURL):
        check_url(url, allow_private=True)


@pytest.mark.parametrize(
    "url",
    [
        "https://mastodon.social",
        "http://127.0.0.1:8080/feed",
        "https://[2606:4700::1111]/",
        "https://xn--bcher-kva.example/",
        "https://forum.example.org./latest.json?page=2#top",
    ],
)
def test_plain_server_urls_pass_the_form_check(url: str) -> None:
    assert checked_url(url) == url


def test_a_client_for_a_malformed_base_url_is_refused_in_our_words() -> None:
    with pytest.raises(UnusableURL, match="four decimal numbers"):
        http_client(base_url="http://0177.0.0.1")


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


# A local server that records what reached it, optionally over TLS, optionally redirecting.


@dataclass
class Seen:
    hosts: list[str] = field(default_factory=list)  # Host headers
    paths: list[str] = field(default_factory=list)
    server_names: list[str | None] = field(default_factory=list)  # TLS SNI


class Local:
    def __init__(self, redirects: dict[str, str] | None = None, tls: ssl.SSLContext | None = None):
        self.seen = Seen()
        seen, moves = self.seen, redirects or {}

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, so a second request reuses the socket

            def do_GET(self) -> None:
                seen.hosts.append(self.headers.get("Host", ""))
                seen.paths.append(self.path)
                if self.path in moves:
                    self.send_response(302)
                    self.send_header("Location", moves[self.path])
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if tls is not None:

            def remember(sock: ssl.SSLObject, name: str | None, context: ssl.SSLContext) -> None:
                seen.server_names.append(name)

            tls.sni_callback = remember
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.port = int(self.server.server_address[1])
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def local() -> Iterator[Local]:
    server = Local(redirects={"/away": "http://internal.example/metadata"})
    yield server
    server.stop()


class Flipping:
    """A resolver that answers a public address first and loopback ever after (rebinding)."""

    def __init__(self, first: str = PUBLIC, then: str = "127.0.0.1") -> None:
        self.answers = [first]
        self.then = then
        self.calls: list[str] = []

    def __call__(self, host: str, port: int) -> list[str]:
        self.calls.append(host)
        return [self.answers.pop(0) if self.answers else self.then]


class Sockets(httpcore.NetworkBackend):
    """Connect fake for httpx: records the address asked for, connects to the local server."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.asked: list[str] = []
        self._real = httpcore.SyncBackend()

    def connect_tcp(
        self, host: str, port: int, *args: Any, **kwargs: Any
    ) -> httpcore.NetworkStream:
        self.asked.append(host)
        return self._real.connect_tcp("127.0.0.1", self.port, *args, **kwargs)


class Opener:
    """Connect fake for requests, like `Sockets`."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.asked: list[str] = []

    def __call__(self, address: tuple[str, int], timeout: Any, **kwargs: Any) -> socket.socket:
        self.asked.append(address[0])
        return socket.create_connection(("127.0.0.1", self.port), timeout=5)


def test_httpx_connects_to_the_address_it_vetted_even_when_dns_changes(local: Local) -> None:
    resolve, sockets = Flipping(), Sockets(local.port)
    transport = guarded_transport(resolve=resolve, backend=sockets)
    url = f"http://rebind.example:{local.port}"
    with httpx.Client(transport=transport) as client:
        assert client.get(f"{url}/one").text == "ok"
        assert client.get(f"{url}/two", headers={"Connection": "close"}).text == "ok"
        # The connection closed: a new one resolves again, gets 127.0.0.1, and is refused.
        with pytest.raises(AddressRefused, match=r"127\.0\.0\.1"):
            client.get(f"{url}/three")
    assert sockets.asked == [PUBLIC]
    assert resolve.calls == ["rebind.example", "rebind.example"]
    assert local.seen.hosts == [f"rebind.example:{local.port}"] * 2


def test_requests_connects_to_the_address_it_vetted_even_when_dns_changes(local: Local) -> None:
    resolve, opener = Flipping(), Opener(local.port)
    url = f"http://rebind.example:{local.port}"
    with requests_session(resolve=resolve, opener=opener) as session:
        assert session.get(f"{url}/one").text == "ok"
        assert session.get(f"{url}/two", headers={"Connection": "close"}).text == "ok"
        with pytest.raises(AddressRefused, match=r"127\.0\.0\.1"):
            session.get(f"{url}/three")
    assert opener.asked == [PUBLIC]
    assert local.seen.hosts == [f"rebind.example:{local.port}"] * 2


def internal_answers(host: str, port: int) -> list[str]:
    return {"public.example": [PUBLIC], "internal.example": ["10.0.0.1"]}[host]


def test_httpx_refuses_a_redirect_to_an_internal_address(local: Local) -> None:
    sockets = Sockets(local.port)
    transport = guarded_transport(resolve=internal_answers, backend=sockets)
    with (
        httpx.Client(transport=transport, follow_redirects=True) as client,
        pytest.raises(AddressRefused, match=r"internal\.example resolves to 10\.0\.0\.1"),
    ):
        client.get(f"http://public.example:{local.port}/away")
    assert sockets.asked == [PUBLIC]
    assert local.seen.paths == ["/away"]


def test_requests_refuses_a_redirect_to_an_internal_address(local: Local) -> None:
    opener = Opener(local.port)
    with (
        requests_session(resolve=internal_answers, opener=opener) as session,
        pytest.raises(AddressRefused, match=r"internal\.example resolves to 10\.0\.0\.1"),
    ):
        session.get(f"http://public.example:{local.port}/away")
    assert opener.asked == [PUBLIC]
    assert local.seen.paths == ["/away"]


def test_a_name_that_does_not_resolve_is_a_failed_connect_for_both_clients() -> None:
    def nowhere(host: str, port: int) -> list[str]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    with (
        httpx.Client(transport=guarded_transport(resolve=nowhere)) as client,
        pytest.raises(httpx.ConnectError, match="not known"),
    ):
        client.get("http://nowhere.example/")
    with (
        requests_session(resolve=nowhere) as session,
        pytest.raises(requests.ConnectionError, match="not known"),
    ):
        session.get("http://nowhere.example/")


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A self-signed certificate for feeds.example only (not for 127.0.0.1), key alongside."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "feeds.example")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("feeds.example")]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return folder


@pytest.fixture
def tls_server(certificate: Path) -> Iterator[Local]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificate / "cert.pem", certificate / "key.pem")
    server = Local(tls=context)
    yield server
    server.stop()


def feeds_on_loopback(host: str, port: int) -> list[str]:
    assert host == "feeds.example"
    return ["127.0.0.1"]


def test_over_tls_httpx_keeps_the_host_name_for_sni_the_certificate_and_host(
    tls_server: Local, certificate: Path
) -> None:
    trust = ssl.create_default_context(cafile=str(certificate / "cert.pem"))
    transport = guarded_transport(allow_private=True, resolve=feeds_on_loopback, verify=trust)
    with httpx.Client(transport=transport) as client:
        assert client.get(f"https://feeds.example:{tls_server.port}/rss").text == "ok"
    assert tls_server.seen.server_names == ["feeds.example"]
    assert tls_server.seen.hosts == [f"feeds.example:{tls_server.port}"]


def test_over_tls_requests_keeps_the_host_name_for_sni_the_certificate_and_host(
    tls_server: Local, certificate: Path
) -> None:
    with requests_session(allow_private=True, resolve=feeds_on_loopback) as session:
        session.verify = str(certificate / "cert.pem")
        assert session.get(f"https://feeds.example:{tls_server.port}/rss").text == "ok"
    assert tls_server.seen.server_names == ["feeds.example"]
    assert tls_server.seen.hosts == [f"feeds.example:{tls_server.port}"]
