"""Mono recordings: who spoke, and what the coach makes of a call mixed down to one channel.

    diarize_bench.py EVAL_DIR [FIXTURE_DIR] [--bands wide,phone] [--sets eval,fixtures] [--no-asr]
    diarize_bench.py EVAL_DIR --blind DIR [--bands wide,phone] [--asr-bands phone]
    diarize_bench.py EVAL_DIR CALL_DIR --sets fixtures [--no-stereo] [--keep DIR]   # your own calls in CALL_DIR
    diarize_bench.py EVAL_DIR --kept DIR [--bands phone] [--keep OUT]   # a --keep run's mono mixes, again

Every call is spoken with EVAL_DIR's callsynth.py (stereo: agent left,
customer right), then mixed down to mono (the two channels summed).  Figures:

* ``speech_right``: of the speech time the VAD found inside the script's
  turns, the share given to the right party.  ``diarized`` counts the parties
  as the best match (how well the voices were told apart); ``with_roles`` as
  the analysis named them (agent / customer decided from the words).
* ``turns_right``: the share of turns whose recognised lines all carry the
  right speaker; ``roles_right``: the calls whose agent was found.
* ``step_recall`` / ``next_accuracy`` on the mono mix and on the same call in
  stereo (scored as benchmarks/eval_playbook.py scores them).
* ``diarize_rt``: seconds of diarization per second of audio, on top of the
  analysis (``diarize_cpu_rt``: CPU seconds, all threads).
* ``one_voice``: each call's agent turns alone (one voice), mixed to mono:
  the share that stayed one party.

``--blind DIR`` runs DIR's ``*.call`` files and prints only figures: no text
of a call ever reaches the output.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from eval_playbook import synthesize  # the labelled call spoken by the set's own synthesizer

from companion.analysis.labelled_calls import Score, Turn, score_report
from companion.analysis.playbook import load_playbook
from companion.asr.diarize import diarize
from companion.call_analysis import analyze_file

ROOT = Path(__file__).resolve().parent.parent


def mix_to_mono(stereo: Path, out: Path) -> np.ndarray:
    with wave.open(str(stereo)) as w:
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16).reshape(-1, w.getnchannels())
        rate = w.getframerate()
    mono = np.clip(pcm.astype(np.int32).sum(axis=1), -32768, 32767).astype(np.int16)
    with wave.open(str(out), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(mono.tobytes())
    return mono.astype(np.float32) / 32768.0


def speech_right(spans: list[tuple[float, float, str]], turns: list[Turn]) -> tuple[float, float]:
    """(seconds given to the right speaker, seconds of found speech) inside the script's turns."""
    right = total = 0.0
    for turn in turns:
        for start, end, speaker in spans:
            overlap = min(turn.end, end) - max(turn.start, start)
            if overlap > 0:
                total += overlap
                right += overlap if speaker == turn.speaker else 0.0
    return right, total


def score_mono(mono_report: dict[str, Any], turns: list[Turn], tally: Any, mono_score: Score) -> None:
    """The mono analysis's parties against the script's turns, and its steps."""
    spans = [(u["start"], u["end"], u["speaker"]) for u in mono_report["utterances"]]
    right, total = speech_right(spans, turns)
    tally.add("speech_right_with_roles", right, total)
    tally.add("turns_right", *turns_right(mono_report, turns))
    # The agent was found when most of the speech the analysis calls the agent's is the agent's.
    # ("first" is not always the agent: a stray sound of the customer's may open the split.)
    tally.add("roles_right", float(total > 0 and right / total >= 0.5), 1.0)
    mono_score.add(score_report(mono_report, turns))


def turns_right(report: dict[str, Any], turns: list[Turn]) -> tuple[int, int]:
    right = 0
    for turn in turns:
        mine = [u for u in report["utterances"] if min(u["end"], turn.end) - max(u["start"], turn.start) > 0.3]
        right += bool(mine) and all(u["speaker"] == turn.speaker for u in mine)
    return right, len(turns)


class Tally:
    def __init__(self) -> None:
        self.sums: dict[str, list[float]] = {}

    def add(self, key: str, num: float, den: float) -> None:
        s = self.sums.setdefault(key, [0.0, 0.0])
        s[0] += num
        s[1] += den

    def figure(self, key: str) -> float | None:
        num, den = self.sums.get(key, [0.0, 0.0])
        return round(num / den, 3) if den else None


def run_band(
    calls: list[Path],
    callsynth: Path,
    band: str,
    folder: Path,
    asr: bool,
    stereo: bool = True,
    keep: Path | None = None,
) -> dict[str, Any]:
    playbook = load_playbook()
    tally = Tally()
    mono_score, stereo_score = Score(), Score()
    diarize_s = diarize_cpu_s = audio_s = analysis_s = 0.0
    for k, call in enumerate(calls):
        wav = folder / f"{band}-{k}.wav"
        turns = synthesize(callsynth, call, wav, phone=band == "phone")
        mono_wav = folder / f"{band}-{k}-mono.wav"
        samples = mix_to_mono(wav, mono_wav)
        started, cpu = time.perf_counter(), time.process_time()
        d = diarize(samples)
        diarize_s += time.perf_counter() - started
        diarize_cpu_s += time.process_time() - cpu
        audio_s += len(samples) / 16000
        best = 0.0
        for names in (("agent", "customer"), ("customer", "agent")):
            spans = [(t.start, t.end, names[t.party]) for t in d.turns if t.party >= 0]
            right, total = speech_right(spans, turns)
            best = max(best, right)
        tally.add("speech_right_diarized", best, max(total, 1e-9))
        # One voice: the agent's turns alone must stay one party.
        one = np.zeros_like(samples)
        for t in turns:
            if t.speaker == "agent":
                a, b = int(t.start * 16000), int(t.end * 16000)
                one[a:b] = samples[a:b]
        tally.add("one_voice", float(diarize(one).parties <= 1), 1.0)
        if not asr:
            continue
        started = time.perf_counter()
        mono_report, _ = analyze_file(mono_wav, playbook=playbook)
        analysis_s += time.perf_counter() - started
        score_mono(mono_report, turns, tally, mono_score)
        stereo_report = analyze_file(wav, playbook=playbook)[0] if stereo else None
        if stereo_report is not None:
            stereo_score.add(score_report(stereo_report, turns))
        if keep is not None:
            _keep(keep, f"{call.stem}-{band}", wav, mono_wav, mono_report, stereo_report)
    out: dict[str, Any] = {
        key: tally.figure(key)
        for key in ("speech_right_diarized", "speech_right_with_roles", "turns_right", "roles_right", "one_voice")
    }
    out["diarize_rt"] = round(diarize_s / audio_s, 4) if audio_s else None
    # CPU seconds (all threads): less at the mercy of a loaded machine than the wall clock.
    out["diarize_cpu_rt"] = round(diarize_cpu_s / audio_s, 4) if audio_s else None
    if asr:
        out |= asr_figures(mono_score, stereo_score, analysis_s, audio_s)
    out["calls"] = len(calls)
    return out


def _keep(
    keep: Path, name: str, wav: Path, mono_wav: Path, mono: dict[str, Any], stereo: dict[str, Any] | None
) -> None:
    """A call's sound, truth and analyses, to compare mono with stereo by hand afterwards."""
    import shutil

    keep.mkdir(parents=True, exist_ok=True)
    shutil.copy(wav, keep / f"{name}.wav")
    shutil.copy(mono_wav, keep / f"{name}-mono.wav")
    shutil.copy(wav.with_suffix(".truth.json"), keep / f"{name}.truth.json")
    (keep / f"{name}-mono.json").write_text(json.dumps(mono, indent=1) + "\n")
    if stereo is not None:
        (keep / f"{name}-stereo.json").write_text(json.dumps(stereo, indent=1) + "\n")


def run_kept(kept: Path, band: str, keep: Path | None) -> dict[str, Any]:
    """The mono mixes a --keep run left in ``kept`` analysed again by the current code: the same
    samples (callsynth's dither differs on every synthesis), the kept stereo analyses as they were."""
    playbook = load_playbook()
    tally = Tally()
    mono_score, stereo_score = Score(), Score()
    analysis_s = audio_s = 0.0
    # A --no-stereo keep has no stereo analyses: its stereo figures then print as 0.
    names = sorted(p.name[: -len("-mono.json")] for p in kept.glob(f"*-{band}-mono.json"))
    for name in names:
        truth = json.loads((kept / f"{name}.truth.json").read_text())
        turns = [
            Turn(t["speaker"], t["text"], tuple(t["labels"]), t.get("next"), t["start"], t["end"])
            for t in truth["turns"]
        ]
        started = time.perf_counter()
        mono_report, _ = analyze_file(kept / f"{name}-mono.wav", playbook=playbook)
        analysis_s += time.perf_counter() - started
        audio_s += mono_report["duration"]
        score_mono(mono_report, turns, tally, mono_score)
        stereo = kept / f"{name}-stereo.json"
        if stereo.exists():
            stereo_score.add(score_report(json.loads(stereo.read_text()), turns))
        if keep is not None:
            keep.mkdir(parents=True, exist_ok=True)
            (keep / f"{name}-mono.json").write_text(json.dumps(mono_report, indent=1) + "\n")
    out: dict[str, Any] = {key: tally.figure(key) for key in ("speech_right_with_roles", "turns_right", "roles_right")}
    return out | asr_figures(mono_score, stereo_score, analysis_s, audio_s) | {"calls": len(names)}


def asr_figures(mono: Score, stereo: Score, analysis_s: float, audio_s: float) -> dict[str, float]:
    return {
        "analysis_rt_mono": round(analysis_s / audio_s, 3) if audio_s else 0.0,
        "step_recall_mono": round(mono.step_recall, 3),
        "step_recall_stereo": round(stereo.step_recall, 3),
        "next_accuracy_mono": round(mono.next_accuracy, 3),
        "next_accuracy_stereo": round(stereo.next_accuracy, 3),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("eval_dir", type=Path)
    ap.add_argument("fixture_dir", type=Path, nargs="?", default=ROOT / "tests" / "fixtures" / "calls")
    ap.add_argument("--bands", default="wide,phone")
    ap.add_argument("--sets", default="eval,fixtures")
    ap.add_argument("--blind", type=Path, help="a folder of unread *.call files: figures only")
    ap.add_argument("--no-asr", action="store_true", help="diarization figures only (no recognition)")
    ap.add_argument(
        "--asr-bands", default=None, help="bands that also get the recognition figures (default: every band)"
    )
    ap.add_argument("--no-stereo", action="store_true", help="skip the stereo analyses (their figures print as 0)")
    ap.add_argument("--json", dest="json_out", type=Path)
    ap.add_argument("--keep", type=Path, help="keep each call's sound, truth and analyses (mono, stereo) here")
    ap.add_argument(
        "--kept",
        type=Path,
        help="analyse again the mono mixes an earlier --keep run left in this folder (same sound; its stereo kept)",
    )
    args = ap.parse_args()
    callsynth = args.eval_dir / "callsynth.py"
    if args.kept is not None:
        for band in args.bands.split(","):
            for key, value in run_kept(args.kept, band, args.keep).items():
                print(f"kept {band} {key} {value}", flush=True)
        return 0
    if args.blind is not None and args.keep is not None:
        ap.error("--keep would keep blind calls' text: not with --blind")
    if args.blind is not None:
        sets = {"blind": sorted(args.blind.glob("*.call"))}
    else:
        sets = {
            "eval": sorted((args.eval_dir / "calls").glob("*.call")),
            "fixtures": sorted(args.fixture_dir.glob("*.call")),
        }
        sets = {k: v for k, v in sets.items() if k in args.sets.split(",")}
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, calls in sets.items():
            for band in args.bands.split(","):
                try:
                    asr = not args.no_asr and (args.asr_bands is None or band in args.asr_bands.split(","))
                    figures = run_band(
                        calls, callsynth, band, Path(tmp), asr=asr, stereo=not args.no_stereo, keep=args.keep
                    )
                except subprocess.CalledProcessError as exc:
                    # The command line holds only paths; the call's text is never printed.
                    print(f"{name} {band} synthesis failed (exit {exc.returncode})")
                    continue
                for key, value in figures.items():
                    print(f"{name} {band} {key} {value}", flush=True)
                results[f"{name}/{band}"] = figures
    if args.json_out:
        args.json_out.write_text(json.dumps(results, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
