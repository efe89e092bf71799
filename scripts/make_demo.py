"""Regenerate the bundled demo call, assets/demo/demo-call.ogg, from the script below.

The demo is a delivery complaint that escalates (the agent slips into trigger
words), then recovers through empathy, assessment, a fix, agreement and thanks.
Each turn is spoken by espeak-ng (agent on the left channel, customer on the
right), mixed into one stereo track and encoded as Opus, so a new user can see
the window work without a phone.  Needs espeak-ng and sox.

    python scripts/make_demo.py [--out assets/demo/demo-call.ogg]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
import wave
from pathlib import Path

import av
import numpy as np

RATE = 16_000
ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "assets" / "demo" / "demo-call.ogg"
# Agent: a calm, even voice; customer: a faster, higher voice that sounds pressed.
VOICES = {"agent": ("en-us+m3", 180, 45), "customer": ("en-gb+f2", 185, 60)}
GAP_S = 0.6
LEAD_S = 0.5

SCRIPT: list[tuple[str, str]] = [
    ("agent", "Thank you for calling Northwind Deliveries, this is Sam. How can I help you today?"),
    (
        "customer",
        "I have been waiting two weeks for my sofa. Two weeks! Today the driver never showed up, "
        "I took a day off work for this, and nobody called me. This is ridiculous.",
    ),
    ("agent", "Okay, you have to calm down. Our policy says deliveries can take up to fourteen days."),
    (
        "customer",
        "Don't tell me to calm down! I don't care about your policy. I want my sofa, and I am sick of being ignored.",
    ),
    (
        "agent",
        "You are right, and I understand how frustrating this is. You took a day off and nobody "
        "came. I would be upset too.",
    ),
    ("customer", "Yes, exactly. I just want someone to take this seriously."),
    (
        "agent",
        "I will. Can you tell me your order number, and which mornings next week work for you?",
    ),
    ("customer", "It is order four five seven two. Any morning except Wednesday."),
    (
        "agent",
        "Thank you, I can see the order. So if I understand correctly, the truck was rerouted, "
        "nobody told you, and you lost a day off work for nothing. Is that right?",
    ),
    ("customer", "Yes, that is right. At least someone admits it."),
    (
        "agent",
        "Here is what I will do. I will book a guaranteed delivery for Monday morning between "
        "eight and ten, and refund your delivery fee.",
    ),
    ("customer", "Monday morning works. And the refund is fair."),
    (
        "agent",
        "So to confirm, Monday between eight and ten, the driver calls you half an hour before, "
        "and the refund reaches you in three days. Does that work for you?",
    ),
    ("customer", "Yes, that works. Thank you for sorting it out."),
    (
        "agent",
        "Thank you for your patience, and for giving us the chance to fix this. Have a good evening.",
    ),
    ("customer", "You too. Goodbye."),
]


def speak(text: str, speaker: str) -> np.ndarray:
    """One turn as float32 samples at 16 kHz."""
    voice, wpm, pitch = VOICES[speaker]
    with tempfile.TemporaryDirectory() as d:
        raw, out = Path(d, "raw.wav"), Path(d, "out.wav")
        subprocess.run(
            ["espeak-ng", "-v", voice, "-s", str(wpm), "-p", str(pitch), "-w", str(raw), text],
            check=True,
            capture_output=True,
        )
        subprocess.run(["sox", "-R", str(raw), "-r", str(RATE), "-c", "1", "-b", "16", str(out)], check=True)
        with wave.open(str(out)) as w:
            pcm = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)
    return pcm.astype(np.float32) / 32768.0


def mix(script: list[tuple[str, str]]) -> tuple[np.ndarray, list[dict[str, object]]]:
    """Lay the turns one after another on their speaker's channel."""
    pieces, turns = [], []
    t = int(LEAD_S * RATE)
    for speaker, text in script:
        pcm = speak(text, speaker)
        pieces.append((t, speaker, pcm))
        turns.append({"speaker": speaker, "start": t / RATE, "end": (t + len(pcm)) / RATE, "text": text})
        t += len(pcm) + int(GAP_S * RATE)
    stereo = np.zeros((t + int(LEAD_S * RATE), 2), dtype=np.float32)
    for start, speaker, pcm in pieces:
        stereo[start : start + len(pcm), 0 if speaker == "agent" else 1] = pcm * 0.8
    return stereo, turns


def encode_opus(stereo: np.ndarray, path: Path, bitrate: int = 32_000) -> None:
    """Write stereo float samples as Ogg/Opus, replacing ``path`` in one step."""
    tmp = path.with_name(path.name + ".tmp")
    with av.open(str(tmp), "w", format="ogg") as container:
        stream = container.add_stream("libopus", rate=48_000)
        stream.layout = "stereo"
        stream.bit_rate = bitrate
        resampler = av.AudioResampler(format="s16", layout="stereo", rate=48_000)
        block = 4096
        for i in range(0, len(stereo), block):
            chunk = (np.clip(stereo[i : i + block], -1, 1) * 32767).astype(np.int16)
            frame = av.AudioFrame.from_ndarray(chunk.reshape(1, -1), format="s16", layout="stereo")
            frame.sample_rate = RATE
            for out in resampler.resample(frame):
                container.mux(stream.encode(out))
        for out in resampler.resample(None):
            container.mux(stream.encode(out))
        container.mux(stream.encode(None))
    tmp.replace(path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    stereo, turns = mix(SCRIPT)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    encode_opus(stereo, args.out)
    script_path = args.out.with_suffix(".txt")
    script_path.write_text(
        "".join(
            f"[{int(t['start']) // 60:02d}:{int(t['start']) % 60:02d}] {str(t['speaker']).capitalize()}: {t['text']}\n"
            for t in turns
        ),
        encoding="utf-8",
    )
    args.out.with_suffix(".json").write_text(json.dumps(turns, indent=1) + "\n", encoding="utf-8")
    print(f"{args.out}: {len(stereo) / RATE:.1f} s, {args.out.stat().st_size / 1024:.0f} KiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
