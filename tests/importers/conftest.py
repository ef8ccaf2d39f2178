"""Helpers for parser tests: run a parser on a fixture and sort what it yields."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from takethelead.domain.records import (
    InteractionRecord,
    OwnerHints,
    ParsedItem,
    PersonRecord,
    SkippedRecord,
)
from takethelead.importers import FORMATS

FIXTURES = Path(__file__).parent / "fixtures"


@dataclass(frozen=True)
class Parsed:
    items: list[ParsedItem]

    @property
    def people(self) -> list[PersonRecord]:
        return [i for i in self.items if isinstance(i, PersonRecord)]

    @property
    def interactions(self) -> list[InteractionRecord]:
        return [i for i in self.items if isinstance(i, InteractionRecord)]

    @property
    def skipped(self) -> list[SkippedRecord]:
        return [i for i in self.items if isinstance(i, SkippedRecord)]

    def person(self, full_name: str) -> PersonRecord:
        return next(p for p in self.people if p.full_name == full_name)

    def identities(self) -> set[tuple[str, str]]:
        return {(i.kind.value, i.value) for p in self.people for i in p.identities}


Run = Callable[..., Parsed]


def run(key: str, path: Path, owner: OwnerHints | None = None) -> Parsed:
    """Parse a file with the parser registered under `key`."""
    return Parsed(list(FORMATS[key](path, owner or OwnerHints())))


@pytest.fixture
def parse_fixture() -> Run:
    """Parse a file under tests/importers/fixtures with the named format."""

    def parse(key: str, name: str, owner: OwnerHints | None = None) -> Parsed:
        return run(key, FIXTURES / name, owner)

    return parse
