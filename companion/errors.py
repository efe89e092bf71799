"""Errors a person can act on.

Each layer raises its own subclass with a message written for the user (what
went wrong and what to do).  The window shows ``str(error)`` in place and the
command line prints it on one line and exits with code 2; neither ever shows a
traceback for these.
"""

from __future__ import annotations


class CompanionError(Exception):
    """Base of every error whose message is meant for the user."""


class InputError(CompanionError):
    """A file or argument given to the app cannot be used (missing, empty, not audio...)."""


class CaptureError(CompanionError):
    """Live audio capture failed: PortAudio missing, no device, a device vanished."""


class ModelError(CompanionError):
    """The speech model could not be found or loaded."""


class PlaybookError(CompanionError):
    """A playbook file is malformed; the message names the file, the line and the problem."""


class StoreError(CompanionError):
    """The session store cannot be read or written (locked, read-only, full, corrupt)."""


class ReaderError(CompanionError):
    """The learned sentence reader cannot be used (model missing, damaged or unloadable)."""
