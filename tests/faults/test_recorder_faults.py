"""The recorder under faults, driven by a real recording's audio blocks and real event values (no model).

- a file read far faster than real time: what a kill -9 would leave on the disk is never
  more than about a second behind the reader;
- the disk fills mid-call and has room again: one report, every event kept, the audio up
  to the full point a clean file, and the store works afterwards.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path

import pytest

from companion.audio.files import FileSource
from companion.audio.frames import AudioBlock
from companion.errors import StoreError
from companion.events import CallEnded, CallStarted, Utterance
from companion.store.audio_file import read_audio
from companion.store.db import SessionStore
from companion.store.recorder import RecorderSettings, SessionRecorder
from tests import speech
from tests.faults import drive

CHANNELS = (("agent", "left"), ("customer", "right"))


@pytest.fixture(scope="module")
def call_wav(espeak: None) -> tuple[Path, list[speech.Turn]]:
    return speech.synthesize_call(drive.KILL_SCRIPT, gap_s=0.8)


def on_disk_s(path: Path) -> float:
    """Seconds of sound another process (the next start, after a kill -9) would find in the file."""
    try:
        return read_audio(path).shape[1] / 16_000
    except StoreError:  # not even the first page is there yet
        return 0.0


def test_a_fast_file_is_never_far_ahead_of_what_is_on_disk(call_wav, tmp_path: Path) -> None:
    wav, _turns = call_wav
    recorder = SessionRecorder(tmp_path / "store", RecorderSettings(spool_dir=tmp_path / "spool"))
    recorder.on_event(CallStarted(0.0, str(wav), CHANNELS, realtime=False))  # read as analyze reads a file
    behind: list[tuple[float, float]] = []
    next_check = 3.0

    def deliver(block: AudioBlock) -> None:
        nonlocal next_check
        recorder.on_audio(block)
        if block.speaker == "customer" and block.t1 >= next_check and recorder.audio_path is not None:
            next_check += 3.0
            behind.append((block.t1, block.t1 - on_disk_s(recorder.audio_path)))

    FileSource(wav).run(deliver, threading.Event())  # as fast as decoding goes: many times real time
    recorder.on_event(CallEnded(_turns_end(wav)))
    recorder.close()
    assert len(behind) >= 8
    # A page (0.5 s) being made, a page handed over but not yet readable, the reader's second ahead.
    worst = max(lag for _t, lag in behind)
    assert worst <= 2.0, behind


def _turns_end(wav: Path) -> float:
    import wave

    with wave.open(str(wav)) as w:
        return w.getnframes() / w.getframerate()


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a small tmpfs to fill needs root (CI runs as root)")
def test_the_disk_fills_mid_call_and_has_room_again(call_wav, tmp_path: Path) -> None:
    wav, turns = call_wav
    mount = tmp_path / "disk"
    if not drive.mount_tmpfs(mount, "2m"):
        pytest.skip("this kernel or container refuses to mount a tmpfs")
    try:
        told: list[StoreError] = []
        recorder = SessionRecorder(
            mount / "store", RecorderSettings(spool_dir=tmp_path / "spool"), on_error=told.append
        )
        source = FileSource(wav, realtime=False)
        recorder.on_event(CallStarted(0.0, str(wav), CHANNELS, realtime=True))  # live: nobody waits
        lines = [
            Utterance(i, t.speaker, t.start, t.end, t.text, segment=i, emitted=t.end + 0.5)  # type: ignore[arg-type]
            for i, t in enumerate(turns)
        ]
        full_at, back_at = turns[2].end + 0.5, turns[4].end + 0.5
        state = {"filler": None}

        def deliver(block: AudioBlock) -> None:
            recorder.on_audio(block)
            for u in lines:
                if block.speaker == "customer" and block.t0 < u.emitted <= block.t1:
                    recorder.on_event(u)
            if block.speaker == "customer" and block.t0 < full_at <= block.t1:
                _settle(recorder)
                state["filler"] = drive.fill(mount)
            if block.speaker == "customer" and block.t0 < back_at <= block.t1:
                _settle(recorder)
                state["filler"].unlink()

        source.run(_paced(deliver), threading.Event())
        recorder.on_event(CallEnded(source.decoded_duration))
        recorder.close()

        # One report for one full disk, though the audio, the database and the retries all failed.
        assert len(told) == 1, told
        assert "full" in str(told[0]) or "No space" in str(told[0])
        assert not recorder.failing
        with SessionStore(mount / "store") as store:
            (s,) = store.sessions()
            events = store.events(s.id)
            # Every line is kept, those said while the disk was full too.
            assert [e.text for e in events if isinstance(e, Utterance)] == [u.text for u in lines]
            assert s.state == "complete" and "audio stops at" in s.note
            # The sound up to the full point is a clean file (mended at the end of the call).
            assert s.audio is not None
            kept_s = on_disk_s(s.audio)
            assert full_at - 2.0 <= kept_s < back_at, (kept_s, full_at)
            store.add_note(s.id, 1.0, "lead", "the store takes writes again")
        with sqlite3.connect(mount / "store" / "sessions.db") as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        drive.unmount(mount)


def _settle(recorder: SessionRecorder) -> None:
    """Let the writer catch up, so the disk fills at a known call time rather than wherever the queue is."""
    import time

    deadline = time.monotonic() + 10
    while not recorder._queue.empty() and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.3)


def _paced(deliver):
    """Blocks a little apart, so the writer's wall-clock retries happen within the call."""
    import time

    def paced(block: AudioBlock) -> None:
        deliver(block)
        if block.speaker == "customer":
            time.sleep(0.004)

    return paced
