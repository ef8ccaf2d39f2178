"""A workspace's settings: typed keys with defaults, read and written by one module only."""

from __future__ import annotations

import ast
from pathlib import Path

from takethelead.services.core import settings
from takethelead.services.core.store import Store, workspace_id
from takethelead.storage.tables import Setting

SRC = Path(settings.__file__).parents[2]


def test_a_setting_never_set_reads_as_its_default(store: Store) -> None:
    with store.transaction() as session:
        ws = workspace_id(session, "s")
        assert settings.get(session, ws, settings.BUDGET_MINUTES) == 150
        assert (
            settings.get(session, ws, settings.PREFERRED_HOURS) == settings.DEFAULT_PREFERRED_HOURS
        )
        assert settings.get(session, ws, settings.DIGEST_EMAIL) == ""
        assert settings.get(session, ws, settings.POSTS_PER_WEEK) == 3
        assert settings.get(session, ws, settings.TALLIES) is None
        assert not settings.is_set(session, ws, settings.TALLIES)


def test_a_value_put_reads_back_and_is_stored_as_json(store: Store) -> None:
    with store.transaction() as session:
        ws = workspace_id(session, "s")
        settings.put(session, ws, settings.BUDGET_MINUTES, 45)
        settings.put(session, ws, settings.BUDGET_MINUTES, 90)  # the second replaces the first
        settings.put(session, ws, settings.FADING, {"as_of": 1, "ties": []})
        assert settings.get(session, ws, settings.BUDGET_MINUTES) == 90
        assert settings.get(session, ws, settings.FADING) == {"as_of": 1, "ties": []}
        row = session.get(Setting, (ws, "budget_minutes"))
        assert row is not None and row.value == "90"
        assert settings.workspaces_with(session, settings.FADING) == [ws]


def test_a_value_of_another_type_reads_as_the_default_and_a_number_as_text_counts(
    store: Store,
) -> None:
    with store.transaction() as session:
        ws = workspace_id(session, "s")
        session.add(Setting(workspace_id=ws, key="budget_minutes", value='"120"'))
        session.add(Setting(workspace_id=ws, key="posts_per_week", value='"5"'))
        session.add(Setting(workspace_id=ws, key="preferred_hours", value="7"))
        session.flush()
        assert settings.get(session, ws, settings.BUDGET_MINUTES) == 120
        assert settings.get(session, ws, settings.POSTS_PER_WEEK) == 3
        assert (
            settings.get(session, ws, settings.PREFERRED_HOURS) == settings.DEFAULT_PREFERRED_HOURS
        )


def test_a_cleared_setting_reads_as_its_default_again_in_that_workspace_only(store: Store) -> None:
    with store.transaction() as session:
        ws, other = workspace_id(session, "s"), workspace_id(session, "t")
        for workspace in (ws, other):
            settings.put(session, workspace, settings.TALLIES, {"upto": 1})
        settings.clear(session, ws, settings.TALLIES)
        assert settings.get(session, ws, settings.TALLIES) is None
        assert settings.get(session, other, settings.TALLIES) == {"upto": 1}
        assert settings.workspaces_with(session, settings.TALLIES) == [other]


def test_no_module_but_the_settings_module_reads_or_writes_the_setting_table() -> None:
    others = []
    for path in sorted(SRC.rglob("*.py")):
        relative = path.relative_to(SRC).as_posix()
        if (
            relative in ("services/core/settings.py", "storage/tables.py")
            or "/migrations/" in relative
        ):
            continue
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source)
        imports = any(
            isinstance(node, ast.ImportFrom)
            and node.module == "takethelead.storage.tables"
            and any(alias.name == "Setting" for alias in node.names)
            for node in ast.walk(tree)
        )
        if imports or "FROM setting" in source or "INTO setting" in source:
            others.append(relative)
    assert others == []
