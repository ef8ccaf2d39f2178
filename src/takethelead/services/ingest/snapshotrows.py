"""Rows of an export's table: read and checked against the table and its keys; old settings."""

from __future__ import annotations

from typing import Any, Final

from sqlalchemy import Integer, Table, UniqueConstraint

from takethelead.services.ingest import snapshot

Row = dict[str, Any]
# Settings older exports carry for a plan: its balance and its {action id: delivery id}.
# Both are columns now; an import leaves them out, and such a plan counts its balance live.
_LEGACY_PLAN_KEYS: Final = ("plan-balance:", "plan-posts:")


class RowError(ValueError):
    """A row of an export does not fit its table; the message names table, row and column."""


def surrogate_id(table: Table) -> bool:
    """Whether the table's key is a generated whole number `id` (remapped on import)."""
    keys = list(table.primary_key.columns)
    return len(keys) == 1 and keys[0].name == "id" and isinstance(keys[0].type, Integer)


def _uniques(table: Table) -> list[tuple[str, ...]]:
    return sorted(
        tuple(c.name for c in constraint.columns)
        for constraint in table.constraints
        if isinstance(constraint, UniqueConstraint)
    )


def match_key(table: Table) -> tuple[str, ...] | None:
    """The columns that say a row is already here: a natural primary key, else a unique
    key (one tied to the workspace or a parent row first), else None (every column)."""
    if not surrogate_id(table):
        return tuple(c.name for c in table.primary_key.columns)
    references = {fk.parent.name for fk in table.foreign_keys} | {"workspace_id"}
    uniques = _uniques(table)
    scoped = [u for u in uniques if references & set(u)]
    chosen = scoped or uniques
    return chosen[0] if chosen else None


def global_unique(table: Table) -> list[str]:
    """Columns unique in the whole database although the table is keyed by workspace."""
    if "workspace_id" not in table.c:
        return []
    references = {fk.parent.name for fk in table.foreign_keys} | {"workspace_id"}
    return [u[0] for u in _uniques(table) if len(u) == 1 and u[0] not in references]


def decoded(table: Table, block: object) -> list[Row]:
    """An export's block for a table as rows of column values; RowError when malformed."""
    if block is None:
        return []
    if not isinstance(block, dict) or not isinstance(block.get("columns"), list):
        raise RowError(f'{table.name}: expected {{"columns": [...], "rows": [...]}}')
    columns = block["columns"]
    _check_columns(table, columns)
    raw_rows = block.get("rows")
    if not isinstance(raw_rows, list):
        raise RowError(f"{table.name}: expected a list of rows")
    types = [table.c[c].type for c in columns]
    rows: list[Row] = []
    for number, raw in enumerate(raw_rows, start=1):
        if not isinstance(raw, list) or len(raw) != len(columns):
            raise RowError(f"{table.name}: row {number}: expected {len(columns)} values")
        row: Row = {}
        for name, kind, value in zip(columns, types, raw, strict=True):
            try:
                row[name] = snapshot.decode(kind, value)
            except ValueError as exc:
                raise RowError(f"{table.name}: row {number}, {name}: {exc}") from None
            if value is None and not table.c[name].nullable:
                raise RowError(f"{table.name}: row {number}, {name}: expected a value")
        rows.append(row)
    return rows


def _check_columns(table: Table, columns: list[Any]) -> None:
    """Every column named is the table's, once; every column without a default is there."""
    unknown = [c for c in columns if not isinstance(c, str) or c not in table.c]
    if unknown or "workspace_id" in columns or len(set(columns)) != len(columns):
        raise RowError(f"{table.name}: columns {unknown or columns} are not this table's")
    for column in table.columns:
        needed = not (
            column.nullable
            or column.default is not None
            or column.server_default is not None
            or (column.primary_key and surrogate_id(table))
            or column.name == "workspace_id"
            or f"{table.name}.{column.name}" in snapshot.SECRET_COLUMNS
        )
        if needed and column.name not in columns:
            raise RowError(f"{table.name}: column {column.name} is missing")
    if surrogate_id(table) and "id" not in columns:
        raise RowError(f"{table.name}: column id is missing")


def remap_setting(row: Row) -> Row | None:
    """A setting as it is imported here; None for one that is not kept in settings any more."""
    if str(row["key"]).startswith(_LEGACY_PLAN_KEYS):
        return None
    return row
