"""mbox (Gmail Takeout): e-mails to and from the owner."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from takethelead.domain.records import Direction, InteractionKind, NetworkKind, OwnerHints
from tests.importers.conftest import Run, run

MAYA = OwnerHints(emails=frozenset({"Maya@Lead.example"}))


def test_mbox_yields_inbound_from_sender_and_outbound_to_each_recipient(parse_fixture: Run) -> None:
    parsed = parse_fixture("mbox", "mbox/gmail.mbox", MAYA)
    assert [(i.counterpart_name, i.direction) for i in parsed.interactions] == [
        ("Ana Díaz", Direction.INBOUND),
        ("Ana Díaz", Direction.OUTBOUND),
        ("O'Neil, Bob", Direction.OUTBOUND),
    ]
    first = parsed.interactions[0]
    assert first.occurred_at == datetime(2023, 5, 1, 14, 22, 10, tzinfo=UTC)
    assert first.summary == "Café next week?"
    assert first.kind is InteractionKind.EMAIL
    assert first.network is NetworkKind.EMAIL
    assert first.external_id == "m1@acme.example/ana@acme.example"
    assert [i.line for i in parsed.interactions] == [1, 17, 17]
    assert [p.full_name for p in parsed.people] == ["Ana Díaz", "O'Neil, Bob"]
    assert parsed.identities() == {("email", "ana@acme.example"), ("email", "bob@example.com")}


def test_mbox_skips_spam_newsletters_and_mail_not_involving_the_owner(parse_fixture: Run) -> None:
    parsed = parse_fixture("mbox", "mbox/gmail.mbox", MAYA)
    assert [(s.line, s.reason) for s in parsed.skipped] == [
        (29, "message in Gmail's Spam or Trash"),
        (39, "mailing-list or automated message"),
        (50, "message neither from nor to the owner"),
    ]


def test_mbox_infers_the_owner_as_the_address_in_most_messages(parse_fixture: Run) -> None:
    assert (
        parse_fixture("mbox", "mbox/gmail.mbox").items
        == parse_fixture("mbox", "mbox/gmail.mbox", MAYA).items
    )


def test_mbox_without_date_or_with_unknown_zone_is_handled(tmp_path: Path) -> None:
    path = tmp_path / "a.mbox"
    path.write_bytes(
        b"From x Mon Jan 1 00:00:00 2024\n"
        b"From: me@lead.example\nTo: a@b.example\nDate: Mon, 1 Jan 2024 10:00:00 -0000\n\nhi\n\n"
        b"From x Mon Jan 1 00:00:00 2024\n"
        b"From: me@lead.example\nTo: a@b.example\nSubject: =?bogus?Q?x?=\n\nno date\n"
    )
    parsed = run("mbox", path, OwnerHints(emails=frozenset({"me@lead.example"})))
    assert parsed.interactions[0].occurred_at == datetime(2024, 1, 1, 10, 0, tzinfo=UTC)
    assert len(parsed.interactions[0].external_id) > 32
    assert [(s.line, s.reason) for s in parsed.skipped] == [
        (8, "message without a readable Date header")
    ]


def test_mbox_headers_with_broken_encoded_words_are_kept_as_written(tmp_path: Path) -> None:
    path = tmp_path / "a.mbox"
    path.write_bytes(
        b"From x Mon Jan 1 00:00:00 2024\n"
        b"From: =?\x80UTF-8?Q?Ana?= <ana@acme.example>\nTo: me@lead.example\n"
        b"Subject: caf\xe9 =?utf-8?B?not base64?=\nDate: Mon, 1 Jan 2024 10:00:00 +0000\n\nhi\n"
    )
    parsed = run("mbox", path, OwnerHints(emails=frozenset({"me@lead.example"})))
    (email,) = parsed.interactions
    assert email.counterpart_name == "=?\ufffdUTF-8?Q?Ana?="
    assert email.summary.startswith("caf\ufffd")
