"""Address books: Google Contacts CSV (current and legacy), vCard 3.0 and 4.0, Mastodon follows."""

from __future__ import annotations

from datetime import date

from takethelead.domain.records import NetworkKind
from tests.importers.conftest import Run


def test_google_contacts_map_columns_by_header_name_with_multi_values(parse_fixture: Run) -> None:
    parsed = parse_fixture("google-contacts", "google/contacts.csv")
    assert [p.full_name for p in parsed.people] == ["Ana María Díaz", "Bob O'Neil", "Acme Plumbing"]
    assert len(parsed.identities()) == 9
    ana = parsed.person("Ana María Díaz")
    assert [(i.kind.value, i.value) for i in ana.identities] == [
        ("email", "ana@acme.example"),
        ("email", "ana.diaz@gmail.com"),
        ("email", "ana@home.example"),
        ("phone", "+34600123456"),
        ("linkedin", "in/ana-diaz-1a2b3c"),
        ("mastodon", "anadiaz@mastodon.social"),
    ]
    assert (ana.first_name, ana.last_name) == ("Ana", "Díaz")
    assert (ana.company, ana.title) == ("Acme, Inc.", "Head of Growth")
    assert ana.birthday == date(1985, 4, 12)
    assert ana.notes == "Met at <b>BNI</b>\nLikes coffee"


def test_google_labels_become_tags_without_system_groups(parse_fixture: Run) -> None:
    parsed = parse_fixture("google-contacts", "google/contacts.csv")
    assert parsed.person("Ana María Díaz").tags == ("Clients",)
    assert parsed.person("Bob O'Neil").tags == ()
    assert parsed.person("Acme Plumbing").tags == ("Suppliers",)


def test_google_birthday_without_a_year_goes_to_the_notes(parse_fixture: Run) -> None:
    bob = parse_fixture("google-contacts", "google/contacts.csv").person("Bob O'Neil")
    assert bob.birthday is None
    assert bob.notes == "Birthday: --04-12 (no year)"
    assert {i.value for i in bob.identities} == {"+15550100", "+15550101"}


def test_google_contacts_with_nothing_are_skipped(parse_fixture: Run) -> None:
    parsed = parse_fixture("google-contacts", "google/contacts.csv")
    assert [s.line for s in parsed.skipped] == [6]


def test_google_legacy_header_is_read_too(parse_fixture: Run) -> None:
    parsed = parse_fixture("google-contacts", "google/contacts_legacy.csv")
    carl = parsed.person("Carl Chen")
    assert carl.tags == ("Referral Partners",)
    assert (carl.company, carl.title) == ("Chen & Co", "Partner")
    assert carl.birthday == date(1980, 2, 29)
    assert parsed.identities() == {
        ("email", "carl@chen.example"),
        ("x", "carlchen"),
        ("phone", "+2348030000000"),
    }


def test_vcard_30_from_apple_reads_groups_social_profiles_and_folded_escaped_notes(
    parse_fixture: Run,
) -> None:
    parsed = parse_fixture("vcard", "vcard/apple30.vcf")
    assert [p.full_name for p in parsed.people] == ["Ana María Díaz", "Bob O'Neil"]
    ana = parsed.person("Ana María Díaz")
    assert [(i.kind.value, i.value) for i in ana.identities] == [
        ("email", "ana@acme.example"),
        ("email", "ana.diaz@gmail.com"),
        ("phone", "+34600123456"),
        ("linkedin", "in/ana-diaz-1a2b3c"),
        ("x", "anadiaz"),
        ("mastodon", "anadiaz@mastodon.social"),
    ]
    assert (ana.company, ana.title) == ("Acme, Inc.", "Head of Growth")
    assert ana.tags == ("Clients", "Referral Partners")
    assert ana.birthday is None
    assert ana.notes == (
        "Met at BNI, Tuesday breakfast.\nIntroduced by Bob; wants <b>warm</b> leads.\n"
        "IMPP: skype:ana.diaz\nBirthday: --04-12 (no year)"
    )
    assert ana.line == 1
    bob = parsed.person("Bob O'Neil")
    assert bob.birthday == date(1979, 11, 3)
    assert {i.value for i in bob.identities} == {"bob@example.com", "in/bob-oneil"}


def test_vcard_contact_groups_are_skipped(parse_fixture: Run) -> None:
    parsed = parse_fixture("vcard", "vcard/apple30.vcf")
    assert [(s.line, s.reason) for s in parsed.skipped] == [(33, "contact group, not a person")]


def test_vcard_40_reads_quoted_types_tel_uris_and_falls_back_to_n_without_fn(
    parse_fixture: Run,
) -> None:
    parsed = parse_fixture("vcard", "vcard/contacts40.vcf")
    zoe = parsed.person("Zoë Martin")
    assert [(i.kind.value, i.value) for i in zoe.identities] == [
        ("email", "zoe@studio.example"),
        ("phone", "+33612345678"),
        ("bluesky", "zoe.bsky.social"),
    ]
    assert zoe.tags == ("Design", "Studio, North")
    assert zoe.notes == (
        "Prefers e-mail\nNever =cmd|' /C calc'!A0 on Fridays\n"
        "IMPP: xmpp:zoe@jabber.example\nBirthday: --04-12 (no year)"
    )
    linh = parsed.person("Linh Nguyen")
    assert (linh.first_name, linh.last_name, linh.line) == ("Linh", "Nguyen", 15)


def test_mastodon_following_names_people_by_their_address(parse_fixture: Run) -> None:
    parsed = parse_fixture("mastodon-following", "mastodon/following_accounts.csv")
    assert [p.full_name for p in parsed.people] == [
        "alice@mastodon.social",
        "bob@fosstodon.org",
        "carl@hachyderm.io",
    ]
    assert all(p.network is NetworkKind.MASTODON for p in parsed.people)
    assert parsed.interactions == []
    assert [p.line for p in parsed.people] == [2, 3, 4]


def test_mastodon_older_two_column_exports_parse(parse_fixture: Run) -> None:
    parsed = parse_fixture("mastodon-following", "mastodon/following_accounts_old.csv")
    assert parsed.identities() == {
        ("mastodon", "alice@mastodon.social"),
        ("mastodon", "dan@mstdn.social"),
    }
