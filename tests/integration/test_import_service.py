"""Importing real export files: one person across sources, idempotent, atomic."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from takethelead.domain.records import ParseError
from takethelead.services.core.errors import ServiceError
from takethelead.services.core.store import Store, workspace_id
from takethelead.services.ingest.exchange import import_any, import_path
from takethelead.services.people import people
from takethelead.storage.tables import Identity, Interaction, Person

EXPORTS = Path(__file__).parent / "exports"


def counts(store: Store) -> tuple[int, int, int]:
    with store.transaction() as session:
        return (
            session.scalar(select(func.count()).select_from(Person)) or 0,
            session.scalar(select(func.count()).select_from(Identity)) or 0,
            session.scalar(select(func.count()).select_from(Interaction)) or 0,
        )


def run(store: Store, name: str, fmt: str | None = None, path: Path | None = None):  # type: ignore[no-untyped-def]
    with store.transaction() as session:
        ws = workspace_id(session, "default")
        return import_any(session, ws, path or EXPORTS / name, fmt)


def test_connections_import_with_the_right_counts(store: Store) -> None:
    summary = run(store, "Connections.csv")
    assert summary.format == "linkedin-connections"
    assert (summary.people.created, summary.identities.created) == (3, 4)
    assert summary.skipped_total == 1
    assert counts(store) == (3, 4, 0)


def test_the_same_person_from_linkedin_google_and_a_vcard_is_one_person(store: Store) -> None:
    run(store, "Connections.csv")
    google = run(store, "google.csv")
    vcard = run(store, "contacts.vcf")
    # Bruno matches by e-mail, Ana by profile URL; Diego and Eve are new.
    assert google.people.created == 1 and google.people.updated == 1
    assert vcard.people.created == 1 and vcard.people.updated == 1
    with store.transaction() as session:
        ws = workspace_id(session, "default")
        ana = people.show_person(session, ws, people.resolve_person(session, ws, "Ana Díaz"))
        bruno = people.show_person(session, ws, people.resolve_person(session, ws, "Bruno Okafor"))
        total = len(people.list_people(session, ws))
    assert total == 5
    assert {i.value for i in ana.identities} == {"in/ana-diaz", "ana@acme-bakery.example"}
    assert ana.notes == "Needs a bookkeeper who knows payroll, urgently"
    assert {i.kind for i in bruno.identities} == {"linkedin", "email", "phone"}
    assert bruno.tags == ("Clients",) and bruno.notes == "Met at BNI"


def test_an_identity_held_by_someone_is_never_moved_to_another(
    store: Store, tmp_path: Path
) -> None:
    run(store, "Connections.csv")
    card = tmp_path / "mixed.vcf"
    card.write_text(
        "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Bruno O.\r\nEMAIL:bruno@okafor.example\r\n"
        "URL:https://www.linkedin.com/in/ana-diaz\r\nEND:VCARD\r\n",
        encoding="utf-8",
    )
    summary = run(store, "", path=card)
    assert summary.people.created == 0
    with store.transaction() as session:
        ws = workspace_id(session, "default")
        owner = session.scalar(select(Identity.person_id).where(Identity.value == "in/ana-diaz"))
        assert owner == people.resolve_person(session, ws, "Ana Díaz")
        bruno = people.show_person(
            session, ws, people.resolve_person(session, ws, "bruno@okafor.example")
        )
    assert bruno.full_name == "Bruno Okafor"  # a known name is never overwritten


def test_messages_become_interactions_with_direction(store: Store) -> None:
    run(store, "Connections.csv")
    summary = run(store, "messages.csv")
    assert summary.interactions.created == 3
    assert summary.people.created == 1  # the owner, found as the one in every conversation
    with store.transaction() as session:
        ws = workspace_id(session, "default")
        ana = people.show_person(session, ws, people.resolve_person(session, ws, "Ana Díaz"))
    assert [t.direction for t in ana.timeline] == ["outbound", "inbound"]
    assert ana.timeline[1].summary == "Hi Sam,\nare you free for coffee, next week?"


def test_a_second_import_changes_nothing(store: Store) -> None:
    for name in ("Connections.csv", "messages.csv", "google.csv", "contacts.vcf"):
        run(store, name)
    before = counts(store)
    for name in ("Connections.csv", "messages.csv", "google.csv", "contacts.vcf"):
        again = run(store, name)
        assert not again.changed_anything, name
    assert counts(store) == before


def test_a_changed_file_updates_what_changed(store: Store, tmp_path: Path) -> None:
    run(store, "Connections.csv")
    changed = tmp_path / "Connections.csv"
    text = (
        (EXPORTS / "Connections.csv").read_bytes().replace(b"Acme Bakery,Owner", b"Acme Bakery,CEO")
    )
    changed.write_bytes(text)
    summary = run(store, "", path=changed)
    assert (summary.people.created, summary.people.updated, summary.people.unchanged) == (0, 1, 2)
    with store.transaction() as session:
        ws = workspace_id(session, "default")
        ana = people.show_person(session, ws, people.resolve_person(session, ws, "Ana Díaz"))
    assert ana.title == "CEO"


def test_a_malformed_file_changes_nothing(store: Store, tmp_path: Path) -> None:
    run(store, "Connections.csv")
    before = counts(store)
    broken = tmp_path / "Connections.csv"
    good = (EXPORTS / "Connections.csv").read_text(encoding="utf-8-sig")
    broken.write_text(
        good + 'Zed,Last,https://www.linkedin.com/in/zed,,"unclosed\r\n', encoding="utf-8"
    )
    with pytest.raises(ParseError) as caught:
        run(store, "", "linkedin-connections", path=broken)
    assert "Connections.csv" in str(caught.value)
    assert caught.value.line is not None
    assert counts(store) == before


def test_a_binary_file_is_refused_clearly(store: Store, tmp_path: Path) -> None:
    blob = tmp_path / "Connections.csv"
    blob.write_bytes(bytes(range(256)) * 4)
    with pytest.raises((ParseError, ServiceError)):
        run(store, "", "linkedin-connections", path=blob)
    assert counts(store) == (0, 0, 0)


def test_an_unknown_file_asks_for_its_format(store: Store, tmp_path: Path) -> None:
    odd = tmp_path / "notes.txt"
    odd.write_text("just some notes\n", encoding="utf-8")
    with pytest.raises(ServiceError, match="cannot tell what export this is"):
        run(store, "", path=odd)


def test_text_is_stored_verbatim(store: Store) -> None:
    run(store, "google.csv")
    with store.transaction() as session:
        ws = workspace_id(session, "default")
        diego = people.show_person(session, ws, people.resolve_person(session, ws, "Diego Romero"))
    assert diego.notes.startswith("=cmd|'/c calc'!A1")


def test_files_are_detected_by_their_content(store: Store, tmp_path: Path) -> None:
    renamed = tmp_path / "export-1.csv"
    shutil.copy(EXPORTS / "Connections.csv", renamed)
    assert run(store, "", path=renamed).format == "linkedin-connections"


def test_a_zipped_export_is_imported_whole_in_order(store: Store, tmp_path: Path) -> None:
    archive = tmp_path / "Basic_LinkedInDataExport.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        # messages first in the archive: the import still reads Connections first
        bundle.write(EXPORTS / "messages.csv", "messages.csv")
        bundle.write(EXPORTS / "Connections.csv", "Connections.csv")
        bundle.writestr("Profile.csv", "First Name,Last Name\r\nSam,Rivera\r\n")
    with store.transaction() as session:
        summaries = import_path(session, workspace_id(session, "default"), archive)
    assert [s.format for s in summaries] == ["linkedin-connections", "linkedin-messages"]
    assert summaries[1].people.created == 1  # the owner
    assert counts(store) == (4, 5, 3)


def test_a_zip_with_one_bad_member_imports_nothing(store: Store, tmp_path: Path) -> None:
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.write(EXPORTS / "Connections.csv", "Connections.csv")
        bundle.writestr("contacts.vcf", "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Half\r\n")
    with pytest.raises(ParseError, match="END:VCARD"), store.transaction() as session:
        import_path(session, workspace_id(session, "default"), archive)
    assert counts(store) == (0, 0, 0)


def test_a_zip_that_escapes_its_folder_is_refused(store: Store, tmp_path: Path) -> None:
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("../../outside.csv", "x")
    with pytest.raises(ParseError, match="points outside"), store.transaction() as session:
        import_path(session, workspace_id(session, "default"), archive)


def test_a_changed_meeting_is_updated_not_duplicated(store: Store, tmp_path: Path) -> None:
    calendar = tmp_path / "calendar.ics"

    def write(title: str) -> None:
        calendar.write_text(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
            "BEGIN:VEVENT\r\nUID:m-1@example.org\r\nDTSTAMP:20240501T090000Z\r\n"
            "DTSTART:20240502T090000Z\r\nDTEND:20240502T100000Z\r\n"
            f"SUMMARY:{title}\r\n"
            "ORGANIZER;CN=Sam Rivera:mailto:sam@rivera.example\r\n"
            "ATTENDEE;CN=Sam Rivera:mailto:sam@rivera.example\r\n"
            "ATTENDEE;CN=Ana Díaz:mailto:ana@acme-bakery.example\r\n"
            "END:VEVENT\r\nEND:VCALENDAR\r\n",
            encoding="utf-8",
        )

    write("Coffee")
    with store.transaction() as session:
        ws = workspace_id(session, "default")
        people.add_person(session, ws, "Sam Rivera", identities=["sam@rivera.example"])
    first = run(store, "", "icalendar", path=calendar)
    assert first.interactions.created == 2  # Sam is not known as the owner: both attend
    before = counts(store)
    write("Coffee and a walk")
    again = run(store, "", "icalendar", path=calendar)
    assert (again.interactions.created, again.interactions.updated) == (0, 2)
    assert counts(store) == before


def test_the_same_message_twice_in_one_file_is_stored_once(store: Store, tmp_path: Path) -> None:
    doubled = tmp_path / "messages.csv"
    lines = (EXPORTS / "messages.csv").read_bytes().split(b"\r\n")
    doubled.write_bytes(b"\r\n".join([*lines[:-1], lines[-2], b""]))
    summary = run(store, "", "linkedin-messages", path=doubled)
    assert summary.interactions.created == 3
    assert summary.interactions.unchanged == 1
