"""Soak: a working day of calls through the live pipeline in one process; memory growth and latency drift.

Calls run back to back, each through a new ``CallPipeline`` (live mode: partials,
settling, the coach) with a ``SessionRecorder`` keeping it in a session store, as the
window does all day.  The audio is our own synthesized calls (``--eval DIR`` adds the
labelled calls there, spoken by its ``callsynth.py``), cycled until ``--hours`` of call
audio have gone through.

The calls are fed faster than real time (``--pace``, default 2): the pipeline believes
it is live, but a working day must fit in an afternoon.  ``--pace 0`` feeds them as
``analyze`` reads a file (no provisional text, no settling), each block held until the
lines already ended are recognised: the same pipeline and recorder at a fraction of
the cost, for a loaded machine; a line's latency is then its recognition alone.  Latency is therefore measured
in wall time: from the moment the block holding a line's last sample reached the
pipeline to the moment its final text came out (this includes the end-of-speech wait,
which at pace 2 takes half its live wall time).  What the soak looks for is drift: the
p95 of the first hour of call audio against the last, and RSS per hour of call audio
(a straight line fitted to the RSS after each call, the first call left out as warm-up).

    nice -n 10 .venv/bin/python benchmarks/soak.py --hours 2 --json soak.json

Prints one line per call and the figures at the end; ``--json`` is rewritten after
every call, so a run cut short still leaves what it measured.
"""

from __future__ import annotations

import argparse
import bisect
import gc
import json
import platform
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from companion.analysis.coach import coach_for  # noqa: E402
from companion.analysis.playbook import load_playbook_or_default  # noqa: E402
from companion.asr.effort import effort_named  # noqa: E402
from companion.audio.files import FileSource  # noqa: E402
from companion.audio.frames import AudioBlock  # noqa: E402
from companion.events import Utterance  # noqa: E402
from companion.pipeline import CallPipeline, EngineSettings  # noqa: E402
from companion.store.recorder import RecorderSettings, SessionRecorder  # noqa: E402
from tests import speech  # noqa: E402

# A second script beside engine_bench's: a calm account change, different words and turn lengths.
ACCOUNT_CALL = [
    ("agent", "Good afternoon, Harbour Bank, this is Priya. What can I do for you?"),
    ("customer", "Hello. I moved house last month and I need to change the address on my account."),
    ("agent", "Of course. For security, can you confirm your date of birth and the first line of your old address?"),
    ("customer", "Sure, the fourth of March nineteen eighty, and it was twelve Mill Lane."),
    ("agent", "Thank you, that matches. What is the new address?"),
    ("customer", "Flat three, forty Station Road, Bristol."),
    ("agent", "I have updated it. New cards and statements will go to Station Road from today."),
    ("customer", "Brilliant. Will my card still work in the meantime?"),
    ("agent", "Yes, nothing changes with the card. Is there anything else I can help with?"),
    ("customer", "No, that was all. Thanks for your help."),
    ("agent", "You are welcome, have a lovely afternoon."),
]


class PacedFile(FileSource):
    """A recording fed at ``pace`` times real time, while the pipeline treats it as live."""

    def __init__(self, path: Path, pace: float) -> None:
        super().__init__(path, realtime=True)
        self.pace = pace

    def run(self, deliver: Callable[[AudioBlock], None], stop: threading.Event) -> None:  # type: ignore[override]
        wall_start = time.monotonic()
        t = 0.0
        for columns in self._decode_blocks():
            block_s = columns.shape[1] / 16_000
            delay = wall_start + (t + block_s) / self.pace - time.monotonic()
            if delay > 0 and stop.wait(delay):
                return
            for (speaker, _), samples in zip(self._channels, self._select(columns), strict=True):
                deliver(AudioBlock(speaker, t, samples))
            t += block_s


class RecognitionPacedFile(FileSource):
    """A recording read as ``analyze`` reads it, but never ahead of recognition.

    Each block waits until every line already ended has its final text, as on a live
    call on an idle machine: a line's latency is then its own recognition, not the
    backlog of a file read faster than it can be recognised.
    """

    def __init__(self, path: Path) -> None:
        super().__init__(path, realtime=False)
        self.pipeline: CallPipeline | None = None

    def run(self, deliver: Callable[[AudioBlock], None], stop: threading.Event) -> None:  # type: ignore[override]
        def paced(block: AudioBlock) -> None:
            transcriber = self.pipeline.transcriber if self.pipeline is not None else None
            if transcriber is not None:
                transcriber.drain()
            deliver(block)

        super().run(paced, stop)


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def slope(xs: list[float], ys: list[float]) -> float:
    """Least-squares slope of ys against xs (0 with fewer than two points)."""
    if len(xs) < 2:
        return 0.0
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    var = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / var if var else 0.0


def calls(eval_dir: Path | None) -> list[Path]:
    from engine_bench import SCRIPT

    wavs = [
        speech.synthesize_call(SCRIPT, gap_s=0.8)[0],
        speech.synthesize_call(ACCOUNT_CALL, gap_s=0.8)[0],
        speech.synthesize_call(SCRIPT, gap_s=0.8, phone=True)[0],
    ]
    if eval_dir is not None:
        from eval_playbook import synthesize

        out = Path(tempfile.mkdtemp(prefix="soak-eval-"))
        for call in sorted((eval_dir / "calls").glob("*.call")):
            wav = out / f"{call.stem}.wav"
            synthesize(eval_dir / "callsynth.py", call, wav, phone=False)
            wavs.append(wav)
    return wavs


def run_call(wav: Path, pace: float, store: Path, settings: EngineSettings, coach_factory) -> dict:
    """One call through the live pipeline and a recorder; its audio length and line latencies."""
    source = PacedFile(wav, pace) if pace > 0 else RecognitionPacedFile(wav)
    pipeline = CallPipeline(source, settings, coach=coach_factory())
    if isinstance(source, RecognitionPacedFile):
        source.pipeline = pipeline
    recorder = SessionRecorder(store, RecorderSettings(agent="soak")).attach(pipeline)
    delivered: list[tuple[float, float]] = []  # (audio t1, wall time) per block
    latencies: list[float] = []

    def on_block(block: AudioBlock) -> None:
        delivered.append((block.t1, time.monotonic()))

    def on_event(event: object) -> None:
        if isinstance(event, Utterance):
            # The wall time the block holding the line's last sample arrived.
            i = bisect.bisect_left(delivered, (event.end, 0.0))
            if delivered:
                latencies.append(time.monotonic() - delivered[min(i, len(delivered) - 1)][1])

    pipeline.add_audio_listener(on_block)
    pipeline.add_listener(on_event)
    started, cpu = time.monotonic(), time.process_time()
    pipeline.run()
    recorder.close()
    return {
        "wav": wav.name,
        "audio_s": delivered[-1][0] if delivered else 0.0,
        "wall_s": time.monotonic() - started,
        # CPU seconds the call cost this process: drift that the machine's load does not blur.
        "cpu_s": time.process_time() - cpu,
        "latencies": latencies,
        "utterances": sum(1 for e in pipeline.events if isinstance(e, Utterance)),
        "store_errors": len(recorder.errors),
    }


def summarise(rows: list[dict], args: argparse.Namespace) -> dict:
    hours = [r["audio_h_end"] for r in rows]
    rss = [r["rss_mb"] for r in rows]
    # The first hour against the last; a run cut short compares its halves.
    window = min(1.0, (hours[-1] if hours else 0.0) / 2) or 1.0
    first = [lat for r in rows if r["audio_h_end"] <= window for lat in r["latencies"]]
    last_start = max(0.0, (hours[-1] if hours else 0.0) - window)
    last = [lat for r in rows if r["audio_h_end"] - r["audio_s"] / 3600 >= last_start for lat in r["latencies"]]
    return {
        "date": date.today().isoformat(),
        "machine": f"{platform.machine()}, 2-core, loaded by parallel work",
        "pace": args.pace,
        "effort": args.effort,
        "calls": len(rows),
        "audio_hours": hours[-1] if hours else 0.0,
        "wall_hours": sum(r["wall_s"] for r in rows) / 3600,
        "rss_first_call_mb": rss[0] if rss else None,
        "rss_last_call_mb": rss[-1] if rss else None,
        "rss_mb_per_audio_hour": slope(hours[1:], rss[1:]),
        # Caches fill during the first calls: the second half of the run is the growth that lasts.
        "rss_mb_per_audio_hour_second_half": slope(
            [h for h in hours if h >= hours[-1] / 2], [m for h, m in zip(hours, rss, strict=True) if h >= hours[-1] / 2]
        )
        if hours
        else 0.0,
        "drift_window_h": window,
        "p95_latency_first_hour_s": percentile(first, 0.95),
        "p95_latency_last_hour_s": percentile(last, 0.95),
        "p50_latency_first_hour_s": percentile(first, 0.5),
        "p50_latency_last_hour_s": percentile(last, 0.5),
        "lines_first_hour": len(first),
        "lines_last_hour": len(last),
        "store_errors": sum(r["store_errors"] for r in rows),
        "cpu_per_audio_s_first": _cpu_rate([r for r in rows if r["audio_h_end"] <= window]),
        "cpu_per_audio_s_last": _cpu_rate([r for r in rows if r["audio_h_end"] - r["audio_s"] / 3600 >= last_start]),
    }


def _cpu_rate(rows: list[dict]) -> float:
    timed = [r for r in rows if "cpu_s" in r]
    audio = sum(r["audio_s"] for r in timed)
    return sum(r["cpu_s"] for r in timed) / audio if audio else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hours", type=float, default=2.0, help="hours of call audio to run (default 2)")
    parser.add_argument(
        "--pace",
        type=float,
        default=2.0,
        help="times real time the audio is fed, as live (default 2); 0: as a file, as fast as recognition goes",
    )
    parser.add_argument("--effort", choices=("low", "normal", "high"), default="normal")
    parser.add_argument("--eval", type=Path, help="a labelled call set (calls/*.call + callsynth.py) to add")
    parser.add_argument("--json", type=Path, help="write the figures here (after every call)")
    parser.add_argument("--summarise", type=Path, metavar="JSON", help="only print the figures of an earlier run")
    args = parser.parse_args()
    if args.summarise:
        earlier = json.loads(args.summarise.read_text())
        args.pace, args.effort = earlier["summary"]["pace"], earlier["summary"]["effort"]
        for key, value in summarise(earlier["calls"], args).items():
            print(f"{key}: {value:.3f}" if isinstance(value, float) else f"{key}: {value}")
        return

    wavs = calls(args.eval)
    playbook, _ = load_playbook_or_default(None)
    settings = EngineSettings(effort=effort_named(args.effort))
    store = Path(tempfile.mkdtemp(prefix="soak-store-"))
    rows: list[dict] = []
    audio_h = 0.0
    i = 0
    while audio_h < args.hours:
        wav = wavs[i % len(wavs)]
        i += 1
        row = run_call(wav, args.pace, store, settings, lambda: coach_for(playbook))
        gc.collect()
        audio_h += row["audio_s"] / 3600
        row |= {"audio_h_end": audio_h, "rss_mb": rss_mb()}
        rows.append(row)
        lat = row["latencies"]
        print(
            f"call {i:3d} {row['wav'][:24]:<24} audio {audio_h:5.2f} h  wall {row['wall_s']:6.1f} s  "
            f"RSS {row['rss_mb']:6.1f} MB  p95 {percentile(lat, 0.95):5.2f} s  lines {row['utterances']}",
            flush=True,
        )
        if args.json:
            args.json.write_text(json.dumps({"summary": summarise(rows, args), "calls": rows}, indent=1))
    summary = summarise(rows, args)
    for key, value in summary.items():
        print(f"{key}: {value:.3f}" if isinstance(value, float) else f"{key}: {value}")


if __name__ == "__main__":
    main()
