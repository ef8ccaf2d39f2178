"""Normalising identities so that the same person from two sources becomes one key."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache
from urllib.parse import SplitResult, urlsplit

from takethelead.domain.records import IdentityKind, IdentityRecord

_SPACES = re.compile(r"\s+")
_LINKEDIN_PATH = re.compile(r"^(in|pub|company|school)/[^/\s]+/?$", re.IGNORECASE)
_LINKEDIN_URL = re.compile(
    r"^https?://(?:[a-z0-9-]+\.)*linkedin\.com/([^/?#\s:@]+)/([^/?#\s]+)/?(?:[?#]\S*)?$",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def fold(text: str) -> str:
    """Lower-case, strip accents and collapse spaces: the key for accent-insensitive search."""
    if text.isascii():  # most text: nothing to decompose
        return _SPACES.sub(" ", text.lower()).strip()
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", stripped.casefold()).strip()


def _split(url: str) -> SplitResult | None:
    """The URL's parts, or None when it cannot be a URL (urlsplit raises on a stray '[')."""
    try:
        return urlsplit(url)
    except ValueError:
        return None


def normalise_email(value: str) -> str | None:
    value = value.strip().strip("<>").strip()
    if value.lower().startswith("mailto:"):
        value = value[7:]
    value = value.lower()
    return value if _EMAIL.match(value) else None


def normalise_phone(value: str) -> str | None:
    digits = re.sub(r"[^\d+]", "", value)
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    return digits if len(digits.lstrip("+")) >= 6 else None


def normalise_linkedin(value: str) -> str | None:
    """`https://www.linkedin.com/in/Ana-Diaz/` → `in/ana-diaz`."""
    value = value.strip()
    if not value:
        return None
    if _LINKEDIN_PATH.match(value):  # already normalised: "in/ana-diaz"
        return value.strip("/").lower()
    plain = _LINKEDIN_URL.match(value)
    if plain:  # the usual export shape, without the cost of a full URL parse
        return f"{plain.group(1).lower()}/{plain.group(2).lower()}"
    if "://" not in value:
        value = "https://" + value
    parts = _split(value)
    if parts is None or not parts.netloc.lower().endswith("linkedin.com"):
        return None
    segments = [s for s in parts.path.split("/") if s]
    if len(segments) < 2:
        return None
    return f"{segments[0].lower()}/{segments[1].lower()}"


def normalise_mastodon(value: str) -> str | None:
    """`@Alice@Mastodon.social` or `https://mastodon.social/@alice` → `alice@mastodon.social`."""
    value = value.strip()
    if value.startswith("http://") or value.startswith("https://"):
        parts = _split(value)
        if parts is None:
            return None
        segments = [s for s in parts.path.split("/") if s]
        if not segments or not segments[0].startswith("@"):
            return None
        return f"{segments[0][1:].lower()}@{parts.netloc.lower()}"
    value = value.lstrip("@")
    user, _, server = value.partition("@")
    if not user or not server or "." not in server:
        return None
    return f"{user.lower()}@{server.lower()}"


def normalise_handle(value: str) -> str | None:
    value = value.strip().lstrip("@").lower()
    return value or None


_NORMALISERS: dict[IdentityKind, Callable[[str], str | None]] = {
    IdentityKind.EMAIL: normalise_email,
    IdentityKind.PHONE: normalise_phone,
    IdentityKind.LINKEDIN: normalise_linkedin,
    IdentityKind.MASTODON: normalise_mastodon,
    IdentityKind.BLUESKY: normalise_handle,
    IdentityKind.X: normalise_handle,
    IdentityKind.X_ID: lambda v: v.strip() or None,
    IdentityKind.FORUM: lambda v: v.strip().lower() or None,
    IdentityKind.WEBSITE: lambda v: v.strip().rstrip("/").lower() or None,
}


# Exports repeat the owner's and the conversation's profile URLs on every message; a small
# cache keeps that cheap while memory stays bounded.
@lru_cache(maxsize=2048)
def identity(kind: IdentityKind, raw: str) -> IdentityRecord | None:
    """A normalised identity, or None when the raw value is not one."""
    value = _NORMALISERS[kind](raw)
    if value is None:
        return None
    return IdentityRecord(kind=kind, value=value, display=raw.strip())


# Hosts whose "/@name" URLs are not fediverse accounts.
_AT_PATH_HOSTS = ("medium.com", "youtube.com", "tiktok.com", "threads.net", "threads.com")
_X_HOSTS = ("twitter.com", "x.com")
_X_RESERVED = frozenset(
    {"i", "intent", "home", "share", "search", "hashtag", "explore", "settings"}
)


def identity_from_url(raw: str) -> IdentityRecord | None:
    """The identity a profile URL stands for (LinkedIn, X, Bluesky, Mastodon), else a website."""
    text = raw.strip()
    if not text:
        return None
    parts = _split(text if "://" in text else "https://" + text)
    if parts is None:
        return identity(IdentityKind.WEBSITE, text)
    host = (parts.hostname or "").lower()
    segments = [s for s in parts.path.split("/") if s]
    bare_host = host.removeprefix("www.").removeprefix("mobile.")
    found: IdentityRecord | None = None
    if host.endswith("linkedin.com"):
        found = identity(IdentityKind.LINKEDIN, text)
    elif bare_host in _X_HOSTS and segments and segments[0].lower() not in _X_RESERVED:
        found = identity(IdentityKind.X, segments[0])
    elif bare_host == "bsky.app" and len(segments) >= 2 and segments[0] == "profile":
        found = identity(IdentityKind.BLUESKY, segments[1])
    elif (
        segments
        and segments[0].startswith("@")
        and "." in host
        and not any(host == h or host.endswith("." + h) for h in _AT_PATH_HOSTS)
    ):
        found = identity(IdentityKind.MASTODON, f"{segments[0]}@{host}")
    if found is not None:
        return IdentityRecord(kind=found.kind, value=found.value, display=text)
    return identity(IdentityKind.WEBSITE, text)
