"""Where a team login's password is kept: the system keyring if there is one, else a 0600 file.

The window's settings keep the database URL without its password; the password
goes to the keyring (``keyring`` package, when it is installed and a backend
works) or to ``<config>/team-passwords.json``, readable by the user alone
(created 0600 in a 0700 folder, rewritten in one step).
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

from companion.team.connection import describe, with_password, without_password
from companion.team.errors import TeamError

SERVICE = "call-companion-team"
FILE_NAME = "team-passwords.json"


def _keyring():
    try:
        import keyring  # type: ignore[import-not-found]
        from keyring.errors import KeyringError  # type: ignore[import-not-found]
    except ImportError:
        return None, None
    try:
        backend = keyring.get_keyring()
        if "fail" in type(backend).__module__.lower() or "null" in type(backend).__name__.lower():
            return None, None
    except Exception:
        return None, None
    return keyring, KeyringError


class PasswordStore:
    """Passwords by ``user@host/db``; ``use_keyring=False`` forces the file (tests, headless machines)."""

    def __init__(self, config_dir: Path, use_keyring: bool = True) -> None:
        self.path = Path(config_dir) / FILE_NAME
        self._keyring, self._keyring_error = _keyring() if use_keyring else (None, None)

    @property
    def where(self) -> str:
        return "the system keyring" if self._keyring is not None else f"{self.path} (readable by you alone)"

    def save_url(self, url: str) -> str:
        """Keep the URL's password here; return the URL without it (what the settings may hold)."""
        bare, password = without_password(url)
        if password:
            self.set(describe(bare), password)
        return bare

    def full_url(self, bare_url: str) -> str:
        return with_password(bare_url, self.get(describe(bare_url)))

    def set(self, key: str, password: str) -> None:
        if self._keyring is not None:
            with contextlib.suppress(self._keyring_error):
                self._keyring.set_password(SERVICE, key, password)
                return
        data = self._read()
        data[key] = password
        self._write(data)

    def get(self, key: str) -> str | None:
        if self._keyring is not None:
            with contextlib.suppress(self._keyring_error):
                found = self._keyring.get_password(SERVICE, key)
                if found:
                    return str(found)
        return self._read().get(key)

    def _read(self) -> dict[str, str]:
        try:
            return {str(k): str(v) for k, v in json.loads(self.path.read_text()).items()}
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise TeamError(f"the saved team passwords {self.path} cannot be read: {exc}") from exc

    def _write(self, data: dict[str, str]) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            tmp = self.path.with_name(self.path.name + ".part")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as fh:
                json.dump(data, fh)
            os.chmod(tmp, 0o600)
            os.replace(tmp, self.path)
        except OSError as exc:
            raise TeamError(f"cannot save the team password in {self.path}: {exc.strerror or exc}") from exc
