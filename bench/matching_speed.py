"""BM25 lead matching speed: one lead against 100,000 generated profiles.

Profiles are composed from lists of services, audiences, places and phrasing, so the vocabulary
and document lengths look like short networking profiles (about 20–40 words each). Reports the
index build time, then per-query latency of the bare BM25 search and of the full suggestion
(fusion, re-ranking with relationships, reasons in words).

Run: .venv/bin/python bench/matching_speed.py [--profiles 100000] [--queries 300]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np

from takethelead.domain.matching import (
    Profile,
    Relationship,
    build_match_index,
    search_bm25,
    suggest_providers,
)

_SERVICES = """bookkeeping payroll VAT-returns tax-planning audit wedding-photography headshots
branding logo-design web-design SEO copywriting translation employment-law conveyancing
commercial-leases IT-support cloud-migration cybersecurity data-analysis recruitment coaching
mortgage-advice insurance pensions interior-design kitchen-fit-outs plumbing electrical-work
roofing landscaping event-planning catering video-production social-media podcast-editing
grant-writing app-development e-commerce-setup physiotherapy nutrition yoga-classes
career-coaching office-cleaning removals printing signage 3D-rendering architecture
surveying property-management energy-audits solar-installation EV-charging fleet-management
logistics import-export customs-brokerage market-research UX-research accessibility-audits
German-tuition Spanish-tuition piano-lessons dog-training childcare elderly-care"""
SERVICES = _SERVICES.split()
_AUDIENCES = """restaurants cafés hotels start-ups charities schools dentists vets farmers
landlords architects lawyers accountants retailers wholesalers manufacturers builders
freelancers families couples students retirees clinics gyms salons breweries wineries
galleries museums councils universities software-companies agencies consultancies"""
AUDIENCES = _AUDIENCES.split()
_PLACES = """Leeds York Bradford Manchester Sheffield Harrogate Hull London Bristol Glasgow
Edinburgh Cardiff Belfast Zürich München Málaga Lyon Kraków"""
PLACES = _PLACES.split()
CLOSERS = ["Friendly and fast.", "Fixed fees.", "Happy to chat.", "References on request.", ""]


def words(item: str) -> str:
    return item.replace("-", " ")


def profile(person: int, rng: np.random.Generator) -> Profile:
    services = rng.choice(SERVICES, size=rng.integers(1, 4), replace=False)
    audiences = rng.choice(AUDIENCES, size=rng.integers(1, 4), replace=False)
    place = rng.choice(PLACES)
    offer = (
        f"{' and '.join(words(s) for s in services)} for "
        f"{', '.join(words(a) for a in audiences)}, based in {place}. "
        f"{int(rng.integers(2, 30))} years of experience. {rng.choice(CLOSERS)}"
    )
    leads = (
        f"{words(str(rng.choice(AUDIENCES)))} and {words(str(rng.choice(AUDIENCES)))} "
        f"around {place} who need {words(str(services[0]))}"
    )
    return Profile(person, offer, leads)


def lead(rng: np.random.Generator) -> str:
    return (
        f"One of my {words(str(rng.choice(AUDIENCES)))} clients in {rng.choice(PLACES)} is looking "
        f"for {words(str(rng.choice(SERVICES)))} and maybe {words(str(rng.choice(SERVICES)))}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profiles", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)

    people = [profile(i, rng) for i in range(args.profiles)]
    lengths = [len(p.text.split()) for p in people]
    started = time.perf_counter()
    index = build_match_index(people)
    build = time.perf_counter() - started
    ties = {
        int(i): Relationship(float(rng.uniform()), float(rng.uniform()), 2, int(rng.integers(3)))
        for i in rng.choice(args.profiles, size=2_000, replace=False)
    }
    leads = [lead(rng) for _ in range(args.queries)]
    print(
        f"{args.profiles:,} profiles, median {int(np.median(lengths))} words; "
        f"index build {build:.2f} s"
    )
    print(f"example lead: {leads[0]!r}")
    best = suggest_providers(index, leads[0], ties, limit=1)[0]
    print(f"  best: person {best.person_id}: {best.explanation}")

    def bm25(text: str) -> object:
        return search_bm25(index, text, 100)

    def suggest(text: str) -> object:
        return suggest_providers(index, text, ties)

    runs: list[tuple[str, Callable[[str], object]]] = [
        ("BM25 search (top 100)", bm25),
        ("suggest_providers (pool 50, top 10)", suggest),
    ]
    for name, query in runs:
        times = []
        for text in leads:
            started = time.perf_counter()
            query(text)
            times.append((time.perf_counter() - started) * 1e3)
        print(
            f"  {name:38s} p50 {np.percentile(times, 50):7.2f} ms  "
            f"p95 {np.percentile(times, 95):7.2f} ms"
        )


if __name__ == "__main__":
    main()
