"""What every command needs: settings, the opened store and the workspace."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, is_dataclass
from datetime import date, datetime
from functools import wraps
from typing import Any, NoReturn, ParamSpec, TypeVar

import typer
from rich.console import Console
from sqlalchemy.orm import Session

from takethelead.config import Settings, SettingsError
from takethelead.domain.records import ParseError
from takethelead.services.core.errors import Ambiguous, ServiceError
from takethelead.services.core.store import DEFAULT_WORKSPACE, Store, workspace_id

console = Console()
errors = Console(stderr=True)

P = ParamSpec("P")
R = TypeVar("R")


@dataclass(slots=True)
class State:
    workspace: str = DEFAULT_WORKSPACE
    settings: Settings | None = None
    store: Store | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def reset(self, workspace: str | None) -> None:
        """Start a command afresh (tests run many commands in one process)."""
        if self.store is not None:
            self.store.close()
        self.store = None
        self.settings = None
        self.workspace = workspace or DEFAULT_WORKSPACE
        self.extra.pop("workspace", None)
        if workspace:
            self.extra["workspace"] = workspace

    def open(self) -> Store:
        if self.store is None:
            self.settings = self.settings or Settings.from_env()
            self.store = Store.open(self.settings)
        return self.store

    @contextmanager
    def transaction(self) -> Iterator[tuple[Session, int]]:
        """A session in one transaction, with the id of the chosen workspace."""
        with self.open().transaction() as session:
            yield session, workspace_id(session, self.workspace)


STATE = State()


def fail(message: str, code: int = 1) -> NoReturn:
    errors.print(f"[bold red]error:[/] {message}", highlight=False, markup=True)
    raise typer.Exit(code)


def friendly(command: Callable[P, R]) -> Callable[P, R]:
    """Turn the errors a user can fix into one clear line and a non-zero exit status."""

    @wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except Ambiguous as exc:
            fail(str(exc) + " — name them by #id")
        except (ServiceError, ParseError, SettingsError) as exc:
            fail(escape(str(exc)))

    return wrapper


def escape(text: str) -> str:
    """Text from the user's data, safe to print through Rich markup."""
    return text.replace("[", "\\[")


def _plain(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return {k: _plain(v) for k, v in asdict(value).items()}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def print_json(value: Any) -> None:
    """Machine-readable output: dataclasses, dates and tuples become plain JSON."""
    sys.stdout.write(json.dumps(_plain(value), ensure_ascii=False, indent=2) + "\n")


def ago(moment: datetime | None, now: datetime | None = None) -> str:
    if moment is None:
        return "never"
    now = now or datetime.now(moment.tzinfo)
    days = (now - moment).days
    if days <= 0:
        return "today"
    if days == 1:
        return "yesterday"
    if days < 60:
        return f"{days} days ago"
    if days < 730:
        return f"{days // 30} months ago"
    return f"{days // 365} years ago"
