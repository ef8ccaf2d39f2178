"""Jinja2 templates (autoescaped) and the one way pages are rendered."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Final

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import HTMLResponse

from takethelead.services.auth.access import Principal
from takethelead.web.sessions import current

TEMPLATES: Final = Path(__file__).parent / "templates"
NAV: Final = (
    ("dashboard", "/", "Plan"),
    ("people", "/people", "People"),
    ("posts", "/posts", "Posts"),
    ("leads", "/leads", "Leads"),
    ("networks", "/networks", "Networks"),
    ("import", "/import", "Import"),
    ("settings", "/settings", "Settings"),
)


ACTIVE: Final = {
    "dashboard.html": "dashboard",
    "people.html": "people",
    "person.html": "people",
    "networks.html": "networks",
    "import.html": "import",
    "settings.html": "settings",
}


def active_of(template: str) -> str | None:
    """The navigation entry a template belongs to: its folder ('posts/queue.html'), or ACTIVE."""
    folder, slash, _ = template.partition("/")
    if slash and folder != "fragments":
        return folder
    return ACTIVE.get(template)


def ago(moment: datetime | None, now: datetime | None = None) -> str:
    """'today', '3 days ago', '5 months ago' or 'never'."""
    if moment is None:
        return "never"
    days = ((now or datetime.now(UTC)) - moment).days
    if days <= 0:
        return "today"
    if days == 1:
        return "yesterday"
    if days < 60:
        return f"{days} days ago"
    if days < 730:
        return f"{days // 30} months ago"
    return f"{days // 365} years ago"


def day(value: date | datetime | None) -> str:
    return "" if value is None else f"{value:%Y-%m-%d}"


def make_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=TEMPLATES)
    env = templates.env
    env.autoescape = True  # every template, whatever its name ends with
    env.filters["ago"] = ago
    env.filters["day"] = day
    env.globals["nav"] = NAV
    return templates


def render(
    request: Request,
    template: str,
    who: Principal | None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """A page (or an htmx fragment) with the user, the CSRF token and the navigation."""
    templates: Jinja2Templates = request.app.state.templates
    context.update(
        who=who, csrf=current(request).csrf, status_code=status_code, active=active_of(template)
    )
    return templates.TemplateResponse(request, template, context, status_code=status_code)
