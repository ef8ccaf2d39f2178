"""A fake Mastodon server speaking the documented REST endpoints we call.

Endpoints: GET /api/v1/instance and /api/v2/instance (configuration.statuses.max_characters),
GET /api/v1/accounts/verify_credentials, POST /api/v1/statuses (Idempotency-Key honoured per
token: the same key returns the same status), GET /api/v1/accounts/:id/statuses,
GET /api/v1/notifications (types[], since_id, min_id, max_id, limit; Link headers), with
X-RateLimit-Limit/-Remaining/-Reset on every answer.

Seeds, in process (`app.notify(...)`) or over HTTP: ``POST /_control/notify`` with
``{"type": "mention"|"favourite"|"reblog"|"follow", "from": "alice@remote.example",
"status_id": "<our status>", "text": "..."}``; a mention with ``status_id`` is a reply to it.

Run from another process: ``python -m tests.servers.mastodon --port 0`` prints its URL.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.servers.base import App, Reply, Request, main

TOKEN = "mastodon-test-token"
OWNER = "lead"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _key(item_id: str) -> tuple[int, str]:
    return (len(item_id), item_id)  # numeric ids compare by length, then digits


class MastodonApp(App):
    def __init__(self, max_characters: int = 500, domain: str = "social.example") -> None:
        super().__init__()
        self.max_characters = max_characters
        self.domain = domain
        self.token = TOKEN
        self.statuses: dict[str, dict[str, Any]] = {}
        self.notifications: list[dict[str, Any]] = []
        self.idempotency: dict[tuple[str, str], str] = {}
        self.accounts: dict[str, dict[str, Any]] = {}
        self._next_id = 109_000_000_000_000_000
        self.remaining = 300
        self.me = self._account(OWNER)
        self.route("GET", "/api/v1/instance", self._instance_v1)
        self.route("GET", "/api/v2/instance", self._instance_v2)
        self.route("GET", "/api/v1/accounts/verify_credentials", self._verify)
        self.route("GET", "/api/v1/accounts/{id}/statuses", self._account_statuses)
        self.route("POST", "/api/v1/statuses", self._post_status)
        self.route("GET", "/api/v1/notifications", self._notifications)

    # State and seeds.
    def new_id(self) -> str:
        with self.lock:
            self._next_id += 1
            return str(self._next_id)

    def _account(self, acct: str) -> dict[str, Any]:
        if acct in self.accounts:
            return self.accounts[acct]
        username, _, server = acct.partition("@")
        account_id = self.new_id()
        account = {
            "id": account_id,
            "username": username,
            "acct": acct,
            "display_name": username.title(),
            "url": f"https://{server or self.domain}/@{username}",
            "created_at": _now(),
            "locked": False,
            "bot": False,
            "note": "",
            "avatar": "",
            "header": "",
            "followers_count": 0,
            "following_count": 0,
            "statuses_count": 0,
            "emojis": [],
            "fields": [],
        }
        self.accounts[acct] = account
        return account

    def own_statuses(self) -> list[dict[str, Any]]:
        with self.lock:
            return [s for s in self.statuses.values() if s["account"]["id"] == self.me["id"]]

    def _status(self, account: dict[str, Any], text: str, reply_to: str | None) -> dict[str, Any]:
        status_id = self.new_id()
        parent = self.statuses.get(reply_to or "")
        status: dict[str, Any] = {
            "id": status_id,
            "uri": f"https://{self.domain}/users/{account['username']}/statuses/{status_id}",
            "url": f"https://{self.domain}/@{account['username']}/{status_id}",
            "created_at": _now(),
            "account": account,
            "content": _to_html(text),
            "visibility": "public",
            "sensitive": False,
            "spoiler_text": "",
            "in_reply_to_id": parent["id"] if parent else None,
            "in_reply_to_account_id": parent["account"]["id"] if parent else None,
            "reblog": None,
            "media_attachments": [],
            "mentions": [],
            "tags": [],
            "emojis": [],
            "replies_count": 0,
            "reblogs_count": 0,
            "favourites_count": 0,
        }
        self.statuses[status_id] = status
        return status

    def notify(
        self, type: str, sender: str, status_id: str | None = None, text: str = ""
    ) -> dict[str, Any]:
        """Seed a notification for the owner, as if `sender` acted."""
        with self.lock:
            account = self._account(sender)
            status: dict[str, Any] | None = None
            if type == "mention":
                status = self._status(account, f"@{OWNER} {text}", status_id)
            elif type in ("favourite", "reblog") and status_id is not None:
                status = self.statuses[status_id]
            notification = {
                "id": self.new_id(),
                "type": type,
                "created_at": _now(),
                "account": account,
                "status": status,
            }
            self.notifications.append(notification)
            return notification

    def state(self) -> dict[str, Any]:
        with self.lock:
            own = self.own_statuses()
            made_by = {status_id: key for (_token, key), status_id in self.idempotency.items()}
            return {
                "posts": [
                    {"id": s["id"], "content": s["content"], "key": made_by.get(s["id"])}
                    for s in own
                ]
            }

    def control(self, name: str, request: Request) -> Reply:
        if name == "notify" and request.method == "POST":
            seed = request.form()
            made = self.notify(
                str(seed["type"]), str(seed["from"]), seed.get("status_id"), seed.get("text", "")
            )
            return Reply.json(200, {"id": made["id"]})
        return super().control(name, request)

    # Answers.
    def dispatch(self, request: Request) -> Reply:
        reply = super().dispatch(request)
        with self.lock:
            self.remaining = max(0, self.remaining - 1)
            reply.headers.update(self._limit_headers(self.remaining))
        return reply

    def _limit_headers(self, remaining: int, seconds: float = 300) -> dict[str, str]:
        reset = datetime.now(UTC) + timedelta(seconds=seconds)
        return {
            "X-RateLimit-Limit": "300",
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": reset.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        }

    def rate_limited(self, seconds: float, window: float | None = None) -> Reply:
        headers = self._limit_headers(0, seconds if window is None else window)
        if window is not None:
            headers["Retry-After"] = str(int(seconds))
        return Reply.json(429, {"error": "Too many requests"}, headers)

    def unauthorized(self) -> Reply:
        return Reply.json(401, {"error": "The access token was revoked"})

    def _authorised(self, request: Request) -> bool:
        return request.headers.get("authorization") == f"Bearer {self.token}"

    def _instance_v1(self, request: Request, _: dict[str, str]) -> Reply:
        return Reply.json(
            200,
            {
                "uri": self.domain,
                "title": "Social Example",
                "version": "4.2.10",
                "configuration": {
                    "statuses": {
                        "max_characters": self.max_characters,
                        "max_media_attachments": 4,
                        "characters_reserved_per_url": 23,
                    }
                },
            },
        )

    def _instance_v2(self, request: Request, _: dict[str, str]) -> Reply:
        return Reply.json(
            200,
            {
                "domain": self.domain,
                "title": "Social Example",
                "version": "4.2.10",
                "source_url": "https://github.com/mastodon/mastodon",
                "configuration": {
                    "urls": {},
                    "statuses": {
                        "max_characters": self.max_characters,
                        "max_media_attachments": 4,
                        "characters_reserved_per_url": 23,
                    },
                },
            },
        )

    def _verify(self, request: Request, _: dict[str, str]) -> Reply:
        if not self._authorised(request):
            return self.unauthorized()
        return Reply.json(200, self.me)

    def _post_status(self, request: Request, _: dict[str, str]) -> Reply:
        if not self._authorised(request):
            return self.unauthorized()
        form = request.form()
        text = str(form.get("status") or "")
        key = request.headers.get("idempotency-key")
        with self.lock:
            if key and (self.token, key) in self.idempotency:
                return Reply.json(200, self.statuses[self.idempotency[(self.token, key)]])
            if not text.strip():
                return Reply.json(422, {"error": "Validation failed: Text can't be blank"})
            if len(text) > self.max_characters:
                message = (
                    f"Validation failed: Text character limit of {self.max_characters} exceeded"
                )
                return Reply.json(422, {"error": message})
            status = self._status(self.me, text, form.get("in_reply_to_id"))
            if key:
                self.idempotency[(self.token, key)] = status["id"]
            return Reply.json(200, status)

    def _account_statuses(self, request: Request, params: dict[str, str]) -> Reply:
        if not self._authorised(request):
            return self.unauthorized()
        with self.lock:
            items = [s for s in self.statuses.values() if s["account"]["id"] == params["id"]]
        return self._page(request, items, "/api/v1/accounts/" + params["id"] + "/statuses", 20)

    def _notifications(self, request: Request, _: dict[str, str]) -> Reply:
        if not self._authorised(request):
            return self.unauthorized()
        types = request.args("types")
        excluded = request.args("exclude_types")
        with self.lock:
            items = [
                n
                for n in self.notifications
                if (not types or n["type"] in types) and n["type"] not in excluded
            ]
        return self._page(request, items, "/api/v1/notifications", 40)

    def _page(
        self, request: Request, items: list[dict[str, Any]], path: str, default: int
    ) -> Reply:
        """Mastodon's id paging: newest first; min_id pages forward from an id, max_id back."""
        limit = min(int(request.arg("limit") or default), 2 * default)
        max_id, since_id, min_id = (request.arg(n) for n in ("max_id", "since_id", "min_id"))
        chosen = sorted(items, key=lambda i: _key(i["id"]), reverse=True)
        if max_id:
            chosen = [i for i in chosen if _key(i["id"]) < _key(max_id)]
        if since_id:
            chosen = [i for i in chosen if _key(i["id"]) > _key(since_id)]
        if min_id:
            chosen = [i for i in chosen if _key(i["id"]) > _key(min_id)][-limit:]
        else:
            chosen = chosen[:limit]
        headers = {}
        if chosen:
            base = request.base_url + path
            headers["Link"] = (
                f'<{base}?max_id={chosen[-1]["id"]}>; rel="next", '
                f'<{base}?min_id={chosen[0]["id"]}>; rel="prev"'
            )
        return Reply.json(200, chosen, headers)


def _to_html(text: str) -> str:
    # Mastodon renders plain text as paragraphs, with links split into visible parts.
    paragraphs = []
    for block in re.split(r"\n{2,}", text):
        escaped = html.escape(block).replace("\n", "<br />")
        escaped = re.sub(
            r"https?://[^\s<]+",
            lambda m: (
                f'<a href="{m.group(0)}" rel="nofollow noopener noreferrer" '
                f'target="_blank"><span class="invisible">{m.group(0)[:8]}</span>'
                f'<span class="">{m.group(0)[8:]}</span></a>'
            ),
            escaped,
        )
        paragraphs.append(f"<p>{escaped}</p>")
    return "".join(paragraphs)


if __name__ == "__main__":
    main(MastodonApp, "A fake Mastodon server for tests")
