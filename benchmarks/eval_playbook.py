"""How well the coach reads labelled calls: steps, next step, pitfalls, false alerts, cost.

    eval_playbook.py EVAL_DIR [FIXTURE_DIR] [--bands wide,phone,text] [--json OUT] [--misses]

EVAL_DIR holds ``calls/*.call`` and ``callsynth.py`` (the shared evaluation set);
FIXTURE_DIR (default tests/fixtures/calls) holds the project's own labelled
calls.  Every call is spoken with EVAL_DIR's callsynth.py into a temporary
folder (wideband, and telephone band with ``--phone``), run through the real
``analyze`` pipeline with the default playbook, and scored against its labels;
``text`` feeds each script as a .txt transcript instead (no audio).  The
coach's own time is measured inside the pipeline and given as a share of the
whole analysis time.  One line per figure.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from companion.analysis.coach import Coach, coach_for
from companion.analysis.labelled_calls import Score, Turn, as_transcript, read_call, score_report
from companion.analysis.playbook import Playbook, load_playbook
from companion.analysis.report import build_report
from companion.asr.model import ModelSettings
from companion.asr.vad import VadSettings
from companion.audio.files import FileSource
from companion.events import Event
from companion.pipeline import CallPipeline, EngineSettings

ROOT = Path(__file__).resolve().parent.parent
MACRO_STEPS = ("empathize", "assess", "affirm", "resolve")
# The baseline a playbook must beat: the obvious phrases of each step, matched literally.
KEYWORDS = {
    "listen": ("go on", "i hear you", "tell me more", "i'm listening"),
    "empathize": ("i understand", "frustrating", "i'm sorry", "i'd feel"),
    "assess": ("can you tell me", "what ", "when ", "where "),
    "affirm": ("so if i understand", "is that right", "is that correct", "to recap"),
    "resolve": ("i will", "i'll", "i can offer", "refund", "replace"),
    "agree": ("does that work", "to confirm", "the plan"),
    "thank": ("thank you for", "thanks for"),
}


def with_keyword_steps(report: dict[str, Any]) -> dict[str, Any]:
    """The same analysis with each agent utterance's steps found by the keyword list instead."""
    rows = []
    for u in report["utterances"]:
        text = u["text"].lower()
        found = [s for s, words in KEYWORDS.items() if u["speaker"] == "agent" and any(w in text for w in words)]
        rows.append(u | {"steps": found})
    return report | {"utterances": rows}


class TimedCoach:
    """The real coach, with the time spent in it added up."""

    def __init__(self, coach: Coach) -> None:
        self.coach = coach
        self.seconds = 0.0

    def feed(self, event: Event) -> list[Event]:
        t0 = time.perf_counter()
        try:
            return self.coach.feed(event)
        finally:
            self.seconds += time.perf_counter() - t0


def synthesize(callsynth: Path, call: Path, out: Path, phone: bool) -> list[Turn]:
    cmd = [sys.executable, str(callsynth), str(call), str(out)] + (["--phone"] if phone else [])
    subprocess.run(cmd, check=True, capture_output=True)
    truth = json.loads(out.with_suffix(".truth.json").read_text())
    return [
        Turn(t["speaker"], t["text"], tuple(t["labels"]), t.get("next"), t["start"], t["end"]) for t in truth["turns"]
    ]


def run_audio(wav: Path, playbook: Playbook, vad: VadSettings) -> tuple[dict[str, Any], float, float]:
    coach = TimedCoach(coach_for(playbook))  # the playbook's words plus the voice cues, as analyze runs it
    settings = EngineSettings(model=ModelSettings(), vad=vad)
    pipeline = CallPipeline(FileSource(wav), settings, coach=coach)
    pipeline.run()
    report = build_report(pipeline.events, steps=playbook.step_titles(), wall_s=pipeline.wall_s)
    return report, coach.seconds, pipeline.wall_s


def run_text(turns: list[Turn], playbook: Playbook, folder: Path, name: str) -> dict[str, Any]:
    from companion.call_analysis import analyze_file

    path = folder / f"{name}.txt"
    path.write_text(as_transcript(turns), encoding="utf-8")
    report, _ = analyze_file(path, playbook=playbook)
    return report


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("eval_dir", type=Path)
    ap.add_argument("fixture_dir", type=Path, nargs="?", default=ROOT / "tests" / "fixtures" / "calls")
    ap.add_argument("--bands", default="wide,phone,text")
    ap.add_argument("--json", dest="json_out", type=Path)
    ap.add_argument("--sets", default="eval,fixtures", help="which call sets to run")
    ap.add_argument("--keep", type=Path, help="keep each call's analysis JSON in this folder")
    ap.add_argument(
        "--vad-threshold",
        type=float,
        default=None,
        help="speech threshold of the VAD (engine default if unset)",
    )
    ap.add_argument("--misses", action="store_true", help="list every miss and false alert")
    args = ap.parse_args()
    callsynth = args.eval_dir / "callsynth.py"
    playbook = load_playbook()
    vad = VadSettings() if args.vad_threshold is None else VadSettings(threshold=args.vad_threshold)
    print(f"vad threshold {vad.threshold}")
    sets = {
        "eval": sorted((args.eval_dir / "calls").glob("*.call")),
        "fixtures": sorted(args.fixture_dir.glob("*.call")),
    }
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for set_name, calls in sets.items():
            if set_name not in args.sets.split(","):
                continue
            for band in args.bands.split(","):
                total = Score()
                keywords = Score()
                coach_s = wall_s = 0.0
                for call in calls:
                    _, script = read_call(call)
                    if band == "text":
                        report = run_text(script, playbook, folder, call.stem)
                        total.add(score_report(report, script, call.stem))
                        keywords.add(score_report(with_keyword_steps(report), script, call.stem))
                        continue
                    wav = folder / f"{call.stem}-{band}.wav"
                    turns = synthesize(callsynth, call, wav, phone=band == "phone")
                    report, spent, wall = run_audio(wav, playbook, vad)
                    if args.keep:
                        args.keep.mkdir(parents=True, exist_ok=True)
                        (args.keep / f"{set_name}-{call.stem}-{band}.json").write_text(json.dumps(report, indent=1))
                    coach_s += spent
                    wall_s += wall
                    total.add(score_report(report, turns, f"{call.stem}/{band}"))
                    keywords.add(score_report(with_keyword_steps(report), turns, call.stem))
                figures: dict[str, float] = total.figures()
                macro_r, macro_p = total.macro(MACRO_STEPS)
                base_r, base_p = keywords.macro(MACRO_STEPS)
                figures |= {
                    "macro4_recall": round(macro_r, 3),
                    "macro4_precision": round(macro_p, 3),
                    "keywords_macro4_recall": round(base_r, 3),
                    "keywords_macro4_precision": round(base_p, 3),
                }
                if band != "text" and wall_s > 0:
                    figures["coach_share_of_analysis"] = round(coach_s / wall_s, 4)
                    figures["coach_ms_per_call"] = round(1000 * coach_s / max(1, len(calls)), 1)
                for key, value in figures.items():
                    print(f"{set_name} {band} {key} {value}")
                print(f"{set_name} {band} calls {len(calls)}")
                if args.misses:
                    for miss in total.misses:
                        print(f"  miss: {miss}")
                results[f"{set_name}/{band}"] = figures | {"calls": len(calls), "misses": total.misses}
    if args.json_out:
        args.json_out.write_text(json.dumps(results, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
