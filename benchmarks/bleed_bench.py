"""Speaker bleed and dual mono: agent WER clean vs leaked, lines given twice, what the check costs.

    python benchmarks/bleed_bench.py --eval DIR [--band wide|phone] [--gap S] [--only NAME] [--before] [--json OUT]

DIR is a labelled call set (``calls/*.call`` and its ``callsynth.py``, which speaks a call
into a stereo WAV).  For every call there, analysed as ``call-companion analyze`` does:

- clean: the call as spoken (agent left, customer right);
- leaked, at the four corners of the target (-20/-10 dB x 10/50 ms): the customer's
  channel added to the agent's, that much quieter and later, as a laptop speaker would;
- dual mono: both voices on both channels.

With --verdicts, only the judge (no recogniser, a minute): every scripted turn judged on
both channels, the leak also through reverberant rooms (``ROOMS``).

Per run: the agent's WER (words weighted over the calls), customer lines also given to the
agent (an agent line inside a customer turn), and for dual mono lines given twice.  With
--before the issue's leak (-14 dB, 25 ms) and dual mono also run with the check off
(``EngineSettings.one_voice_per_line``), which is the engine before it.  The check's own
CPU time (``SegmentRouter.add`` + ``route``) is timed over every run, against the audio's length.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import wave
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from tests import speech  # noqa: E402

CORNERS = ((-20.0, 10.0), (-20.0, 50.0), (-10.0, 10.0), (-10.0, 50.0))
BEFORE = (-14.0, 25.0)  # the leak the issue reported
RATE = 16_000


class CheckTimer:
    """Thread CPU time spent in the bleed check (it runs on the source's thread)."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def wrap(self, method: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.thread_time()
            try:
                return method(*args, **kwargs)
            finally:
                self.seconds += time.thread_time() - start

        return timed


def synthesize(callsynth: Path, call: Path, out: Path, phone: bool, gap: float) -> list[Any]:
    """Speak a labelled call with its set's synthesizer; the turns with their times."""
    cmd = [sys.executable, str(callsynth), str(call), str(out), "--gap", str(gap)] + (["--phone"] if phone else [])
    subprocess.run(cmd, check=True, capture_output=True)
    truth = json.loads(out.with_suffix(".truth.json").read_text())
    return [speech.Turn(t["speaker"], t["text"], t["start"], t["end"]) for t in truth["turns"]]


def read_stereo(wav: Path) -> np.ndarray:
    with wave.open(str(wav)) as w:
        return np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16).reshape(-1, 2).astype(np.float64)


def leaked(stereo: np.ndarray, db: float, ms: float) -> np.ndarray:
    out = stereo.copy()
    delay = round(ms * RATE / 1000)
    out[delay:, 0] += stereo[: len(stereo) - delay, 1] * 10 ** (db / 20)
    return out


def dual_mono(stereo: np.ndarray) -> np.ndarray:
    mono = stereo.sum(axis=1)
    return np.stack([mono, mono], axis=1)


def write(path: Path, stereo: np.ndarray) -> Path:
    speech.write_wav(path, np.clip(np.round(stereo), -32768, 32767).astype(np.int16))
    return path


def analyse(wav: Path, check: bool) -> list[Any]:
    from companion.audio.files import FileSource
    from companion.events import Utterance
    from companion.pipeline import CallPipeline, EngineSettings

    events = CallPipeline(FileSource(wav), EngineSettings(one_voice_per_line=check)).run()
    return [e for e in events if isinstance(e, Utterance)]


def score(turns: list[Any], lines: list[Any]) -> dict[str, float]:
    """Agent WER (with its word count), customer turns also given to the agent, and lines per turn."""
    truth = " ".join(t.text for t in turns if t.speaker == "agent")
    heard = " ".join(u.text for u in lines if u.speaker == "agent")
    twice = 0
    extra = 0
    for turn in turns:
        inside = [u for u in lines if u.start < turn.end - 0.1 and u.end > turn.start + 0.1]
        speakers = {u.speaker for u in inside}
        if turn.speaker == "customer" and "agent" in speakers:
            twice += 1
        if len(speakers) > 1:
            extra += 1
    everything = " ".join(t.text for t in turns)
    in_order = " ".join(u.text for u in sorted(lines, key=lambda u: u.start))
    return {
        "wer": speech.word_error_rate(everything, in_order),
        "words": float(len(speech.normalise(everything).split())),
        "agent_wer": speech.word_error_rate(truth, heard),
        "agent_words": float(len(speech.normalise(truth).split())),
        "customer_lines_also_agent": float(twice),
        "turns_given_twice": float(extra),
        "turns": float(len(turns)),
        "lines": float(len(lines)),
        "call_lines": float(sum(u.speaker == "call" for u in lines)),
    }


ROOMS = ((0.0, 1.0), (0.2, 0.7), (0.3, 0.5), (0.4, 0.3))  # (RT60 s, direct sound's share of the energy)


def room(rt60: float, direct: float, rng: np.random.Generator) -> np.ndarray:
    """A loudspeaker-to-microphone path: the direct sound, then echoes decaying by 60 dB over ``rt60``."""
    if rt60 == 0.0:
        return np.ones(1)
    t = np.arange(int(rt60 * RATE)) / RATE
    tail = rng.standard_normal(len(t)) * np.exp(-6.9 * t / rt60)
    tail[: int(0.003 * RATE)] = 0.0
    h = tail / np.sqrt(np.sum(tail**2)) * np.sqrt((1 - direct) / direct)
    h[0] += 1.0
    return h


def judge_turn(judge: Any, turn: Any, ms: float, counts: tuple[int, int, int, int, float]) -> tuple[Any, ...]:
    """Judge one scripted turn on its own channel (and a customer's on the agent's): the counts updated."""
    lost, missed, own_turns, leaked_turns, cpu = counts
    span = (turn.start, turn.end + ms / 1000)
    start = time.thread_time()
    mine = judge.judge(turn.speaker, *span)
    other = judge.judge("agent", *span) if turn.speaker == "customer" else None
    cpu += time.thread_time() - start
    own_turns += 1
    lost += mine.kind not in ("own", "unknown")
    if other is not None:
        leaked_turns += 1
        missed += other.kind != "leak"
    return lost, missed, own_turns, leaked_turns, cpu


def verdicts(eval_dir: Path, band: str, only: str = "") -> dict[str, Any]:
    """The judge alone (no recogniser) on every scripted turn: fast, and wider than the WER runs.

    Each turn's span is judged on both channels, as the pipeline would judge a segment
    that covers it: an own turn judged someone else's loses the speaker's words (the worst
    error); a leaked turn judged own is a line given twice.
    """
    from companion.asr.bleed import BleedJudge
    from companion.audio.frames import AudioBlock

    rng = np.random.default_rng(7)
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        calls = []
        for call in sorted((eval_dir / "calls").glob(f"*{only}*.call")):
            wav = Path(tmp, f"{call.stem}.wav")
            calls.append((synthesize(eval_dir / "callsynth.py", call, wav, band == "phone", 0.8), read_stereo(wav)))
        for rt60, direct in ROOMS:
            for db, ms in CORNERS:
                lost = missed = own_turns = leaked_turns = 0
                cpu = 0.0
                for turns, stereo in calls:
                    path = np.convolve(stereo[:, 1], room(rt60, direct, rng))[: len(stereo)]
                    mixed = stereo.copy()
                    delay = round(ms * RATE / 1000)
                    mixed[delay:, 0] += path[: len(stereo) - delay] * 10 ** (db / 20)
                    mixed[:, 0] += rng.standard_normal(len(mixed)) * 3  # a microphone's own noise, about -80 dBFS
                    judge = BleedJudge(("agent", "customer"))
                    waiting = sorted(turns, key=lambda t: t.end)
                    for a in range(0, len(mixed) + 1024, 1024):
                        for i, speaker in enumerate(("agent", "customer")):
                            samples = (mixed[a : a + 1024, i] / 32768).astype(np.float32)
                            judge.add(AudioBlock(speaker, a / RATE, samples))  # type: ignore[arg-type]
                        # Judged once its audio is in, as the pipeline judges a segment as it closes.
                        while waiting and (waiting[0].end + ms / 1000) * RATE <= a + 1024:
                            turn = waiting.pop(0)
                            lost, missed, own_turns, leaked_turns, cpu = judge_turn(
                                judge, turn, ms, (lost, missed, own_turns, leaked_turns, cpu)
                            )
                name = f"room RT60 {rt60:.1f} s direct {direct:.0%}, leak {db:+.0f} dB {ms:.0f} ms"
                out[name] = {
                    "own_turns_lost": lost,
                    "own_turns": own_turns,
                    "leaks_missed": missed,
                    "leaked_turns": leaked_turns,
                    "judge_ms_per_turn": 1000 * cpu / (own_turns + leaked_turns),
                }
                print(
                    f"{name:50s} own turns lost {lost}/{own_turns}  leaks missed {missed}/{leaked_turns}  "
                    f"{out[name]['judge_ms_per_turn']:.2f} ms a judgement",
                    flush=True,
                )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval", type=Path, required=True, help="a labelled call set (calls/*.call + callsynth.py)")
    parser.add_argument("--band", choices=("wide", "phone"), default="wide")
    parser.add_argument("--before", action="store_true", help="also run leaked and dual mono with the check off")
    parser.add_argument("--json", type=Path, help="write the figures here too")
    parser.add_argument("--gap", type=float, default=0.8, help="seconds between turns (0.2: answers run into leaks)")
    parser.add_argument("--only", default="", help="only the calls whose name holds this")
    parser.add_argument("--verdicts", action="store_true", help="only the judge on every turn, rooms too (fast)")
    args = parser.parse_args()
    if args.verdicts:
        figures = verdicts(args.eval, args.band, args.only)
        if args.json:
            args.json.write_text(json.dumps(figures, indent=1) + "\n")
        return

    from companion.asr.bleed_router import SegmentRouter

    timer = CheckTimer()
    SegmentRouter.add = timer.wrap(SegmentRouter.add)  # type: ignore[method-assign]
    SegmentRouter.route = timer.wrap(SegmentRouter.route)  # type: ignore[method-assign]

    runs: dict[str, list[dict[str, float]]] = {}
    audio_s = 0.0
    checked_audio_s = 0.0
    wall0, cpu0 = time.monotonic(), os.times()
    with tempfile.TemporaryDirectory() as tmp:
        for call in sorted((args.eval / "calls").glob(f"*{args.only}*.call")):
            wav = Path(tmp, f"{call.stem}.wav")
            turns = synthesize(args.eval / "callsynth.py", call, wav, args.band == "phone", args.gap)
            stereo = read_stereo(wav)
            seconds = len(stereo) / RATE
            cases: list[tuple[str, np.ndarray, bool]] = [("clean", stereo, True)]
            for db, ms in CORNERS:
                cases.append((f"leak {db:+.0f} dB {ms:.0f} ms", leaked(stereo, db, ms), True))
            cases.append(("dual mono", dual_mono(stereo), True))
            if args.before:
                # The example call, and dual mono, as the engine heard them before the check.
                before = f"leak {BEFORE[0]:+.0f} dB {BEFORE[1]:.0f} ms (check off)"
                cases.append((before, leaked(stereo, *BEFORE), False))
                cases.append(("dual mono (check off)", dual_mono(stereo), False))
            for name, audio, check in cases:
                lines = analyse(write(Path(tmp, "case.wav"), audio), check)
                figures = score(turns, lines)
                runs.setdefault(name, []).append(figures)
                audio_s += seconds
                checked_audio_s += seconds if check else 0.0
                print(
                    f"{call.stem:20s} {name:28s} agent WER {figures['agent_wer']:.3f}  "
                    f"customer lines also agent {figures['customer_lines_also_agent']:.0f}  "
                    f"lines {figures['lines']:.0f}/{figures['turns']:.0f} turns",
                    flush=True,
                )
    cpu1 = os.times()
    process_cpu = (cpu1.user + cpu1.system) - (cpu0.user + cpu0.system)

    summary: dict[str, Any] = {
        "date": date.today().isoformat(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "band": args.band,
        "gap_s": args.gap,
        "audio_s": round(audio_s, 1),
        "wall_s": round(time.monotonic() - wall0, 1),
        "check_cpu_s": round(timer.seconds, 3),
        "check_cpu_per_audio_s": timer.seconds / checked_audio_s,
        "check_share_of_process_cpu": timer.seconds / process_cpu,
        "cases": {},
    }
    print()
    for name, rows in runs.items():
        words = sum(r["agent_words"] for r in rows)
        wer = sum(r["agent_wer"] * r["agent_words"] for r in rows) / words
        total = sum(r["words"] for r in rows)
        case = {
            "wer": round(sum(r["wer"] * r["words"] for r in rows) / total, 4),
            "agent_wer": round(wer, 4),
            "customer_lines_also_agent": int(sum(r["customer_lines_also_agent"] for r in rows)),
            "turns_given_twice": int(sum(r["turns_given_twice"] for r in rows)),
            "lines": int(sum(r["lines"] for r in rows)),
            "turns": int(sum(r["turns"] for r in rows)),
            "call_lines": int(sum(r["call_lines"] for r in rows)),
        }
        summary["cases"][name] = case
        print(
            f"{name:30s} agent WER {case['agent_wer']:.3f}  customer lines also agent "
            f"{case['customer_lines_also_agent']}  turns given twice {case['turns_given_twice']}  "
            f"lines {case['lines']} for {case['turns']} turns ({case['call_lines']} as 'call')"
        )
    print(
        f"check CPU {summary['check_cpu_s']:.2f} s over {checked_audio_s:.0f} s of checked audio: "
        f"{100 * summary['check_cpu_per_audio_s']:.3f} % of one core; "
        f"{100 * summary['check_share_of_process_cpu']:.3f} % of the process's CPU"
    )
    if args.json:
        args.json.write_text(json.dumps(summary, indent=1) + "\n")


if __name__ == "__main__":
    main()
