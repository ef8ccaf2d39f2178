"""Shaping people from export rows: identity tuples and people already announced."""

from __future__ import annotations

from collections.abc import Iterable

from takethelead.domain.records import IdentityRecord, PersonRecord


def unique(candidates: Iterable[IdentityRecord | None]) -> tuple[IdentityRecord, ...]:
    """The identities that normalised, in order, each (kind, value) once."""
    seen: set[tuple[str, str]] = set()
    kept: list[IdentityRecord] = []
    for candidate in candidates:
        if candidate is None or (candidate.kind, candidate.value) in seen:
            continue
        seen.add((candidate.kind, candidate.value))
        kept.append(candidate)
    return tuple(kept)


class Announced:
    """Remembers which counterparts already got a PersonRecord, so each is yielded once.

    Memory grows with the number of distinct people, never with the number of messages.
    """

    def __init__(self) -> None:
        self._keys: set[tuple[str, str]] = set()

    def first_time(self, person: PersonRecord) -> bool:
        """True when none of this person's identities was announced before (and remember them)."""
        keys = {(i.kind.value, i.value) for i in person.identities}
        if not keys and person.full_name:
            keys = {("name", person.full_name)}
        if not keys or keys <= self._keys:
            return False
        self._keys |= keys
        return True
