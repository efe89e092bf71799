"""The team store's error: one message a person can act on (the window shows it, the CLI exits 2)."""

from __future__ import annotations

from companion.errors import CompanionError


class TeamError(CompanionError):
    """The team database cannot be reached, is not set up, or refused what was asked."""
