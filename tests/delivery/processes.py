"""Separate processes for crash tests and benchmarks: fake networks and delivery workers."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

from takethelead.connectors.markup import html_to_text

ROOT = Path(__file__).resolve().parents[2]
_KEY_COMMENT = re.compile(r"<!-- takethelead:(\S+) -->")
NETWORKS = ("mastodon", "bluesky", "discourse")
POST_PATHS = {
    "mastodon": "/api/v1/statuses",
    "bluesky": "/xrpc/com.atproto.repo.createRecord",
    "discourse": "/posts",
}


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


class ServerProcess:
    """`python -m tests.servers.<network> --port 0`, its URL read from the first line."""

    def __init__(self, network: str) -> None:
        self.network = network
        self.process = subprocess.Popen(
            [sys.executable, "-m", f"tests.servers.{network}", "--port", "0"],
            cwd=ROOT,
            env=_env(),
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        found = re.search(r"listening on (\S+)", line)
        if not found:
            self.stop()
            raise RuntimeError(f"{network} server did not start: {line!r}")
        self.url = found.group(1)

    def control(self, name: str, payload: dict[str, Any] | None = None) -> Any:
        data = None if payload is None else json.dumps(payload).encode()
        request = urllib.request.Request(
            f"{self.url}/_control/{name}",
            data=data,
            method="GET" if payload is None else "POST",
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as answer:
            return json.loads(answer.read())

    def fault(self, kind: str, times: int = 1, seconds: float = 1.0) -> None:
        """Switch a fault on for the network's post endpoint."""
        path = POST_PATHS[self.network]
        self.control(
            "fault",
            {"kind": kind, "method": "POST", "path": path, "times": times, "seconds": seconds},
        )

    def posts(self) -> list[str]:
        """The text of every post of ours the server holds (HTML or raw as it stores it)."""
        state = self.control("state")
        return [str(p.get("content") or p.get("text") or p.get("raw")) for p in state["posts"]]

    def records(self) -> list[tuple[str, str | None, str]]:
        """Every post of ours as (remote id, the key that made it, the text people see)."""
        found: list[tuple[str, str | None, str]] = []
        for post in self.control("state")["posts"]:
            if self.network == "mastodon":
                found.append((str(post["id"]), post.get("key"), html_to_text(post["content"])))
            elif self.network == "bluesky":
                found.append((str(post["uri"]), post.get("key"), str(post["text"])))
            else:
                raw = str(post["raw"])
                key = _KEY_COMMENT.search(raw)
                text = _KEY_COMMENT.sub("", raw).strip()
                found.append((str(post["id"]), key.group(1) if key else None, text))
        return found

    def stop(self) -> None:
        self.process.kill()
        self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()


class WorkerProcess:
    """`python -m tests.delivery.worker`: loops delivery passes until killed."""

    def __init__(
        self,
        data_dir: Path,
        database_url: str,
        name: str,
        threads: int = 1,
        *,
        replay: bool = True,
    ) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable, "-m", "tests.delivery.worker",
                "--data-dir", str(data_dir), "--database-url", database_url, "--name", name,
                "--threads", str(threads), *([] if replay else ["--no-replay"]),
            ],
            cwd=ROOT,
            env=_env(),
            stdout=subprocess.DEVNULL,
        )  # fmt: skip

    def kill(self) -> None:
        """SIGKILL by pid: no cleanup, no chance to finish what it was sending."""
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait()
