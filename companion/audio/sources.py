"""What a source of a call promises the pipeline.

A source runs in its own thread: ``run`` hands everything it has to
``deliver`` in call-time order until the call ends or ``stop`` is set.  An
audio source delivers blocks of audio, which the pipeline recognises; a text
source (a transcript) delivers its lines as finished ``Utterance`` values,
which go straight to the coach.  The pipeline cannot tell a file played at
real-time pace from a live call, which is the point: one pipeline serves the
window, ``analyze`` and the tests.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Protocol

from companion.audio.frames import AudioBlock
from companion.events import Speaker, Utterance

SourceItem = AudioBlock | Utterance


class Source(Protocol):
    """A producer of per-speaker 16 kHz audio blocks, or of a transcript's lines."""

    description: str
    """A human name for the source: a file path or the devices in use."""

    realtime: bool
    """True when blocks arrive at the pace of the call (live, or a paced file)."""

    carries_audio: bool
    """True for audio (blocks to recognise); False for a transcript, whose lines are already text."""

    @property
    def channels(self) -> tuple[tuple[Speaker, str], ...]:
        """Which speaker each channel or device carries, e.g. (("agent", "left"), ...)."""
        ...

    def run(self, deliver: Callable[[SourceItem], None], stop: threading.Event) -> None:
        """Deliver blocks (or a transcript's lines) until the call ends or ``stop`` is set.

        Raises ``InputError`` or ``CaptureError`` when the input cannot be read;
        what was delivered before the error stays delivered.
        """
        ...
