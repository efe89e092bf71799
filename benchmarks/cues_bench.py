"""Cost of the voice cues per second of call audio.

Runs the real pipeline once over a synthesized call (espeak-ng speech with
silences, overlaps and a raised voice), then times ``VoiceCues`` folding the
recorded events, repeated to get a stable figure.  Prints one line per figure;
``--json OUT`` also writes them.

    /work/venv/bin/python benchmarks/cues_bench.py [--repeat 20] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from companion.analysis.cue_settings import CueThresholds
from companion.analysis.voice_cues import VoiceCues
from companion.events import CallEnded, Level
from tests.analysis.cue_calls import run_call, scripted_call
from tests.analysis.test_voice_cues_silence import SCRIPT as SILENCES
from tests.analysis.test_voice_cues_voices import SCRIPT as VOICES


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--json", type=Path, default=None)
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
    for name, value in figures.items():
        print(f"{name}: {value}")
    if args.json is not None:
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
