"""Plain text out of the HTML that networks send back, for summaries and marker matching."""

from __future__ import annotations

import re
from html.parser import HTMLParser

_SPACES = re.compile(r"\s+")


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


def holds_marker(text: str, marker: str) -> bool:
    """Whether text contains marker, whatever the whitespace between words."""
    wanted = _SPACES.sub(" ", marker).strip()
    return bool(wanted) and wanted in _SPACES.sub(" ", text)
