"""JSON answers written once: routes that already hold their response models skip FastAPI's
second validation of them and hand over the bytes pydantic serialises."""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import TypeAdapter
from starlette.responses import Response


@cache
def _adapter(kind: Any) -> TypeAdapter[Any]:
    return TypeAdapter(kind)


def as_json(kind: Any, value: Any, status_code: int = 200) -> Response:
    """`value` (instances of the route's response model) as the JSON response body."""
    return Response(
        _adapter(kind).dump_json(value), status_code=status_code, media_type="application/json"
    )
