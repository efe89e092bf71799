"""Shared helpers for the analysis tests: the default playbook and scripted calls."""

from __future__ import annotations

from pathlib import Path

import pytest

from companion.analysis.playbook import Playbook, load_playbook
from companion.events import Utterance

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "calls"


@pytest.fixture(scope="session")
def playbook() -> Playbook:
    return load_playbook()


def script(lines: list[tuple[str, str]], turn_s: float = 6.0) -> list[Utterance]:
    """Utterances for ('A'|'C', text) lines, one every ``turn_s`` seconds."""
    out = []
    for i, (who, text) in enumerate(lines):
        start = i * turn_s
        speaker = "agent" if who == "A" else "customer"
        out.append(Utterance(i, speaker, start, start + turn_s - 1.0, text))
    return out
