"""Import speed: a 30,000-row Connections.csv and 100,000 messages.csv rows into SQLite.

Targets (issue #2): import ≤ 10 s, re-import ≤ 10 s with zero new rows; peak memory
reported for ten times that size. Also `lead people search` latency at 30,000 people.

    .venv/bin/python bench/import_speed.py [--scale 1] [--big]
"""

from __future__ import annotations

import argparse
import csv
import resource
import statistics
import tempfile
import time
from pathlib import Path

from takethelead.config import Settings
from takethelead.services.core.store import Store, workspace_id
from takethelead.services.ingest.imports import import_file
from takethelead.services.people.people import search_people

FIRST = ["Ana", "Bruno", "Chloé", "Dmitri", "Elena", "Farid", "Grace", "Hiroshi", "Inês", "Jonas"]
LAST = ["Díaz", "Okafor", "Müller", "Rossi", "Nakamura", "Silva", "Dubois", "Kowalski"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def write_connections(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        handle.write('Notes:\r\n"When exporting your connection data, you may notice..."\r\n\r\n')
        out = csv.writer(handle, lineterminator="\r\n")
        out.writerow(
            [
                "First Name",
                "Last Name",
                "URL",
                "Email Address",
                "Company",
                "Position",
                "Connected On",
            ]
        )
        for i in range(rows):
            first, last = FIRST[i % len(FIRST)], LAST[(i // 10) % len(LAST)]
            out.writerow(
                [
                    first,
                    f"{last}{i}",
                    f"https://www.linkedin.com/in/p{i}",
                    f"p{i}@example.org" if i % 5 == 0 else "",
                    f"Company {i % 700}",
                    "Consultant",
                    f"{1 + i % 28:02d} {MONTHS[i % 12]} 20{10 + i % 14}",
                ]
            )


def write_messages(path: Path, rows: int, people: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle, lineterminator="\r\n")
        out.writerow(
            [
                "CONVERSATION ID",
                "CONVERSATION TITLE",
                "FROM",
                "SENDER PROFILE URL",
                "TO",
                "RECIPIENT PROFILE URLS",
                "DATE",
                "SUBJECT",
                "CONTENT",
                "FOLDER",
            ]
        )
        me = ("Sam Rivera", "https://www.linkedin.com/in/sam-rivera")
        for i in range(rows):
            p = (i * 7919) % people
            them = (
                f"{FIRST[p % len(FIRST)]} {LAST[(p // 10) % len(LAST)]}{p}",
                f"https://www.linkedin.com/in/p{p}",
            )
            sender, receiver = (me, them) if i % 2 else (them, me)
            day = 1 + i % 28
            out.writerow(
                [
                    f"conv-{p}",
                    "",
                    sender[0],
                    sender[1],
                    receiver[0],
                    receiver[1],
                    f"2024-{1 + i % 12:02d}-{day:02d} {i % 24:02d}:{i % 60:02d}:00 UTC",
                    "",
                    f"Message {i},\nwith a comma and a newline",
                    "INBOX",
                ]
            )


def timed_import(store: Store, path: Path, fmt: str) -> tuple[float, int, int]:
    started = time.perf_counter()
    with store.transaction() as session:
        summary = import_file(session, workspace_id(session, "bench"), path, fmt)
    created = summary.people.created + summary.interactions.created
    return time.perf_counter() - started, created, summary.interactions.unchanged


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--big", action="store_true", help="also measure 10x the size")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        connections, messages = root / "Connections.csv", root / "messages.csv"
        write_connections(connections, 30_000 * args.scale)
        write_messages(messages, 100_000 * args.scale, 30_000 * args.scale)
        store = Store.open(Settings.from_env({"LEAD_DATA_DIR": str(root / "data")}))
        t1, c1, _ = timed_import(store, connections, "linkedin-connections")
        t2, c2, _ = timed_import(store, messages, "linkedin-messages")
        print(
            f"first import : connections {t1:.2f} s ({c1} created), "
            f"messages {t2:.2f} s ({c2} created); total {t1 + t2:.2f} s"
        )
        r1, n1, _ = timed_import(store, connections, "linkedin-connections")
        r2, n2, u2 = timed_import(store, messages, "linkedin-messages")
        print(
            f"re-import    : connections {r1:.2f} s, messages {r2:.2f} s; total {r1 + r2:.2f} s;"
            f" new rows {n1 + n2}; unchanged interactions {u2}"
        )
        with store.transaction() as session:
            ws = workspace_id(session, "bench")
            timings = []
            for query in ["diaz", "okafor12", "company 42", "ines rossi", "p1234@example.org"] * 20:
                started = time.perf_counter()
                search_people(session, ws, query, limit=50)
                timings.append((time.perf_counter() - started) * 1000)
        timings.sort()
        print(
            f"people search at {30_000 * args.scale} people: "
            f"p50 {statistics.median(timings):.1f} ms, "
            f"p95 {timings[int(len(timings) * 0.95)]:.1f} ms, max {timings[-1]:.1f} ms"
        )
        store.close()
        if args.big:
            big = root / "big"
            big.mkdir()
            bc, bm = big / "Connections.csv", big / "messages.csv"
            write_connections(bc, 300_000)
            write_messages(bm, 1_000_000, 300_000)
            size = (bc.stat().st_size + bm.stat().st_size) / 2**20
            store = Store.open(Settings.from_env({"LEAD_DATA_DIR": str(big / "data")}))
            before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            t1, _, _ = timed_import(store, bc, "linkedin-connections")
            t2, _, _ = timed_import(store, bm, "linkedin-messages")
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            r1, _, _ = timed_import(store, bc, "linkedin-connections")
            r2, n2, _ = timed_import(store, bm, "linkedin-messages")
            again = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(
                f"10x size ({size:.0f} MiB of CSV): import {t1 + t2:.1f} s, re-import "
                f"{r1 + r2:.1f} s ({n2} new); peak RSS {before:.0f} MiB before, "
                f"{rss:.0f} MiB after the import, {again:.0f} MiB after the re-import"
            )
            store.close()


if __name__ == "__main__":
    main()
