"""The vCard writer: what it writes, the vCard reader reads back the same."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

from takethelead.importers.vcard_writer import Card, fold, write_cards
from tests.importers.conftest import run


def test_a_written_card_reads_back_with_its_names_identities_tags_and_notes(
    tmp_path: Path,
) -> None:
    card = Card(
        full_name="Díaz, Ana; María",
        first_name="Ana",
        last_name="Díaz",
        company="Acme, Inc.",
        title="Head of Growth",
        birthday=date(1985, 4, 12),
        identities=(("email", "ana@acme.example"), ("phone", "+34600123456")),
        tags=("Clients", "A,B"),
        notes="Met at BNI\nLikes coffee",
        offer="Growth audits",
    )
    out = io.StringIO()
    assert write_cards([card], out) == 1
    path = tmp_path / "people.vcf"
    path.write_text(out.getvalue(), encoding="utf-8", newline="")
    (person,) = run("vcard", path).people
    assert person.full_name == "Díaz, Ana; María"
    assert (person.first_name, person.last_name) == ("Ana", "Díaz")
    assert (person.company, person.title, person.birthday) == (
        "Acme, Inc.",
        "Head of Growth",
        date(1985, 4, 12),
    )
    assert [(i.kind.value, i.value) for i in person.identities] == [
        ("email", "ana@acme.example"),
        ("phone", "+34600123456"),
    ]
    assert person.tags == ("Clients", "A,B")
    assert person.notes == "Met at BNI\nLikes coffee\nOffer: Growth audits"


def test_a_long_line_folds_at_75_octets_without_splitting_a_character() -> None:
    line = "NOTE:" + "é" * 100
    parts = fold(line).split("\r\n")
    assert all(len(part.encode()) <= 75 for part in parts)
    assert parts[0] + "".join(part[1:] for part in parts[1:]) == line
