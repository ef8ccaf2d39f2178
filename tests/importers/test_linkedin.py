"""LinkedIn export parsers: Connections.csv, messages.csv and Invitations.csv."""

from __future__ import annotations

from datetime import UTC, date, datetime

from takethelead.domain.records import (
    Direction,
    InteractionKind,
    NetworkKind,
    OwnerHints,
    PersonRecord,
)
from tests.importers.conftest import Run

MAYA = OwnerHints(handles=frozenset({"https://www.linkedin.com/in/maya-lead"}))


def test_connections_preamble_is_skipped_by_finding_the_header(parse_fixture: Run) -> None:
    parsed = parse_fixture("linkedin-connections", "linkedin/Connections.csv")
    assert len(parsed.people) == 4
    assert [p.line for p in parsed.people] == [5, 6, 7, 9]
    assert len(parsed.identities()) == 5
    ana = parsed.person("Ana Díaz")
    assert ana.company == "Acme, Inc."
    assert ana.title == "Head of Growth"
    assert ana.connected_on == date(2024, 3, 15)
    assert ana.network is NetworkKind.LINKEDIN
    assert [(i.kind.value, i.value) for i in ana.identities] == [("linkedin", "in/ana-diaz-1a2b3c")]


def test_connections_keep_text_verbatim_including_formulas_html_and_accents(
    parse_fixture: Run,
) -> None:
    parsed = parse_fixture("linkedin-connections", "linkedin/Connections.csv")
    bob = parsed.person("Bob O'Neil")
    assert bob.title == "=cmd|' /C calc'!A0"
    assert bob.company == "Café Société"
    assert {i.value for i in bob.identities} == {"in/bob-oneil", "bob@example.com"}
    zoe = parsed.person("Zoë Martin")
    assert zoe.title == "<b>Designer</b>"
    assert zoe.company == "Studio\nNorth"


def test_connections_without_name_use_the_profile_and_empty_rows_are_skipped(
    parse_fixture: Run,
) -> None:
    parsed = parse_fixture("linkedin-connections", "linkedin/Connections.csv")
    assert parsed.person("in/hidden-person").first_name == ""
    assert [(s.line, s.reason) for s in parsed.skipped] == [
        (8, "connection without a name, profile URL or e-mail")
    ]


def test_older_connections_exports_without_url_column_still_parse(parse_fixture: Run) -> None:
    parsed = parse_fixture("linkedin-connections", "linkedin/Connections_old.csv")
    assert [p.full_name for p in parsed.people] == ["Carl Chen", "Dan Okafor"]
    assert parsed.identities() == {("email", "carl@chen.example")}
    assert parsed.person("Dan Okafor").connected_on == date(2018, 8, 21)


def test_messages_yield_one_interaction_per_counterpart_with_direction_from_the_owner(
    parse_fixture: Run,
) -> None:
    parsed = parse_fixture("linkedin-messages", "linkedin/messages.csv", MAYA)
    assert len(parsed.interactions) == 5
    assert [p.full_name for p in parsed.people] == ["Ana Díaz", "Bob O'Neil", "Carl Chen"]
    directions = [(i.counterpart_name, i.direction) for i in parsed.interactions]
    assert directions == [
        ("Ana Díaz", Direction.INBOUND),
        ("Ana Díaz", Direction.OUTBOUND),
        ("Bob O'Neil", Direction.OUTBOUND),
        ("Carl Chen", Direction.OUTBOUND),
        ("Carl Chen", Direction.INBOUND),
    ]
    first = parsed.interactions[0]
    assert first.occurred_at == datetime(2023, 5, 1, 14, 22, 10, tzinfo=UTC)
    assert first.kind is InteractionKind.MESSAGE
    assert first.network is NetworkKind.LINKEDIN
    assert first.summary == "Hi Maya,\nthanks for the chat, let's meet."
    assert first.counterpart[0].value == "in/ana-diaz-1a2b3c"
    assert parsed.interactions[2].summary == "Intro\nBob, meet Carl."
    assert parsed.interactions[4].summary == '=HYPERLINK("http://x")'


def test_messages_infer_the_owner_when_no_hint_is_given(parse_fixture: Run) -> None:
    hinted = parse_fixture("linkedin-messages", "linkedin/messages.csv", MAYA)
    inferred = parse_fixture("linkedin-messages", "linkedin/messages.csv")
    owner = [i for i in inferred.items if isinstance(i, PersonRecord) and "me" in i.tags]
    assert [(p.full_name, p.identities[0].value) for p in owner] == [("Maya Lead", "in/maya-lead")]
    assert [i for i in inferred.items if i not in owner] == hinted.items


def test_messages_have_stable_unique_external_ids(parse_fixture: Run) -> None:
    first = parse_fixture("linkedin-messages", "linkedin/messages.csv")
    again = parse_fixture("linkedin-messages", "linkedin/messages.csv")
    ids = [i.external_id for i in first.interactions]
    assert len(set(ids)) == len(ids)
    assert ids == [i.external_id for i in again.interactions]


def test_messages_from_anonymous_members_are_skipped(parse_fixture: Run) -> None:
    parsed = parse_fixture("linkedin-messages", "linkedin/messages.csv", MAYA)
    assert [(s.line, s.reason) for s in parsed.skipped] == [
        (6, "message with no counterpart known by URL or name")
    ]


def test_messages_tolerate_extra_columns_and_skip_drafts_and_spam(parse_fixture: Run) -> None:
    parsed = parse_fixture("linkedin-messages", "linkedin/messages_drafts.csv", MAYA)
    assert [s.reason for s in parsed.skipped] == [
        "draft message, never sent",
        "message in the SPAM folder",
    ]
    assert len(parsed.interactions) == 1
    assert parsed.interactions[0].direction is Direction.INBOUND


def test_invitations_become_connections_in_both_directions(parse_fixture: Run) -> None:
    parsed = parse_fixture("linkedin-invitations", "linkedin/Invitations.csv")
    assert len(parsed.people) == 3
    assert [(i.counterpart_name, i.direction, i.occurred_at) for i in parsed.interactions] == [
        ("Ana Díaz", Direction.INBOUND, datetime(2024, 1, 15, 14, 40, tzinfo=UTC)),
        ("Dan Okafor", Direction.OUTBOUND, datetime(2024, 3, 2, 9, 5, tzinfo=UTC)),
        ("Eve Stone", Direction.INBOUND, datetime(2024, 2, 10, 8, 0, tzinfo=UTC)),
    ]
    assert all(i.kind is InteractionKind.CONNECTION for i in parsed.interactions)
    assert parsed.interactions[0].summary == "Hi Maya, let's connect"
    assert parsed.interactions[1].counterpart[0].value == "in/dan-okafor"
    assert [s.line for s in parsed.skipped] == [5]
