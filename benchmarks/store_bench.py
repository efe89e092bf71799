"""Session store figures: open a one-hour session, search 10,000 sessions, bytes per call minute.

    python benchmarks/store_bench.py [--sessions 10000] [--wav CALL.wav] [--json OUT]

Prints one line per figure.  Targets (issue 5): open a one-hour session and
rebuild its state <= 1 s; search across 10,000 sessions <= 100 ms; about
0.5 MB per call minute or less.  Everything runs in a temporary folder.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import av
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from companion.analysis.report import build_report
from companion.analysis.scorecard import build_scorecard
from companion.audio.files import FileSource
from companion.audio.frames import AudioBlock
from companion.events import (
    Alert,
    CallEnded,
    CallStarted,
    Event,
    NextStep,
    Partial,
    SentimentPoint,
    SpeechStarted,
    StepDone,
    Utterance,
)
from companion.pipeline import CallPipeline
from companion.store.audio_file import AudioWriter, read_audio
from companion.store.db import SessionStore, new_uid
from companion.store.recorder import RecorderSettings, SessionRecorder
from companion.store.records import SessionInfo
from companion.store.rows import insert_session, utterance_rowid
from companion.store.session_data import load_session

COMMON = [
    "the",
    "i",
    "you",
    "to",
    "and",
    "a",
    "it",
    "my",
    "is",
    "that",
    "of",
    "for",
    "this",
    "on",
    "have",
    "be",
    "not",
    "can",
    "with",
    "your",
    "we",
    "was",
    "me",
    "what",
    "so",
    "just",
    "but",
    "account",
    "bill",
    "charge",
    "internet",
    "order",
    "refund",
    "card",
    "call",
    "help",
    "today",
    "please",
    "thank",
    "sorry",
    "understand",
    "delivery",
    "service",
    "engineer",
    "payment",
    "line",
    "problem",
    "number",
    "week",
    "days",
    "back",
    "time",
    "check",
    "look",
    "fix",
    "again",
]


def vocabulary(rng: random.Random, n: int = 4000) -> list[str]:
    letters = "abcdefghiklmnoprstuvwy"
    rare = {"".join(rng.choice(letters) for _ in range(rng.randint(4, 10))) for _ in range(n)}
    return COMMON + sorted(rare)


def sentence(rng: random.Random, words: list[str], weights: list[float]) -> str:
    return " ".join(rng.choices(words, weights, k=rng.randint(5, 22))).capitalize() + "."


def call_events(rng: random.Random, words: list[str], weights: list[float], minutes: float) -> list[Event]:
    """A plausible call's events: turns every few seconds, partials, sentiment, steps, alerts."""
    events: list[Event] = [CallStarted(0.0, "bench", (("agent", "left"), ("customer", "right")), True)]
    t, uid = 0.5, 0
    end = minutes * 60
    while t < end:
        speaker = "agent" if uid % 2 == 0 else "customer"
        length = rng.uniform(1.5, 7.0)
        events.append(SpeechStarted(t, speaker, uid))
        for k in range(int(length / 0.5)):
            events.append(Partial(t + 0.5 * (k + 1), speaker, uid, t, sentence(rng, words, weights)))
        text = sentence(rng, words, weights)
        events.append(Utterance(uid, speaker, round(t, 3), round(t + length, 3), text, uid, t + length + 0.4))
        if speaker == "customer":
            score = rng.uniform(-1, 1)
            events.append(SentimentPoint(t + length + 0.45, "customer", score, score * 0.6, uid))
        elif uid % 10 == 0:
            events.append(StepDone(t + length + 0.45, f"step-{uid % 7}", uid, text))
            events.append(NextStep(t + length + 0.46, f"step-{(uid + 1) % 7}", "next", uid))
        if uid % 25 == 0:
            events.append(Alert(t + length + 0.5, "interruption", "talked over", uid, 1.0, "agent"))
        t += length + rng.uniform(0.3, 2.0)
        uid += 1
    events.append(CallEnded(round(t, 3)))
    return events


def bench_hour(root: Path, rng: random.Random, words: list[str], weights: list[float], pcm: np.ndarray) -> dict:
    store = SessionStore(root)
    before = _db_bytes(store)
    events = call_events(rng, words, weights, 60)
    info = SessionInfo(new_uid(), "2026-11-29T08:00:00+00:00", agent="Bench")
    session_id = store.create_session(info)
    store.append_events(session_id, list(enumerate(events)))
    store.finish_session(session_id, events[-1].t)
    # An hour of real call audio (the sample call repeated), encoded as the recorder does.
    audio = store.audio_path(info.uid)
    writer = AudioWriter(audio, ("agent", "customer"))
    step = 16_000
    hour = 3600 * 16_000
    for start in range(0, hour, step):
        offset = start % pcm.shape[1]
        chunk = pcm[:, offset : offset + step]
        for i, speaker in enumerate(("agent", "customer")):
            writer.write(AudioBlock(speaker, start / 16_000, chunk[i]))  # type: ignore[arg-type]
    writer.close()
    store.set_audio(session_id, audio)
    db_bytes = _db_bytes(store) - before
    store.close()

    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        with SessionStore(root, readonly=True) as s:
            session = load_session(s, session_id)
            build_report(session.events)
            build_scorecard(session.events)
            with av.open(str(session.summary.audio)) as container:  # what the player does: open, seek
                container.seek(59 * 60 * 1_000_000)
                next(container.decode(audio=0))
        times.append(time.perf_counter() - t0)
    return {
        "hour_events": len(events),
        "hour_open_s": min(times),
        "hour_open_median_s": statistics.median(times),
        "hour_audio_mb": audio.stat().st_size / 1e6,
        # A live hour's events (partials included) in the database, per call minute.
        "db_mb_per_min": db_bytes / 1e6 / 60,
    }


def bench_search(root: Path, rng: random.Random, words: list[str], weights: list[float], n: int) -> dict:
    store = SessionStore(root)
    t0 = time.perf_counter()
    with store.transaction() as conn:
        for i in range(n):
            info = SessionInfo(new_uid(), f"2026-{1 + i % 11:02d}-{1 + i % 28:02d}T{i % 24:02d}:00:00+00:00")
            session_id = insert_session(conn, info, state="complete")
            # Straight SQL: filling the store fast is not what is measured here.
            rows = [
                (
                    utterance_rowid(session_id, k),
                    session_id,
                    k,
                    "agent" if k % 2 == 0 else "customer",
                    k * 5.0,
                    k * 5.0 + 4,
                    sentence(rng, words, weights),
                )
                for k in range(rng.randint(20, 60))
            ]
            conn.executemany(
                "INSERT INTO utterances (rowid, session_id, utterance, speaker, start, end, text) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
    fill_s = time.perf_counter() - t0
    (n_utt,) = store._conn.execute("SELECT COUNT(*) FROM utterances").fetchone()
    queries = {
        "rare word": words[len(COMMON) + 17],
        "common word": "refund",
        "two words": "refund card",
        "prefix": "engin",
    }
    out: dict[str, float] = {"search_sessions": n, "search_utterances": n_utt, "search_fill_s": fill_s}
    for label, query in queries.items():
        lib, hits = [], []
        for _ in range(7):
            t0 = time.perf_counter()
            store.sessions(search=query, limit=200)
            lib.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            store.search(query, limit=100)
            hits.append(time.perf_counter() - t0)
        out[f"search_library_{label.replace(' ', '_')}_ms"] = statistics.median(lib) * 1000
        out[f"search_utterances_{label.replace(' ', '_')}_ms"] = statistics.median(hits) * 1000
    t0 = time.perf_counter()
    store.sessions(limit=200)
    out["list_200_newest_ms"] = (time.perf_counter() - t0) * 1000
    store.close()
    return out


def _db_bytes(store: SessionStore) -> int:
    """Bytes the database holds (pages in use, WAL included), independent of checkpoint timing."""
    (pages,) = store._conn.execute("PRAGMA page_count").fetchone()
    (free,) = store._conn.execute("PRAGMA freelist_count").fetchone()
    (size,) = store._conn.execute("PRAGMA page_size").fetchone()
    return int((pages - free) * size)


def bench_real_call(root: Path, wav: Path) -> tuple[dict, np.ndarray]:
    """A real call through the real pipeline and recorder: what a call minute costs on disk."""
    store = SessionStore(root)
    pipeline = CallPipeline(FileSource(wav))
    recorder = SessionRecorder(store, RecorderSettings()).attach(pipeline)
    pipeline.run()
    recorder.close()
    summary = store.session(recorder.session_id or 0)
    audio_bytes = summary.audio.stat().st_size if summary.audio else 0
    minutes = summary.duration / 60
    pcm = read_audio(summary.audio) if summary.audio else np.zeros((2, 16_000), np.float32)
    store.close()
    return {
        "call_minutes": minutes,
        "audio_mb_per_min": audio_bytes / 1e6 / minutes,
    }, pcm


def default_wav() -> Path:
    from tests import speech

    turns = [
        ("agent", "Thank you for calling Northwind Energy, this is Sam, how can I help you today?"),
        ("customer", "My bill this month is three times higher than usual and I can't afford it."),
        ("agent", "I'm sorry, that sounds really worrying. Let me look at your meter readings."),
        ("customer", "I've been a customer for ten years and nobody ever explains anything."),
        ("agent", "You're right to ask. The reading was estimated, so I'll correct it now."),
        ("customer", "Okay. So what will I actually pay?"),
        ("agent", "Your corrected bill is about the same as last month, and I've noted it on your account."),
        ("customer", "Thank you, that's a relief."),
    ]
    return speech.synthesize_call(turns)[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=10_000)
    parser.add_argument("--wav", type=Path, default=None, help="a stereo call (default: a synthesized one)")
    parser.add_argument("--json", dest="json_out", type=Path, default=None)
    args = parser.parse_args()
    rng = random.Random(5)
    words = vocabulary(rng)
    weights = [1.0 / (i + 1) ** 1.05 for i in range(len(words))]  # Zipf-like, as speech is
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        call, pcm = bench_real_call(Path(tmp, "call"), args.wav or default_wav())
        figures |= call
        figures |= bench_hour(Path(tmp, "hour"), rng, words, weights, pcm)
        figures["store_mb_per_min"] = figures["audio_mb_per_min"] + figures["db_mb_per_min"]
        figures |= bench_search(Path(tmp, "many"), rng, words, weights, args.sessions)
    for key, value in figures.items():
        print(f"{key}: {value:.4g}" if isinstance(value, float) else f"{key}: {value}")
    if args.json_out:
        args.json_out.write_text(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
