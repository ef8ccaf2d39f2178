"""Plain text out of the HTML that networks send back, for summaries and reconciliation."""

from __future__ import annotations

import re
import unicodedata
from html.parser import HTMLParser

_SPACES = re.compile(r"\s+")
# "@ana@remote.example" is rendered as "@ana" by Mastodon: compare mentions without the server.
_MENTION_SERVER = re.compile(r"(?<![\w@])(@[\w.]+)@[\w-]+(?:\.[\w-]+)+")


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("br", "p", "div", "li", "blockquote"):
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_text(markup: str) -> str:
    """The visible text of an HTML fragment, with paragraphs and breaks as newlines."""
    collector = _TextCollector()
    collector.feed(markup)
    collector.close()
    return "".join(collector.parts).strip()


def comparable(text: str) -> str:
    """Text as both sides of a comparison should see it: NFC, one space, mentions short.

    Apply it to what we sent and to the visible text the network gives back (after
    `html_to_text`); equal results mean the same words, never merely contained ones.
    """
    normal = unicodedata.normalize("NFC", text)
    normal = _MENTION_SERVER.sub(r"\1", normal)
    return _SPACES.sub(" ", normal).strip()
