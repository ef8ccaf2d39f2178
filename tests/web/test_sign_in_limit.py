"""The sign-in limit: five tries per address and client, however they arrive.

Attempts at the same moment (threads, processes) cannot slip past it, and a forwarded
address is believed only from a proxy named with --forwarded-allow-ips.
"""

from __future__ import annotations

import multiprocessing
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import delete
from starlette.testclient import TestClient

from takethelead.cli.serve import proxy_options
from takethelead.config import Settings
from takethelead.services.auth import accounts
from takethelead.services.core.store import Store
from takethelead.storage.tables import LoginAttempt
from tests.web.conftest import PASSWORD, World, csrf_of

WRONG = "not the password at all"
ATTEMPTS = 30


def _count(answers: list[int]) -> dict[int, int]:
    return {status: answers.count(status) for status in sorted(set(answers))}


def test_thirty_sign_ins_at_once_get_exactly_five_password_checks(
    app: FastAPI, world: World
) -> None:
    clients = [TestClient(app, follow_redirects=False) for _ in range(ATTEMPTS)]
    forms = [csrf_of(client.get("/login").text) for client in clients]
    start = threading.Barrier(ATTEMPTS)
    answers: list[int] = []

    def attempt(client: TestClient, csrf: str) -> None:
        data = {"email": "ana@example.org", "password": WRONG, "csrf_token": csrf}
        start.wait()
        answers.append(client.post("/login", data=data).status_code)

    threads = [
        threading.Thread(target=attempt, args=pair) for pair in zip(clients, forms, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert _count(answers) == {401: 5, 429: ATTEMPTS - 5}


def _attempts(settings: Settings, threads: int, at: float, results: Any) -> None:
    """One process of several: `threads` wrong sign-ins, all let go at the moment `at`."""
    store = Store.open(settings, migrate=False)
    outcomes: list[str] = []

    def attempt() -> None:
        time.sleep(max(at - time.time(), 0))
        try:
            found = accounts.authenticate(store, "ana@example.org", WRONG, "203.0.113.9")
        except accounts.RateLimited:
            outcomes.append("limited")
        else:
            outcomes.append("checked" if found is None else "signed in")

    running = [threading.Thread(target=attempt) for _ in range(threads)]
    for thread in running:
        thread.start()
    for thread in running:
        thread.join()
    store.close()
    results.put(outcomes)


@pytest.mark.slow
def test_thirty_sign_ins_from_two_processes_get_exactly_five_password_checks(
    settings: Settings, store: Store, world: World
) -> None:
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    at = time.time() + 4  # both processes started and waiting by then
    processes = [
        context.Process(target=_attempts, args=(settings, ATTEMPTS // 2, at, results))
        for _ in range(2)
    ]
    for process in processes:
        process.start()
    outcomes = results.get(timeout=120) + results.get(timeout=120)
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    assert sorted(outcomes) == ["checked"] * 5 + ["limited"] * (ATTEMPTS - 5)


def test_forwarded_headers_are_believed_only_from_named_proxies() -> None:
    assert proxy_options(None) == {"proxy_headers": False}
    assert proxy_options("") == {"proxy_headers": False}
    assert proxy_options("127.0.0.1") == {"proxy_headers": True, "forwarded_allow_ips": "127.0.0.1"}
    env = {"LEAD_DATA_DIR": "/tmp/x", "LEAD_ENV": "development"}
    assert Settings.from_env(env).forwarded_allow_ips is None
    named = Settings.from_env({**env, "LEAD_FORWARDED_ALLOW_IPS": " 10.0.0.2,10.0.0.3 "})
    assert named.forwarded_allow_ips == "10.0.0.2,10.0.0.3"


@contextmanager
def serving(settings: Settings, *options: str) -> Iterator[str]:
    """`lead serve` in a process of its own on a free port; its base URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    env = {**os.environ, "LEAD_DATA_DIR": str(settings.data_dir), "LEAD_ENV": "development",
           "DATABASE_URL": settings.database_url}  # fmt: skip
    env.pop("LEAD_FORWARDED_ALLOW_IPS", None)
    lead = Path(sys.executable).with_name("lead")
    server = subprocess.Popen(
        [str(lead), "serve", "--port", str(port), "--no-access-log", *options],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        until = time.monotonic() + 60
        while True:
            try:
                httpx.get(base + "/login", timeout=2)
                break
            except httpx.TransportError:
                assert time.monotonic() < until and server.poll() is None, "lead serve started"
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


def _sign_ins(base: str, password: str, forwarded: str) -> int:
    with httpx.Client(base_url=base) as client:
        csrf = csrf_of(client.get("/login").text)
        data = {"email": "ana@example.org", "password": password, "csrf_token": csrf}
        return client.post("/login", data=data, headers={"X-Forwarded-For": forwarded}).status_code


@pytest.mark.slow
def test_a_forwarded_address_from_loopback_does_not_escape_the_limit_by_default(
    settings: Settings, store: Store, world: World
) -> None:
    with serving(settings) as base:
        answers = [_sign_ins(base, WRONG, f"198.51.100.{n}") for n in range(1, 6)]
        assert answers == [401] * 5
        # A sixth address claimed in the header changes nothing: it is the same client.
        assert _sign_ins(base, PASSWORD, "198.51.100.77") == 429
    with store.transaction() as session:
        session.execute(delete(LoginAttempt))
    with serving(settings, "--forwarded-allow-ips", "127.0.0.1") as base:
        answers = [_sign_ins(base, WRONG, "198.51.100.1") for _ in range(5)]
        assert answers == [401] * 5
        # Behind a named proxy, the client it names is the one counted.
        assert _sign_ins(base, PASSWORD, "198.51.100.2") == 303
