"""Swapping the agent and the customer of a stored mono call, and judging its lines again.

Diarization says which voice is which; only the words say which voice is the
agent, and they can be wrong.  The swap exchanges the two sides of every
stored line and runs a fresh coach over them, so steps, mood, alerts and the
library's figures follow.  A stereo call's channels say who is who: it is not
swapped here.
"""

from __future__ import annotations

import os
from pathlib import Path

from companion.analysis.coach import coach_for
from companion.analysis.playbook import Playbook
from companion.analysis.recoach import recoach, swap_speakers
from companion.audio.frames import SAMPLE_RATE, AudioBlock
from companion.errors import StoreError
from companion.events import one_channel
from companion.store.audio_file import AudioWriter, read_audio
from companion.store.db import SessionStore
from companion.store.records import SessionSummary


def can_swap(summary: SessionSummary) -> bool:
    return one_channel(summary.channels) and {s for s, _ in summary.channels} == {"agent", "customer"}


def swap_session_roles(store: SessionStore, session_id: int, playbook: Playbook | None) -> SessionSummary:
    """Exchange agent and customer in a stored mono session; returns its new summary."""
    summary = store.session(session_id)
    if not can_swap(summary):
        raise StoreError(f"session {session_id} is not a mono call split by voice: its channels say who is the agent")
    events = store.events(session_id)
    coach = coach_for(playbook) if playbook is not None else None
    store.replace_events(session_id, recoach(swap_speakers(events), coach))
    if summary.audio is not None and summary.audio.exists():
        _swap_channels(summary.audio)
    return store.session(session_id)


def _swap_channels(path: Path) -> None:
    """The stored sound keeps the agent on channel 0: the two channels change places with the roles.

    (Redaction bleeps and the team upload pick the agent's channel by position.)
    """
    pcm = read_audio(path)
    if pcm.shape[0] != 2:
        return
    tmp = path.with_name(path.name + ".swap")
    writer = AudioWriter(tmp, ("agent", "customer"))
    # Second by second, both channels together: the writer fills a channel that lags far behind with silence.
    for a in range(0, pcm.shape[1], SAMPLE_RATE):
        writer.write(AudioBlock("agent", a / SAMPLE_RATE, pcm[1, a : a + SAMPLE_RATE]))
        writer.write(AudioBlock("customer", a / SAMPLE_RATE, pcm[0, a : a + SAMPLE_RATE]))
    writer.close()
    os.replace(tmp, path)
