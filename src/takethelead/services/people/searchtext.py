"""Each person's folded search text (name, company, title, notes, offer, identities, tags),
recomputed in batches after writes that touch many people at once."""

from __future__ import annotations

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from takethelead.services.people.people import search_words
from takethelead.storage.tables import Identity, Person, PersonTag, table_of


def refresh_search_texts(session: Session, workspace_id: int, person_ids: set[int]) -> None:
    """Recompute the folded search text of the given people in batches."""
    ids = sorted(person_ids)
    for start in range(0, len(ids), 900):
        chunk = ids[start : start + 900]
        idents: dict[int, list[str]] = {}
        for pid, value in session.execute(
            select(Identity.person_id, Identity.value).where(Identity.person_id.in_(chunk))
        ):
            idents.setdefault(pid, []).append(value)
        tags: dict[int, list[str]] = {}
        for pid, tag in session.execute(
            select(PersonTag.person_id, PersonTag.tag).where(PersonTag.person_id.in_(chunk))
        ):
            tags.setdefault(pid, []).append(tag)
        rows = session.execute(
            select(
                Person.id,
                Person.full_name,
                Person.company,
                Person.title,
                Person.notes,
                Person.offer,
                Person.lead_profile,
            ).where(Person.id.in_(chunk))
        ).all()
        params = [
            {
                "pid": row[0],
                "text": search_words(*row[1:], *idents.get(row[0], []), *tags.get(row[0], [])),
            }
            for row in rows
        ]
        if params:
            session.connection().execute(
                update(table_of(Person))
                .where(table_of(Person).c.id == bindparam("pid"))
                .values(search_text=bindparam("text")),
                params,
            )
