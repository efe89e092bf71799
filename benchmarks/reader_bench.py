"""What the sentence reader costs: CPU per sentence on one core, memory it adds, load time.

    reader_bench.py [--sentences N] [--json OUT]

CPU time (user + system of this process) is measured rather than wall time, so
the figure holds on a busy machine; the encoder runs on one thread.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from faster_whisper.vad import get_vad_model

from companion.analysis.agent_acts import AgentActs
from companion.analysis.playbook import load_playbook
from companion.analysis.reader.acts import load_reader, reader_dir
from companion.analysis.reader.corpus import read_corpus
from companion.analysis.reader.mood import load_mood_reader


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
    ap.add_argument("--json", dest="json_out", type=Path)
    args = ap.parse_args()
    playbook = load_playbook()
    rows = read_corpus(reader_dir() / "corpus")[: args.sentences]
    # The app has onnxruntime loaded already (Silero VAD runs on it): count what the reader adds to that.
    get_vad_model()
    before = _rss_mb()
    cpu0, wall0 = _cpu(), time.perf_counter()
    reader = load_reader(playbook)
    load_mood_reader()
    load_cpu, load_wall = _cpu() - cpu0, time.perf_counter() - wall0
    acts = AgentActs(playbook, reader)
    rules = AgentActs(playbook, None)
    acts.read("warm up", "")
    cpu0 = _cpu()
    for s in rows:
        acts.read(s.sentence, s.context)
    with_reader = (_cpu() - cpu0) / len(rows)
    cpu0 = _cpu()
    for s in rows:
        reader.read([s.sentence])
    one_sentence = (_cpu() - cpu0) / len(rows)
    cpu0 = _cpu()
    for s in rows:
        rules.read(s.sentence, s.context)
    rules_only = (_cpu() - cpu0) / len(rows)
    figures = {
        "reader_load_cpu_s": round(load_cpu, 3),
        "reader_load_wall_s": round(load_wall, 3),
        "cpu_ms_per_agent_turn_with_context": round(1000 * with_reader, 2),
        "cpu_ms_per_agent_turn_rules_only": round(1000 * rules_only, 2),
        "cpu_ms_per_sentence_encoded_and_classified": round(1000 * one_sentence, 2),
        "memory_added_mb": round(_rss_mb() - before, 1),
        "turns": len(rows),
    }
    for key, value in figures.items():
        print(f"{key} {value}")
    if args.json_out:
        args.json_out.write_text(json.dumps(figures, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
