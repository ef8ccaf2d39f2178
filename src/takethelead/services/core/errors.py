"""Errors that services raise for the user to read."""

from __future__ import annotations


class ServiceError(Exception):
    """Something the user asked cannot be done; the message says why and what to do."""


class NotFound(ServiceError):
    """A named thing does not exist in this workspace."""


class Conflict(ServiceError):
    """The request is sound but the thing's present state refuses it (already done, exists)."""


class Ambiguous(ServiceError):
    """A name matches several people; `candidates` lists them best first."""

    def __init__(self, message: str, candidates: list[tuple[int, str]]) -> None:
        super().__init__(message)
        self.candidates = candidates
