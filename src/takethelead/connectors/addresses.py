"""Which server addresses outbound HTTP may reach, and which URLs name a server plainly.

An address may be connected to when it is globally reachable: `ipaddress`'s `is_global`
(which refuses loopback, private, link-local, carrier-grade NAT 100.64.0.0/10, documentation
and benchmark ranges), and not multicast or reserved. Python 3.11's table misses some ranges
and newer versions disagree on others, so these are refused by us whatever the version says:

- 192.0.0.0/24 (IETF protocol assignments: 3.11 calls most of it global; 3.12.4+ calls
  192.0.0.9 and 192.0.0.10 global) and 192.88.99.0/24 (the retired 6to4 relay anycast);
- 2002::/16 (6to4: the relay would carry us to the IPv4 address embedded in it, 169.254.x.x
  included), 2001::/32 (Teredo), fec0::/10 (site-local), 64:ff9b:1::/48 (local-use NAT64),
  3fff::/20 (documentation) and 5f00::/16 (segment routing).

An IPv4-mapped IPv6 address (::ffff:a.b.c.d) and one under the NAT64 well-known prefix
(64:ff9b::a.b.c.d, which DNS64 resolvers hand out for IPv4-only servers) are judged by the
IPv4 address inside them.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable, Sequence
from urllib.parse import SplitResult, urlsplit

from takethelead.connectors.base import Rejected

# Resolves a host name and port to the IP addresses to try, in order (getaddrinfo's order).
Resolver = Callable[[str, int], Sequence[str]]

_REFUSED = tuple(
    ipaddress.ip_network(network)
    for network in (
        "192.0.0.0/24",
        "192.88.99.0/24",
        "2002::/16",
        "2001::/32",
        "fec0::/10",
        "64:ff9b:1::/48",
        "3fff::/20",
        "5f00::/16",
    )
)
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_LABEL = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")
# A host whose last label is a number is an IPv4 address to browsers and to C's inet_aton
# (0177.0.0.1, 0x7f.1, 2130706433 all mean 127.0.0.1), never a DNS name.
_NUMERIC_LABEL = re.compile(r"[0-9]+|0x[0-9a-f]*")


class AddressRefused(Rejected):
    """A URL points at a private, loopback or link-local address and that was not allowed."""


class UnusableURL(AddressRefused):
    """A URL that does not plainly name an http(s) server; the reason says which part."""


def is_global(address: str) -> bool:
    """True when an IP address (a string, IPv6 without brackets) may be connected to."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False  # a scoped address (fe80::1%eth0) or not an address at all
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        elif ip in _NAT64:
            ip = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if any(ip.version == network.version and ip in network for network in _REFUSED):
        return False
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_unspecified)


def system_resolver(host: str, port: int) -> list[str]:
    """The host's addresses from the system resolver, each once, in getaddrinfo's order."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def _literal(host: str) -> str | None:
    """The address itself when the host is an IP literal (IPv6 with or without brackets)."""
    bare = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    try:
        return str(ipaddress.ip_address(bare))
    except ValueError:
        return None


def vetted_addresses(
    host: str, port: int, *, allow_private: bool, resolve: Resolver = system_resolver
) -> list[str]:
    """Resolve a host once; the addresses to connect to, or AddressRefused if any is not global.

    One answer that is not global refuses the host: a name that resolves to a public and a
    private address is more likely a trick than a server. The resolver's OSError (a name
    that does not resolve) is left for the caller to report as a failed connect.
    """
    literal = _literal(host)
    addresses = [literal] if literal is not None else list(resolve(host, port))
    if allow_private:
        return addresses
    for address in addresses:
        if not is_global(address):
            where = f"{host} is" if literal is not None else f"{host} resolves to {address},"
            raise AddressRefused(
                f"{where} a private or local address; allow private addresses to reach it."
            )
    return addresses


def _host_problem(parts: SplitResult) -> str | None:
    """What is wrong with the URL's server part, or None."""
    netloc = parts.netloc
    if "@" in netloc:
        return "a user name or password in the address is not supported"
    try:
        port = parts.port
    except ValueError:
        return "the port must be a number from 1 to 65535"
    if port == 0 or netloc.endswith(":"):
        return "the port must be a number from 1 to 65535"
    host = parts.hostname or ""
    if not host:
        return "it names no server"
    if netloc.startswith("["):
        if "%" in host or _literal(host) is None:
            return f"{host!r} is not an IPv6 address"
        return None
    if not host.isascii():
        return f"{host!r} is not a server name (write internationalised names in their xn-- form)"
    labels = host.removesuffix(".").split(".")
    if _NUMERIC_LABEL.fullmatch(labels[-1]):
        try:
            ipaddress.IPv4Address(host)
        except ValueError:
            return f"{host!r} is not an IPv4 address: write four decimal numbers, e.g. 192.0.2.1"
        return None
    if len(host) > 253 or not all(_LABEL.fullmatch(label) for label in labels):
        return f"{host!r} is not a server name"
    return None


def checked_url(url: str) -> str:
    """The URL itself when it plainly names an http or https server; UnusableURL otherwise.

    Refused: other schemes, a user name or password, no host, a port that is not 1–65535,
    IPv4 written any way but four decimal numbers (0177.0.0.1, 0x7f.1, 2130706433), IPv6
    with a zone, host names outside DNS's letters, digits and hyphens, and control
    characters or spaces anywhere.
    """
    if any(c.isspace() or not c.isprintable() for c in url):
        raise UnusableURL(
            f"{url!r} is not a web address: it contains spaces or control characters."
        )
    try:
        parts = urlsplit(url)
    except ValueError:
        raise UnusableURL(f"{url!r} is not a web address.") from None
    if parts.scheme not in ("http", "https"):
        raise AddressRefused(f"Only http and https addresses can be fetched, not {url!r}.")
    problem = _host_problem(parts)
    if problem is not None:
        raise UnusableURL(f"{url!r} is not a usable web address: {problem}.")
    return url
