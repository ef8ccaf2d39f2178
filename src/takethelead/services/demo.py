"""A realistic demo workspace: a coach's year of networking, built deterministically."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from takethelead.domain.identities import fold
from takethelead.services.core import settings
from takethelead.services.core.errors import ServiceError
from takethelead.services.people.people import search_words
from takethelead.storage.tables import (
    Identity,
    Interaction,
    Lead,
    LedgerEntry,
    Network,
    Person,
    PersonTag,
    Referral,
    Tie,
    TimeEntry,
    Workspace,
)

DEMO_WORKSPACE = "demo"
FIRST = [
    "Ana",
    "Bruno",
    "Chloé",
    "Dmitri",
    "Elena",
    "Farid",
    "Grace",
    "Hiroshi",
    "Inês",
    "Jonas",
    "Kofi",
    "Lena",
    "Mateo",
    "Nadia",
    "Olu",
    "Priya",
    "Quentin",
    "Rosa",
    "Sven",
    "Tomás",
    "Uma",
    "Viktor",
    "Wen",
    "Ximena",
    "Yusuf",
    "Zoé",
    "Aisha",
    "Björn",
    "Carmen",
    "Diego",
    "Émile",
    "Fatima",
    "Gustavo",
    "Hannah",
    "Ivan",
    "Jamila",
    "Kai",
    "Laura",
    "Malik",
    "Noor",
    "Oscar",
    "Paula",
    "Rafael",
    "Sofía",
    "Tariq",
    "Valérie",
    "William",
    "Yara",
]
LAST = [
    "Díaz",
    "Okafor",
    "Müller",
    "Rossi",
    "Nakamura",
    "Silva",
    "Dubois",
    "Kowalski",
    "Haddad",
    "Jensen",
    "Novak",
    "García",
    "Andersson",
    "Moreau",
    "Costa",
    "Schmidt",
    "Ferreira",
    "Nguyen",
    "O'Brien",
    "Petrov",
    "Santos",
    "Yılmaz",
    "Weber",
    "Lindqvist",
    "Martín",
    "Koch",
    "Almeida",
    "Ivanova",
    "Fischer",
    "Romero",
    "Bianchi",
    "Lefèvre",
    "Sato",
    "Mensah",
    "Hernández",
    "Berg",
    "Popescu",
    "Kaur",
    "Wagner",
    "Navarro",
]
COMPANIES = (
    "Acme Consulting",
    "Brightpath Coaching",
    "Cedar & Co",
    "Delta Design Studio",
    "Evergreen Finance",
    "Fjord Software",
    "Greenleaf Bakery",
    "Harbor Legal",
    "Indigo Marketing",
    "Juniper Health",
    "Kestrel Architects",
    "Lumen Analytics",
    "Maple HR Partners",
    "Northwind Traders",
    "Orbit Events",
    "Pinecone Accounting",
)
ROLES = (
    ("Founder", "helps small firms grow through partnerships"),
    ("Bookkeeper", "bookkeeping and payroll for small businesses"),
    ("HR consultant", "hiring, onboarding and HR policies for teams under 50"),
    ("Web designer", "websites and branding for coaches and therapists"),
    ("Accountant", "tax returns and year-end accounts for freelancers"),
    ("Career coach", "career transitions for mid-level managers"),
    ("Marketing consultant", "content marketing and LinkedIn strategy"),
    ("Lawyer", "contracts and employment law for startups"),
    ("Financial planner", "retirement and investment planning for the self-employed"),
    ("Photographer", "headshots and brand photography"),
    ("Operations manager", "runs operations at a growing services firm"),
    ("Executive coach", "leadership coaching for new managers"),
)
# What a good lead looks like for each role (same order as ROLES): who they want to meet.
LEADS = (
    "small firms that need bookkeeping, HR policies and a new website",
    "freelancers who need tax returns and year-end accounts",
    "new managers who need leadership coaching",
    "coaches and therapists who need websites and branding",
    "self-employed people planning retirement and investment",
    "mid-level managers planning a career transition",
    "small businesses wanting content marketing on LinkedIn",
    "startups that need contracts and employment law",
    "freelancers who need tax returns and bookkeeping",
    "coaches who need headshots and brand photography",
    "a growing team that needs help with hiring and onboarding",
    "HR leads looking for coaching for their new managers",
)
NETWORKS = (
    ("LinkedIn", "linkedin", 0.9),
    ("coaching.social (Mastodon)", "mastodon", 1.6),
    ("Bluesky", "bluesky", 0.7),
    ("Coaches Forum", "discourse", 1.2),
    ("Tuesday breakfast club", "in-person", 2.5),
)
# (kind, direction, minutes) by network: what a touch there usually is.
KINDS = {
    "linkedin": (("message", 10), ("comment", 5), ("reaction", 1), ("reply", 5)),
    "mastodon": (("reply", 5), ("mention", 3), ("reaction", 1)),
    "bluesky": (("reply", 5), ("reaction", 1), ("mention", 3)),
    "discourse": (("reply", 10), ("comment", 5)),
    "in-person": (("meeting", 60), ("call", 30)),
}
ME_OFFER = "Career and leadership coaching for mid-career professionals and new managers"
ME_PROFILE = (
    "Managers promoted in the last year, people planning a career change, HR leads at "
    "firms of 20-200 people looking for coaching for their managers"
)


@dataclass(frozen=True, slots=True)
class DemoSummary:
    workspace: str
    people: int
    interactions: int
    networks: int
    time_entries: int
    seconds: float


def _workspace(session: Session, name: str, force: bool) -> int:
    found = session.scalar(select(Workspace).where(Workspace.name == name))
    if found is not None and not found.is_demo and not force:
        raise ServiceError(
            f"workspace {name!r} holds data that is not a demo; "
            "choose another name with --workspace or pass --force to replace it"
        )
    if found is not None:
        session.execute(delete(Workspace).where(Workspace.id == found.id))
        session.flush()
    workspace = Workspace(name=name, is_demo=True)
    session.add(workspace)
    session.flush()
    return workspace.id


def build_demo(
    session: Session,
    name: str = DEMO_WORKSPACE,
    people: int = 300,
    interactions: int = 6000,
    seed: int = 7,
    now: datetime | None = None,
    force: bool = False,
) -> DemoSummary:
    """Build (or rebuild) the demo workspace; the same seed gives the same workspace."""
    started = datetime.now(UTC)
    if people < 10 or interactions < people:
        raise ServiceError("demo: expected at least 10 people and one interaction each")
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    rng = np.random.default_rng(seed)
    ws = _workspace(session, name, force)
    settings.put(session, ws, settings.BUDGET_MINUTES, 150)
    network_ids = []
    for net_name, kind, _ in NETWORKS:
        network = Network(workspace_id=ws, name=net_name, kind=kind)
        session.add(network)
        session.flush()
        network_ids.append(network.id)
    me = Person(
        workspace_id=ws,
        full_name="Sam Rivera",
        first_name="Sam",
        last_name="Rivera",
        company="Rivera Coaching",
        title="Career coach",
        offer=ME_OFFER,
        lead_profile=ME_PROFILE,
        is_me=True,
    )
    session.add(me)
    session.flush()
    session.add(
        Identity(
            workspace_id=ws,
            person_id=me.id,
            kind="email",
            value="sam@riveracoaching.example",
            display="sam@riveracoaching.example",
        )
    )

    # Closeness follows Dunbar's layers: a few close people, many acquaintances.
    rank = np.arange(people)
    affinity = 1.0 / (1.0 + rank / 6.0) ** 1.1
    rng.shuffle(affinity)
    home = rng.integers(0, len(NETWORKS), size=people)
    # Some ties fade during the year, some start late: activity has a trend.
    trend = rng.choice([-1.0, 0.0, 0.0, 0.0, 1.0], size=people)
    first_seen_days = rng.integers(30, 3 * 365, size=people)

    person_rows = []
    names: list[str] = []
    for i in range(people):
        first = FIRST[int(rng.integers(len(FIRST)))]
        last = LAST[int(rng.integers(len(LAST)))]
        role = int(rng.integers(len(ROLES)))
        title, offer = ROLES[role]
        company = COMPANIES[int(rng.integers(len(COMPANIES)))]
        full = f"{first} {last}"
        names.append(full)
        person_rows.append(
            {
                "workspace_id": ws,
                "full_name": full,
                "first_name": first,
                "last_name": last,
                "company": company,
                "title": title,
                "offer": offer,
                "lead_profile": LEADS[role] if i % 5 == 0 else "",
                "notes": "",
                "is_me": False,
                "connected_on": (now - timedelta(days=int(first_seen_days[i]))).date(),
                "search_text": search_words(full, company, title, offer),
            }
        )
    ids = list(
        session.scalars(
            insert(Person).returning(Person.id, sort_by_parameter_order=True), person_rows
        )
    )
    identity_rows = []
    for i, pid in enumerate(ids):
        slug = fold(names[i]).replace(" ", "-").replace("'", "")
        identity_rows.append(
            {
                "workspace_id": ws,
                "person_id": pid,
                "kind": "linkedin",
                "value": f"in/{slug}-{i}",
                "display": f"https://www.linkedin.com/in/{slug}-{i}",
            }
        )
        if i % 3 == 0:
            identity_rows.append(
                {
                    "workspace_id": ws,
                    "person_id": pid,
                    "kind": "email",
                    "value": f"{slug}.{i}@example.org",
                    "display": f"{slug}.{i}@example.org",
                }
            )
        if NETWORKS[int(home[i])][1] == "mastodon":
            identity_rows.append(
                {
                    "workspace_id": ws,
                    "person_id": pid,
                    "kind": "mastodon",
                    "value": f"{slug}{i}@coaching.social",
                    "display": f"@{slug}{i}@coaching.social",
                }
            )
    session.execute(insert(Identity), identity_rows)
    tag_rows = [
        {"workspace_id": ws, "person_id": pid, "tag": tag}
        for i, pid in enumerate(ids)
        for tag in (("client",) if i % 17 == 0 else ()) + (("referrer",) if i % 23 == 0 else ())
    ]
    if tag_rows:
        session.execute(insert(PersonTag), tag_rows)

    count = _interactions(
        session, ws, ids, network_ids, affinity, home, trend, interactions, rng, now
    )
    entries = _time_entries(session, ws, network_ids, rng, now)
    _give_and_take(session, ws, ids, now)
    _leads(session, ws, ids, now)
    seconds = (datetime.now(UTC) - started).total_seconds()
    return DemoSummary(name, people, count, len(network_ids), entries, seconds)


def _interactions(
    session: Session,
    ws: int,
    ids: list[int],
    network_ids: list[int],
    affinity: np.ndarray,
    home: np.ndarray,
    trend: np.ndarray,
    total: int,
    rng: np.random.Generator,
    now: datetime,
) -> int:
    year = 365 * 86400
    who = rng.choice(len(ids), size=total, p=affinity / affinity.sum())
    # Position in the year: fading ties crowd early, growing ties late.
    u = rng.random(total)
    position = np.where(trend[who] < 0, u**2, np.where(trend[who] > 0, np.sqrt(u), u))
    at = (now.timestamp() - year + position * year).astype(np.int64)
    # Most touches happen on the person's home network; the rest spread out.
    net = np.where(rng.random(total) < 0.75, home[who], rng.integers(0, len(NETWORKS), total))
    pick = rng.random(total)
    direction_draw = rng.random(total)
    automated = rng.random(total) < 0.12
    rows = []
    now_ts = int(now.timestamp())
    for j in range(total):
        kind_name = NETWORKS[int(net[j])][1]
        options = KINDS[kind_name]
        kind, minutes = options[int(pick[j] * len(options))]
        if kind in ("meeting", "call"):
            direction = "mutual"
        else:
            direction = "outbound" if direction_draw[j] < 0.55 else "inbound"
        is_auto = bool(automated[j]) and direction == "outbound" and kind != "meeting"
        rows.append(
            {
                "workspace_id": ws,
                "person_id": ids[int(who[j])],
                "network_id": network_ids[int(net[j])],
                "occurred_at": min(int(at[j]), now_ts),
                "kind": kind,
                "direction": direction,
                "automated": is_auto,
                "minutes": minutes if kind in ("meeting", "call") else None,
                "summary": f"{kind} on {NETWORKS[int(net[j])][0]}",
                "source": "demo",
                "external_id": hashlib.blake2b(f"{j}".encode(), digest_size=8).hexdigest(),
            }
        )
        if len(rows) >= 20000:
            session.execute(insert(Interaction), rows)
            rows = []
    referrals = min(12, len(ids) // 20)
    for r in range(referrals):
        rows.append(
            {
                "workspace_id": ws,
                "person_id": ids[int(who[r * 7])],
                "network_id": network_ids[4],
                "occurred_at": now_ts - int((r + 1) * 25 * 86400),
                "kind": "referral",
                "direction": "inbound" if r % 2 == 0 else "outbound",
                "automated": False,
                "minutes": None,
                "summary": "referred a client" if r % 2 == 0 else "passed on a lead",
                "source": "demo",
                "external_id": f"referral-{r}",
            }
        )
    if rows:
        session.execute(insert(Interaction), rows)
    return total + referrals


def _time_entries(
    session: Session, ws: int, network_ids: list[int], rng: np.random.Generator, now: datetime
) -> int:
    rows = []
    for week in range(12, 0, -1):
        for n, (_, _, rate_per_hour) in enumerate(NETWORKS):
            minutes = int(rng.choice([10, 15, 20, 30]))
            responses = int(rng.poisson(rate_per_hour * minutes / 60))
            rows.append(
                {
                    "workspace_id": ws,
                    "network_id": network_ids[n],
                    "spent_at": now - timedelta(weeks=week, days=-int(rng.integers(0, 5))),
                    "minutes": minutes,
                    "responses": responses,
                    "note": "demo week",
                }
            )
    session.execute(insert(TimeEntry), rows)
    return len(rows)


def _give_and_take(session: Session, ws: int, ids: list[int], now: datetime) -> None:
    """Clients to keep close, referrals won and given, favours owed, and who knows whom.

    Fixed patterns rather than draws, so the demo plan always has a thank-you, a favour to
    return, someone overdue and bridges to share the lead profile with.
    """
    n = len(ids)
    clients = [ids[i] for i in range(0, n, 17)]
    session.execute(update(Person).where(Person.id.in_(clients)).values(cadence_days=14))
    day = 86400
    referrals = []
    for k, (i, days, status, direction) in enumerate(
        (
            (23 % n, 3, "won", "received"),
            (46 % n, 12, "won", "received"),
            (69 % n, 40, "won", "received"),
            (5 % n, 20, "met", "received"),
            (8 % n, 30, "won", "given"),
        )
    ):
        moment = datetime.fromtimestamp(int(now.timestamp()) - days * day, UTC)
        referral = Referral(
            workspace_id=ws,
            direction=direction,
            person_id=ids[i],
            status=status,
            value=1500.0 if status == "won" else None,
            note=f"demo referral {k + 1}",
            thanked=False,
            created_at=moment - timedelta(days=30),
            updated_at=moment,
        )
        session.add(referral)
        session.flush()
        referrals.append(
            {
                "workspace_id": ws,
                "person_id": ids[i],
                "direction": direction,
                "kind": "referral",
                "occurred_at": moment,
                "value": referral.value,
                "note": referral.note,
                "referral_id": referral.id,
            }
        )
    # Two people who keep giving: introductions and favours never returned.
    for i, kind, days in (
        (11, "introduction", 50),
        (11, "favour", 90),
        (11, "favour", 150),
        (29, "introduction", 70),
    ):
        referrals.append(
            {
                "workspace_id": ws,
                "person_id": ids[i % n],
                "direction": "received",
                "kind": kind,
                "occurred_at": datetime.fromtimestamp(int(now.timestamp()) - days * day, UTC),
                "value": None,
                "note": "demo",
                "referral_id": None,
            }
        )
    session.execute(insert(LedgerEntry), referrals)
    # Everyone knows a few others: rings of acquaintance, so some ties bridge further.
    ties = {
        (min(ids[i], ids[j]), max(ids[i], ids[j]))
        for i in range(n)
        for j in ((i * 7 + 3) % n, (i * 13 + 5) % n)
        if i != j
    }
    session.execute(
        insert(Tie),
        [
            {
                "workspace_id": ws,
                "person_a": a,
                "person_b": b,
                "trust": 0.5,
                "source": "manual",
                "evidence": 1,
            }
            for a, b in sorted(ties)
        ],
    )


DEMO_LEADS = (
    (2, 6, "Her bakery needs a bookkeeper who knows payroll"),
    (14, 2, "A friend's startup needs help hiring its first five people"),
    (31, 1, "A therapist opening a practice wants a simple website"),
)


def _leads(session: Session, ws: int, ids: list[int], now: datetime) -> None:
    """Open leads heard from contacts, and two people whose lead profile says what they need."""
    n = len(ids)
    for i, days, text in DEMO_LEADS:
        session.add(
            Lead(
                workspace_id=ws,
                text=text,
                from_person_id=ids[i % n],
                status="open",
                created_at=now - timedelta(days=days),
            )
        )
    for i, profile in (
        (3, "Coaches and therapists who need a website that brings clients"),
        (9, "Small firms that need payroll and bookkeeping done every month"),
    ):
        session.execute(update(Person).where(Person.id == ids[i % n]).values(lead_profile=profile))
