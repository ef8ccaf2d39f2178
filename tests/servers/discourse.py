"""A fake Discourse forum speaking the documented endpoints we call.

Endpoints: POST /posts.json (``raw`` with ``topic_id`` to reply, or ``title`` + ``category``
for a topic; headers Api-Key and Api-Username), GET /posts.json (latest posts, newest first,
``before=<post id>`` pages back), GET /posts/by_number/{topic_id}/{post_number}.json.
Validation answers 422 with ``errors`` (too short, title missing, too similar to a recent
post); bad credentials 403 ``invalid_access``; 429 carries Retry-After and ``wait_seconds``.

Seeds, in process (`app.add_post(...)`) or ``POST /_control/post`` with
``{"username", "topic_id", "reply_to_post_number", "raw"}``.

Run from another process: ``python -m tests.servers.discourse --port 0``.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from typing import Any

from tests.servers.base import App, Reply, Request, main

API_KEY = "discourse-test-key"
USERNAME = "lead"
MIN_POST_LENGTH = 20
MIN_TITLE_LENGTH = 15
PAGE_SIZE = 50


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _cook(raw: str) -> str:
    without_comments = re.sub(r"<!--.*?-->", "", raw, flags=re.DOTALL).strip()
    return "".join(f"<p>{html.escape(p)}</p>" for p in re.split(r"\n{2,}", without_comments))


class DiscourseApp(App):
    def __init__(self) -> None:
        super().__init__()
        self.posts: list[dict[str, Any]] = []
        self.topics: dict[int, dict[str, Any]] = {}
        self._next_post = 1000
        self._next_topic = 100
        self.route("POST", "/posts", self._create)
        self.route("GET", "/posts", self._latest)
        self.route("GET", "/posts/by_number/{topic}/{number}", self._by_number)

    def dispatch(self, request: Request) -> Reply:
        request.path = request.path.removesuffix(".json")
        return super().dispatch(request)

    def own_posts(self) -> list[dict[str, Any]]:
        with self.lock:
            return [p for p in self.posts if p["username"] == USERNAME]

    def add_post(
        self,
        username: str,
        raw: str,
        topic_id: int | None = None,
        reply_to_post_number: int | None = None,
        title: str = "",
    ) -> dict[str, Any]:
        """Store a post as `username` would write it; a new topic when no topic_id."""
        with self.lock:
            if topic_id is None:
                self._next_topic += 1
                topic_id = self._next_topic
                slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "topic"
                self.topics[topic_id] = {"id": topic_id, "title": title, "slug": slug, "posts": 0}
            topic = self.topics[topic_id]
            topic["posts"] += 1
            self._next_post += 1
            parent = self._find(topic_id, reply_to_post_number)
            post = {
                "id": self._next_post,
                "username": username,
                "name": username.title(),
                "created_at": _now(),
                "raw": raw,
                "cooked": _cook(raw),
                "post_number": topic["posts"],
                "post_type": 1,
                "topic_id": topic_id,
                "topic_slug": topic["slug"],
                "topic_title": topic["title"],
                "reply_to_post_number": reply_to_post_number,
                "reply_to_user": {"username": parent["username"]} if parent else None,
                "yours": username == USERNAME,
            }
            self.posts.append(post)
            return post

    def _find(self, topic_id: int, number: int | None) -> dict[str, Any] | None:
        for post in self.posts:
            if post["topic_id"] == topic_id and post["post_number"] == number:
                return post
        return None

    def state(self) -> dict[str, Any]:
        return {"posts": [{"id": p["id"], "raw": p["raw"]} for p in self.own_posts()]}

    def control(self, name: str, request: Request) -> Reply:
        if name == "post" and request.method == "POST":
            seed = request.form()
            made = self.add_post(
                str(seed["username"]),
                str(seed["raw"]),
                seed.get("topic_id"),
                seed.get("reply_to_post_number"),
                str(seed.get("title", "")),
            )
            return Reply.json(200, {"id": made["id"]})
        return super().control(name, request)

    # Answers.
    def _errors(self, status: int, errors: list[str], error_type: str = "") -> Reply:
        body: dict[str, Any] = {"action": "create_post", "errors": errors}
        if error_type:
            body["error_type"] = error_type
        return Reply.json(status, body)

    def rate_limited(self, seconds: float, window: float | None = None) -> Reply:
        wait = int(seconds)
        message = f"You’ve performed this action too many times. Please wait {wait} seconds."
        body = {
            "errors": [message],
            "error_type": "rate_limit",
            "extras": {"wait_seconds": wait, "time_left": f"{wait} seconds"},
        }
        return Reply.json(429, body, {"Retry-After": str(wait)})

    def unauthorized(self) -> Reply:
        message = (
            "You are not permitted to view the requested resource. "
            "The API username or key is invalid."
        )
        return self._errors(403, [message], "invalid_access")

    def not_found(self) -> Reply:
        message = "The requested URL or resource could not be found."
        return self._errors(404, [message], "not_found")

    def _create(self, request: Request, _: dict[str, str]) -> Reply:
        if request.headers.get("api-key") != API_KEY or not request.headers.get("api-username"):
            return self.unauthorized()
        username = request.headers["api-username"]
        form = request.form()
        raw = str(form.get("raw") or "")
        topic_id = int(form["topic_id"]) if form.get("topic_id") else None
        title = str(form.get("title") or "")
        problems = []
        if len(raw.strip()) < MIN_POST_LENGTH:
            problems.append(f"Body is too short (minimum is {MIN_POST_LENGTH} characters)")
        if topic_id is None and not title.strip():
            problems.append("Title can't be blank")
        elif topic_id is None and len(title.strip()) < MIN_TITLE_LENGTH:
            problems.append(f"Title is too short (minimum is {MIN_TITLE_LENGTH} characters)")
        if topic_id is not None and topic_id not in self.topics:
            return self.not_found()
        with self.lock:
            if any(p["username"] == username and p["raw"] == raw for p in self.posts[-20:]):
                problems.append("Body is too similar to what you recently posted")
            if problems:
                return self._errors(422, problems)
            reply_to = form.get("reply_to_post_number")
            post = self.add_post(
                username, raw, topic_id, int(reply_to) if reply_to else None, title
            )
        return Reply.json(200, post)

    def _latest(self, request: Request, _: dict[str, str]) -> Reply:
        before = request.arg("before")
        with self.lock:
            posts = list(reversed(self.posts))
        if before:
            posts = [p for p in posts if p["id"] < int(before)]
        return Reply.json(200, {"latest_posts": posts[:PAGE_SIZE]})

    def _by_number(self, request: Request, params: dict[str, str]) -> Reply:
        with self.lock:
            post = self._find(int(params["topic"]), int(params["number"]))
        return Reply.json(200, post) if post else self.not_found()


if __name__ == "__main__":
    main(DiscourseApp, "A fake Discourse forum for tests")
