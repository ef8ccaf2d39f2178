"""Settings: the only code that reads the environment."""

from __future__ import annotations

import os
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
                "LEAD_SECRET_KEY: a placeholder value is refused outside development"
            )
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
