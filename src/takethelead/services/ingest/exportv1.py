"""Exports of version 1 (networks, people with identities and tags, interactions, time
entries) read as the tables of version 2, so one importer serves both."""

from __future__ import annotations

from typing import Any, Final

PERSON_COLUMNS: Final = (
    "full_name",
    "first_name",
    "last_name",
    "company",
    "title",
    "notes",
    "offer",
    "lead_profile",
    "closeness",
    "cadence_days",
    "is_me",
    "distrusted",
    "birthday",
    "connected_on",
)
INTERACTION_COLUMNS: Final = (
    "occurred_at",
    "kind",
    "direction",
    "automated",
    "minutes",
    "summary",
    "source",
    "external_id",
)
TIME_ENTRY_COLUMNS: Final = ("spent_at", "minutes", "responses", "note")


def tables_from_v1(data: dict[str, Any]) -> dict[str, Any]:
    """The tables of a version 1 export; KeyError or TypeError when a record is malformed."""
    networks = [[n["id"], n["name"], n["kind"], n.get("url", "")] for n in data["networks"]]
    people: list[list[Any]] = []
    identities: list[list[Any]] = []
    tags: list[list[Any]] = []
    for person in data["people"]:
        people.append([person["id"], *(person[c] for c in PERSON_COLUMNS)])
        for ident in person["identities"]:
            identities.append(
                [
                    len(identities) + 1,
                    person["id"],
                    ident["kind"],
                    ident["value"],
                    ident.get("display", ""),
                ]
            )
        tags.extend([person["id"], tag] for tag in person["tags"])
    interactions = [
        [number, i["person"], i["network"], *(i[c] for c in INTERACTION_COLUMNS)]
        for number, i in enumerate(data["interactions"], start=1)
    ]
    entries = [
        [number, t["network"], *(t[c] for c in TIME_ENTRY_COLUMNS)]
        for number, t in enumerate(data.get("time_entries", []), start=1)
    ]
    return {
        "network": {"columns": ["id", "name", "kind", "url"], "rows": networks},
        "person": {"columns": ["id", *PERSON_COLUMNS], "rows": people},
        "identity": {
            "columns": ["id", "person_id", "kind", "value", "display"],
            "rows": identities,
        },
        "person_tag": {"columns": ["person_id", "tag"], "rows": tags},
        "interaction": {
            "columns": ["id", "person_id", "network_id", *INTERACTION_COLUMNS],
            "rows": interactions,
        },
        "time_entry": {
            "columns": ["id", "network_id", *TIME_ENTRY_COLUMNS],
            "rows": entries,
        },
    }
