"""Connection URLs (verify-full kept, passwords taken out) and where a password is kept."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from companion.team.connection import describe, parse_url, with_password, without_password
from companion.team.credentials import PasswordStore
from companion.team.errors import TeamError

SECURE = "postgresql://ann:s3cr%40t@db.example.org:6432/team?sslmode=verify-full&sslrootcert=%2Fetc%2Fca.pem"


def test_a_verify_full_url_keeps_its_tls_settings_without_the_password() -> None:
    bare, password = without_password(SECURE)
    assert password == "s3cr@t"
    parts = parse_url(bare)
    assert parts == {
        "user": "ann",
        "host": "db.example.org",
        "port": "6432",
        "dbname": "team",
        "sslmode": "verify-full",
        "sslrootcert": "/etc/ca.pem",
    }
    assert parse_url(with_password(bare, password)) == parse_url(SECURE)
    assert describe(SECURE) == "ann@db.example.org/team" and "s3cr" not in describe(SECURE)


def test_a_socket_url_round_trips() -> None:
    url = "postgresql://bob:pw@/team?host=%2Frun%2Fpostgresql&port=5433"
    bare, password = without_password(url)
    assert password == "pw" and parse_url(with_password(bare, password)) == parse_url(url)


def test_a_bad_url_is_one_message() -> None:
    with pytest.raises(TeamError, match="not valid"):
        parse_url("host=x port=notanumber ===")


def test_the_password_file_is_the_users_alone(tmp_path: Path) -> None:
    store = PasswordStore(tmp_path / "config", use_keyring=False)
    bare = store.save_url(SECURE)
    assert "s3cr" not in bare
    assert store.full_url(bare) == with_password(bare, "s3cr@t")
    path = tmp_path / "config" / "team-passwords.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert "readable by you alone" in store.where
