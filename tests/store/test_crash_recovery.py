"""A real kill -9 of a process recording a real call, and the recovery at the next start."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from companion.events import CallEnded, Utterance
from companion.store.audio_file import read_audio
from companion.store.db import SessionStore
from companion.store.recovery import recover
from tests import speech

ROOT = Path(__file__).resolve().parents[2]


def _utterances_committed(db: Path) -> int:
    if not db.exists():
        return 0
    with sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True) as conn:
        try:
            return int(conn.execute("SELECT COUNT(*) FROM utterances").fetchone()[0])
        except sqlite3.OperationalError:
            return 0  # the schema is being created


def test_kill_9_mid_call_then_recover(billing_wav: tuple[Path, list[speech.Turn]], tmp_path: Path) -> None:
    wav, turns = billing_wav
    store_dir = tmp_path / "store"
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.store.record_call", str(store_dir), str(wav)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        assert line.startswith("started"), (line, proc.stderr.read() if proc.stderr else "")
        started = float(line.split()[1])
        deadline = time.monotonic() + 60
        while _utterances_committed(store_dir / "sessions.db") < 2:
            assert proc.poll() is None and time.monotonic() < deadline, "the recording did not progress"
            time.sleep(0.05)
        # The call is live in another process: a second window starting now must leave it alone.
        with SessionStore(store_dir) as store:
            assert recover(store) == []
        time.sleep(0.7)  # pull the plug at an arbitrary point, not right after a commit
        killed_at = time.monotonic()
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    call_time_at_kill = killed_at - started
    assert proc.returncode == -signal.SIGKILL
    assert call_time_at_kill < turns[-1].end  # it really was cut off mid-call

    committed_before = _utterances_committed(store_dir / "sessions.db")
    with SessionStore(store_dir) as store:
        (left_open,) = store.open_sessions()
        assert left_open.state == "recording"
        recovered = recover(store)
        assert len(recovered) == 1
        r = recovered[0]
        assert "cut off" in r.message and "recovered" in r.message
        s = store.session(r.session_id)
        events = store.events(s.id)
        assert recover(store) == []  # once is enough

    assert s.state == "recovered" and s.note == r.message
    utterances = [e for e in events if isinstance(e, Utterance)]
    assert len(utterances) >= committed_before >= 2
    for u, turn in zip(sorted(utterances, key=lambda u: u.start), turns, strict=False):
        assert u.speaker == turn.speaker
        assert speech.word_error_rate(turn.text, u.text) < 0.4 or "card" in turn.text
    assert isinstance(events[-1], CallEnded) and events[-1].reason == "interrupted"
    # The audio runs to at most 2 s before the plug was pulled, and is a clean file again.
    assert s.audio is not None
    pcm = read_audio(s.audio)
    audio_s = pcm.shape[1] / 16_000
    print(f"killed at call time {call_time_at_kill:.2f} s; recovered {audio_s:.2f} s of audio")
    assert call_time_at_kill - 2.0 <= audio_s <= call_time_at_kill + 0.5, (audio_s, call_time_at_kill)
    assert abs(r.audio_s - audio_s) < 0.05
    assert s.duration >= audio_s - 0.05
    assert not s.audio.with_suffix(".lock").exists()


def test_a_crash_before_any_sound_reached_the_disk(tmp_path: Path) -> None:
    """Killed in the first second: the session is recovered with its events and without a broken file."""
    from companion.events import CallStarted
    from companion.store.db import new_uid
    from companion.store.records import SessionInfo

    with SessionStore(tmp_path) as store:
        info = SessionInfo(new_uid(), "2026-11-29T10:00:00+00:00", channels=(("agent", "left"), ("customer", "right")))
        session_id = store.create_session(info)
        store.append_events(session_id, [(0, CallStarted(0.0, "mic", info.channels, True))])
        audio = store.audio_path(info.uid)
        audio.write_bytes(b"OggS\x00\x02")  # a header page cut short
        store.set_audio(session_id, audio)
        (r,) = recover(store)
        s = store.session(session_id)
        assert s.state == "recovered" and s.audio is None and not audio.exists()
        assert r.audio_s == 0.0 and "0 utterances" in r.message and "0:00 of audio" in r.message
