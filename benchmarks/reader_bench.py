"""What the sentence reader costs: CPU per sentence on one core, memory it adds, load time.

    reader_bench.py [--sentences N] [--repeats R] [--json OUT]

CPU time (user + system of this process) is measured rather than wall time, so
the figure holds better on a busy machine; the encoder runs on one thread.
Each CPU figure is the median of R passes over the sentences.  The heap is set
up as the app sets it once the recogniser is loaded (freed blocks are kept),
so the memory figure is what the reader adds inside the app.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import companion  # noqa: F401, I001 - first, as in the app: it sets numpy's thread count before numpy loads

from faster_whisper.vad import get_vad_model

from companion.analysis.agent_acts import AgentActs
from companion.analysis.playbook import load_playbook
from companion.analysis.reader.acts import load_reader, reader_dir
from companion.analysis.reader.corpus import Sample, read_corpus
from companion.analysis.reader.mood import load_mood_reader
from companion.asr.heap import keep_freed_memory


def _rss_mb() -> float:
    with open("/proc/self/status", encoding="utf-8") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sentences", type=int, default=300)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--json", dest="json_out", type=Path)
    args = ap.parse_args()
    playbook = load_playbook()
    rows = read_corpus(reader_dir() / "corpus")[: args.sentences]
    # The app has onnxruntime loaded already (Silero VAD runs on it): count what the reader adds to that.
    get_vad_model()
    keep_freed_memory()
    before = _rss_mb()
    cpu0, wall0 = _cpu(), time.perf_counter()
    reader = load_reader(playbook)
    load_mood_reader()
    load_cpu, load_wall = _cpu() - cpu0, time.perf_counter() - wall0
    acts = AgentActs(playbook, reader)
    rules = AgentActs(playbook, None)
    acts.read("warm up", "")

    def per_row(step: Callable[[Sample], object]) -> float:
        runs = []
        for _ in range(args.repeats):
            cpu0 = _cpu()
            for s in rows:
                step(s)
            runs.append((_cpu() - cpu0) / len(rows))
        return statistics.median(runs)

    with_reader = per_row(lambda s: acts.read(s.sentence, s.context))
    one_sentence = per_row(lambda s: reader.read([s.sentence]))
    rules_only = per_row(lambda s: rules.read(s.sentence, s.context))
    figures = {
        "reader_load_cpu_s": round(load_cpu, 3),
        "reader_load_wall_s": round(load_wall, 3),
        "cpu_ms_per_agent_turn_with_context": round(1000 * with_reader, 2),
        "cpu_ms_per_agent_turn_rules_only": round(1000 * rules_only, 2),
        "cpu_ms_per_sentence_encoded_and_classified": round(1000 * one_sentence, 2),
        "memory_added_mb": round(_rss_mb() - before, 1),
        "turns": len(rows),
        "repeats": args.repeats,
    }
    for key, value in figures.items():
        print(f"{key} {value}")
    if args.json_out:
        args.json_out.write_text(json.dumps(figures, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
