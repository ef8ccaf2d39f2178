"""Property: whatever bytes a file holds, a parser either parses it or raises ParseError."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from takethelead.domain.records import OwnerHints, ParseError
from takethelead.importers import FORMATS
from tests.importers.conftest import FIXTURES

SAMPLES = {
    "linkedin-connections": "linkedin/Connections.csv",
    "linkedin-messages": "linkedin/messages.csv",
    "linkedin-invitations": "linkedin/Invitations.csv",
    "google-contacts": "google/contacts.csv",
    "vcard": "vcard/apple30.vcf",
    "mastodon-following": "mastodon/following_accounts.csv",
    "x-account": "x/account.js",
    "x-tweets": "x/tweets.js",
    "x-following": "x/following.js",
    "mbox": "mbox/gmail.mbox",
    "icalendar": "ical/calendar.ics",
}
FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@st.composite
def mutated(draw: st.DrawFn, sample: bytes) -> bytes:
    """A real export with a cut, an insertion or a replaced stretch of bytes."""
    start = draw(st.integers(0, len(sample)))
    end = draw(st.integers(start, min(len(sample), start + 64)))
    inserted = draw(
        st.one_of(
            st.binary(max_size=8),
            st.sampled_from([b'"', b",", b"\n", b"\r\n", b" ", b":", b";", b"[", b"}", b"\\"]),
            st.text(max_size=8).map(str.encode),
        )
    )
    cut = draw(st.booleans())
    return sample[:start] + inserted + (b"" if cut else sample[end:])


def parses_or_raises_parse_error(path: Path, key: str, content: bytes) -> None:
    path.write_bytes(content)
    try:
        for _ in FORMATS[key](path, OwnerHints()):
            pass
    except ParseError:
        pass


@pytest.mark.parametrize("key", sorted(SAMPLES))
@FUZZ
@given(content=st.binary(max_size=300))
def test_arbitrary_bytes_either_parse_or_raise_parse_error(
    tmp_path: Path, key: str, content: bytes
) -> None:
    parses_or_raises_parse_error(tmp_path / "export", key, content)


@pytest.mark.parametrize("key", sorted(SAMPLES))
@FUZZ
@given(data=st.data())
def test_damaged_real_exports_either_parse_or_raise_parse_error(
    tmp_path: Path, key: str, data: st.DataObject
) -> None:
    sample = (FIXTURES / SAMPLES[key]).read_bytes()
    content = data.draw(mutated(sample))
    parses_or_raises_parse_error(tmp_path / "export", key, content)
