"""Shaping interactions from export rows: stable external ids and verbatim summaries."""

from __future__ import annotations

import hashlib

# Long messages are cut here; the text up to the cut is kept verbatim.
SUMMARY_LIMIT = 500


def stable_id(*parts: str) -> str:
    """A short hash of the parts that make a record unique, identical across re-imports."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()[:32]


def summary(text: str) -> str:
    """The text itself, cut to SUMMARY_LIMIT characters with an ellipsis when longer."""
    if len(text) <= SUMMARY_LIMIT:
        return text
    return text[: SUMMARY_LIMIT - 1] + "…"
