"""Engine benchmark: throughput, live latency, streaming vs offline accuracy, peak memory.

On one two-speaker call (our own ~2-minute script by default, or --call WAV with a
--truth JSON of turns: {"turns": [{"speaker", "text", "start", "end"}]}), in one run:

- analyze throughput: pipeline wall time / audio duration, and the ratio against
  plain faster-whisper transcribing the same two channels offline (its own VAD);
- --realtime latency: end of speech -> final text (p50, p95), onset -> first partial (p50);
  and end of speech -> settled text (the line recognised again in context, p50, p95);
- streaming WER against offline WER of the same model on the same audio: the analysed
  file, the live call's first text (what shows within a second) and its settled text;
- peak RSS of the analyze process.

With --eval DIR (a folder of labelled ``calls/*.call`` and its ``callsynth.py``), the
analysed-file and offline WER are also measured over every call there, wideband and
telephone band, weighted by words: one 2-minute call is a small sample (a word is 0.004).

Prints one line per figure; --json OUT writes them too.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from tests import speech  # noqa: E402

# A delivery complaint, about two minutes when spoken: long and short turns on both sides.
SCRIPT = [
    ("agent", "Good morning, thank you for calling Parcel Express, this is Jordan speaking. How can I help?"),
    (
        "customer",
        "Hi. I ordered a birthday present for my daughter two weeks ago and it still has not "
        "arrived. The tracking page has said out for delivery for five days now.",
    ),
    ("agent", "I am sorry to hear that. Could you give me the tracking number so I can have a look?"),
    ("customer", "Yes, it is in the email. It starts with P X and then four four seven nine two."),
    (
        "agent",
        "Thank you. I can see the parcel left our depot on Monday, but the driver marked it as "
        "undeliverable because the address label was damaged.",
    ),
    (
        "customer",
        "Undeliverable? Nobody called me and nobody left a card. Her birthday is on Saturday "
        "and I am really worried it will not come in time.",
    ),
    (
        "agent",
        "I understand, that is stressful with the birthday so close. Let me check what we can do before Saturday.",
    ),
    ("customer", "Thank you. I just want it to arrive, I do not care how."),
    (
        "agent",
        "The parcel is back at the depot in Riverside. I can reprint the label with your address "
        "and put it on tomorrow morning's van, so it reaches you on Friday.",
    ),
    ("customer", "Friday would be fine. Will somebody call me if there is another problem?"),
    (
        "agent",
        "Yes. I will add your phone number to the delivery, and the driver will call you thirty "
        "minutes before arrival.",
    ),
    ("customer", "Okay, that sounds good. Thank you for sorting it out."),
    (
        "agent",
        "You are welcome. I hope your daughter has a wonderful birthday. Is there anything else I can help with today?",
    ),
    ("customer", "No, that is everything. Have a nice day."),
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def run_analyze(wav: Path, out: Path, realtime: bool) -> tuple[dict, float]:
    """Run the real CLI in a child process (live: this script as the child, to see first texts too).

    Returns the report and the child's peak RSS (MB).
    """
    args = [sys.executable, "-m", "companion", "analyze", str(wav), "--json", str(out)]
    if realtime:
        args = [sys.executable, __file__, "--live-child", str(wav), "--json", str(out)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    subprocess.run(args, cwd=ROOT, check=True)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return json.loads(out.read_text()), max(before, peak) / 1024


def offline(wav: Path) -> tuple[dict[str, str], float]:
    """Plain faster-whisper, the way a batch tool would run it, on both channels."""
    from faster_whisper.audio import decode_audio

    from companion.asr.model import ModelSettings, load_model

    settings = ModelSettings()
    model = load_model(settings)
    start = time.perf_counter()
    left, right = decode_audio(str(wav), split_stereo=True)
    texts = {}
    for speaker, audio in (("agent", left), ("customer", right)):
        segments, _ = model.transcribe(audio, language="en", beam_size=settings.beam_size, vad_filter=True)
        texts[speaker] = " ".join(s.text.strip() for s in segments)
    return texts, time.perf_counter() - start


def live_child(wav: Path, out: Path) -> None:
    """The live call, as ``analyze --realtime`` runs it, plus each line's first text and settle time."""
    from companion.analysis.report import build_report
    from companion.audio.files import FileSource
    from companion.events import Revision, Utterance
    from companion.pipeline import CallPipeline

    pipeline = CallPipeline(FileSource(wav, realtime=True))
    pipeline.run()
    report = build_report(pipeline.events, wall_s=pipeline.wall_s, source=str(wav))
    firsts = {e.id: e for e in pipeline.events if isinstance(e, Utterance)}
    settled = {e.utterance: e.t for e in pipeline.events if isinstance(e, Revision)}
    for u in report["utterances"]:
        u["first_text"] = firsts[u["id"]].text
        u["settled"] = settled.get(u["id"])
    out.write_text(json.dumps(report))


def eval_wer(eval_dir: Path) -> dict[str, float]:
    """Analysed-file and offline WER over a labelled call set, both bands, weighted by words."""
    from eval_playbook import synthesize

    from companion.audio.files import FileSource
    from companion.events import Utterance
    from companion.pipeline import CallPipeline

    errors = {"streaming": 0.0, "offline": 0.0}
    words = 0
    with tempfile.TemporaryDirectory() as tmp:
        for call in sorted((eval_dir / "calls").glob("*.call")):
            for band in ("wide", "phone"):
                wav = Path(tmp, f"{call.stem}-{band}.wav")
                turns = synthesize(eval_dir / "callsynth.py", call, wav, phone=band == "phone")
                truth = " ".join(" ".join(t.text for t in turns if t.speaker == s) for s in ("agent", "customer"))
                n = len(speech.normalise(truth).split())
                events = CallPipeline(FileSource(wav)).run()
                heard = " ".join(
                    " ".join(e.text for e in events if isinstance(e, Utterance) and e.speaker == s)
                    for s in ("agent", "customer")
                )
                texts, _ = offline(wav)
                errors["streaming"] += speech.word_error_rate(truth, heard) * n
                errors["offline"] += speech.word_error_rate(truth, texts["agent"] + " " + texts["customer"]) * n
                words += n
    return {
        "eval_streaming_wer": errors["streaming"] / words,
        "eval_offline_wer": errors["offline"] / words,
        "eval_words": float(words),
    }


def call_and_turns(call: Path | None, truth: Path | None) -> tuple[Path, list[dict]]:
    """The call to measure (``--call``, its turns from ``--truth``) or our own script, synthesized."""
    if call:
        return call, json.loads(truth.read_text())["turns"] if truth else []
    wav, timed = speech.synthesize_call(SCRIPT)
    return wav, [{"speaker": t.speaker, "text": t.text, "start": t.start, "end": t.end} for t in timed]


def main() -> None:
    if sys.argv[1:2] == ["--live-child"]:
        live_child(Path(sys.argv[2]), Path(sys.argv[4]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--call", type=Path, help="a stereo call WAV (agent left); default: our own script")
    parser.add_argument("--truth", type=Path, help="turns of --call, for WER")
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument("--eval", type=Path, help="a labelled call set (calls/*.call + callsynth.py) for WER")
    args = parser.parse_args()

    wav, turns = call_and_turns(args.call, args.truth)

    with tempfile.TemporaryDirectory() as tmp:
        fast, rss_fast = run_analyze(wav, Path(tmp, "fast.json"), realtime=False)
        live, rss_live = run_analyze(wav, Path(tmp, "live.json"), realtime=True)
    offline_texts, offline_s = offline(wav)

    audio_s = fast["duration"]
    figures: dict[str, float | str] = {
        "date": date.today().isoformat(),
        "machine": f"{platform.machine()}, {subprocess.getoutput('nproc')} cores, Python {platform.python_version()}",
        "audio_s": audio_s,
        "analyze_rtf": fast["timings"]["wall_s"] / audio_s,
        "offline_rtf": offline_s / audio_s,
        "analyze_vs_offline": fast["timings"]["wall_s"] / offline_s,
    }
    finals = [u["emitted"] - u["end"] for u in live["utterances"] if u["emitted"] is not None]
    partials = [u["first_partial"] - u["start"] for u in live["utterances"] if u["first_partial"] is not None]
    settles = [u["settled"] - u["end"] for u in live["utterances"] if u["settled"] is not None]
    figures |= {
        "final_latency_p50_s": statistics.median(finals),
        "final_latency_p95_s": percentile(finals, 0.95),
        "first_partial_p50_s": statistics.median(partials) if partials else float("nan"),
        "settled_latency_p50_s": statistics.median(settles) if settles else float("nan"),
        "settled_latency_p95_s": percentile(settles, 0.95) if settles else float("nan"),
        "utterances_with_partial": len(partials) / max(1, len(live["utterances"])),
    }
    if turns:
        truth = {s: " ".join(t["text"] for t in turns if t["speaker"] == s) for s in ("agent", "customer")}
        runs = (("streaming", fast, "text"), ("live_first", live, "first_text"), ("live", live, "text"))
        for name, report, field in runs:
            words = {
                s: " ".join(u[field] for u in report["utterances"] if u["speaker"] == s) for s in ("agent", "customer")
            }
            figures[f"{name}_wer"] = speech.word_error_rate(
                truth["agent"] + " " + truth["customer"], words["agent"] + " " + words["customer"]
            )
        figures["offline_wer"] = speech.word_error_rate(
            truth["agent"] + " " + truth["customer"], offline_texts["agent"] + " " + offline_texts["customer"]
        )
    figures["peak_rss_mb"] = max(rss_fast, rss_live)
    if args.eval:
        figures |= eval_wer(args.eval)

    for key, value in figures.items():
        print(f"{key}: {value:.3f}" if isinstance(value, float) else f"{key}: {value}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1) + "\n")


if __name__ == "__main__":
    main()
