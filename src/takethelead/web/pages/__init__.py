"""Server-rendered pages; each module is one part of the app."""

from __future__ import annotations

from fastapi import APIRouter

from takethelead.web.pages import (
    auth,
    dashboard,
    imports,
    leads,
    networks,
    people,
    posts,
    settings,
)

router = APIRouter(include_in_schema=False)
for module in (auth, dashboard, people, posts, leads, networks, imports, settings):
    router.include_router(module.router)
