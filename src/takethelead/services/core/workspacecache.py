"""A per-process cache of what is costly to build from a workspace: trust graph, match index.

Building them reads every person and tie (seconds at 30,000 people) while pages ask for them
many times between two changes. An entry is reused while all of these hold:

- no transaction of this process that wrote to `person` or `tie` has committed since the
  reading transaction began: a counter bumped by SQLAlchemy engine events, so every way of
  writing counts (ORM, Core, text) without the writers knowing of this cache;
- the tables' row counts and largest ids are what they were: read from indexes in a few
  milliseconds, they catch people and ties added or removed by another process (an import
  run from the command line while the web app serves);
- the entry was checked less than REVALIDATE seconds ago, or a fuller fingerprint (sums of
  strength and trust, the latest update) still matches: edits made by another process are
  seen within that time.

A transaction that has written anything and not committed yet never reads nor fills the
cache: what it would build may be rolled back, or differ from what others can see.
"""

from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, Final, Generic, TypeVar

from sqlalchemy import Engine, event, text
from sqlalchemy.orm import Session
from sqlalchemy.pool import Pool

WATCHED: Final = frozenset({"person", "tie"})
REVALIDATE: Final = 120.0  # seconds an entry is trusted without its full fingerprint
SIZE: Final = 8  # entries per cache: workspaces (and variants) kept built
_WRITE: Final = re.compile(
    r"^\s*(?:insert\s+(?:or\s+\w+\s+)?into|update(?:\s+or\s+\w+)?|delete\s+from)\s+[\"`]?(\w+)",
    re.IGNORECASE,
)
_WROTE: Final = "takethelead.cache.wrote"  # on a connection: uncommitted writes
_DIRTY: Final = "takethelead.cache.dirty"  # on a connection: uncommitted writes to WATCHED
_COMMITTED: Final = "takethelead.cache.committed"  # on a connection: bump again after commit
_STAMP: Final = "takethelead.cache.generation"  # on a session: the counter when it began
_SEEN: Final = "takethelead.cache.fingerprints"  # on a session: cheap fingerprints read

T = TypeVar("T")
Fingerprint = tuple[Any, ...]


class _Counter:
    """How many committed writes to WATCHED this process has seen."""

    def __init__(self) -> None:
        self.value = 0
        self.lock = threading.Lock()

    def bump(self) -> None:
        with self.lock:
            self.value += 1


_writes = _Counter()


def generation() -> int:
    """The current count of committed writes to people and ties in this process."""
    return _writes.value


def _noticed(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
    found = _WRITE.match(statement)
    if found is not None:
        conn.info[_WROTE] = True
        if found.group(1).lower() in WATCHED:
            conn.info[_DIRTY] = True


def _committing(conn: Any) -> None:
    # Bumped before the commit and once more after it (when the connection goes back to the
    # pool): a reader that began in between may have read the old rows under the first
    # bump, and the second one retires what it built.
    conn.info.pop(_WROTE, None)
    if conn.info.pop(_DIRTY, False):
        _writes.bump()
        conn.info[_COMMITTED] = True


def _rolled_back(conn: Any) -> None:
    conn.info.pop(_WROTE, None)
    conn.info.pop(_DIRTY, None)


def _checked_in(dbapi_connection: Any, record: Any) -> None:
    if record is not None and record.info.pop(_COMMITTED, False):
        _writes.bump()


def _began(conn: Any) -> None:
    if conn.info.pop(_COMMITTED, False):  # the previous transaction's commit is over
        _writes.bump()


def _session_began(session: Session, transaction: Any, connection: Any) -> None:
    session.info[_STAMP] = _writes.value
    session.info[_SEEN] = {}


event.listen(Engine, "after_cursor_execute", _noticed)
event.listen(Engine, "commit", _committing)
event.listen(Engine, "rollback", _rolled_back)
event.listen(Engine, "begin", _began)
event.listen(Pool, "checkin", _checked_in)
event.listen(Session, "after_begin", _session_began)


def _cheap(session: Session, workspace_id: int) -> Fingerprint:
    row = session.execute(
        text(
            "SELECT (SELECT count(*) FROM person WHERE workspace_id = :ws), "
            "(SELECT max(id) FROM person WHERE workspace_id = :ws), "
            "(SELECT count(*) FROM tie WHERE workspace_id = :ws), "
            "(SELECT max(id) FROM tie WHERE workspace_id = :ws)"
        ),
        {"ws": workspace_id},
    ).one()
    return tuple(row)


def _full(session: Session, workspace_id: int) -> Fingerprint:
    people = session.execute(
        text(
            "SELECT sum(strength), max(updated_at), sum(updated_at), "
            "sum(CASE WHEN distrusted THEN 1 ELSE 0 END) FROM person WHERE workspace_id = :ws"
        ),
        {"ws": workspace_id},
    ).one()
    ties = session.execute(
        text("SELECT sum(trust), sum(person_a), sum(person_b) FROM tie WHERE workspace_id = :ws"),
        {"ws": workspace_id},
    ).one()
    return (*people, *ties)


@dataclass(slots=True)
class _Entry(Generic[T]):
    value: T
    generation: int
    cheap: Fingerprint
    full: Fingerprint
    checked: float


@dataclass(frozen=True, slots=True)
class CacheStats:
    builds: int
    hits: int
    entries: int


class WorkspaceCache(Generic[T]):
    """Values built from a workspace's people and ties, rebuilt when those change."""

    def __init__(self, size: int = SIZE, clock: Callable[[], float] = time.monotonic) -> None:
        self.size = size
        self.clock = clock
        self.entries: OrderedDict[Hashable, _Entry[T]] = OrderedDict()
        self.lock = threading.Lock()
        self.building: dict[Hashable, threading.Lock] = {}
        self.builds = 0
        self.hits = 0

    def get(
        self,
        session: Session,
        workspace_id: int,
        build: Callable[[], T],
        variant: Hashable = None,
    ) -> T:
        """The value for this workspace (and variant), built again only when its data changed."""
        if session.connection().info.get(_WROTE):
            return build()  # this transaction's own writes: not for anyone else to see
        began = session.info.get(_STAMP, _writes.value)
        key = (session.connection().engine.url.render_as_string(), workspace_id, variant)
        with self.lock:
            gate = self.building.setdefault(key, threading.Lock())
        with gate:  # one build per key at a time; the others wait and reuse it
            seen = session.info.setdefault(_SEEN, {})  # once per transaction and workspace
            cheap = seen.get(workspace_id) or seen.setdefault(
                workspace_id, _cheap(session, workspace_id)
            )
            with self.lock:
                entry = self.entries.get(key)
            if entry is not None and entry.generation == began and entry.cheap == cheap:
                if self.clock() - entry.checked < REVALIDATE:
                    return self._hit(key, entry)
                if _full(session, workspace_id) == entry.full:
                    entry.checked = self.clock()
                    return self._hit(key, entry)
            full = _full(session, workspace_id)
            value = build()
            with self.lock:
                self.builds += 1
                self.entries[key] = _Entry(value, began, cheap, full, self.clock())
                self.entries.move_to_end(key)
                while len(self.entries) > self.size:
                    gone, _ = self.entries.popitem(last=False)
                    self.building.pop(gone, None)
            return value

    def _hit(self, key: Hashable, entry: _Entry[T]) -> T:
        with self.lock:
            self.hits += 1
            if key in self.entries:
                self.entries.move_to_end(key)
        return entry.value

    def stats(self) -> CacheStats:
        with self.lock:
            return CacheStats(self.builds, self.hits, len(self.entries))

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()
            self.building.clear()
