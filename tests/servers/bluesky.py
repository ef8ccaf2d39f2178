"""A fake Bluesky PDS speaking the XRPC methods the atproto client calls for us.

Methods: com.atproto.server.createSession / refreshSession, app.bsky.actor.getProfile,
com.atproto.identity.resolveHandle, com.atproto.repo.createRecord / getRecord / listRecords,
app.bsky.notification.listNotifications (newest first, `cursor` pages older).
Errors are XRPC-shaped (`{"error", "message"}`); 429 carries ratelimit-* headers.

Record keys as the reference PDS treats them: a client may choose `rkey`; it must fit the
record-key syntax, and a post's (app.bsky.feed.post keys are TIDs) must be a TID, else 400
InvalidRequest. A key already taken in the collection is refused: the repository's tree
throws "There is already a value at key", which the XRPC server answers as 500
InternalServerError. listRecords lists by record key, highest first.

Seeds, in process (`app.notify(...)`) or ``POST /_control/notify`` with
``{"reason": "reply"|"mention"|"like"|"repost"|"quote"|"follow", "from": "ana.example.com",
"subject": "<at:// uri of our post>", "text": "..."}``.

Run from another process: ``python -m tests.servers.bluesky --port 0``.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import re
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.servers.base import App, Reply, Request, main

HANDLE = "lead.example.com"
PASSWORD = "abcd-efgh-ijkl-mnop"
_TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
_TID = re.compile(r"[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}")
_RECORD_KEY = re.compile(r"[A-Za-z0-9._:~-]{1,512}")


def _b64(data: dict[str, Any]) -> str:
    raw = json.dumps(data).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _did(handle: str) -> str:
    digest = base64.b32encode(hashlib.sha256(handle.encode()).digest()).decode().lower()
    return "did:plc:" + digest[:24]


def _cid(content: str) -> str:
    digest = base64.b32encode(hashlib.sha256(content.encode()).digest()).decode().lower()
    return "bafyrei" + digest.rstrip("=")[:52]


class BlueskyApp(App):
    def __init__(self) -> None:
        super().__init__()
        self.did = _did(HANDLE)
        self.sessions_created = 0
        self.access_tokens: set[str] = set()
        self.refresh_tokens: set[str] = set()
        self.records: list[dict[str, Any]] = []  # our repo's posts, oldest first
        self.notifications: list[dict[str, Any]] = []  # oldest first
        self._clock = datetime.now(UTC)
        self._counter = itertools.count(1)
        for nsid, handler in {
            "com.atproto.server.createSession": self._create_session,
            "com.atproto.server.refreshSession": self._refresh_session,
            "com.atproto.repo.createRecord": self._create_record,
        }.items():
            self.route("POST", f"/xrpc/{nsid}", handler)
        for nsid, handler in {
            "app.bsky.actor.getProfile": self._get_profile,
            "com.atproto.identity.resolveHandle": self._resolve_handle,
            "com.atproto.repo.listRecords": self._list_records,
            "com.atproto.repo.getRecord": self._get_record,
            "app.bsky.notification.listNotifications": self._list_notifications,
        }.items():
            self.route("GET", f"/xrpc/{nsid}", handler)

    def _tick(self) -> str:
        # Strictly increasing timestamps, as the AppView's indexedAt is.
        with self.lock:
            self._clock = max(datetime.now(UTC), self._clock + timedelta(microseconds=1000))
            return self._clock.isoformat(timespec="milliseconds").replace("+00:00", "Z")

    def _tid(self) -> str:
        micros = int(time.time() * 1_000_000) + next(self._counter)
        value = (micros << 10) | 7
        chars = []
        for _ in range(13):
            chars.append(_TID_ALPHABET[value & 31])
            value >>= 5
        return "".join(reversed(chars))

    def _tokens(self) -> dict[str, Any]:
        now = int(time.time())
        header = _b64({"typ": "at+jwt", "alg": "ES256K"})
        serial = next(self._counter)
        access = _b64({"scope": "com.atproto.appPass", "sub": self.did, "iat": now,
                       "exp": now + 7200, "jti": f"a{serial}"})  # fmt: skip
        refresh = _b64({"scope": "com.atproto.refresh", "sub": self.did, "iat": now,
                        "exp": now + 86400 * 60, "jti": f"r{serial}"})  # fmt: skip
        access_jwt = f"{header}.{access}.c2lnbmF0dXJl"
        refresh_jwt = f"{header}.{refresh}.c2lnbmF0dXJl"
        self.access_tokens.add(access_jwt)
        self.refresh_tokens.add(refresh_jwt)
        return {
            "accessJwt": access_jwt,
            "refreshJwt": refresh_jwt,
            "handle": HANDLE,
            "did": self.did,
            "active": True,
        }

    def _profile(self, handle: str) -> dict[str, Any]:
        return {"did": _did(handle), "handle": handle, "displayName": handle.split(".")[0].title()}

    def own_posts(self) -> list[dict[str, Any]]:
        with self.lock:
            return list(self.records)

    def notify(
        self, reason: str, sender: str, subject: str | None = None, text: str = ""
    ) -> dict[str, Any]:
        """Seed a notification for the owner, as if `sender` acted on our post `subject`."""
        with self.lock:
            author = self._profile(sender)
            created = self._tick()
            target = next((r for r in self.records if r["uri"] == subject), None)
            ref = {"uri": target["uri"], "cid": target["cid"]} if target else None
            collection = "app.bsky.feed.post"
            record: dict[str, Any] = {"$type": collection, "text": text, "createdAt": created}
            if reason == "reply" and ref:
                record["reply"] = {"root": ref, "parent": ref}
            elif reason == "quote" and ref:
                record["embed"] = {"$type": "app.bsky.embed.record", "record": ref}
            elif reason in ("like", "repost"):
                collection = f"app.bsky.feed.{reason}"
                record = {"$type": collection, "subject": ref, "createdAt": created}
            elif reason == "follow":
                collection = "app.bsky.graph.follow"
                record = {"$type": collection, "subject": self.did, "createdAt": created}
            uri = f"at://{author['did']}/{collection}/{self._tid()}"
            notification: dict[str, Any] = {
                "uri": uri,
                "cid": _cid(uri),
                "author": author,
                "reason": reason,
                "record": record,
                "isRead": False,
                "indexedAt": created,
                "labels": [],
                "seq": len(self.notifications) + 1,
            }
            if reason in ("like", "repost", "quote") and subject:
                notification["reasonSubject"] = subject
            self.notifications.append(notification)
            return notification

    def state(self) -> dict[str, Any]:
        posts = [
            {
                "uri": r["uri"],
                "text": r["value"]["text"],
                "key": r["value"].get("takethelead.idempotencyKey"),
            }
            for r in self.own_posts()
        ]
        return {"posts": posts, "sessions_created": self.sessions_created}

    def control(self, name: str, request: Request) -> Reply:
        if name == "notify" and request.method == "POST":
            seed = request.form()
            made = self.notify(
                str(seed["reason"]), str(seed["from"]), seed.get("subject"), seed.get("text", "")
            )
            return Reply.json(200, {"uri": made["uri"]})
        return super().control(name, request)

    # XRPC answers.
    def _error(self, status: int, error: str, message: str) -> Reply:
        return Reply.json(status, {"error": error, "message": message})

    def rate_limited(self, seconds: float, window: float | None = None) -> Reply:
        reset = int(time.time() + (seconds if window is None else window))
        headers = {
            "ratelimit-limit": "5000",
            "ratelimit-remaining": "0",
            "ratelimit-reset": str(reset),
            "ratelimit-policy": "5000;w=3600",
        }
        if window is not None:
            headers["Retry-After"] = str(int(seconds))
        reply = self._error(429, "RateLimitExceeded", "Rate Limit Exceeded")
        reply.headers.update(headers)
        return reply

    def unauthorized(self) -> Reply:
        return self._error(401, "AuthenticationRequired", "Token has been revoked")

    def not_found(self) -> Reply:
        return self._error(501, "MethodNotImplemented", "Method Not Implemented")

    def _authorised(self, request: Request, tokens: set[str]) -> bool:
        header = request.headers.get("authorization", "")
        return header.startswith("Bearer ") and header[7:] in tokens

    def _create_session(self, request: Request, _: dict[str, str]) -> Reply:
        form = request.form()
        if form.get("identifier") not in (HANDLE, self.did) or form.get("password") != PASSWORD:
            return self._error(401, "AuthenticationRequired", "Invalid identifier or password")
        with self.lock:
            self.sessions_created += 1
            return Reply.json(200, self._tokens())

    def _refresh_session(self, request: Request, _: dict[str, str]) -> Reply:
        if not self._authorised(request, self.refresh_tokens):
            return self._error(400, "ExpiredToken", "Token has expired")
        with self.lock:
            return Reply.json(200, self._tokens())

    def _get_profile(self, request: Request, _: dict[str, str]) -> Reply:
        if not self._authorised(request, self.access_tokens):
            return self.unauthorized()
        actor = request.arg("actor") or ""
        profile = self._profile(HANDLE if actor == self.did else actor)
        return Reply.json(200, {**profile, "followersCount": 0, "followsCount": 0})

    def _resolve_handle(self, request: Request, _: dict[str, str]) -> Reply:
        handle = request.arg("handle") or ""
        if not handle.endswith(".example.com"):
            return self._error(400, "InvalidRequest", "Unable to resolve handle")
        return Reply.json(200, {"did": _did(handle)})

    def _create_record(self, request: Request, _: dict[str, str]) -> Reply:
        if not self._authorised(request, self.access_tokens):
            return self.unauthorized()
        form = request.form()
        record = form.get("record") or {}
        if form.get("repo") not in (self.did, HANDLE):
            return self._error(400, "InvalidRequest", "Could not find repo")
        text = str(record.get("text", ""))
        if len(text.encode("utf-8")) > 3000:
            message = "Invalid app.bsky.feed.post record: Record/text must not be longer than 3000"
            return self._error(400, "InvalidRecord", message)
        chosen = form.get("rkey")
        collection = str(form["collection"])
        if chosen is not None:
            valid = _RECORD_KEY.fullmatch(str(chosen)) and chosen not in (".", "..")
            if not valid or (collection == "app.bsky.feed.post" and not _TID.fullmatch(chosen)):
                return self._error(400, "InvalidRequest", f"Invalid record key: {chosen}")
        with self.lock:
            rkey = str(chosen or self._tid())
            uri = f"at://{self.did}/{collection}/{rkey}"
            if any(r["uri"] == uri for r in self.records):
                return self._error(500, "InternalServerError", "Internal Server Error")
            cid = _cid(uri + text)
            self.records.append({"uri": uri, "cid": cid, "value": record})
            return Reply.json(
                200, {"uri": uri, "cid": cid, "validationStatus": "valid",
                      "commit": {"cid": _cid(cid), "rev": self._tid()}},
            )  # fmt: skip

    def _list_records(self, request: Request, _: dict[str, str]) -> Reply:
        if request.arg("repo") not in (self.did, HANDLE):
            return self._error(400, "InvalidRequest", "Could not find repo")
        collection = request.arg("collection")
        limit = min(int(request.arg("limit") or 50), 100)
        cursor = request.arg("cursor")
        with self.lock:
            records = [r for r in self.records if f"/{collection}/" in r["uri"]]
        records.sort(key=lambda r: r["uri"].rsplit("/", 1)[1], reverse=True)
        if cursor:
            records = [r for r in records if r["uri"].rsplit("/", 1)[1] < cursor]
        page = records[:limit]
        body: dict[str, Any] = {"records": page}
        if len(records) > limit:
            body["cursor"] = page[-1]["uri"].rsplit("/", 1)[1]
        return Reply.json(200, body)

    def _get_record(self, request: Request, _: dict[str, str]) -> Reply:
        if request.arg("repo") not in (self.did, HANDLE):
            return self._error(400, "InvalidRequest", "Could not find repo")
        uri = f"at://{self.did}/{request.arg('collection')}/{request.arg('rkey')}"
        with self.lock:
            found = next((r for r in self.records if r["uri"] == uri), None)
        if found is None:
            return self._error(400, "RecordNotFound", f"Could not locate record: {uri}")
        return Reply.json(200, found)

    def _list_notifications(self, request: Request, _: dict[str, str]) -> Reply:
        if not self._authorised(request, self.access_tokens):
            return self.unauthorized()
        limit = min(int(request.arg("limit") or 50), 100)
        cursor = request.arg("cursor")
        with self.lock:
            items = list(reversed(self.notifications))
        if cursor:
            items = [n for n in items if n["seq"] < int(cursor)]
        page = items[:limit]
        body: dict[str, Any] = {
            "notifications": [{k: v for k, v in n.items() if k != "seq"} for n in page]
        }
        if len(items) > limit:
            body["cursor"] = str(page[-1]["seq"])
        return Reply.json(200, body)


if __name__ == "__main__":
    main(BlueskyApp, "A fake Bluesky PDS for tests")
