"""Post rules per network: lengths counted as each network counts them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from takethelead.domain.records import NetworkKind
from takethelead.domain.text_rules import (
    extract_links,
    extract_mentions,
    grapheme_count,
    graphemes,
    post_length,
    rules_for,
    validate,
)

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"  # man, woman, girl, boy
THUMBS_MEDIUM = "\U0001f44d\U0001f3fd"
FLAG_FR = "\U0001f1eb\U0001f1f7"
FLAG_DE = "\U0001f1e9\U0001f1ea"
FLAG_SCOTLAND = "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"
RAINBOW_FLAG = "\U0001f3f3\ufe0f\u200d\U0001f308"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", 0),
        ("hello", 5),
        (FAMILY, 1),
        (THUMBS_MEDIUM, 1),
        (FLAG_FR + FLAG_DE, 2),
        (FLAG_FR + "\U0001f1e9", 2),
        (FLAG_SCOTLAND, 1),
        (RAINBOW_FLAG, 1),
        ("e\u0301", 1),  # e + combining acute
        ("a\u0308\u0301b", 2),
        ("\u1100\u1161\u11a8", 1),  # conjoining jamo make one syllable
        ("한국어", 3),
        ("\r\n", 1),
        ("\n\r", 2),
        ("\u0e01\u0e48\u0e33", 1),  # Thai consonant, tone mark, sara am
        ("\u0915\u093f", 1),  # Devanagari ka + vowel sign i (a spacing mark)
        ("a\u200db", 2),  # a zero-width joiner joins only emoji
        ("\u0600\u0661", 1),  # an Arabic number sign prepends
    ],
)
def test_grapheme_count_matches_what_a_person_sees(text: str, expected: int) -> None:
    assert grapheme_count(text) == expected


@given(st.text())
def test_graphemes_put_back_together_give_the_original_text(text: str) -> None:
    assert "".join(graphemes(text)) == text


@given(st.text())
def test_grapheme_count_never_exceeds_code_points(text: str) -> None:
    assert grapheme_count(text) <= len(text)


def test_bluesky_counts_three_hundred_skin_toned_emoji_as_three_hundred() -> None:
    text = THUMBS_MEDIUM * 300
    assert len(text) == 600
    assert post_length(text, NetworkKind.BLUESKY) == 300
    assert validate(text, NetworkKind.BLUESKY) == []


def test_bluesky_counts_an_emoji_family_as_one_character() -> None:
    assert post_length(FAMILY * 3, NetworkKind.BLUESKY) == 3


def test_bluesky_refuses_the_three_hundred_and_first_grapheme() -> None:
    problems = validate(FLAG_FR * 301, NetworkKind.BLUESKY)
    assert problems == ["The post is 301 characters long; Bluesky allows 300 (1 too many)."]


def test_bluesky_refuses_over_three_thousand_bytes_even_under_three_hundred_graphemes() -> None:
    problems = validate(FLAG_SCOTLAND * 120, NetworkKind.BLUESKY)
    assert len(problems) == 1
    assert "bytes" in problems[0]


def test_mastodon_counts_a_long_link_as_twenty_three_characters() -> None:
    link = "https://example.com/" + "a" * 200
    assert post_length(f"read {link}", NetworkKind.MASTODON) == 5 + 23


def test_mastodon_counts_only_the_username_of_a_remote_mention() -> None:
    assert post_length("@alice@very.long.example.social hi", NetworkKind.MASTODON) == len(
        "@alice hi"
    )


def test_mastodon_keeps_punctuation_after_a_link_in_the_count() -> None:
    assert post_length("see https://example.com/x.", NetworkKind.MASTODON) == 4 + 23 + 1


def test_mastodon_honours_the_servers_own_limit() -> None:
    text = "a" * 600
    assert validate(text, NetworkKind.MASTODON) != []
    assert validate(text, NetworkKind.MASTODON, max_length=1000) == []


def test_x_weighs_links_emoji_and_wide_scripts() -> None:
    assert post_length("日本語 https://example.com/long/path 👍", NetworkKind.X) == 7 + 23 + 3


def test_x_refuses_two_hundred_and_eighty_one_latin_characters() -> None:
    assert validate("a" * 280, NetworkKind.X) == []
    assert validate("a" * 281, NetworkKind.X) != []


@pytest.mark.parametrize(
    ("network", "limit"),
    [
        (NetworkKind.LINKEDIN, 3000),
        ("threads", 500),
        ("instagram", 2200),
        (NetworkKind.FACEBOOK, 63206),
        (NetworkKind.DISCOURSE, 32000),
    ],
)
def test_each_network_allows_exactly_its_limit(network: str, limit: int) -> None:
    assert validate("a" * limit, network) == []
    assert len(validate("a" * (limit + 1), network)) == 1


def test_web_networks_count_an_astral_emoji_as_two_like_javascript() -> None:
    assert post_length("\U0001f600", "instagram") == 2


def test_discourse_needs_twenty_characters_not_counting_surrounding_spaces() -> None:
    assert validate("   too short      ", NetworkKind.DISCOURSE) == [
        "The post is 9 characters long; Discourse needs at least 20."
    ]
    assert validate("a" * 20, NetworkKind.DISCOURSE) == []
    assert validate("a" * 10, NetworkKind.DISCOURSE, min_length=5) == []


def test_an_empty_post_is_a_problem_everywhere() -> None:
    assert validate("  \n", NetworkKind.MASTODON) == [
        "The post is empty; Mastodon needs some text."
    ]


def test_an_unknown_network_fails_loudly() -> None:
    with pytest.raises(KeyError, match="no post rules for 'myspace'"):
        rules_for("myspace")
    with pytest.raises(KeyError):
        post_length("hi", "myspace")


def test_links_lose_trailing_punctuation() -> None:
    text = "See https://example.com/a?b=1, and (http://example.org/x)."
    assert extract_links(text) == ["https://example.com/a?b=1", "http://example.org/x"]


def test_mastodon_mentions_keep_the_server() -> None:
    text = "Thanks @alice@example.social and @bob! Not an email: carol@example.com"
    assert extract_mentions(text, NetworkKind.MASTODON) == ["alice@example.social", "bob"]


def test_bluesky_mentions_are_full_handles() -> None:
    text = "cc @ana.bsky.social and @not-a-handle, see https://bsky.app/@x.y"
    assert extract_mentions(text, NetworkKind.BLUESKY) == ["ana.bsky.social"]


def test_x_mentions_are_screen_names_up_to_fifteen_characters() -> None:
    assert extract_mentions("hi @jack and @a_b_c", NetworkKind.X) == ["jack", "a_b_c"]


def test_forum_mentions_are_usernames() -> None:
    assert extract_mentions("@sam.lee thanks", NetworkKind.DISCOURSE) == ["sam.lee"]
