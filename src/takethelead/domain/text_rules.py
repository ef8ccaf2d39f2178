"""Post rules per network: length counted the way each network counts it, mentions and links.

Bluesky and Mastodon count user-perceived characters (extended grapheme clusters, UAX #29);
neither the standard library nor our dependencies segment graphemes, so a compact rule set
lives here. It implements every rule of UAX #29 except GB9c (Indic conjunct clusters), which
only ever makes our count larger than the network's, never smaller: a post we accept is
never rejected by the network for its length.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from takethelead.domain.records import NetworkKind


class _Break(enum.Enum):
    CR = enum.auto()
    LF = enum.auto()
    CONTROL = enum.auto()
    EXTEND = enum.auto()
    ZWJ = enum.auto()
    REGIONAL_INDICATOR = enum.auto()
    PREPEND = enum.auto()
    SPACING_MARK = enum.auto()
    L = enum.auto()
    V = enum.auto()
    T = enum.auto()
    LV = enum.auto()
    LVT = enum.auto()
    PICTOGRAPHIC = enum.auto()
    OTHER = enum.auto()


# Extended_Pictographic (emoji-data.txt), merged into ranges.
_PICTOGRAPHIC = (
    (0x00A9, 0x00A9), (0x00AE, 0x00AE), (0x203C, 0x203C), (0x2049, 0x2049),
    (0x2122, 0x2122), (0x2139, 0x2139), (0x2194, 0x2199), (0x21A9, 0x21AA),
    (0x231A, 0x231B), (0x2328, 0x2328), (0x2388, 0x2388), (0x23CF, 0x23CF),
    (0x23E9, 0x23F3), (0x23F8, 0x23FA), (0x24C2, 0x24C2), (0x25AA, 0x25AB),
    (0x25B6, 0x25B6), (0x25C0, 0x25C0), (0x25FB, 0x25FE), (0x2600, 0x2605),
    (0x2607, 0x2612), (0x2614, 0x2685), (0x2690, 0x2705), (0x2708, 0x2712),
    (0x2714, 0x2714), (0x2716, 0x2716), (0x271D, 0x271D), (0x2721, 0x2721),
    (0x2728, 0x2728), (0x2733, 0x2734), (0x2744, 0x2744), (0x2747, 0x2747),
    (0x274C, 0x274C), (0x274E, 0x274E), (0x2753, 0x2755), (0x2757, 0x2757),
    (0x2763, 0x2767), (0x2795, 0x2797), (0x27A1, 0x27A1), (0x27B0, 0x27B0),
    (0x27BF, 0x27BF), (0x2934, 0x2935), (0x2B05, 0x2B07), (0x2B1B, 0x2B1C),
    (0x2B50, 0x2B50), (0x2B55, 0x2B55), (0x3030, 0x3030), (0x303D, 0x303D),
    (0x3297, 0x3297), (0x3299, 0x3299), (0x1F000, 0x1F0FF), (0x1F10D, 0x1F10F),
    (0x1F12F, 0x1F12F), (0x1F16C, 0x1F171), (0x1F17E, 0x1F17F), (0x1F18E, 0x1F18E),
    (0x1F191, 0x1F19A), (0x1F1AD, 0x1F1E5), (0x1F201, 0x1F20F), (0x1F21A, 0x1F21A),
    (0x1F22F, 0x1F22F), (0x1F232, 0x1F23A), (0x1F23C, 0x1F23F), (0x1F249, 0x1F3FA),
    (0x1F400, 0x1F53D), (0x1F546, 0x1F64F), (0x1F680, 0x1F6FF), (0x1F774, 0x1F77F),
    (0x1F7D5, 0x1F7FF), (0x1F80C, 0x1F80F), (0x1F848, 0x1F84F), (0x1F85A, 0x1F85F),
    (0x1F888, 0x1F88F), (0x1F8AE, 0x1F8FF), (0x1F90C, 0x1F93A), (0x1F93C, 0x1F945),
    (0x1F947, 0x1FAFF), (0x1FC00, 0x1FFFD),
)  # fmt: skip

# Prepend: format characters that attach to what follows (Arabic number signs and the like).
_PREPEND = frozenset(
    [
        *range(0x0600, 0x0606),
        *(0x06DD, 0x070F, 0x0890, 0x0891, 0x08E2, 0x0D4E, 0x110BD, 0x110CD),
        *(0x111C2, 0x111C3, 0x1193F, 0x11941, 0x11A3A, *range(0x11A84, 0x11A8A), 0x11D46),
    ]
)
# Grapheme_Extend code points that unicodedata's categories do not give as Mn/Me.
_EXTRA_EXTEND = frozenset(
    [0x200C, 0xFF9E, 0xFF9F, *range(0x1F3FB, 0x1F400), *range(0xE0020, 0xE0080)]
)
# Spacing marks (Mc) that are Grapheme_Extend, and two Lo vowels that are SpacingMark.
_MC_EXTEND = frozenset([0x09BE, 0x09D7, 0x0B3E, 0x0B57, 0x0BBE, 0x0BD7, 0x0CC2, 0x0CD5, 0x0CD6])
_MC_EXTEND_MORE = frozenset([0x0D3E, 0x0D57, 0x0DCF, 0x0DDF, 0x1D165, 0x1D16E, 0x1D16F])
_LO_SPACING = frozenset([0x0E33, 0x0EB3])


def _is_pictographic(cp: int) -> bool:
    lo, hi = 0, len(_PICTOGRAPHIC) - 1
    while lo <= hi:
        mid = (lo + hi) // 2
        start, end = _PICTOGRAPHIC[mid]
        if cp < start:
            hi = mid - 1
        elif cp > end:
            lo = mid + 1
        else:
            return True
    return False


@lru_cache(maxsize=4096)
def _break_class(char: str) -> _Break:
    cp = ord(char)
    if cp == 0x0D:
        return _Break.CR
    if cp == 0x0A:
        return _Break.LF
    if cp == 0x200D:
        return _Break.ZWJ
    if cp in _EXTRA_EXTEND or cp in _MC_EXTEND or cp in _MC_EXTEND_MORE:
        return _Break.EXTEND
    if cp in _PREPEND:
        return _Break.PREPEND
    if 0x1F1E6 <= cp <= 0x1F1FF:
        return _Break.REGIONAL_INDICATOR
    if 0x1100 <= cp <= 0x115F or 0xA960 <= cp <= 0xA97C:
        return _Break.L
    if 0x1160 <= cp <= 0x11A7 or 0xD7B0 <= cp <= 0xD7C6:
        return _Break.V
    if 0x11A8 <= cp <= 0x11FF or 0xD7CB <= cp <= 0xD7FB:
        return _Break.T
    if 0xAC00 <= cp <= 0xD7A3:
        return _Break.LV if (cp - 0xAC00) % 28 == 0 else _Break.LVT
    if cp in _LO_SPACING:
        return _Break.SPACING_MARK
    category = unicodedata.category(char)
    if category in ("Mn", "Me"):
        return _Break.EXTEND
    if category == "Mc":
        return _Break.SPACING_MARK
    if category in ("Cc", "Cf", "Zl", "Zp"):
        return _Break.CONTROL
    if _is_pictographic(cp):
        return _Break.PICTOGRAPHIC
    return _Break.OTHER


_HANGUL_AFTER_L = frozenset([_Break.L, _Break.V, _Break.LV, _Break.LVT])
_CONTROLS = frozenset([_Break.CR, _Break.LF, _Break.CONTROL])


def _joins(prev: _Break, cur: _Break, emoji_zwj: bool, odd_regional: bool) -> bool:
    """Whether no grapheme boundary lies between two characters (UAX #29, GB3 to GB13)."""
    if prev is _Break.CR and cur is _Break.LF:
        return True
    if prev in _CONTROLS or cur in _CONTROLS:
        return False
    if prev is _Break.L and cur in _HANGUL_AFTER_L:
        return True
    if prev in (_Break.LV, _Break.V) and cur in (_Break.V, _Break.T):
        return True
    if prev in (_Break.LVT, _Break.T) and cur is _Break.T:
        return True
    if cur in (_Break.EXTEND, _Break.ZWJ, _Break.SPACING_MARK) or prev is _Break.PREPEND:
        return True
    if prev is _Break.ZWJ and cur is _Break.PICTOGRAPHIC and emoji_zwj:
        return True
    return prev is _Break.REGIONAL_INDICATOR and cur is _Break.REGIONAL_INDICATOR and odd_regional


def graphemes(text: str) -> Iterator[str]:
    """Split text into user-perceived characters (extended grapheme clusters)."""
    if not text:
        return
    start = 0
    prev = _break_class(text[0])
    # GB11 state: inside "Pictographic Extend*", and whether a ZWJ ends it.
    in_emoji = prev is _Break.PICTOGRAPHIC
    emoji_zwj = False
    regional_run = 1 if prev is _Break.REGIONAL_INDICATOR else 0
    for index in range(1, len(text)):
        cur = _break_class(text[index])
        if not _joins(prev, cur, emoji_zwj, regional_run % 2 == 1):
            yield text[start:index]
            start = index
        emoji_zwj = in_emoji and cur is _Break.ZWJ
        if cur is _Break.PICTOGRAPHIC:
            in_emoji = True
        elif cur is not _Break.EXTEND:
            in_emoji = False
        regional_run = regional_run + 1 if cur is _Break.REGIONAL_INDICATOR else 0
        prev = cur
    yield text[start:]


def grapheme_count(text: str) -> int:
    """How many user-perceived characters the text holds."""
    return sum(1 for _ in graphemes(text))


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


def _link_placeholder(match: re.Match[str]) -> str:
    link = match.group(0)
    trailing = link[len(link.rstrip(_URL_TRAILING)) :]
    return "x" * _LINK_WEIGHT + trailing


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
        classes = {_break_class(c) for c in cluster}
        if _Break.PICTOGRAPHIC in classes or _Break.REGIONAL_INDICATOR in classes:
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
