"""X archive `data/tweets.js` (older: `tweet.js`): replies, mentions and retweets of others."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from takethelead.domain.identities import identity, normalise_handle
from takethelead.domain.records import (
    Direction,
    IdentityKind,
    InteractionKind,
    InteractionRecord,
    NetworkKind,
    OwnerHints,
    ParsedItem,
    ParseError,
    PersonRecord,
    SkippedRecord,
)
from takethelead.importers.dates import parse_twitter_datetime
from takethelead.importers.interactions import summary
from takethelead.importers.people import Announced, unique
from takethelead.importers.ytd import items


@dataclass(frozen=True, slots=True)
class _Account:
    handle: str  # normalised screen name, or ""
    account_id: str
    name: str


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _owner_accounts(path: Path, owner: OwnerHints) -> set[str]:
    """The owner's handles and ids: from the hints, else from account.js beside the file."""
    known = {h for raw in owner.handles if (h := normalise_handle(raw))}
    sibling = path.with_name("account.js")
    if known or sibling == path or not sibling.is_file():
        return known
    try:
        for _, element in items(sibling, ("account",)):
            account = element.get("account") if isinstance(element, dict) else None
            if isinstance(account, dict):
                known |= {
                    v.lower() for k in ("username", "accountId") if (v := _text(account.get(k)))
                }
    except (ParseError, OSError):
        # A broken account.js beside the tweets only means the owner stays unknown.
        return set()
    return known


def _counterparts(tweet: dict[str, object]) -> list[tuple[InteractionKind, _Account]]:
    found: list[tuple[InteractionKind, _Account]] = []
    reply_to = _Account(
        normalise_handle(_text(tweet.get("in_reply_to_screen_name"))) or "",
        _text(tweet.get("in_reply_to_user_id_str")),
        "",
    )
    if reply_to.handle or reply_to.account_id:
        found.append((InteractionKind.REPLY, reply_to))
    entities = tweet.get("entities")
    mentions = entities.get("user_mentions") if isinstance(entities, dict) else None
    # A retweet is "RT @author: …" with the author as its first mention.
    retweet = _text(tweet.get("full_text")).startswith("RT @")
    for mention in mentions if isinstance(mentions, list) else []:
        if not isinstance(mention, dict):
            continue
        account = _Account(
            normalise_handle(_text(mention.get("screen_name"))) or "",
            _text(mention.get("id_str")),
            _text(mention.get("name")),
        )
        kind = InteractionKind.REPOST if retweet else InteractionKind.MENTION
        found.append((kind, account))
        if retweet:
            break
    return found


def parse(path: Path, owner: OwnerHints) -> Iterator[ParsedItem]:
    """Yield counterpart people and REPLY / MENTION / REPOST interactions, all outbound."""
    mine = _owner_accounts(path, owner)
    announced = Announced()
    for line, element in items(path, ("tweets", "tweet")):
        tweet = element.get("tweet", element) if isinstance(element, dict) else None
        tweet_id = _text(tweet.get("id_str")) if isinstance(tweet, dict) else ""
        if not isinstance(tweet, dict) or not tweet_id:
            raise ParseError(str(path), line, 'expected {"tweet": {"id_str": "…", …}}')
        raw_date = _text(tweet.get("created_at"))
        created_at = parse_twitter_datetime(raw_date)
        if created_at is None:
            raise ParseError(
                str(path),
                line,
                f"expected created_at like 'Sat Feb 18 12:33:11 +0000 2023', found {raw_date!r}",
            )
        done: set[str] = set()
        emitted = False
        for kind, account in _counterparts(tweet):
            key = account.handle or account.account_id
            # Threads reply to oneself, and a reply's target is also its first mention.
            if key in done or account.handle in mine or account.account_id in mine:
                continue
            done.add(key)
            identities = unique(
                [
                    identity(IdentityKind.X, account.handle),
                    identity(IdentityKind.X_ID, account.account_id),
                ]
            )
            name = account.name or (f"@{account.handle}" if account.handle else "")
            person = PersonRecord(
                full_name=name or f"X account {account.account_id}",
                identities=identities,
                network=NetworkKind.X,
                line=line,
            )
            if announced.first_time(person):
                yield person
            yield InteractionRecord(
                occurred_at=created_at,
                kind=kind,
                direction=Direction.OUTBOUND,
                counterpart=identities,
                counterpart_name=name,
                network=NetworkKind.X,
                summary=summary(_text(tweet.get("full_text"))),
                external_id=f"{tweet_id}/{kind.value}/{key}",
                line=line,
            )
            emitted = True
        if not emitted:
            yield SkippedRecord(line, "tweet that replies to and mentions no one else")
