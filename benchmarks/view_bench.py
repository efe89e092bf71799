"""Live view benchmark: the GUI thread's CPU for each event of an hour-long call, drawn through ``CallState``.

The live view folds every event into the call's state and redraws what changed
(companion/analysis/state.py, companion/ui/call_panels.py).  This feeds it the
events of a one-hour call as the engine would hand them over: input levels ten
times a second per speaker, provisional text twice per line, the final lines
with their sentiment, ticks, next steps and alerts (``replay_bench.hour_of_events``),
and measures CPU seconds (user+sys of this process, which wall-clock load on a
shared machine distorts less) per event: the mean, and the mean over the last
tenth of the call (does it grow with the call?).

    python benchmarks/view_bench.py [--minutes 60] [--json OUT]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from benchmarks.replay_bench import hour_of_events, report  # noqa: E402
from companion.events import Event, Level, Partial, Utterance  # noqa: E402


def as_heard(seconds: float) -> list[Event]:
    """The call's events in the order a live window gets them, with levels and provisional text."""
    lines = hour_of_events(seconds)
    heard: list[Event] = list(lines)
    for e in lines:
        if isinstance(e, Utterance):
            words = e.text.split()
            for k, at in enumerate((e.start + 1.0, e.start + 2.5)):
                heard.append(Partial(at, e.speaker, e.segment, e.start, " ".join(words[: 3 + 3 * k])))
    tenth = 0
    while tenth / 10 < seconds:
        for speaker in ("agent", "customer"):
            heard.append(Level(tenth / 10 + 0.05, speaker, -30.0 - (tenth % 7)))
        tenth += 1
    return sorted(heard, key=lambda e: float(e.t))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=60.0)
    parser.add_argument("--json", type=Path, metavar="OUT", help="also write the figures here")
    args = parser.parse_args()

    from PySide6.QtWidgets import QApplication

    import companion.ui  # noqa: F401  (the PySide6 reference guard)
    from companion.ui import resources
    from companion.ui.coaching import load_coaching
    from companion.ui.live_view import LiveView
    from companion.ui.theme import apply_theme

    app = QApplication(sys.argv[:1])
    resources.load()
    apply_theme(app, "light")
    events = as_heard(args.minutes * 60)
    view = LiveView(load_coaching("").steps)
    view.resize(1180, 700)
    view.show()
    app.processEvents()
    last_tenth = len(events) - len(events) // 10
    started = time.process_time()
    for event in events[:last_tenth]:
        view.apply(event)
    middle = time.process_time()
    for event in events[last_tenth:]:
        view.apply(event)
    ended = time.process_time()
    figures: dict[str, float | int | str] = {
        "date": date.today().isoformat(),
        "machine": platform.platform(),
        "events": len(events),
        "lines": len(view.state.lines),
        "live_view_cpu_ms_per_event": round(1000 * (ended - started) / len(events), 3),
        "live_view_cpu_ms_per_event_last_tenth": round(1000 * (ended - middle) / (len(events) - last_tenth), 3),
    }
    report(figures, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
