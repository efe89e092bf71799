"""Mono calls with a recorded IVR prompt or music on hold: is the extra sound made a party?

    hold_bench.py EVAL_DIR CALL_DIR [--bands wide,phone] [--variants ...] [--no-asr] [--calls N]
    hold_bench.py EVAL_DIR --kept DIR [--bands ...]   # the mono mixes a diarize_bench.py --keep run left

Each two-party call is spoken with EVAL_DIR's callsynth.py and mixed to mono (or taken from a
``diarize_bench.py --keep`` folder: the same samples as its earlier runs), then sound is put into
the mix, shifting the turns after it:

* ``plain``: nothing added (the reference the other shapes are compared with);
* ``ivr``: a recorded prompt in a third espeak-ng voice before the call ("Thank you for
  calling ... calls may be recorded ... please hold");
* ``ivr_music``: the same prompt over music, the music playing on for 10-20 s before the agent;
* ``hold_start``: 10-20 s of music on hold before the call (tests/noise.py's tune);
* ``hold_mid``: 10-20 s of music on hold between two turns, after an agent's turn near the middle.

Figures per band and shape:

* ``two_voices``: calls the diarizer splits into two parties;
* ``speech_right_diarized``: of the real turns' speech, the share given to the right voice
  (best match); ``speech_right_with_roles``: to the right party as the analysis named them;
* ``roles_right``: calls whose agent was found; ``turns_right`` as in diarize_bench.py;
* ``extra_neither`` / ``extra_agent`` / ``extra_customer``: the share of the added sound's time
  that the split gives to no party / to the agent's channel / to the customer's (the same split
  the analysis makes: companion.asr.mono_source.owners, parties named by the analysis's roles;
  ``extra_call``: to the one speaker of a file judged one voice);
  ``extra_lines``: recognised lines inside the added sound, by speaker;
* ``step_recall`` / ``next_accuracy`` against the labels, and ``calls_changed``: calls whose scored
  steps or next steps differ from the same call's ``plain`` analysis (``changes``: how many
  scored items differ, summed).

Prints figures only, never a call's text.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import wave
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from diarize_bench import Tally, mix_to_mono, speech_right, turns_right
from eval_playbook import synthesize

from companion.analysis.labelled_calls import Score, Turn, score_report
from companion.analysis.playbook import load_playbook
from companion.asr.diarize import NO_PARTY, diarize
from companion.asr.mono_source import owners
from companion.call_analysis import analyze_file
from tests.noise import music_on_hold

RATE = 16_000
VARIANTS = ("plain", "ivr", "ivr_music", "hold_start", "hold_mid")
IVR_VOICE = ("en-us+f4", 150)  # neither the agent's (en-us+m3) nor the customer's (en-gb+f2)
PROMPTS = (
    "Thank you for calling. Your call is important to us. Calls may be recorded for training and "
    "quality purposes. Please hold and the next available advisor will be with you shortly.",
    "Welcome. To help us improve our service, this call may be recorded. For billing, press one. "
    "For a new account, press two. For anything else, please stay on the line.",
    "Thank you for holding. All of our advisors are busy helping other customers. Please continue "
    "to hold, and your call will be answered as soon as possible.",
)


@dataclass(frozen=True)
class Shaped:
    samples: np.ndarray  # float32, 16 kHz mono
    turns: list[Turn]  # the script's turns, times shifted past the added sound
    extra: tuple[float, float] | None  # where the added sound is (seconds)


def speak_prompt(text: str, phone: bool) -> np.ndarray:
    """The prompt in the third voice, as float32 at 16 kHz (telephone band like callsynth's --phone)."""
    voice, wpm = IVR_VOICE
    with tempfile.TemporaryDirectory() as d:
        raw, out = Path(d, "raw.wav"), Path(d, "out.wav")
        subprocess.run(["espeak-ng", "-v", voice, "-s", str(wpm), "-w", str(raw), text], check=True)
        if phone:
            mid = Path(d, "mid.wav")
            subprocess.run(["sox", "-R", str(raw), "-r", "8000", "-c", "1", str(mid), "sinc", "300-3400"], check=True)
            raw = mid
        subprocess.run(["sox", "-R", str(raw), "-r", str(RATE), "-c", "1", "-b", "16", str(out)], check=True)
        with wave.open(str(out)) as w:
            return np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16).astype(np.float32) / 32768.0


def hold_seconds(k: int) -> float:
    """10-20 s, varied over the calls."""
    return 10.0 + 2.5 * (k % 5)


def shaped(variant: str, mono: np.ndarray, turns: list[Turn], k: int, phone: bool) -> Shaped:
    if variant == "plain":
        return Shaped(mono, turns, None)
    pause = np.zeros(int(0.8 * RATE), dtype=np.float32)
    if variant == "hold_mid":
        agents = [i for i, t in enumerate(turns[:-1]) if t.speaker == "agent" and i >= 2]
        m = min(agents, key=lambda i: abs(i - len(turns) / 2))
        at = int((turns[m].end + turns[m + 1].start) / 2 * RATE)
        sound = music_on_hold(hold_seconds(k)).astype(np.float32)
        insert = np.concatenate([sound, pause])
        first = m + 1
    else:
        at, first = 0, 0
        if variant == "hold_start":
            sound = music_on_hold(hold_seconds(k)).astype(np.float32)
        else:
            prompt = speak_prompt(PROMPTS[k % len(PROMPTS)], phone)
            if variant == "ivr":
                sound = prompt
            else:
                music = music_on_hold(len(prompt) / RATE + hold_seconds(k)).astype(np.float32)
                music[: len(prompt)] *= 0.4  # under the prompt, about 8 dB down
                music[: len(prompt)] += prompt
                sound = music
        insert = np.concatenate([pause, sound, pause])
    shift = len(insert) / RATE
    start = at / RATE + (0.8 if variant != "hold_mid" else 0.0)
    out = np.concatenate([mono[:at], insert, mono[at:]])
    moved = [t if i < first else replace(t, start=t.start + shift, end=t.end + shift) for i, t in enumerate(turns)]
    return Shaped(out, moved, (start, start + len(sound) / RATE))


def write_mono(path: Path, samples: np.ndarray) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(np.clip(np.round(samples * 32767), -32768, 32767).astype(np.int16).tobytes())


def read_mono(path: Path) -> np.ndarray:
    with wave.open(str(path)) as w:
        return np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16).astype(np.float32) / 32768.0


def extra_owners(call: Shaped, report: dict[str, Any] | None) -> dict[str, float]:
    """Seconds of the added sound given to no party, the agent and the customer, by the analysis's split."""
    assert call.extra is not None
    d = diarize(call.samples)  # deterministic: the split the analysis made of the same samples
    a, b = int(call.extra[0] * RATE), int(call.extra[1] * RATE)
    length = (b - a) / RATE
    if d.parties < 2:
        # One voice: the one speaker ("call") has whatever of the sound the VAD took for speech.
        taken = sum(max(0.0, min(t.end, call.extra[1]) - max(t.start, call.extra[0])) for t in d.turns)
        return {"neither": length - taken, "agent": 0.0, "customer": 0.0, "call": taken}
    if report is not None and report.get("roles"):
        agent_party = 0 if report["roles"]["agent"] == "first" else 1
    else:  # no recognition: the party holding more of the agent's real speech is the agent's
        spans = [(t.start, t.end, "agent" if t.party == 0 else "customer") for t in d.turns if t.party >= 0]
        agent_party = 0 if speech_right(spans, call.turns)[0] >= speech_right(spans, call.turns)[1] / 2 else 1
    owner = owners(call.samples, d)[a:b]
    return {
        "neither": float((owner == NO_PARTY).sum()) / RATE,
        "agent": float((owner == agent_party).sum()) / RATE,
        "customer": float((owner == 1 - agent_party).sum()) / RATE,
        "call": 0.0,
    }


def run(
    sources: list[tuple[str, np.ndarray, list[Turn]]], band: str, variants: list[str], asr: bool, folder: Path
) -> dict[str, dict[str, Any]]:
    playbook = load_playbook()
    tallies = {v: Tally() for v in variants}
    scores = {v: Score() for v in variants}
    plain_scores: dict[str, Score] = {}
    for k, (name, mono, turns) in enumerate(sources):
        for variant in variants:
            call = shaped(variant, mono, turns, k, band == "phone")
            tally = tallies[variant]
            d = diarize(call.samples)
            tally.add("two_voices", float(d.parties == 2), 1.0)
            best = total = 0.0
            for names in (("agent", "customer"), ("customer", "agent")):
                spans = [(t.start, t.end, names[t.party]) for t in d.turns if t.party >= 0]
                right, total = speech_right(spans, call.turns)
                best = max(best, right)
            tally.add("speech_right_diarized", best, max(total, 1e-9))
            detail = f"voices {d.parties}, right voice {best / max(total, 1e-9):.3f}"
            report = None
            if asr:
                wav = folder / f"{band}-{k}-{variant}.wav"
                write_mono(wav, call.samples)
                report, _ = analyze_file(wav, playbook=playbook)
                spans = [(u["start"], u["end"], u["speaker"]) for u in report["utterances"]]
                right, total = speech_right(spans, call.turns)
                tally.add("speech_right_with_roles", right, total)
                tally.add("turns_right", *turns_right(report, call.turns))
                tally.add("roles_right", float(total > 0 and right / total >= 0.5), 1.0)
                score = score_report(report, call.turns)
                scores[variant].add(score)
                labelled = score.step_tp + score.step_fn
                detail += f", steps {score.step_tp}/{labelled}, next {score.next_right}/{score.next_total}"
                if variant == "plain":
                    plain_scores[name] = score
                elif name in plain_scores:
                    differ = len(set(score.misses) ^ set(plain_scores[name].misses))
                    tally.add("calls_changed", float(differ > 0), 1.0)
                    tally.add("changes", differ, 1.0)
                    detail += f", {differ} scored items differ from plain"
            if call.extra is not None:
                held = extra_owners(call, report)
                length = call.extra[1] - call.extra[0]
                for side, seconds in held.items():
                    tally.add(f"extra_{side}", seconds, length)
                detail += ", extra " + " ".join(f"{side} {seconds / length:.2f}" for side, seconds in held.items())
                if report is not None:
                    for u in report["utterances"]:
                        if u["start"] < call.extra[1] - 0.2 and u["end"] > call.extra[0] + 0.2:
                            tally.add(f"extra_lines_{u['speaker']}", 1.0, 1.0)
            print(f"  {name} {band} {variant}: {detail}" + _brief(report), file=sys.stderr, flush=True)
    out: dict[str, dict[str, Any]] = {}
    for variant in variants:
        figures = {key: tallies[variant].figure(key) for key in tallies[variant].sums if not key.startswith("extra_l")}
        figures |= {key: tallies[variant].sums[key][0] for key in tallies[variant].sums if key.startswith("extra_l")}
        if "changes" in tallies[variant].sums:
            figures["changes"] = tallies[variant].sums["changes"][0]
        if asr:
            figures["step_recall"] = round(scores[variant].step_recall, 3)
            figures["next_accuracy"] = round(scores[variant].next_accuracy, 3)
        out[variant] = figures | {"calls": len(sources)}
    return out


def _brief(report: dict[str, Any] | None) -> str:
    """Figures of one analysis for the progress line (no text)."""
    if report is None:
        return ""
    roles = report.get("roles") or {}
    return f", roles {roles.get('agent')} {roles.get('confidence')}, diarization {report.get('diarization')}"


def kept_sources(kept: Path, band: str) -> list[tuple[str, np.ndarray, list[Turn]]]:
    out = []
    for truth_path in sorted(kept.glob(f"*-{band}.truth.json")):
        name = truth_path.name[: -len(".truth.json")]
        truth = json.loads(truth_path.read_text())
        turns = [
            Turn(t["speaker"], t["text"], tuple(t["labels"]), t.get("next"), t["start"], t["end"])
            for t in truth["turns"]
        ]
        out.append((name, read_mono(kept / f"{name}-mono.wav"), turns))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("eval_dir", type=Path)
    ap.add_argument("call_dir", type=Path, nargs="?", help="*.call files to speak (not with --kept)")
    ap.add_argument("--kept", type=Path, help="a diarize_bench.py --keep folder: its mono mixes and truths")
    ap.add_argument("--bands", default="wide,phone")
    ap.add_argument("--variants", default=",".join(VARIANTS))
    ap.add_argument("--no-asr", action="store_true", help="diarization figures only (no recognition)")
    ap.add_argument("--calls", type=int, default=0, help="only every k-th call, k chosen so that N are run")
    ap.add_argument("--json", dest="json_out", type=Path)
    args = ap.parse_args()
    if (args.kept is None) == (args.call_dir is None):
        ap.error("give either CALL_DIR or --kept DIR")
    variants = args.variants.split(",")
    if "plain" in variants:
        variants.remove("plain")
    variants = ["plain", *variants]  # the reference first: the others are compared with it
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for band in args.bands.split(","):
            if args.kept is not None:
                sources = kept_sources(args.kept, band)
            else:
                sources = []
                for k, call in enumerate(sorted(args.call_dir.glob("*.call"))):
                    wav = Path(tmp, f"{band}-{k}.wav")
                    turns = synthesize(args.eval_dir / "callsynth.py", call, wav, phone=band == "phone")
                    sources.append((call.stem, mix_to_mono(wav, Path(tmp, f"{band}-{k}-mono.wav")), turns))
            if args.calls:
                sources = sources[:: max(1, len(sources) // args.calls)][: args.calls]
            figures = run(sources, band, variants, asr=not args.no_asr, folder=Path(tmp))
            for variant, values in figures.items():
                for key, value in values.items():
                    print(f"{band} {variant} {key} {value}", flush=True)
            results[band] = figures
    if args.json_out:
        args.json_out.write_text(json.dumps(results, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
