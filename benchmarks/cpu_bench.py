"""CPU benchmark: what a live call costs, beside the latency and accuracy it buys.

A two-party call is played through the pipeline in real time (a file paced by the
wall clock, exactly as ``analyze --realtime`` does), in a child process, and the
child's own CPU time (user + system, every thread) is read when the call starts
(model loaded) and when it ends:

- CPU-seconds per call second over the whole call;
- the same while nobody speaks: a second call of room noise only on both channels;
- end of speech -> first text (p50, p95), onset -> first partial (p50);
- WER of the stored (settled) text and of the first text;
- recognition passes by kind (partial, prefinal, final, settle).

Default call: our own ~100 s delivery complaint (benchmarks/engine_bench.py's script);
``--call WAV --truth JSON`` measures another stereo call (agent left), e.g. one made by a
labelled call set's synthesizer.  ``--effort low|normal|high`` (default normal).
Prints one line per figure; ``--json OUT`` writes them too.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

QUIET_S = 40.0  # the silent call: long enough that a few seconds of start-up do not count


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


class SlowMotion:
    """A file played ``pace`` times real speed (< 1: slower), for the engine a real-time source.

    On a machine loaded by other work every setting falls behind and skips passes, so its CPU
    per call second looks better than it is.  Played slower, the engine gets the CPU time per
    call second an idle machine would give it and makes the passes an idle machine would
    make; latencies (in call time) are then not comparable and are left out.
    """

    realtime = True

    def __init__(self, path: Path, pace: float) -> None:
        from companion.audio.files import FileSource

        self._file = FileSource(path)
        self.pace = pace
        self.description = str(path)

    @property
    def channels(self):
        return self._file.channels

    def run(self, deliver, stop) -> None:
        import time

        start = time.monotonic()

        def paced(block) -> None:
            delay = start + block.t1 / self.pace - time.monotonic()
            if delay > 0:
                stop.wait(delay)
            deliver(block)

        self._file.run(paced, stop)


def child(wav: Path, out: Path, effort_name: str, pace: float = 1.0, bleed_check: bool = True) -> None:
    """One live call in this process, coached as in the window; writes the CPU it took and every line."""
    from companion.analysis.coach import coach_for
    from companion.analysis.playbook import load_playbook_or_default
    from companion.asr.effort import effort_named
    from companion.asr.model import load_model
    from companion.audio.files import FileSource
    from companion.events import CallEnded, Revision, Utterance
    from companion.pipeline import CallPipeline, EngineSettings

    settings = EngineSettings(effort=effort_named(effort_name), one_voice_per_line=bleed_check)
    load_model(settings.model)  # the window preloads the model too: loading is not the call's cost
    source = FileSource(wav, realtime=True) if pace == 1.0 else SlowMotion(wav, pace)
    playbook, _problem = load_playbook_or_default(None)
    pipeline = CallPipeline(source, settings, coach=coach_for(playbook))
    cpu0 = cpu_seconds()
    pipeline.run()
    cpu = cpu_seconds() - cpu0
    settled = {e.utterance: e for e in pipeline.events if isinstance(e, Revision)}
    lines = []
    for u in pipeline.events:
        if isinstance(u, Utterance):
            revision = settled.get(u.id)
            lines.append(
                {
                    "speaker": u.speaker,
                    "start": u.start,
                    "end": u.end,
                    "emitted": u.emitted,
                    "first_partial": u.first_partial,
                    "first_text": u.text,
                    "text": revision.text if revision is not None else u.text,
                }
            )
    # The call's length is its audio (CallEnded's call time), not when the last settle landed.
    duration = next(e.t for e in reversed(pipeline.events) if isinstance(e, CallEnded))
    passes: dict[str, int] = {}
    if pipeline.transcriber is not None:
        for (_speaker, kind), n in pipeline.transcriber.passes.items():
            passes[kind] = passes.get(kind, 0) + n
    out.write_text(json.dumps({"cpu_s": cpu, "duration": duration, "lines": lines, "passes": passes}))


def run_child(wav: Path, effort: str, pace: float = 1.0, bleed_check: bool = True) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp, "child.json")
        args = [sys.executable, __file__, "--child", str(wav), str(out), effort, str(pace), str(int(bleed_check))]
        subprocess.run(args, cwd=ROOT, check=True)
        return json.loads(out.read_text())


def quiet_call(folder: Path) -> Path:
    """Both parties on the line, nobody speaking: room noise on each channel."""
    import numpy as np

    from tests import noise, speech

    left = noise.room_noise(QUIET_S, seed=11)
    right = noise.room_noise(QUIET_S, seed=12)
    wav = folder / "quiet.wav"
    speech.write_wav(wav, noise.to_int16(np.stack([left, right], axis=1)))
    return wav


def wer(turns: list[dict], lines: list[dict], field: str, speakers: tuple[str, ...] = ("agent", "customer")) -> float:
    from tests import speech

    truth = " ".join(" ".join(t["text"] for t in turns if t["speaker"] == s) for s in speakers)
    heard = " ".join(" ".join(u[field] for u in lines if u["speaker"] == s) for s in speakers)
    return speech.word_error_rate(truth, heard)


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        child(Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4], float(sys.argv[5]), sys.argv[6] == "1")
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--call", type=Path, help="a stereo call WAV (agent left); default: our own script")
    parser.add_argument("--truth", type=Path, help="turns of --call ({'turns': [{speaker, text, ...}]}), for WER")
    parser.add_argument("--effort", default="normal", choices=("low", "normal", "high"))
    parser.add_argument(
        "--pace",
        type=float,
        default=1.0,
        help="play the call this many times real speed (e.g. 0.25 on a loaded machine: CPU and passes only)",
    )
    parser.add_argument(
        "--no-bleed-check", action="store_true", help="do not judge segments against the other channel (bleed)"
    )
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument("--lines", type=Path, help="write every line (first and stored text, times) here")
    args = parser.parse_args()

    from engine_bench import call_and_turns

    wav, turns = call_and_turns(args.call, args.truth)

    call = run_child(wav, args.effort, args.pace, not args.no_bleed_check)
    with tempfile.TemporaryDirectory() as tmp:
        quiet = run_child(quiet_call(Path(tmp)), args.effort)  # nothing to fall behind on: real time

    lines = call["lines"]
    finals = [u["emitted"] - u["end"] for u in lines if u["emitted"] is not None]
    partials = [u["first_partial"] - u["start"] for u in lines if u["first_partial"] is not None]
    figures: dict[str, float | str] = {
        "date": date.today().isoformat(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "load_average_1min": os.getloadavg()[0],
        "effort": args.effort,
        "pace": args.pace,
        "call_s": call["duration"],
        "cpu_per_call_s": call["cpu_s"] / call["duration"],
        "cpu_per_quiet_s": quiet["cpu_s"] / quiet["duration"],
    }
    if args.pace == 1.0:
        figures |= {
            "final_latency_p50_s": statistics.median(finals),
            "final_latency_p95_s": percentile(finals, 0.95),
            "first_partial_p50_s": statistics.median(partials) if partials else float("nan"),
            "lines_with_partial": len(partials) / max(1, len(lines)),
        }
    if turns:
        figures["stored_wer"] = wer(turns, lines, "text")
        figures["stored_wer_agent"] = wer(turns, lines, "text", ("agent",))
        figures["stored_wer_customer"] = wer(turns, lines, "text", ("customer",))
        figures["first_text_wer"] = wer(turns, lines, "first_text")
    for kind in ("partial", "prefinal", "final", "settle", "redone"):
        figures[f"passes_{kind}"] = float(call["passes"].get(kind, 0))
    figures["passes_quiet"] = float(sum(quiet["passes"].values()))
    # Less sensitive to the machine's load than the call's total, which also counts passes skipped.
    figures["cpu_per_pass"] = call["cpu_s"] / max(1, sum(call["passes"].values()))

    for key, value in figures.items():
        print(f"{key}: {value:.3f}" if isinstance(value, float) else f"{key}: {value}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1) + "\n")
    if args.lines:
        args.lines.write_text(json.dumps(lines, indent=1) + "\n")


if __name__ == "__main__":
    main()
