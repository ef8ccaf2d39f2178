"""The isolation table's rows for the posts routes, and what workspace A holds for them.

tests/web/test_isolation.py joins these rows to its own: every route must be named in one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from tests.web.conftest import World

# (method, path) → what to send; ids in paths come from World.ids (what seed returned).
ROUTES: dict[tuple[str, str], Callable[[World], dict[str, Any]]] = {}
# Routes the owner test must not call (they end or delete what later routes act on).
ONE_SHOT: set[tuple[str, str]] = set()


def seed(session: Session, workspace_id: int, person_id: int) -> dict[str, int]:
    """Rows of workspace A these routes name; returns the path ids, e.g. {"post_id": 3}."""
    return {}
