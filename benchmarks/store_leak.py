"""How much of one side of a stored call reaches the other: joint stereo Opus against two uncoupled streams.

    python benchmarks/store_leak.py [--call STEREO.wav [--truth TRUTH.json]] [--json OUT]

Both sides talk at once (two espeak-ng voices, or the given call's two channels); each
is written through the session store's ``AudioWriter`` with Opus mapping family 0
(joint stereo, the old default) and 255 (one stream per side), read back, and the
coding error of the right side is projected onto the left's input: its level against
the left is the leak.  Also a 440 Hz tone left with 660 Hz right (the unit test's
case), the bytes per call minute, and with --truth (callsynth's JSON) the WER of the
stored call analysed again.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import wave
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from companion.store import audio_file  # noqa: E402
from tests import speech  # noqa: E402

RATE = 16_000
FAMILIES = {"joint stereo (family 0)": "0", "two streams (family 255)": "255"}


def both_talking() -> np.ndarray:
    left = speech.speak("Hello, I need to make a claim because a tree fell on my garage last night.", "customer")
    right = speech.speak("Good morning, you are through to Harbor Insurance, my name is Priya.", "agent")
    n = min(len(left), len(right))
    return np.stack([left[:n], right[:n]]).astype(np.float32) / 32768


def tones(seconds: float = 4.0) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    return np.stack([0.3 * np.sin(2 * np.pi * 440 * t), 0.3 * np.sin(2 * np.pi * 660 * t)]).astype(np.float32)


def leak_db(pcm: np.ndarray, path: Path) -> float:
    """Level of the left input within the right side's coding error, against the left (dB)."""
    audio_file.write_pcm(path, ("agent", "customer"), pcm)
    back = audio_file.read_audio(path)[:, : pcm.shape[1]]
    n = back.shape[1]
    left, error = pcm[0, :n].astype(np.float64), back[1].astype(np.float64) - pcm[1, :n]
    gain = float(np.dot(error, left) / np.dot(left, left))
    return 20 * float(np.log10(abs(gain) + 1e-12))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--call", type=Path, help="a stereo WAV call (agent left, customer right)")
    parser.add_argument("--truth", type=Path, help="its callsynth truth JSON: WER of the stored call analysed again")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    cases = {"two voices at once": both_talking(), "440 Hz left, 660 Hz right": tones()}
    call = None
    if args.call:
        with wave.open(str(args.call)) as w:
            frames = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16).reshape(-1, 2)
        call = frames.T.astype(np.float32) / 32768
        cases["the call"] = call
    figures: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for label, family in FAMILIES.items():
            audio_file.ENCODER_OPTIONS = {"mapping_family": family}
            row: dict[str, float] = {}
            for name, pcm in cases.items():
                row[f"leak_db {name}"] = round(leak_db(pcm, Path(tmp, "x.ogg")), 1)
            if call is not None:
                stored = Path(tmp, f"call-{family}.ogg")
                audio_file.write_pcm(stored, ("agent", "customer"), call)
                row["mb_per_minute"] = round(stored.stat().st_size / 1e6 / (call.shape[1] / RATE / 60), 3)
                if args.truth:
                    row |= reanalysed_wer(stored, args.truth)
            figures[label] = row
            print(label, json.dumps(row))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1) + "\n")


def reanalysed_wer(stored: Path, truth_path: Path) -> dict[str, float]:
    from companion.call_analysis import analyze_file

    turns = json.loads(truth_path.read_text())["turns"]
    report, _ = analyze_file(stored)
    out = {}
    for speaker in ("agent", "customer"):
        said = " ".join(t["text"] for t in turns if t["speaker"] == speaker)
        heard = " ".join(u["text"] for u in report["utterances"] if u["speaker"] == speaker)
        out[f"{speaker}_wer"] = round(speech.word_error_rate(said, heard), 4)
    return out


if __name__ == "__main__":
    main()
