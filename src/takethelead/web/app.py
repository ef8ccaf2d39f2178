"""The web application: HTML pages, the JSON API under /api, and static files."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from anyio import to_thread
from fastapi import FastAPI
from starlette.staticfiles import StaticFiles

from takethelead.config import Settings
from takethelead.services.core.store import Store
from takethelead.web import errors
from takethelead.web.api import router as api_router
from takethelead.web.limits import UploadLimit
from takethelead.web.pages import router as pages_router
from takethelead.web.sessions import SessionMiddleware, Signer, secret_key
from takethelead.web.templating import make_templates

STATIC = Path(__file__).parent / "static"


def create_app(settings: Settings, *, secure_cookies: bool = False) -> FastAPI:
    """The whole app for these settings; cookies get the Secure flag over https or when asked."""
    store = Store.open(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Routes are synchronous (the database drivers are): they run on this many threads.
        # More threads than cores only fight over the GIL; each query that lets it go then
        # waits for it again, and throughput falls as clients are added.
        to_thread.current_default_thread_limiter().total_tokens = settings.web_threads
        yield
        store.close()

    app = FastAPI(
        lifespan=lifespan,
        title="Take the Lead",
        summary="People, networks, interactions and the weekly plan of one workspace.",
        version="1",
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        swagger_ui_oauth2_redirect_url="/api/docs/oauth2-redirect",
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.store = store
    app.state.templates = make_templates()
    app.add_middleware(
        SessionMiddleware, signer=Signer(secret_key(settings)), always_secure=secure_cookies
    )
    app.add_middleware(UploadLimit)  # counts upload bodies as they stream in
    errors.install(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(api_router, prefix="/api")
    app.include_router(pages_router)
    return app


def app_from_environment() -> FastAPI:
    """For `uvicorn --factory` with several workers: settings from the environment."""
    return create_app(Settings.from_env())
