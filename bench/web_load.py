"""Web speed: every page's p95 and the read API's requests per second, from a second process.

Against `lead serve` on the 30,000-person, 1,000,000-interaction demo workspace (built once
into artifacts/web-bench and reused), with the caches the nightly rescore keeps filled.
Targets (issue: the web app and REST API): every page p95 ≤ 150 ms, read API ≥ 300
requests/s on a 2-core machine.

    .venv/bin/python bench/web_load.py [--people 30000] [--interactions 1000000]
        [--requests 60] [--seconds 10] [--workers 1]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

from takethelead.config import Settings
from takethelead.services.auth import accounts
from takethelead.services.core.store import Store
from takethelead.services.demo import build_demo
from takethelead.services.networks.tallies import TALLIES_KEY, refresh_tallies
from takethelead.services.people.ranking import COUNTS_KEY
from takethelead.services.planning import weekly as planning
from takethelead.services.relationships.fadingcache import FADING_KEY, refresh_fading
from takethelead.storage.tables import Person, Setting, Workspace

ROOT = Path(__file__).resolve().parent.parent
WORKSPACE = "bench"
EMAIL = "bench@example.org"
PASSWORD = "bench password 1234"


def prepare(data_dir: Path, people: int, interactions: int) -> tuple[str, int, str]:
    """The demo workspace with an owner and this week's plan; returns a token, a person, a word."""
    settings = Settings.from_env({"LEAD_DATA_DIR": str(data_dir), "LEAD_ENV": "development"})
    store = Store.open(settings)
    with store.transaction() as session:
        found = session.query(Workspace.id).filter(Workspace.name == WORKSPACE).scalar()
        if found is not None:
            count = session.query(Person).filter(Person.workspace_id == found).count()
            if count < people:
                found = None
    if found is None:
        started = time.perf_counter()
        print(f"building the demo: {people} people, {interactions} interactions …", flush=True)
        with store.transaction() as session:
            build_demo(session, WORKSPACE, people=people, interactions=interactions, force=True)
        print(f"  built in {time.perf_counter() - started:.0f} s", flush=True)
    with store.transaction() as session:
        ws = session.query(Workspace.id).filter(Workspace.name == WORKSPACE).scalar()
        if not any(u.email == EMAIL for u in accounts.members(session, ws)):
            accounts.add_user(session, EMAIL, PASSWORD, WORKSPACE, "owner")
        started = time.perf_counter()
        planning.plan_for_week(session, ws)
        print(f"  this week's plan ready in {time.perf_counter() - started:.2f} s", flush=True)
        # What the nightly rescore leaves behind (jobs.tasks.rescore_everything).
        tally = session.get(Setting, (ws, TALLIES_KEY))
        counted = session.get(Setting, (ws, COUNTS_KEY))
        if tally is None or '"recent"' not in tally.value or counted is None:
            started = time.perf_counter()
            refresh_tallies(session, ws)
            print(f"  interaction tallies cached in {time.perf_counter() - started:.2f} s")
        if session.get(Setting, (ws, FADING_KEY)) is None:
            started = time.perf_counter()
            refresh_fading(session, ws)
            print(f"  fading ties worked out in {time.perf_counter() - started:.2f} s")
        token = accounts.issue_token(session, EMAIL, "bench", WORKSPACE)
        person = session.query(Person.id).filter(Person.workspace_id == ws).order_by(Person.id)
        person_id = person.offset(people // 2).limit(1).scalar() or 1
        name = session.query(Person.last_name).filter(Person.id == person_id).scalar() or "a"
    store.close()
    word = re.findall(r"\w+", name)[0] if re.findall(r"\w+", name) else "a"
    return token, person_id, word


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_server(data_dir: Path, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "LEAD_DATA_DIR": str(data_dir), "LEAD_ENV": "development"}
    lead = Path(sys.executable).with_name("lead")
    command = [str(lead), "serve", "--port", str(port), "--no-access-log"]
    command += ["--workers", str(workers)]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    for _ in range(300):
        try:
            httpx.get(f"http://127.0.0.1:{port}/login", timeout=1)
            return server
        except httpx.TransportError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("lead serve did not start")


def sign_in(base: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=120)
    page = client.get("/login")
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', page.text)
    assert csrf is not None
    answer = client.post(
        "/login", data={"email": EMAIL, "password": PASSWORD, "csrf_token": csrf.group(1)}
    )
    assert answer.status_code == 303, answer.text
    return client


def page_latencies(client: httpx.Client, paths: list[str], requests: int) -> None:
    print(f"\npages: {requests} sequential requests each (after 3 warm-up requests)")
    print(f"  {'page':44} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}  target p95 ≤ 150")
    for path in paths:
        for _ in range(3):
            client.get(path)
        times = []
        for _ in range(requests):
            started = time.perf_counter()
            answer = client.get(path)
            times.append((time.perf_counter() - started) * 1000)
            assert answer.status_code == 200, (path, answer.status_code)
        times.sort()
        p95 = times[int(0.95 * (len(times) - 1))]
        verdict = "ok" if p95 <= 150 else "SLOW"
        print(
            f"  {path[:44]:44} {statistics.median(times):8.1f} {p95:8.1f} {times[-1]:8.1f}  "
            f"{verdict}",
            flush=True,
        )


def api_throughput(base: str, token: str, paths: list[str], seconds: int) -> None:
    wrk = shutil.which("wrk")
    print(f"\nread API: {'wrk' if wrk else 'httpx'} for {seconds} s each, target ≥ 300 req/s")
    for path in paths:
        if wrk:
            # uvicorn's workers share one listening socket and split the connections
            # unevenly, run to run: three runs, with more connections than workers.
            rates, p99s, failed = [], [], 0
            for _ in range(3):
                out = subprocess.run(
                    [wrk, "-t2", "-c16", f"-d{seconds}s", "--latency",
                     "-H", f"Authorization: Bearer {token}", base + path],
                    capture_output=True, text=True, check=True,
                ).stdout  # fmt: skip
                rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
                p99 = re.search(r"99%\s+(\S+)", out)
                errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
                rates.append(float(rate.group(1)) if rate else 0.0)
                p99s.append(p99.group(1) if p99 else "?")
                failed += int(errors.group(1)) if errors else 0
            print(
                f"  {path:44} {statistics.median(rates):8.0f} req/s median "
                f"({min(rates):.0f}–{max(rates):.0f})  p99 {'/'.join(p99s)}  non-2xx {failed}",
                flush=True,
            )
        else:
            headers = {"Authorization": f"Bearer {token}"}
            done = 0
            with httpx.Client(base_url=base, headers=headers) as client:
                until = time.perf_counter() + seconds
                while time.perf_counter() < until:
                    assert client.get(path).status_code == 200
                    done += 1
            print(f"  {path:44} {done / seconds:8.0f} req/s (one connection)", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=30_000)
    parser.add_argument("--interactions", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--data-dir", type=Path, default=ROOT / "artifacts" / "web-bench")
    args = parser.parse_args()
    token, person_id, word = prepare(args.data_dir, args.people, args.interactions)
    port = free_port()
    server = start_server(args.data_dir, port, args.workers)
    base = f"http://127.0.0.1:{port}"
    print("load average (1, 5, 15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    try:
        client = sign_in(base)
        page_latencies(
            client,
            [
                "/",
                "/people",
                "/people?sort=last-contact",
                "/people?sort=interactions&page=20",
                f"/people?q={word}",
                "/people?tag=client",
                "/people?sort=strength",
                "/people?show=due",
                "/people?show=fading",
                "/people?layer=1",
                f"/people/{person_id}",
                f"/paths/{person_id}",
                "/posts",
                "/posts/calendar",
                "/posts/new",
                "/leads",
                "/referrals",
                "/introductions",
                "/networks",
                "/import",
                "/settings",
            ],
            args.requests,
        )
        api_throughput(
            base,
            token,
            [
                "/api/people?limit=50",
                f"/api/people/{person_id}",
                "/api/networks",
                "/api/plan",
                "/api/queue",
                "/api/leads",
                "/api/referrals/funnel",
                "/api/due",
            ],
            args.seconds,
        )
    finally:
        server.terminate()
        server.wait(timeout=120)
        print("\nload average (1, 5, 15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
