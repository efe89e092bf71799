"""Cost of the voice cues per second of call audio.

Runs the real pipeline once over a synthesized call (espeak-ng speech with
silences, overlaps and a raised voice), then times ``VoiceCues`` folding the
recorded events, repeated to get a stable figure.  Prints one line per figure;
``--json OUT`` also writes them.

With ``--eval DIR`` (a folder of labelled ``calls/*.call`` scripts and their
``callsynth.py``) it also speaks each call into a temporary folder, runs it
through the pipeline and counts the cues raised, by kind: those calls have
even gaps and no overlaps, so every timing cue on them is a false alarm.

    /work/venv/bin/python benchmarks/cues_bench.py [--repeat 20] [--eval DIR] [--json OUT]
"""

from __future__ import annotations

import argparse
import collections
import json
import platform
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from companion.analysis.cue_settings import CueThresholds
from companion.analysis.voice_cues import VoiceCues
from companion.events import Alert, CallEnded, Level
from tests.analysis.cue_calls import run_call, scripted_call
from tests.analysis.test_voice_cues_silence import SCRIPT as SILENCES
from tests.analysis.test_voice_cues_voices import SCRIPT as VOICES


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--eval", type=Path, default=None, help="folder with calls/*.call and callsynth.py")
    args = parser.parse_args()

    wav, _ = scripted_call(SILENCES + VOICES)
    events = run_call(wav)
    audio_s = next(e.t for e in reversed(events) if isinstance(e, CallEnded))
    levels = sum(isinstance(e, Level) for e in events)

    start = time.perf_counter()
    alerts = 0
    for _ in range(args.repeat):
        cues = VoiceCues(CueThresholds())
        alerts = sum(len(cues.feed(e)) for e in events)
    per_call = (time.perf_counter() - start) / args.repeat

    tracemalloc.start()
    cues = VoiceCues(CueThresholds())
    for e in events:
        cues.feed(e)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    figures = {
        "audio_s": round(audio_s, 1),
        "events": len(events),
        "level_events": levels,
        "alerts": alerts,
        "cues_ms_per_audio_s": round(per_call / audio_s * 1000, 4),
        "cues_us_per_event": round(per_call / len(events) * 1e6, 2),
        "cues_realtime_factor": round(audio_s / per_call),
        "cues_peak_kib": round(peak / 1024, 1),
        "machine": f"{platform.machine()} {platform.processor() or platform.system()}",
        "python": platform.python_version(),
    }
    if args.eval is not None:
        figures |= eval_calls(args.eval)
    for name, value in figures.items():
        print(f"{name}: {value}")
    if args.json is not None:
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


def eval_calls(folder: Path) -> dict[str, object]:
    """Cues raised on the labelled calls, which have no timing problems by construction."""
    kinds: collections.Counter[str] = collections.Counter()
    minutes = 0.0
    calls = sorted((folder / "calls").glob("*.call"))
    with tempfile.TemporaryDirectory() as tmp:
        for call in calls:
            for phone in (False, True):
                wav = Path(tmp, f"{call.stem}{'-phone' if phone else ''}.wav")
                command = [sys.executable, str(folder / "callsynth.py"), str(call), str(wav)]
                subprocess.run([*command, *(["--phone"] if phone else [])], check=True, capture_output=True)
                events = run_call(wav)
                minutes += next(e.t for e in reversed(events) if isinstance(e, CallEnded)) / 60
                cues = VoiceCues(CueThresholds())
                for event in events:
                    for alert in cues.feed(event):
                        kinds[alert.kind] += 1
                        print(f"  {wav.stem}: {describe(alert)}")
    return {
        "eval_calls": len(calls) * 2,
        "eval_audio_min": round(minutes, 1),
        "eval_cues": dict(sorted(kinds.items())),
        "eval_cues_per_min": round(sum(kinds.values()) / minutes, 2) if minutes else None,
    }


def describe(alert: Alert) -> str:
    return f"{alert.t:7.2f} s {alert.kind} ({alert.speaker}, {alert.value}): {alert.text}"


if __name__ == "__main__":
    raise SystemExit(main())
