"""What a source of call audio promises the pipeline.

A source runs in its own thread: ``run`` hands every block of audio to
``deliver`` in call-time order until the audio ends or ``stop`` is set.  The
pipeline cannot tell a file played at real-time pace from a live call, which is
the point: one pipeline serves the window, ``analyze`` and the tests.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Protocol

from companion.audio.frames import AudioBlock
from companion.events import Speaker


class Source(Protocol):
    """A producer of per-speaker 16 kHz audio blocks."""

    description: str
    """A human name for the source: a file path or the devices in use."""

    realtime: bool
    """True when blocks arrive at the pace of the call (live, or a paced file)."""

    @property
    def channels(self) -> tuple[tuple[Speaker, str], ...]:
        """Which speaker each channel or device carries, e.g. (("agent", "left"), ...)."""
        ...

    def run(self, deliver: Callable[[AudioBlock], None], stop: threading.Event) -> None:
        """Deliver blocks until the audio ends or ``stop`` is set.

        Raises ``InputError`` or ``CaptureError`` when the audio cannot be read;
        blocks delivered before the error stay delivered.
        """
        ...
