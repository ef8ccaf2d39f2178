"""Settings: the only code that reads the environment."""

from __future__ import annotations

import itertools
import math
import os
import string
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "takethelead"


class SettingsError(ValueError):
    """A setting is present but unusable; the message names it."""


def _read(environ: Mapping[str, str], name: str) -> str | None:
    """A value from NAME, or from the file named by NAME_FILE (for secrets)."""
    value = environ.get(name)
    if value:
        return value
    file_name = environ.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise SettingsError(f"{name}_FILE: cannot read {file_name}: {exc.strerror}") from exc
    return None


def _allow(environ: Mapping[str, str], name: str) -> bool:
    """'allow' or 'deny' (the default)."""
    value = environ.get(name, "").strip().lower()
    if value in ("", "deny"):
        return False
    if value == "allow":
        return True
    raise SettingsError(f"{name}: expected allow or deny, got {value!r}")


def _count(environ: Mapping[str, str], name: str, default: int) -> int:
    """A whole number from 1 to 64."""
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= 64:
        raise SettingsError(f"{name}: expected a whole number from 1 to 64, got {raw!r}")
    return int(raw)


GENERATE_KEY = 'python -c "import secrets; print(secrets.token_urlsafe(48))"'
_BASE64 = frozenset(string.ascii_letters + string.digits + "-_+/")
_PRINTABLE = frozenset(string.ascii_letters + string.digits + string.punctuation)


def secret_bits(key: str) -> float:
    """An estimate of a key's entropy in bits; 0 for keys that look typed, not generated.

    The rule: bits = length × log2(alphabet), where the alphabet is the smallest usual
    generator alphabet holding every character: digits (10); hexadecimal (16, either case);
    base64 or base64url (64 when both letter cases appear, else 38; trailing = padding not
    counted); printable ASCII (94 with both cases, else 68). A key with spaces, control or non-ASCII
    characters scores 0, and so does a patterned one: fewer than 12 distinct characters, one
    character over a quarter of the key, a repeat of a shorter string, or more than half of
    its neighbouring characters equal or next to each other (aaa, abc, 123). A long typed
    sentence without spaces can still pass: that is why the advice is to generate the key.
    """
    body = key.rstrip("=")
    if not body or not set(body) <= _PRINTABLE:
        return 0.0
    pairs = list(itertools.pairwise(body))
    steps = sum(abs(ord(a) - ord(b)) <= 1 for a, b in pairs)
    if (
        len(set(body)) < 12
        or max(body.count(c) for c in set(body)) * 4 > len(body)
        or body in (body + body)[1:-1]
        or steps * 2 > len(pairs)
    ):
        return 0.0
    mixed = any(c.isupper() for c in body) and any(c.islower() for c in body)
    if body.isdigit():
        alphabet = 10
    elif set(body.lower()) <= set(string.hexdigits.lower()) and not mixed:
        alphabet = 16
    elif set(body) <= _BASE64:
        alphabet = 64 if mixed else 38
    else:
        alphabet = 94 if mixed else 68
    return len(body) * math.log2(alphabet)


def _strong_secret(name: str, key: str) -> None:
    """Refuse a production secret under 32 bytes (256 bits) of estimated entropy."""
    bits = secret_bits(key)
    if bits < 256:
        raise SettingsError(
            f"{name}: too weak for production (about {int(bits)} bits, at least 256 needed); "
            f"generate one with: {GENERATE_KEY}"
        )


@dataclass(frozen=True, slots=True)
class Settings:
    data_dir: Path
    database_url: str
    redis_url: str | None
    secret_key: str | None
    smtp_url: str | None
    environment: str
    # May the web app and API connect accounts on private or loopback addresses? Off by
    # default: on a shared server an owner could otherwise make it call internal hosts.
    private_servers: bool = False
    # Threads of one web process that run routes (LEAD_WEB_THREADS).
    web_threads: int = 2
    # An earlier LEAD_SECRET_KEY (LEAD_SECRET_KEY_OLD): account secrets are read with it when
    # the current key cannot, until `lead secrets rotate` re-encrypts them.
    secret_key_old: str | None = None
    # Proxies whose X-Forwarded-For and X-Forwarded-Proto are believed
    # (LEAD_FORWARDED_ALLOW_IPS); none by default, so nobody on the host can pose as
    # another client to the sign-in limit.
    forwarded_allow_ips: str | None = None

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Build settings from an environment mapping (os.environ by default)."""
        env = os.environ if environ is None else environ
        data_dir = Path(env.get("LEAD_DATA_DIR") or platformdirs.user_data_dir(APP_NAME))
        database_url = _read(env, "DATABASE_URL") or f"sqlite:///{data_dir / 'lead.db'}"
        if database_url.startswith("postgres://"):
            database_url = "postgresql+psycopg://" + database_url[len("postgres://") :]
        elif database_url.startswith("postgresql://"):
            database_url = "postgresql+psycopg://" + database_url[len("postgresql://") :]
        if not (database_url.startswith("sqlite") or database_url.startswith("postgresql")):
            raise SettingsError(
                "DATABASE_URL: expected sqlite:///PATH or postgresql://USER@HOST/DB, "
                f"got {database_url.split(':', 1)[0]}:…"
            )
        environment = env.get("LEAD_ENV", "production")
        secret_key = _read(env, "LEAD_SECRET_KEY")
        if secret_key in {"change-me", "changeme", "secret"} and environment != "development":
            raise SettingsError(
                "LEAD_SECRET_KEY: a placeholder value is refused outside development; "
                f"generate one with: {GENERATE_KEY}"
            )
        if secret_key and environment != "development":
            _strong_secret("LEAD_SECRET_KEY", secret_key)
        return cls(
            data_dir=data_dir,
            database_url=database_url,
            redis_url=_read(env, "REDIS_URL"),
            secret_key=secret_key,
            smtp_url=_read(env, "LEAD_SMTP_URL"),
            environment=environment,
            private_servers=_allow(env, "LEAD_PRIVATE_SERVERS"),
            web_threads=_count(env, "LEAD_WEB_THREADS", 2),
            secret_key_old=_read(env, "LEAD_SECRET_KEY_OLD"),
            forwarded_allow_ips=env.get("LEAD_FORWARDED_ALLOW_IPS", "").strip() or None,
        )
