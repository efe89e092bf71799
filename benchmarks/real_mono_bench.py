"""Diarization of real two-person mono recordings, scored against their RTTM annotation.

    real_mono_bench.py WAV RTTM [WAV RTTM ...] [--collar 0.25] [--no-analyze]

Each WAV is read as ``call-companion analyze`` reads a mono file
(companion.asr.mono_source.MonoSource: decoded and resampled to 16 kHz by
PyAV, then diarized), and its parties are scored against the RTTM's two
speakers:

* ``voices``: the one-or-two-voices decision (the RTTM says two).
* ``speech_right``: of the single-speaker speech time (overlapped speech left
  out, and a collar either side of every RTTM boundary), the share given to
  the right party, under the better of the two ways to match the found
  parties to the RTTM speakers.  ``_of_ref`` counts speech the VAD missed as
  wrong; ``_of_found`` counts only the speech given to a party (the measure
  benchmarks/diarize_bench.py reports).
* ``turns_right``: the RTTM segments (no collar; overlapped time left out)
  with more than half their time given to the right party under the same
  matching; ``turns_right_of_found``: with more of their found speech on the
  right party than on the wrong one.
* ``cost_rt``: diarization wall seconds per second of audio (as the analysis
  reports it, ``cost_s``); ``decode_diarize_cpu_rt``: CPU seconds, all threads,
  of decoding and diarizing together, per second of audio.

Then, unless ``--no-analyze``, the whole ``call-companion analyze FILE`` runs
on the file and what its JSON says is printed: voices, roles (agent, source,
confidence), which RTTM speaker the analysis named the agent, and the RTTM
turns whose recognised lines all carry the right side (the better matching of
agent / customer to the two speakers).  Figures and labels only: no words of
a recording reach the output.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from companion.asr.mono_source import MonoSource
from companion.audio.files import channel_count
from companion.errors import InputError

STEP_S = 0.01  # scoring grid


@dataclass(frozen=True, slots=True)
class Segment:
    start: float
    end: float
    speaker: str


def read_rttm(path: Path) -> list[Segment]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        fields = line.split()
        if len(fields) >= 8 and fields[0] == "SPEAKER":
            start, duration = float(fields[3]), float(fields[4])
            out.append(Segment(start, start + duration, fields[7]))
    return out


def frames(t: float) -> int:
    return round(t / STEP_S)


class Reference:
    """The RTTM on a 10 ms grid: who speaks in each frame, and which frames are scored."""

    def __init__(self, segments: list[Segment], seconds: float, collar_s: float) -> None:
        self.segments = segments
        self.speakers = sorted({s.speaker for s in segments})
        n = frames(seconds) + 1
        self.talking = np.zeros((len(self.speakers), n), dtype=bool)
        for s in segments:
            self.talking[self.speakers.index(s.speaker), frames(s.start) : frames(s.end)] = True
        single = self.talking.sum(axis=0) == 1
        self.who = np.where(single, np.argmax(self.talking, axis=0), -1)  # -1: silence or overlap
        near_edge = np.zeros(n, dtype=bool)
        collar = frames(collar_s)
        for s in segments:
            for edge in (frames(s.start), frames(s.end)):
                near_edge[max(0, edge - collar) : edge + collar] = True
        self.scored = single & ~near_edge


def hypothesis(turns: list[tuple[float, float, int]], n: int) -> np.ndarray:
    """Each frame's found party (-1: no party: silence, or sound that fits neither voice)."""
    out = np.full(n, -1)
    for start, end, party in turns:
        out[frames(start) : frames(end)] = party
    return out


def best_mapping(ref: Reference, hyp: np.ndarray, parties: tuple[Any, Any]) -> dict[Any, int]:
    """Found party -> RTTM speaker index, whichever of the two matchings puts more scored time right."""
    best: tuple[float, dict[Any, int]] = (-1.0, {})
    for order in ((0, 1), (1, 0)):
        mapping = {parties[0]: order[0], parties[1]: order[1]}
        right = sum(float(((hyp == p) & (ref.who == k) & ref.scored).sum()) for p, k in mapping.items())
        if right > best[0]:
            best = (right, mapping)
    return best[1]


def score_diarization(ref: Reference, hyp: np.ndarray) -> dict[str, float]:
    mapping = best_mapping(ref, hyp, (0, 1))
    right_frames = np.zeros_like(hyp, dtype=bool)
    for party, k in mapping.items():
        right_frames |= (hyp == party) & (ref.who == k)
    found = hyp >= 0
    scored = ref.scored
    out = {
        "speech_right_of_ref": float(right_frames[scored].sum() / max(scored.sum(), 1)),
        "speech_right_of_found": float(right_frames[scored].sum() / max((scored & found).sum(), 1)),
        "speech_found": float((scored & found).sum() / max(scored.sum(), 1)),
    }
    strict = lenient = counted = 0
    for s in ref.segments:
        span = slice(frames(s.start), frames(s.end))
        own = ref.who[span] == ref.speakers.index(s.speaker)  # its time without the other's speech
        if not own.any():
            continue
        counted += 1
        right = (right_frames[span] & own).sum()
        wrong = (found[span] & own).sum() - right
        strict += right * 2 > own.sum()
        lenient += right > wrong
    out["turns_right"] = strict / max(counted, 1)
    out["turns_right_of_found"] = lenient / max(counted, 1)
    out["turns"] = counted
    return out


def analyze_figures(wav: Path, ref: Reference, folder: Path) -> dict[str, Any]:
    """``call-companion analyze FILE`` as a user runs it; what its JSON says, and its lines scored."""
    out_json = folder / f"{wav.stem}.json"
    command = Path(sys.executable).with_name("call-companion")
    started = time.perf_counter()
    done = subprocess.run([str(command), "analyze", str(wav), "--json", str(out_json)], capture_output=True)
    out: dict[str, Any] = {"analyze_exit": done.returncode, "analyze_wall_s": round(time.perf_counter() - started, 1)}
    if done.returncode != 0 or not out_json.exists():
        return out
    report = json.loads(out_json.read_text(encoding="utf-8"))
    diar = report.get("diarization", {})
    roles = report.get("roles")
    out["analyze_voices"] = diar.get("voices")
    out["analyze_cost_s"] = diar.get("cost_s")
    out["analyze_roles_agent"] = roles["agent"] if roles else None
    out["analyze_roles_source"] = roles["source"] if roles else None
    out["analyze_roles_confidence"] = roles["confidence"] if roles else None
    utterances = report.get("utterances", [])
    out["analyze_lines"] = len(utterances)
    speakers = sorted({u["speaker"] for u in utterances})
    out["analyze_speakers"] = ",".join(speakers)
    if roles is None:
        return out
    # Which RTTM speaker the analysis calls the agent: the better matching of its lines' time.
    n = ref.talking.shape[1]
    hyp = np.full(n, -1, dtype=object)
    for u in utterances:
        hyp[frames(u["start"]) : frames(u["end"])] = u["speaker"]
    mapping = best_mapping(ref, hyp, ("agent", "customer"))
    out["analyze_agent_is"] = ref.speakers[mapping["agent"]]
    right = 0
    for s in ref.segments:
        mine = [u for u in utterances if min(u["end"], s.end) - max(u["start"], s.start) > 0.3]
        right += bool(mine) and all(ref.speakers[mapping[u["speaker"]]] == s.speaker for u in mine)
    out["analyze_turns_lines_right"] = round(right / max(len(ref.segments), 1), 3)
    return out


def run_one(wav: Path, rttm: Path, collar_s: float, analyze: bool, folder: Path) -> dict[str, Any]:
    cpu = time.process_time()
    source = MonoSource(wav)  # decode (resampled to 16 kHz) and diarize, as `analyze` does for a mono file
    cpu = time.process_time() - cpu
    d = source.diarization
    seconds = source.decoded_duration
    ref = Reference(read_rttm(rttm), seconds, collar_s)
    hyp = hypothesis([(t.start, t.end, t.party) for t in d.turns], ref.talking.shape[1])
    out: dict[str, Any] = {
        "seconds": round(seconds, 2),
        "rttm_speakers": len(ref.speakers),
        "voices": d.parties,
        "voices_right": int(d.parties == len(ref.speakers)),
        "separation": d.separation,
        "found_turns": len([t for t in d.turns if t.party >= 0]),
        "neither_s": round(d.speech_s(-1), 2),
    }
    out |= {k: round(v, 3) if isinstance(v, float) else v for k, v in score_diarization(ref, hyp).items()}
    out["cost_rt"] = round(source.diarize_s / seconds, 4)
    out["decode_diarize_cpu_rt"] = round(cpu / seconds, 4)
    if analyze:
        out |= analyze_figures(wav, ref, folder)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("pairs", nargs="+", type=Path, help="WAV RTTM [WAV RTTM ...]")
    ap.add_argument("--collar", type=float, default=0.25, help="seconds either side of an RTTM boundary left out")
    ap.add_argument("--no-analyze", action="store_true", help="skip the whole `call-companion analyze` run")
    args = ap.parse_args()
    if len(args.pairs) % 2:
        print("real_mono_bench: give the files in pairs, WAV then RTTM", file=sys.stderr)
        return 2
    missing = [p for p in args.pairs if not p.is_file()]
    if missing:
        print(f"real_mono_bench: {missing[0]}: no such file", file=sys.stderr)
        return 2
    try:
        stereo = [wav for wav in args.pairs[::2] if channel_count(wav) != 1]
    except InputError as exc:
        print(f"real_mono_bench: {exc}", file=sys.stderr)
        return 2
    if stereo:
        print(f"real_mono_bench: {stereo[0]} is not mono: this scores the split of a one-channel file", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        for wav, rttm in zip(args.pairs[::2], args.pairs[1::2], strict=True):
            for key, value in run_one(wav, rttm, args.collar, not args.no_analyze, Path(tmp)).items():
                print(f"{wav.name} {key} {value}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
