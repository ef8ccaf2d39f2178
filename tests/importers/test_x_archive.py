"""X archive parsers: account.js, tweets.js (and the older tweet.js), following.js / follower.js."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

from takethelead.domain.records import Direction, InteractionKind, NetworkKind, OwnerHints
from tests.importers.conftest import FIXTURES, Run, run


def test_account_is_the_owner_tagged_me_with_handle_and_id(parse_fixture: Run) -> None:
    parsed = parse_fixture("x-account", "x/account.js")
    (me,) = parsed.people
    assert me.tags == ("me",)
    assert me.full_name == "Maya Lead 🌱"
    assert me.network is NetworkKind.X
    assert parsed.identities() == {
        ("x", "mayalead"),
        ("x_id", "111"),
        ("email", "maya@lead.example"),
    }


def test_tweets_yield_replies_mentions_and_reposts_to_others(parse_fixture: Run) -> None:
    parsed = parse_fixture("x-tweets", "x/tweets.js", OwnerHints(handles=frozenset({"@MayaLead"})))
    assert [(i.kind, i.counterpart_name) for i in parsed.interactions] == [
        (InteractionKind.REPLY, "@bob"),
        (InteractionKind.MENTION, "Ana Díaz"),
        (InteractionKind.MENTION, "Carl Chen"),
        (InteractionKind.REPOST, "Ana Díaz"),
    ]
    assert all(i.direction is Direction.OUTBOUND for i in parsed.interactions)
    assert [p.full_name for p in parsed.people] == ["@bob", "Ana Díaz", "Carl Chen"]
    assert parsed.identities() == {
        ("x", "bob"),
        ("x_id", "222"),
        ("x", "ana"),
        ("x_id", "333"),
        ("x", "carlchen"),
        ("x_id", "444"),
    }
    mention = parsed.interactions[1]
    assert mention.occurred_at == datetime(2023, 2, 19, 7, 0, tzinfo=UTC)
    assert mention.summary == "Great panel with @ana and @CarlChen — «merci»"
    assert mention.external_id == "1002/mention/ana"


def test_self_replies_and_plain_tweets_are_skipped(parse_fixture: Run) -> None:
    parsed = parse_fixture("x-tweets", "x/tweets.js", OwnerHints(handles=frozenset({"mayalead"})))
    assert [s.reason for s in parsed.skipped] == [
        "tweet that replies to and mentions no one else",
        "tweet that replies to and mentions no one else",
    ]


def test_tweets_find_the_owner_in_account_js_beside_them(parse_fixture: Run) -> None:
    hinted = parse_fixture("x-tweets", "x/tweets.js", OwnerHints(handles=frozenset({"mayalead"})))
    assert parse_fixture("x-tweets", "x/tweets.js").items == hinted.items


def test_without_any_owner_a_self_reply_counts_as_a_reply(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "x" / "tweets.js", tmp_path / "tweets.js")
    parsed = run("x-tweets", tmp_path / "tweets.js")
    assert [i.counterpart_name for i in parsed.interactions].count("@mayalead") == 1


def test_older_tweet_js_prefix_is_accepted(parse_fixture: Run) -> None:
    parsed = parse_fixture("x-tweets", "x_old/tweet.js")
    assert len(parsed.interactions) == 3
    assert [p.line for p in parsed.people] == [2, 48, 48]


def test_following_and_followers_are_people_known_by_id(parse_fixture: Run) -> None:
    following = parse_fixture("x-following", "x/following.js")
    assert [p.full_name for p in following.people] == ["X account 222", "X account 555"]
    assert [p.line for p in following.people] == [2, 8]
    followers = parse_fixture("x-following", "x/follower.js")
    assert followers.identities() == {("x_id", "333")}
