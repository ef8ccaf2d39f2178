"""Profile URLs from address books become the identity they stand for."""

from __future__ import annotations

import pytest

from takethelead.domain.identities import identity_from_url


@pytest.mark.parametrize(
    ("url", "kind", "value"),
    [
        ("https://www.linkedin.com/in/Ana-Diaz/", "linkedin", "in/ana-diaz"),
        ("linkedin.com/in/bob", "linkedin", "in/bob"),
        ("https://twitter.com/CarlChen", "x", "carlchen"),
        ("https://x.com/carl?lang=en", "x", "carl"),
        ("https://bsky.app/profile/zoe.bsky.social", "bluesky", "zoe.bsky.social"),
        ("https://mastodon.social/@anadiaz", "mastodon", "anadiaz@mastodon.social"),
        ("https://medium.com/@ana", "website", "https://medium.com/@ana"),
        ("https://twitter.com/intent/user?id=1", "website", "https://twitter.com/intent/user?id=1"),
        ("https://Acme.example/", "website", "https://acme.example"),
        ("[//www.linkedin.com/in/x", "website", "[//www.linkedin.com/in/x"),
    ],
)
def test_profile_urls_map_to_network_identities_else_websites(
    url: str, kind: str, value: str
) -> None:
    found = identity_from_url(url)
    assert found is not None
    assert (found.kind.value, found.value, found.display) == (kind, value, url)


def test_blank_urls_are_no_identity() -> None:
    assert identity_from_url("  ") is None
