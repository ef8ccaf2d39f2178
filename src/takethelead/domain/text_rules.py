"""Post rules per network: length counted the way each network counts it, mentions and links.

Bluesky and Mastodon count user-perceived characters (extended grapheme clusters, UAX #29),
which the regex module's grapheme pattern segments.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

import regex

from takethelead.domain.records import NetworkKind

# Extended grapheme clusters (UAX #29) as the regex module segments them, from its own
# Unicode tables, which it keeps current with each release.
_GRAPHEME = regex.compile(r"\X")
# Emoji and flag halves weigh 2 on X, whatever else the cluster holds.
_X_HEAVY = regex.compile(r"[\p{Extended_Pictographic}\p{Regional_Indicator}]")


def graphemes(text: str) -> Iterator[str]:
    """Split text into user-perceived characters (extended grapheme clusters)."""
    for match in _GRAPHEME.finditer(text):
        yield match.group(0)


def grapheme_count(text: str) -> int:
    """How many user-perceived characters the text holds."""
    return len(_GRAPHEME.findall(text))


# Links and mentions, in the shapes the networks recognise.
_URL = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)
_URL_TRAILING = ".,;:!?)]}'\""
_MASTODON_MENTION = re.compile(
    r"(?<![\w/])@([a-z0-9_]+(?:[a-z0-9_.-]+[a-z0-9_])?)(@[\w.-]+\w)?", re.IGNORECASE
)
_BLUESKY_MENTION = re.compile(
    r"(?<![\w/])@((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?)",
    re.IGNORECASE,
)
_X_MENTION = re.compile(r"(?<![\w/@])@(\w{1,15})(?!@)", re.ASCII)
_FORUM_MENTION = re.compile(r"(?<![\w/])@([\w.-]*\w)")
_LINK_WEIGHT = 23  # Mastodon and X count every link as 23 characters, whatever its length


def extract_links(text: str) -> list[str]:
    """The http(s) links in the text, without trailing punctuation."""
    links = []
    for match in _URL.finditer(text):
        link = match.group(0).rstrip(_URL_TRAILING)
        if len(link) > len("https://"):
            links.append(link)
    return links


def extract_mentions(text: str, network: NetworkKind | str) -> list[str]:
    """Mentioned accounts as the network writes them: `user@server`, `handle`, `name`."""
    kind = str(network)
    if kind == NetworkKind.MASTODON:
        return [m.group(1) + (m.group(2) or "") for m in _MASTODON_MENTION.finditer(text)]
    if kind == NetworkKind.BLUESKY:
        return [m.group(1) for m in _BLUESKY_MENTION.finditer(text)]
    if kind == NetworkKind.X:
        return [m.group(1) for m in _X_MENTION.finditer(_without_links(text))]
    return [m.group(1) for m in _FORUM_MENTION.finditer(_without_links(text))]


def _without_links(text: str) -> str:
    return _URL.sub(" ", text)


def _mastodon_length(text: str) -> int:
    # Mastodon counts a link as 23 characters and a remote mention as its local part only.
    countable = _URL.sub(
        lambda m: "x" * _LINK_WEIGHT + m.group(0)[len(m.group(0).rstrip(_URL_TRAILING)) :], text
    )
    countable = _MASTODON_MENTION.sub(lambda m: "@" + m.group(1), countable)
    return grapheme_count(countable)


_X_LIGHT_RANGES = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))


def _x_length(text: str) -> int:
    # twitter-text v3: a link weighs 23, an emoji 2, Latin and common punctuation 1, the rest 2.
    total = 0
    rest = text
    for link in extract_links(text):
        before, _, rest = rest.partition(link)
        total += _x_weight(before) + _LINK_WEIGHT
    return total + _x_weight(rest)


def _x_weight(text: str) -> int:
    weight = 0
    for cluster in graphemes(unicodedata.normalize("NFC", text)):
        if _X_HEAVY.search(cluster):
            weight += 2
            continue
        for char in cluster:
            light = any(lo <= ord(char) <= hi for lo, hi in _X_LIGHT_RANGES)
            weight += 1 if light else 2
    return weight


def _utf16_length(text: str) -> int:
    # Web-based networks count JavaScript string length: UTF-16 code units (conservative).
    return len(text.encode("utf-16-le")) // 2


def _stripped_length(text: str) -> int:
    return len(text.strip())


@dataclass(frozen=True, slots=True)
class PostRules:
    """How one network measures a post and what it accepts."""

    network: str
    max_length: int
    unit: str  # the word for what is counted, for messages
    min_length: int = 0
    max_utf8_bytes: int | None = None


RULES: dict[str, PostRules] = {
    NetworkKind.BLUESKY: PostRules("Bluesky", 300, "characters", max_utf8_bytes=3000),
    NetworkKind.MASTODON: PostRules("Mastodon", 500, "characters"),
    NetworkKind.X: PostRules("X", 280, "weighted characters"),
    NetworkKind.LINKEDIN: PostRules("LinkedIn", 3000, "characters"),
    "threads": PostRules("Threads", 500, "characters"),
    "instagram": PostRules("Instagram", 2200, "characters"),
    NetworkKind.FACEBOOK: PostRules("Facebook", 63206, "characters"),
    NetworkKind.DISCOURSE: PostRules("Discourse", 32000, "characters", min_length=20),
    NetworkKind.FORUM: PostRules("Discourse", 32000, "characters", min_length=20),
}


def rules_for(network: NetworkKind | str) -> PostRules:
    """The post rules of a network; KeyError names the networks that have rules."""
    try:
        return RULES[str(network)]
    except KeyError:
        known = ", ".join(sorted(RULES))
        raise KeyError(f"no post rules for {network!r}; known: {known}") from None


def post_length(text: str, network: NetworkKind | str) -> int:
    """The length of a post as the network counts it."""
    kind = str(network)
    if kind in (NetworkKind.BLUESKY,):
        return grapheme_count(text)
    if kind == NetworkKind.MASTODON:
        return _mastodon_length(text)
    if kind == NetworkKind.X:
        return _x_length(text)
    if kind in (NetworkKind.DISCOURSE, NetworkKind.FORUM):
        return _stripped_length(text)
    rules_for(kind)  # unknown networks fail loudly
    return _utf16_length(text)


def validate(
    text: str,
    network: NetworkKind | str,
    *,
    max_length: int | None = None,
    min_length: int | None = None,
) -> list[str]:
    """Problems that would make the network refuse the post, in words; empty when it fits.

    `max_length` and `min_length` override the defaults where a server configures its own
    (a Mastodon server's `configuration.statuses.max_characters`, a forum's minimum).
    """
    rules = rules_for(network)
    limit = rules.max_length if max_length is None else max_length
    floor = rules.min_length if min_length is None else min_length
    problems: list[str] = []
    if not text.strip():
        return [f"The post is empty; {rules.network} needs some text."]
    length = post_length(text, network)
    if length > limit:
        problems.append(
            f"The post is {length} {rules.unit} long; {rules.network} allows {limit} "
            f"({length - limit} too many)."
        )
    if length < floor:
        problems.append(
            f"The post is {length} {rules.unit} long; {rules.network} needs at least {floor}."
        )
    size = len(text.encode("utf-8"))
    if rules.max_utf8_bytes is not None and size > rules.max_utf8_bytes:
        problems.append(
            f"The post takes {size} bytes; {rules.network} allows {rules.max_utf8_bytes} bytes."
        )
    return problems
