from __future__ import annotations

import sqlite3
from pathlib import Path

from companion.events import CallEnded, CallStarted, Level, Partial, Utterance
from companion.store.audio_file import read_audio
from companion.store.db import SessionStore
from companion.store.recorder import RecorderSettings, SessionRecorder
from companion.store.recovery import recover
from companion.store.redact import CARD, redact_event
from tests import speech
from tests.store.conftest import RecordedCall


def test_a_recorded_call_is_kept_whole(recorded_call: RecordedCall) -> None:
    with SessionStore(recorded_call.store_dir, readonly=True) as store:
        s = store.session(recorded_call.session_id)
        stored = store.events(s.id)
    assert s.state == "complete" and s.agent == "Sam"
    # Every event but the meter readings, in order, redacted: the call can be rebuilt from the store.
    expected = [redact_event(e) for e in recorded_call.events if not isinstance(e, Level)]
    assert stored == expected
    assert isinstance(stored[0], CallStarted) and sum(isinstance(e, CallEnded) for e in stored) == 1
    utterances = [e for e in stored if isinstance(e, Utterance)]
    assert s.utterances == len(utterances) == len(recorded_call.turns)
    text = " ".join(u.text for u in utterances)
    reference = " ".join(t.text for t in recorded_call.turns if "card" not in t.text)
    # In call order: the engine may finish a short turn before a longer earlier one.
    in_order = sorted(utterances, key=lambda u: u.start)
    spoken = " ".join(u.text for u in in_order if "card" not in u.text.lower())
    assert speech.word_error_rate(reference, spoken) < 0.25, (reference, spoken)
    # The card is one digit fifteen times; heard in context, Whisper may count fewer of them
    # (then it reads as a phone number).  Whatever it heard, no run of those digits is stored.
    card_line = next(u.text for u in utterances if "card" in u.text.lower())
    assert CARD in card_line or "[phone number]" in card_line, card_line
    assert "1111" not in text and "1-1-1" not in text


def test_the_audio_is_both_sides_in_sync_and_small(recorded_call: RecordedCall) -> None:
    with SessionStore(recorded_call.store_dir, readonly=True) as store:
        s = store.session(recorded_call.session_id)
    assert s.audio is not None and s.audio.suffix == ".ogg"
    pcm = read_audio(s.audio)
    seconds = pcm.shape[1] / 16_000
    assert pcm.shape[0] == 2
    assert abs(seconds - s.duration) < 0.1
    assert s.audio.stat().st_size / (seconds / 60) < 0.5e6  # bytes per call minute
    # Agent left, customer right: each channel is loud where its speaker talks and quiet elsewhere.
    for turn in recorded_call.turns:
        mid = int((turn.start + turn.end) / 2 * 16_000)
        window = pcm[:, mid - 4000 : mid + 4000]
        rms = (window**2).mean(axis=1) ** 0.5
        own, other = (0, 1) if turn.speaker == "agent" else (1, 0)
        assert rms[own] > 5 * rms[other], turn


def test_the_call_makes_no_network_connection(recorded_call: RecordedCall, network_guard: object) -> None:
    assert recorded_call.connections == []
    # Replay reads the store and the audio: also with the network refused.
    from companion.store.export import to_json
    from companion.store.session_data import load_session

    with SessionStore(recorded_call.store_dir, readonly=True) as store:
        session = load_session(store, recorded_call.session_id)
        to_json(session)
        assert session.summary.audio is not None
        read_audio(session.summary.audio)
    assert network_guard.attempts == []  # type: ignore[attr-defined]


def test_a_locked_store_mid_call_loses_nothing(recorded_call: RecordedCall, tmp_path: Path) -> None:
    """The store is locked by another program for part of the call; the events wait and are then saved."""
    store_dir = tmp_path / "store"
    spool = tmp_path / "spool"
    with SessionStore(store_dir) as store:
        pass
    recorder = SessionRecorder(store_dir, RecorderSettings(spool_dir=spool, retry_every_s=0.0))
    events = [e for e in recorded_call.events if not isinstance(e, Level)]
    half = len(events) // 2
    for e in events[:3]:
        recorder.on_event(e)
    blocker = sqlite3.connect(store_dir / "sessions.db", isolation_level=None, timeout=10)
    _wait(lambda: recorder.committed >= 3)
    blocker.execute("BEGIN EXCLUSIVE")
    for e in events[3:half]:
        recorder.on_event(e)
    _wait(lambda: recorder.failing)
    assert "locked" in str(recorder.errors[-1])
    assert (spool / f"{recorder.uid}.jsonl").exists()  # kept on disk elsewhere meanwhile
    blocker.execute("ROLLBACK")
    blocker.close()
    for e in events[half:]:
        recorder.on_event(e)
    recorder.close()
    assert not recorder.failing
    with SessionStore(store_dir) as store:
        assert store.events(recorder.session_id or -1) == [redact_event(e) for e in events]
        assert store.session(recorder.uid).state == "complete"
    assert not (spool / f"{recorder.uid}.jsonl").exists()


def test_a_store_that_never_comes_back_is_saved_from_the_spool(recorded_call: RecordedCall, tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "sessions.db").write_bytes(b"garbage" * 1000)  # damaged for the whole call
    spool = tmp_path / "spool"
    seen = []
    recorder = SessionRecorder(broken, RecorderSettings(spool_dir=spool), on_error=seen.append)
    events = [e for e in recorded_call.events if not isinstance(e, Level | Partial)]
    for e in events:
        recorder.on_event(e)
    recorder.close()
    assert recorder.session_id is None and seen and "damaged" in str(seen[0])
    assert len(seen) == 1  # the same problem is reported once, not once per event
    # Next start, with a working store: the spooled call is saved in full.
    with SessionStore(tmp_path / "good") as store:
        recovered = recover(store, spool)
        assert len(recovered) == 1
        s = store.session(recorded_call_uid := recovered[0].uid)
        assert s.uid == recorded_call_uid and s.state == "complete"
        assert store.events(s.id) == [redact_event(e) for e in events]
    assert list(spool.glob("*.jsonl")) == []


def _wait(condition: object, timeout: float = 10.0) -> None:
    import time

    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_the_coachs_last_words_after_the_call_ended_are_kept(tmp_path: Path) -> None:
    """The coach answers CallEnded with its closing alerts; they belong to the session too."""
    from companion.events import Alert

    events = [
        CallStarted(0.0, "mic", (("agent", "left"), ("customer", "right")), True),
        Utterance(0, "customer", 0.5, 2.0, "Hello? Is anyone there?"),
        CallEnded(14.0),
        Alert(14.0, "dead-air", "12 s of silence at the end of the call", None, 12.0),
    ]
    recorder = SessionRecorder(tmp_path, RecorderSettings(flush_every_s=0.05))
    for e in events:
        recorder.on_event(e)
    # Nobody calls close(): the session is finished once the queue falls idle.
    with SessionStore(tmp_path) as store:
        _wait(lambda: store.find_uid(recorder.uid) is not None and store.session(recorder.uid).state == "complete")
        assert store.events(store.session(recorder.uid).id) == events
        assert store.session(recorder.uid).alerts == 1 and store.session(recorder.uid).duration == 14.0
    recorder.close()
