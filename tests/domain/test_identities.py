"""Identity keys: the same person from two sources gets the same key."""

from __future__ import annotations

from urllib.parse import urlsplit

from hypothesis import given
from hypothesis import strategies as st

from takethelead.domain.identities import (
    fold,
    normalise_email,
    normalise_linkedin,
    normalise_mastodon,
)


def by_full_parse(value: str) -> str | None:
    """The general rule, written out: host ends in linkedin.com, first two path segments."""
    value = value.strip()
    if "://" not in value:
        value = "https://" + value
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    if not parts.netloc.lower().endswith("linkedin.com"):
        return None
    segments = [s for s in parts.path.split("/") if s]
    return f"{segments[0].lower()}/{segments[1].lower()}" if len(segments) >= 2 else None


def test_linkedin_urls_in_every_export_shape_give_one_key() -> None:
    shapes = [
        "https://www.linkedin.com/in/Ana-Diaz/",
        "http://linkedin.com/in/ana-diaz?trk=public_profile",
        "www.linkedin.com/in/ana-diaz",
        "in/ana-diaz",
        "https://uk.linkedin.com/in/ANA-DIAZ#experience",
    ]
    assert {normalise_linkedin(s) for s in shapes} == {"in/ana-diaz"}


def test_other_hosts_are_not_linkedin() -> None:
    assert normalise_linkedin("https://www.linkedin.com.evil.example/in/x") is None
    assert normalise_linkedin("https://evil.example/linkedin.com/in/x") is None


slug = st.text(alphabet="abcdefghijklmnopqrstuvwxyzÁé0123456789-_%.", min_size=1, max_size=12)


@given(
    scheme=st.sampled_from(["http://", "https://", "HTTPS://", ""]),
    host=st.sampled_from(["www.linkedin.com", "linkedin.com", "uk.linkedin.com", "lnkd.example"]),
    kind=st.sampled_from(["in", "pub", "company", "IN"]),
    name=slug,
    tail=st.sampled_from(["", "/", "?trk=x", "#about", "/details", "/a/b"]),
)
def test_the_fast_path_agrees_with_the_full_parse(
    scheme: str, host: str, kind: str, name: str, tail: str
) -> None:
    url = f"{scheme}{host}/{kind}/{name}{tail}"
    assert normalise_linkedin(url) == by_full_parse(url)


def test_emails_and_handles_fold_case() -> None:
    assert normalise_email("  <Ana@Example.ORG> ") == "ana@example.org"
    assert normalise_email("mailto:ana@example.org") == "ana@example.org"
    assert normalise_email("not an address") is None
    assert normalise_mastodon("@Alice@Mastodon.Social") == "alice@mastodon.social"
    assert normalise_mastodon("https://mastodon.social/@alice") == "alice@mastodon.social"


def test_folding_removes_accents_and_case() -> None:
    assert fold("  Ana  DÍAZ ") == "ana diaz"
    assert fold("Chloé Dubois") == fold("chloe dubois")
