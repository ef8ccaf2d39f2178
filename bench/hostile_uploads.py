"""Hostile uploads: the peak memory of a real `lead serve` under zip bombs and oversized bodies.

Starts `lead serve` on a fresh SQLite data dir, then sends, one after the other: a 3.5 GiB
member of NUL bytes zipped to 3.5 MB (the report's bomb), the same bomb inside another zip,
1,500 members of 1 MiB each, a body declaring 600 MiB, and a 700 MiB chunked body, each to
the import page and to the API. After each it prints the answer, the server's peak resident
memory so far (VmHWM) and what was left in its temp folder. Target: peak under 300 MB. About 1 min.

    .venv/bin/python bench/hostile_uploads.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.web.hostile import (  # noqa: E402  (the repository root is put on the path first)
    MIB,
    Server,
    multipart_of_zeros,
    raw_post,
    serving,
    write_bomb,
    write_many,
    write_nested,
)

TARGET_MB = 300


def upload(server: Server, route: str, path: Path) -> str:
    with path.open("rb") as handle:
        files = {"file": (path.name, handle, "application/zip")}
        if route == "/api/import":
            headers = {"Authorization": f"Bearer {server.token}"}
            answer = httpx.post(f"{server.base}{route}", files=files, headers=headers, timeout=300)
        else:
            client = server.signed_in()
            try:
                answer = client.post(route, files=files)
            finally:
                client.close()
    return str(answer.status_code)


def declared(server: Server, route: str) -> str:
    headers = {
        "Content-Type": "multipart/form-data; boundary=hostile",
        "Content-Length": str(600 * MIB),
        "Authorization": f"Bearer {server.token}",
    }
    answer = raw_post(server.port, route, headers, iter(()))
    return f"{answer.status} after {answer.sent >> 20} MiB sent"


def chunked(server: Server, route: str) -> str:
    headers = {
        "Content-Type": "multipart/form-data; boundary=hostile",
        "Authorization": f"Bearer {server.token}",
    }
    answer = raw_post(server.port, route, headers, multipart_of_zeros(700 * MIB), chunked=True)
    return f"{answer.status} after {answer.sent >> 20} MiB sent"


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="lead-bench-") as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        bomb = write_bomb(folder / "Basic_LinkedInDataExport.zip", 3584 * MIB)
        bombs = {
            "zip bomb, 3.5 GiB member": bomb,
            "zip bomb inside a zip": write_nested(folder / "nested.zip", bomb),
            "1,500 members of 1 MiB": write_many(folder / "many.zip", 1500),
        }
        sizes = ", ".join(f"{p.name} {p.stat().st_size / 1e6:.1f} MB" for p in bombs.values())
        print(f"bombs built in {time.perf_counter() - started:.0f} s: {sizes}")
        with serving(folder / "serve") as server:
            print(f"lead serve started: peak {server.peak_rss_mb():.0f} MB")
            server.signed_in().close()
            print(f"after one sign-in (argon2 hashes in 64 MiB): {server.peak_rss_mb():.0f} MB\n")
            print(f"  {'attack':30} {'route':12} {'answer':24} {'peak MB':>8} {'left':>5}")
            attacks: list[tuple[str, Callable[[Server, str], str]]] = [
                *((name, lambda s, r, p=path: upload(s, r, p)) for name, path in bombs.items()),
                ("Content-Length: 600 MiB", declared),
                ("700 MiB chunked, no length", chunked),
            ]
            worst = 0.0
            for name, attack in attacks:
                for route in ("/import", "/api/import"):
                    answer = attack(server, route)
                    peak = server.peak_rss_mb()
                    worst = max(worst, peak)
                    alive = "" if server.answers() else "  SERVER DOWN"
                    print(f"  {name:30} {route:12} {answer:24} {peak:8.0f} "
                          f"{len(server.leftovers()):5}{alive}", flush=True)  # fmt: skip
            verdict = "ok" if worst < TARGET_MB else "OVER"
            print(f"\npeak resident memory of the server: {worst:.0f} MB "
                  f"(target < {TARGET_MB} MB): {verdict}")  # fmt: skip


if __name__ == "__main__":
    main()
