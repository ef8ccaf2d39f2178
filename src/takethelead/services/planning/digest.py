"""The weekly digest: this week's plan as Markdown, sent by e-mail over SMTP."""

from __future__ import annotations

import re
import smtplib
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Final
from urllib.parse import unquote, urlsplit

from sqlalchemy.orm import Session

from takethelead.services.core import settings
from takethelead.services.core.errors import Conflict, ServiceError
from takethelead.services.planning.weekly import PlanView, plan_for_week

SENDER: Final = "Take the Lead <lead@localhost>"
SMTP_TIMEOUT_SECONDS: Final = 15.0


@dataclass(frozen=True, slots=True)
class Digest:
    recipient: str
    subject: str
    body: str  # Markdown, which reads well as plain text too


@dataclass(frozen=True, slots=True)
class SmtpTarget:
    host: str
    port: int
    username: str | None
    password: str | None
    starttls: bool


def plan_markdown(view: PlanView) -> str:
    """The plan as Markdown: a numbered list with minutes, status and reasons."""
    lines = [
        f"# Week {view.week} (from {view.week_start:%A %d %B %Y})",
        "",
        f"{view.minutes} of {view.budget_minutes} minutes planned.",
        "",
    ]
    for item in view.items:
        mark = {"done": " ✓ done", "skipped": " — skipped"}.get(item.status, "")
        outcome = f" ({item.outcome})" if item.outcome else ""
        lines.append(
            f"{item.number}. **{_md(item.title)}** — {item.minutes} min{mark}{outcome}  \n"
            f"   {_md(item.reason)}"
        )
        if item.post_text is not None and item.status == "open":
            lines += _paste(item.post_text, item.open_url or "")
    lines += ["", _md(view.balance.sentence), ""]
    lines += [f"- {_md(notice)}" for notice in view.notices]
    return "\n".join(lines)


def _paste(text: str, url: str) -> list[str]:
    """A post's text in a code block (copied verbatim) and the page to paste it on."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    body = [f"   {line}" if line else "" for line in text.splitlines()]
    return [
        "",
        f"   {fence}text",
        *body,
        f"   {fence}",
        "",
        f"   [Open the page to post it]({url})",
    ]


def compose_digest(
    session: Session, workspace_id: int, to: str | None = None, now: datetime | None = None
) -> Digest:
    """This week's digest; `to` becomes the workspace's `digest_email` for the weekly job."""
    if to is not None:
        address = to.strip()
        if "@" not in address or " " in address or "\n" in address:
            raise ServiceError(f"to {to!r}: expected an e-mail address")
        settings.put(session, workspace_id, settings.DIGEST_EMAIL, address)
    recipient = settings.get(session, workspace_id, settings.DIGEST_EMAIL)
    if not recipient:
        raise Conflict("digest_email: not set; send once with `lead digest --to ADDRESS`")
    view = plan_for_week(session, workspace_id, now)
    subject = f"Your networking plan for week {view.week}: {view.minutes} minutes"
    return Digest(recipient=recipient, subject=subject, body=plan_markdown(view))


def parse_smtp_url(url: str | None) -> SmtpTarget:
    """smtp://[user:password@]host[:port] (port 25), or smtp+starttls://… (port 587)."""
    if not url:
        raise ServiceError("LEAD_SMTP_URL: not set; expected smtp://host:port")
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtp+starttls") or not parts.hostname:
        raise ServiceError("LEAD_SMTP_URL: expected smtp://host:port or smtp+starttls://host:port")
    starttls = parts.scheme == "smtp+starttls"
    try:
        port = parts.port or (587 if starttls else 25)
    except ValueError:
        raise ServiceError("LEAD_SMTP_URL: the port must be a number") from None
    return SmtpTarget(
        host=parts.hostname,
        port=port,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        starttls=starttls,
    )


def send_digest(digest: Digest, smtp_url: str | None, sender: str = SENDER) -> str:
    """Send the digest; returns the Message-ID. Raises ServiceError when delivery fails."""
    target = parse_smtp_url(smtp_url)
    message = EmailMessage()
    message["From"] = sender
    message["To"] = digest.recipient
    message["Subject"] = digest.subject
    message["Message-ID"] = make_msgid(domain="takethelead.local")
    message.set_content(digest.body)
    try:
        with smtplib.SMTP(target.host, target.port, timeout=SMTP_TIMEOUT_SECONDS) as smtp:
            if target.starttls:
                smtp.starttls()
            if target.username and target.password:
                smtp.login(target.username, target.password)
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        raise ServiceError(
            f"LEAD_SMTP_URL: sending to {target.host}:{target.port} failed: {exc}"
        ) from exc
    return str(message["Message-ID"])


def _md(text: str) -> str:
    """User text safe inside Markdown (no accidental emphasis, links or HTML)."""
    for char in "\\`*_[]<>#":
        text = text.replace(char, "\\" + char)
    return text


def digest_workspaces(session: Session) -> list[int]:
    """Workspaces whose owner asked for the weekly digest (a `digest_email` is set)."""
    return settings.workspaces_with(session, settings.DIGEST_EMAIL)
