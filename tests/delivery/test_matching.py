"""`match_posted` alone: which listed post a delivery made, on plain data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from takethelead.connectors.markup import comparable, html_to_text
from takethelead.domain.posting import Attempted, Listed, Verdict, match_posted

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
MARGIN = timedelta(minutes=5)
WORDS = "Breakfast club on Friday: who is coming?"


def _listed(remote_id: str, text: str = WORDS, at: datetime = T0, key: str | None = None) -> Listed:
    return Listed(remote_id, at, comparable(text), key)


def _attempted(number: int, text: str = WORDS, at: datetime = T0) -> Attempted:
    return Attempted(number, f"key-{number}", comparable(text), at)


def test_the_one_post_with_the_whole_text_is_found() -> None:
    wanted = _attempted(1)
    listed = [_listed("a", WORDS + " Bring a friend."), _listed("b")]
    assert match_posted(wanted, listed, set(), [wanted], MARGIN, False) == (
        Verdict.FOUND,
        listed[1],
    )


def test_a_post_that_only_contains_the_text_is_not_it() -> None:
    wanted = _attempted(1, "Breakfast club")
    assert match_posted(wanted, [_listed("a")], set(), [], MARGIN, False)[0] is Verdict.ABSENT


def test_a_post_another_delivery_holds_or_older_than_the_attempt_is_not_it() -> None:
    wanted = _attempted(1)
    old = _listed("old", at=T0 - timedelta(hours=1))
    assert match_posted(wanted, [_listed("held"), old], {"held"}, [], MARGIN, False)[0] is (
        Verdict.ABSENT
    )


def test_two_deliveries_that_could_have_made_one_post_are_ambiguous() -> None:
    first, second = _attempted(1), _attempted(2, at=T0 + timedelta(seconds=3))
    listed = [_listed("a", at=T0 + timedelta(seconds=4))]
    for wanted in (first, second):
        verdict = match_posted(wanted, listed, set(), [first, second], MARGIN, False)
        assert verdict == (Verdict.AMBIGUOUS, None)


def test_by_key_the_text_does_not_matter_but_a_held_post_still_does() -> None:
    wanted = _attempted(1)
    mine = _listed("a", "other words", key="key-1")
    assert match_posted(wanted, [mine], set(), [], MARGIN, True) == (Verdict.FOUND, mine)
    assert match_posted(wanted, [mine], {"a"}, [], MARGIN, True)[0] is Verdict.ABSENT
    assert match_posted(wanted, [_listed("b", key="key-2")], set(), [], MARGIN, True)[0] is (
        Verdict.ABSENT
    )


def test_mastodons_html_and_our_text_compare_equal() -> None:
    sent = "Hello @ana@social.example\n\nsee https://example.com/a/long/path  now"
    shown = (
        '<p>Hello <span class="h-card"><a href="https://social.example/@ana" class="u-url '
        'mention">@<span>ana</span></a></span></p><p>see <a href="https://example.com/a/long/'
        'path"><span class="invisible">https://</span><span class="ellipsis">example.com/a/'
        'long</span><span class="invisible">/path</span></a> now</p>'
    )
    assert comparable(html_to_text(shown)) == comparable(sent)
    assert comparable("write to sam@example.com") == "write to sam@example.com"
