"""The window's keyboard shortcuts, in one place so the menus, tooltips and docs agree."""

from __future__ import annotations

import enum


class Shortcut(enum.Enum):
    START_STOP = "Ctrl+Space"
    COMPACT = "Ctrl+M"
    DEMO = "Ctrl+D"
    SETTINGS = "Ctrl+,"
    QUIT = "Ctrl+Q"
    SESSIONS = "Ctrl+L"

    @property
    def label(self) -> str:
        return self.value
