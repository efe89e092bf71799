"""Replay benchmark: open a one-hour stored session and start its replay; seek across it.

Builds a one-hour session in a temporary store (an hour of two-channel Opus
audio from the store's own writer, and the events of a long call: an
utterance every few seconds with its sentiment, step ticks, next steps and
alerts), then, in the offscreen Qt platform:

- open: ``ReplayView.load`` (store read, transcript, chart, timeline, scorecard, player) until the
  player has started playing (the target is 1 s or less);
- seek: the mean and worst time to draw a moment after a jump (the fold of the hour's events);
- the store's audio size per call minute.

Prints one line per figure; --json OUT writes them too.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402

from companion.audio.frames import SAMPLE_RATE, AudioBlock  # noqa: E402
from companion.events import (  # noqa: E402
    Alert,
    CallEnded,
    CallStarted,
    Event,
    NextStep,
    SentimentPoint,
    StepDone,
    Utterance,
)
from companion.store.audio_file import AudioWriter  # noqa: E402
from companion.store.db import SessionStore, new_uid, now_iso  # noqa: E402
from companion.store.records import SessionInfo  # noqa: E402

STEPS = ("listen", "empathize", "assess", "affirm", "resolve", "agree", "thank")
LINES = (
    "I have been waiting for an engineer since Monday and nobody has called me back about it",
    "I am sorry to hear that, let me look at your account and see what happened with the booking",
    "The router lights are all red and I have tried restarting it three times this morning",
    "Thank you for your patience, I can see the fault on the line and I will book a visit now",
)


def hour_of_events(seconds: float, turn_s: float = 6.0) -> list[Event]:
    events: list[Event] = [CallStarted(0.0, "bench", (("agent", "left"), ("customer", "right")), True)]
    smoothed = -0.6
    t, i = 0.5, 0
    while t + turn_s < seconds:
        speaker = "agent" if i % 2 == 0 else "customer"
        end = t + turn_s - 0.8
        events.append(Utterance(i, speaker, t, end, LINES[i % len(LINES)], segment=i // 2))  # type: ignore[arg-type]
        if speaker == "customer":
            smoothed = max(-1.0, min(1.0, smoothed + random.uniform(-0.08, 0.1)))
            events.append(SentimentPoint(end, "customer", smoothed, smoothed, i, 0.0))
        else:
            if i % 40 == 0:
                events.append(StepDone(end, STEPS[(i // 40) % len(STEPS)], i, LINES[i % len(LINES)]))
            events.append(NextStep(end, STEPS[(i // 10) % len(STEPS)], "benchmark", i))
        if i % 50 == 7:
            events.append(Alert(end, "dead-air", "a long silence", None, 8.0))
        t += turn_s
        i += 1
    events.append(CallEnded(seconds))
    return events


def write_audio(path: Path, seconds: float) -> None:
    writer = AudioWriter(path, ["agent", "customer"])
    rng = np.random.default_rng(1)
    block_s = 10.0
    t = 0.0
    while t < seconds:
        n = int(min(block_s, seconds - t) * SAMPLE_RATE)
        for speaker in ("agent", "customer"):
            tone = 0.1 * np.sin(2 * np.pi * 220 * np.arange(n) / SAMPLE_RATE) + 0.02 * rng.standard_normal(n)
            writer.write(AudioBlock(speaker, t, tone.astype(np.float32)))  # type: ignore[arg-type]
        t += block_s
    writer.close()


def build_session(root: Path, seconds: float) -> int:
    with SessionStore(root) as store:
        info = SessionInfo(
            new_uid(), now_iso(), agent="Bench", title="One-hour call", playbook_steps=tuple((s, s) for s in STEPS)
        )
        sid = store.create_session(info)
        events = hour_of_events(seconds)
        store.append_events(sid, list(enumerate(events)))
        audio = store.audio_path(info.uid)
        write_audio(audio, seconds)
        store.set_audio(sid, audio)
        store.finish_session(sid, seconds)
    return sid


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=60.0, help="length of the stored call")
    parser.add_argument("--seeks", type=int, default=200, help="random jumps to time")
    parser.add_argument("--json", type=Path, metavar="OUT", help="also write the figures here")
    args = parser.parse_args()
    random.seed(7)
    seconds = args.minutes * 60

    from PySide6.QtWidgets import QApplication

    from companion.ui import resources
    from companion.ui.coaching import load_coaching
    from companion.ui.replay_view import ReplayView

    app = QApplication(sys.argv[:1])
    resources.load()
    figures: dict[str, float | str] = {"date": date.today().isoformat(), "machine": platform.platform()}
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        sid = build_session(Path(tmp), seconds)
        figures["build_s"] = round(time.perf_counter() - started, 1)
        store = SessionStore(Path(tmp))
        view = ReplayView(load_coaching("").steps)
        view.resize(1280, 860)
        view.show()
        app.processEvents()

        started = time.perf_counter()
        view.load(store, sid)
        view.player.play()
        while view.position <= 0.0 and time.perf_counter() - started < 10:
            app.processEvents()
        figures["open_and_play_s"] = round(time.perf_counter() - started, 3)
        view.player.pause()

        times = []
        for _ in range(args.seeks):
            t = random.uniform(0, seconds)
            t0 = time.perf_counter()
            view.seek(t)
            times.append(time.perf_counter() - t0)
        figures["seek_mean_ms"] = round(1000 * sum(times) / len(times), 2)
        figures["seek_worst_ms"] = round(1000 * max(times), 2)
        summary = store.session(sid)
        assert summary.audio is not None
        figures["audio_mb_per_minute"] = round(summary.audio.stat().st_size / 1e6 / args.minutes, 3)
        figures["events"] = len(view.moments.events)
        store.close()
    report(figures, args.json)
    return 0


def report(figures: dict, out: Path | None) -> None:
    """One line per figure; with --json OUT, the same figures as JSON."""
    for key, value in figures.items():
        print(f"{key}: {value}")
    if out:
        out.write_text(json.dumps(figures, indent=1) + "\n")


if __name__ == "__main__":
    sys.exit(main())
