"""The opened database: engine, sessions and the current workspace."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from takethelead.config import Settings
from takethelead.services.core.errors import NotFound
from takethelead.storage.database import ensure_schema, make_engine, session_factory
from takethelead.storage.files import private_dir
from takethelead.storage.tables import Workspace

DEFAULT_WORKSPACE = "default"


@dataclass(slots=True)
class Store:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]

    @classmethod
    def open(cls, settings: Settings, migrate: bool = True) -> Store:
        """Open the database named by the settings, creating and migrating it on first use."""
        if settings.is_sqlite or settings.data_dir.exists():
            private_dir(settings.data_dir)  # key files, the queue and lead.db live here
        engine = make_engine(settings.database_url)
        if migrate:
            ensure_schema(engine)
        return cls(settings=settings, engine=engine, sessions=session_factory(engine))

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back on any error."""
        with self.sessions() as session, session.begin():
            yield session

    def close(self) -> None:
        self.engine.dispose()


def workspace_id(session: Session, name: str, create: bool = True) -> int:
    """The id of the named workspace, created on first use when `create` is true."""
    found = session.scalar(select(Workspace.id).where(Workspace.name == name))
    if found is not None:
        return found
    if not create:
        raise NotFound(f"no workspace named {name!r}")
    workspace = Workspace(name=name, is_demo=False)
    session.add(workspace)
    session.flush()
    return workspace.id
