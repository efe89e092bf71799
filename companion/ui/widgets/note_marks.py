"""What the widgets need of a coaching note, and how one is labelled and coloured.

The widgets draw notes but never read the store: any value with a time, an
author, a kind and a text will do (the store's ``Note`` is one).
"""

from __future__ import annotations

from typing import Protocol

NOTE_COLOURS = {"note": "#2563eb", "follow-up": "#dc2626"}


class TimedNote(Protocol):
    @property
    def t(self) -> float: ...

    @property
    def author(self) -> str: ...

    @property
    def kind(self) -> str: ...

    @property
    def text(self) -> str: ...


def note_label(note: TimedNote) -> str:
    kind = "follow-up: process issue" if note.kind == "follow-up" else "note"
    return f"{int(note.t) // 60}:{int(note.t) % 60:02d} {note.author} ({kind}): {note.text}"
