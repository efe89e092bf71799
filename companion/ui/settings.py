"""What the user sets in the window, kept in QSettings under ``group/key`` names.

Tests construct ``Settings`` with a throwaway organisation and application name
so they never read or write the user's own configuration.
"""

from __future__ import annotations

import enum
from typing import Any

from PySide6.QtCore import QByteArray, QSettings

ORGANISATION = "call-companion"
APPLICATION = "call-companion"


class Key(enum.Enum):
    AGENT_DEVICE = "audio/agent_device"
    CUSTOMER_DEVICE = "audio/customer_device"  # empty: the agent device's other channel
    AGENT_CHANNEL = "audio/agent_channel"  # left or right, for one stereo device
    MODEL = "engine/model"
    EFFORT = "engine/effort"  # the power setting: low, normal or high (companion.asr.effort)
    PLAYBOOK = "engine/playbook"  # empty: the bundled playbook
    THEME = "window/theme"  # auto, light or dark
    GEOMETRY = "window/geometry"
    COMPACT_GEOMETRY = "window/compact_geometry"
    COMPACT = "window/compact"
    SPLITTER = "window/splitter"
    STORE_DIR = "sessions/store_dir"  # empty: the user's data folder (QStandardPaths)
    AGENT_NAME = "sessions/agent_name"  # kept with each recorded call
    REVIEWER = "sessions/reviewer"  # the author of coaching notes
    REDACT = "sessions/redact"  # card numbers and the like hidden in stored transcripts
    TEAM_URL = "team/url"  # the team database, without its password (kept by companion.team.credentials)
    TEAM_SYNC = "team/sync"  # push finished calls to the team database after each call


DEFAULTS: dict[Key, Any] = {
    Key.AGENT_DEVICE: "",
    Key.CUSTOMER_DEVICE: "",
    Key.AGENT_CHANNEL: "left",
    Key.MODEL: "bundled",
    Key.EFFORT: "normal",
    Key.PLAYBOOK: "",
    Key.THEME: "auto",
    Key.COMPACT: False,
    Key.REDACT: True,
    Key.TEAM_SYNC: False,
}


class Settings:
    """Typed access to the persisted settings."""

    def __init__(self, organisation: str = ORGANISATION, application: str = APPLICATION) -> None:
        self._qsettings = QSettings(organisation, application)

    def text(self, key: Key) -> str:
        value = self._qsettings.value(key.value, DEFAULTS.get(key, ""))
        return "" if value is None else str(value)

    def flag(self, key: Key) -> bool:
        value = self._qsettings.value(key.value, DEFAULTS.get(key, False))
        # QSettings' INI back-end returns booleans as the strings "true"/"false".
        return value in (True, "true", "1", 1)

    def blob(self, key: Key) -> QByteArray | None:
        value = self._qsettings.value(key.value)
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def set(self, key: Key, value: Any) -> None:
        self._qsettings.setValue(key.value, value)

    def sync(self) -> None:
        self._qsettings.sync()

    def clear(self) -> None:
        self._qsettings.clear()

    @property
    def file_name(self) -> str:
        return self._qsettings.fileName()


def device_setting(text: str) -> str | int | None:
    """A stored device: an index when it is a number, its name otherwise, None when unset."""
    text = text.strip()
    if not text:
        return None
    return int(text) if text.isdigit() else text
