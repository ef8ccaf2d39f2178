"""The JSON API under /api, for personal API tokens (Authorization: Bearer <token>)."""

from __future__ import annotations

from fastapi import APIRouter

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
from takethelead.web.api.schemas import Problem

router = APIRouter(
    responses={
        401: {"model": Problem, "description": "No valid bearer token"},
        403: {"model": Problem, "description": "A read-only member tried to change something"},
        422: {"description": "A field is missing or wrong; `detail` names it"},
    }
)
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
    router.include_router(module.router)
