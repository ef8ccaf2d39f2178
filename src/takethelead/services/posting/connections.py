"""Connected network accounts: secrets encrypted at rest, reconnects that touch one account.

The key comes from LEAD_SECRET_KEY, or from a key file created once in the data directory
(mode 0600); an earlier key (LEAD_SECRET_KEY_OLD) is tried when the current one cannot read a
secret, until `lead secrets rotate` re-encrypts every secret with the current key. An account
whose secret no key can read is paused with a notice; it resumes by itself once readable
(after a rotate, or with the old key given), or when it is connected again. An account is
identified by (kind, server, handle); reconnecting writes the new secret to that account
only, never to another account of the same network.
"""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from takethelead.config import Settings
from takethelead.connectors.base import Connector, ConnectorError
from takethelead.connectors.bluesky import BlueskyConnector
from takethelead.connectors.bluesky.connector import DEFAULT_PDS
from takethelead.connectors.discourse import DiscourseConnector
from takethelead.connectors.http import AddressRefused, checked_url
from takethelead.connectors.mastodon import MastodonConnector
from takethelead.domain.posting import DeliveryState
from takethelead.domain.records import NetworkKind
from takethelead.services.core.errors import NotFound, ServiceError
from takethelead.storage.tables import ConnectorAccount, Delivery, utcnow

KEY_FILE = "secret.key"
LIVE_KINDS = (NetworkKind.MASTODON, NetworkKind.BLUESKY, NetworkKind.DISCOURSE)
DEFAULT_TIMEOUT = 20.0


# The reason a paused account carries while no key can read its secret.
UNREADABLE = "its stored secret cannot be decrypted with the current key"


class SecretUnreadable(ServiceError):
    """A stored secret that no key given can decrypt (LEAD_SECRET_KEY or the key file changed)."""


def _derived(secret_key: str) -> bytes:
    digest = hashlib.sha256(secret_key.encode("utf-8")).digest()
    return base64.urlsafe_b64encode(digest)


def _old_keys(given: str) -> list[bytes]:
    """Keys an old secret may stand for: a LEAD_SECRET_KEY string, or a key file's contents."""
    keys = [_derived(given)]
    try:
        Fernet(given.strip().encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        return keys
    return [*keys, given.strip().encode("ascii")]


class Secrets:
    """Encrypts with the current key; decrypts with it, then with any older keys given."""

    def __init__(self, key: bytes, fallbacks: Sequence[bytes] = ()) -> None:
        self._fernet = MultiFernet([Fernet(key), *(Fernet(k) for k in fallbacks)])

    @classmethod
    def from_settings(cls, settings: Settings, old: Sequence[str] = ()) -> Secrets:
        """The key from LEAD_SECRET_KEY (any string), else the data directory's key file.

        Older keys to read with: LEAD_SECRET_KEY_OLD, then `old` (strings or key files' text).
        """
        if settings.secret_key:
            key = _derived(settings.secret_key)
        else:
            key = _key_file(settings.data_dir / KEY_FILE)
        given = [settings.secret_key_old] if settings.secret_key_old else []
        fallbacks = [k for text in (*given, *old) for k in _old_keys(text) if k != key]
        return cls(key, fallbacks)

    def encrypt(self, secret: str) -> str:
        return self._fernet.encrypt(secret.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except (InvalidToken, UnicodeEncodeError):
            raise SecretUnreadable(
                "an account secret cannot be decrypted: LEAD_SECRET_KEY or the key file "
                "changed since it was connected; run lead secrets rotate --old-key-file FILE "
                "with the old key, or lead connect again"
            ) from None

    def rotate(self, token: str) -> str:
        """The token re-encrypted with the current key (read with whichever key works)."""
        try:
            return self._fernet.rotate(token.encode("ascii")).decode("ascii")
        except (InvalidToken, UnicodeEncodeError):
            raise SecretUnreadable("an account secret cannot be decrypted with any key") from None


def _key_file(path: Path) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes().strip()
    key = Fernet.generate_key()
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(key)
    return key


@dataclass(frozen=True, slots=True)
class AccountView:
    id: int
    kind: str
    base_url: str
    handle: str
    status: str
    status_reason: str
    inbox_synced_at: datetime | None


@dataclass(frozen=True, slots=True)
class AccountInput:
    """What the user gives to connect an account; `secret` is a token, password or API key."""

    kind: NetworkKind
    base_url: str
    secret: str
    handle: str = ""
    allow_private: bool = False


def _normal_url(raw: str, field: str) -> str:
    url = raw.strip().rstrip("/")
    if "://" not in url and url:
        url = "https://" + url
    expected = f"{field}: expected a web address such as https://mastodon.social"
    try:
        parts = urlsplit(url)
        host, _port = parts.hostname, parts.port  # a port that is not a number raises
    except ValueError:
        raise ServiceError(expected) from None
    if parts.scheme not in ("http", "https") or not host:
        raise ServiceError(expected)
    # A server name in DNS's letters, four decimal numbers or an IPv6 literal, no user name,
    # a real port: anything else would fail deep inside an HTTP client (0177.0.0.1 did).
    try:
        checked_url(url)
    except AddressRefused as error:
        raise ServiceError(f"{expected}; {error.reason}") from None
    return url


def build_connector(
    account: ConnectorAccount,
    secret: str,
    timeout: float = DEFAULT_TIMEOUT,
    session_string: str | None = None,
) -> Connector:
    """A live connector for an account (its secret and stored session decrypted by the caller)."""
    kind = account.kind
    if kind == NetworkKind.MASTODON:
        return MastodonConnector(
            account.base_url, secret, allow_private=account.allow_private, timeout=timeout
        )
    if kind == NetworkKind.BLUESKY:
        return BlueskyConnector(
            account.handle,
            secret,
            base_url=account.base_url,
            allow_private=account.allow_private,
            timeout=timeout,
            session_string=session_string,
        )
    if kind == NetworkKind.DISCOURSE:
        return DiscourseConnector(
            account.base_url,
            secret,
            account.handle,
            allow_private=account.allow_private,
            timeout=timeout,
        )
    raise ServiceError(f"{kind}: no live connector; posts to it are handed to you to publish")


def _verify(given: AccountInput) -> tuple[str, int | None]:
    """Ask the network who the credentials belong to (and its post limit) before storing."""
    probe = ConnectorAccount(
        kind=given.kind.value,
        base_url=given.base_url,
        handle=given.handle,
        allow_private=given.allow_private,
    )
    connector = build_connector(probe, given.secret, timeout=10.0)
    try:
        if isinstance(connector, MastodonConnector):
            return connector.whoami(), connector.max_characters()
        if isinstance(connector, BlueskyConnector):
            connector.export_session()
            return given.handle, None
        if isinstance(connector, DiscourseConnector):
            connector.posted_since(datetime.now(UTC))
            connector.close()
            return given.handle, None
    except ConnectorError as error:
        message = f"{given.kind.value}: the network refused to connect: {error.reason}"
        raise ServiceError(message) from None
    raise ServiceError(f"{given.kind.value}: no live connector")


def prepare(
    kind: str, *, base_url: str | None, secret: str, handle: str = "", allow_private: bool = False
) -> AccountInput:
    """Check what the user typed; one clear error naming the field otherwise."""
    try:
        network = NetworkKind(kind.strip().lower())
    except ValueError:
        network = None
    if network not in LIVE_KINDS:
        raise ServiceError(f"network {kind!r}: expected mastodon, bluesky or discourse")
    assert network is not None
    if not secret.strip():
        field = {"mastodon": "--token", "bluesky": "--app-password", "discourse": "--api-key"}
        raise ServiceError(f"{field[network.value]}: expected a non-empty value")
    if network is NetworkKind.BLUESKY:
        url = _normal_url(base_url or DEFAULT_PDS, "--service")
        if not handle.strip():
            raise ServiceError("--handle: expected your Bluesky handle, e.g. ana.bsky.social")
    elif network is NetworkKind.MASTODON:
        url = _normal_url(base_url or "", "--server")
    else:
        url = _normal_url(base_url or "", "--url")
        if not handle.strip():
            raise ServiceError("--user: expected the forum username the API key acts as")
    return AccountInput(network, url, secret.strip(), handle.strip().lstrip("@"), allow_private)


def connect_account(
    session: Session, workspace_id: int, secrets: Secrets, given: AccountInput
) -> tuple[int, bool]:
    """Verify the credentials, then store them on that account alone; (account id, created).

    Paused deliveries of the account go back to the queue: a new token resumes posting.
    """
    handle, max_length = _verify(given)
    account = session.scalar(
        select(ConnectorAccount).where(
            ConnectorAccount.workspace_id == workspace_id,
            ConnectorAccount.kind == given.kind.value,
            ConnectorAccount.base_url == given.base_url,
            ConnectorAccount.handle == handle,
        )
    )
    created = account is None
    if account is None:
        account = ConnectorAccount(
            workspace_id=workspace_id,
            kind=given.kind.value,
            base_url=given.base_url,
            handle=handle,
            secret="",
        )
        session.add(account)
    account.secret = secrets.encrypt(given.secret)
    account.session_secret = None
    account.allow_private = given.allow_private
    account.max_length = max_length
    account.hold_until = None
    session.flush()
    resume_account(session, account.id)
    return account.id, created


def list_accounts(session: Session, workspace_id: int) -> list[AccountView]:
    """Connected accounts, paused ones with the reason."""
    rows = session.scalars(
        select(ConnectorAccount)
        .where(ConnectorAccount.workspace_id == workspace_id)
        .order_by(ConnectorAccount.kind, ConnectorAccount.id)
    )
    return [
        AccountView(
            id=a.id,
            kind=a.kind,
            base_url=a.base_url,
            handle=a.handle,
            status=a.status,
            status_reason=a.status_reason,
            inbox_synced_at=a.inbox_synced_at,
        )
        for a in rows
    ]


def account_for(session: Session, workspace_id: int, target: str) -> ConnectorAccount:
    """The account a `--to` target names: "mastodon" (the only one) or "mastodon:handle"."""
    kind, _, handle = target.partition(":")
    rows = list(
        session.scalars(
            select(ConnectorAccount)
            .where(ConnectorAccount.workspace_id == workspace_id, ConnectorAccount.kind == kind)
            .order_by(ConnectorAccount.id)
        )
    )
    if handle:
        rows = [a for a in rows if a.handle.lower().lstrip("@") == handle.lower().lstrip("@")]
    if not rows:
        raise NotFound(
            f"{target}: no account connected; run lead connect {kind} first"
            if not handle
            else f"{target}: no {kind} account with that handle"
        )
    if len(rows) > 1:
        names = ", ".join(f"{kind}:{a.handle}" for a in rows)
        raise ServiceError(f"{target}: several accounts are connected; name one of {names}")
    return rows[0]


def pause_account(session: Session, account_id: int, reason: str) -> int:
    """Pause an account and its queued deliveries; returns how many deliveries paused."""
    session.execute(
        update(ConnectorAccount)
        .where(ConnectorAccount.id == account_id)
        .values(status="paused", status_reason=reason, updated_at=utcnow())
    )
    result = session.execute(
        update(Delivery)
        .where(Delivery.account_id == account_id, Delivery.state == DeliveryState.QUEUED)
        .values(state=DeliveryState.PAUSED, version=Delivery.version + 1, last_error=reason)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def resume_account(session: Session, account_id: int) -> int:
    """Make an account active again and queue its paused deliveries; returns how many."""
    session.execute(
        update(ConnectorAccount)
        .where(ConnectorAccount.id == account_id)
        .values(status="active", status_reason="", updated_at=utcnow())
    )
    result = session.execute(
        update(Delivery)
        .where(Delivery.account_id == account_id, Delivery.state == DeliveryState.PAUSED)
        .values(state=DeliveryState.QUEUED, version=Delivery.version + 1, last_error="")
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def pause_unreadable(session: Session, account_id: int) -> int:
    """Pause an account whose secret no key can read, saying how to bring it back."""
    reason = (
        f"{UNREADABLE} (LEAD_SECRET_KEY or the key file changed): run lead secrets rotate "
        "with the old key, or connect the account again."
    )
    return pause_account(session, account_id, reason)


def resume_readable(session: Session, secrets: Secrets) -> list[int]:
    """Resume accounts paused for an unreadable secret that can be read now; their ids."""
    paused = session.execute(
        select(ConnectorAccount.id, ConnectorAccount.secret).where(
            ConnectorAccount.status == "paused",
            ConnectorAccount.status_reason.startswith(UNREADABLE),
        )
    ).all()
    resumed: list[int] = []
    for account_id, secret in paused:
        try:
            secrets.decrypt(secret)
        except SecretUnreadable:
            continue
        resume_account(session, account_id)
        resumed.append(account_id)
    return resumed


@dataclass(frozen=True, slots=True)
class Rotated:
    """What a key rotation did: secrets re-encrypted, accounts none could read, resumed."""

    rotated: int
    unreadable: list[int]
    resumed: list[int]


def rotate_secrets(session: Session, secrets: Secrets) -> Rotated:
    """Re-encrypt every stored account secret (and session) with the current key."""
    rotated = 0
    unreadable: list[int] = []
    for account in session.scalars(select(ConnectorAccount).order_by(ConnectorAccount.id)):
        if not account.secret:
            continue  # disconnected: nothing stored
        try:
            account.secret = secrets.rotate(account.secret)
        except SecretUnreadable:
            unreadable.append(account.id)
            continue
        if account.session_secret:
            try:
                account.session_secret = secrets.rotate(account.session_secret)
            except SecretUnreadable:
                account.session_secret = None  # only a login saved: the next pass logs in
        rotated += 1
    session.flush()
    return Rotated(rotated, unreadable, resume_readable(session, secrets))


@dataclass(frozen=True, slots=True)
class Disconnected:
    """What a disconnect did: the account removed, or kept paused for the posts waiting on it."""

    account_id: int
    removed: bool
    waiting: int


def disconnect_account(session: Session, workspace_id: int, account_id: int) -> Disconnected:
    """Forget an account's credentials; posts still waiting on it stay, paused, never dropped.

    Without waiting posts the account row goes; with them it stays paused (reconnecting
    resumes them, cancelling them ends them), so nothing is silently lost.
    """
    account = session.get(ConnectorAccount, account_id)
    if account is None or account.workspace_id != workspace_id:
        raise NotFound(f"account #{account_id}: no such connected account")
    waiting = int(
        session.scalar(
            select(func.count()).where(
                Delivery.account_id == account.id,
                Delivery.state.in_(
                    [
                        DeliveryState.QUEUED,
                        DeliveryState.PAUSED,
                        DeliveryState.SENDING,
                        DeliveryState.UNCONFIRMED,
                    ]
                ),
            )
        )
        or 0
    )
    if not waiting:
        session.delete(account)
        session.flush()
        return Disconnected(account_id, removed=True, waiting=0)
    account.secret = ""
    account.session_secret = None
    session.flush()
    pause_account(
        session,
        account.id,
        f"disconnected by you; {waiting} post(s) wait for a reconnect or a cancel.",
    )
    return Disconnected(account_id, removed=False, waiting=waiting)
