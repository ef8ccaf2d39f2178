"""Settings from an environment mapping: a weak LEAD_SECRET_KEY is refused in production."""

from __future__ import annotations

import base64
import os
import secrets
import uuid
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from takethelead.config import GENERATE_KEY, Settings, SettingsError, secret_bits

BASE = {"LEAD_DATA_DIR": "/tmp/lead-config-test"}

WEAK = [
    "x",
    "password",
    "change-me",
    "correct horse battery staple correct horse battery staple",  # typed: spaces
    secrets.token_hex(16),  # 128 bits
    secrets.token_urlsafe(24),  # 192 bits
    str(uuid.uuid4()),  # 122 random bits
    "a" * 64,
    "ab" * 40,
    "Abc123-_" * 8,  # a repeat of a shorter string
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",  # a run
    "1234567890" * 8,
    "0" * 70,
    "pässwörd" * 8,  # not ASCII
]


@pytest.mark.parametrize("key", WEAK)
def test_a_weak_secret_key_is_refused_in_production_with_how_to_make_one(key: str) -> None:
    with pytest.raises(SettingsError, match="LEAD_SECRET_KEY") as refused:
        Settings.from_env({**BASE, "LEAD_SECRET_KEY": key})
    assert GENERATE_KEY in str(refused.value)


def generated() -> list[str]:
    return [
        secrets.token_urlsafe(32),
        secrets.token_urlsafe(48),
        secrets.token_hex(32),
        secrets.token_hex(32).upper(),
        Fernet.generate_key().decode(),  # what the app writes to its own key files
        base64.b64encode(os.urandom(32)).decode(),  # openssl rand -base64 32
    ]


def test_generated_keys_are_accepted_in_production() -> None:
    for _ in range(200):
        for key in generated():
            assert Settings.from_env({**BASE, "LEAD_SECRET_KEY": key}).secret_key == key


def test_the_key_the_advice_generates_is_accepted() -> None:
    key = secrets.token_urlsafe(48)  # what GENERATE_KEY prints
    assert "token_urlsafe(48)" in GENERATE_KEY
    assert secret_bits(key) >= 256


def test_a_key_from_a_file_is_checked_the_same_way(tmp_path: Path) -> None:
    weak = tmp_path / "weak.key"
    weak.write_text("hunter2\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="LEAD_SECRET_KEY: too weak"):
        Settings.from_env({**BASE, "LEAD_SECRET_KEY_FILE": str(weak)})
    strong = tmp_path / "strong.key"
    strong.write_text(secrets.token_hex(32) + "\n", encoding="utf-8")
    assert Settings.from_env({**BASE, "LEAD_SECRET_KEY_FILE": str(strong)}).secret_key


def test_development_accepts_any_key_and_no_key_is_fine_everywhere() -> None:
    dev = {**BASE, "LEAD_ENV": "development"}
    assert Settings.from_env({**dev, "LEAD_SECRET_KEY": "x"}).secret_key == "x"
    # No key: the app generates its own key files in the data directory.
    assert Settings.from_env(BASE).secret_key is None


def test_the_estimate_counts_the_alphabet_the_key_is_written_in() -> None:
    assert secret_bits("0123456789abcdef" * 4) == 0  # a repeat
    assert secret_bits(secrets.token_hex(32)) == pytest.approx(256)
    assert secret_bits(secrets.token_urlsafe(32)) == pytest.approx(43 * 6)
    assert secret_bits(Fernet.generate_key().decode()) == pytest.approx(43 * 6)  # = not counted
