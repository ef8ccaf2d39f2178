"""The JSON API under /api, for personal API tokens (Authorization: Bearer <token>)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from fastapi.routing import APIRoute

from takethelead.web.api import (
    exchange,
    interactions,
    leads,
    networks,
    people,
    plan,
    posts,
    relationships,
    settings,
    users,
)
from takethelead.web.api.schemas import Problem, ValidationProblem
from takethelead.web.deps import body_media, content_type

router = APIRouter(
    dependencies=[Depends(content_type)],
    responses={
        401: {"model": Problem, "description": "No valid bearer token"},
        403: {"model": Problem, "description": "A read-only member tried to change something"},
        422: {"model": ValidationProblem, "description": "A field is missing or wrong"},
    },
)
# What every route that reads a body can also answer, whatever it reads.
BODY_ANSWERS: dict[int | str, dict[str, Any]] = {
    400: {"model": Problem, "description": "The body could not be read (not UTF-8, cut short)"},
    413: {"model": Problem, "description": "The body is too large (16 MiB; an import 512 MiB)"},
    415: {"model": Problem, "description": "The body is not in a format this route reads"},
}
for module in (
    people,
    networks,
    interactions,
    plan,
    exchange,
    posts,
    leads,
    relationships,
    settings,
    users,
):
    for route in module.router.routes:
        if isinstance(route, APIRoute) and body_media(route):
            for status, answer in BODY_ANSWERS.items():
                route.responses.setdefault(status, answer)
    router.include_router(module.router)
