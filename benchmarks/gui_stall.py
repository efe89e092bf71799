"""Window benchmark: how long the GUI event loop stalls while the demo call runs live.

Opens the real window (offscreen unless a display is set), plays the bundled demo
call through the live pipeline at real-time pace with the real model and coach,
and measures a precise 10 ms timer in the GUI thread:

- gui_stall_worst_ms / gui_stall_p99_ms: the longest and 99th-percentile lateness
  of a tick (how long the loop could not turn, whatever the cause);
- gui_busy_worst_ms: the most CPU time the GUI thread itself spent between two
  ticks (the window's own drawing; the rest of a stall is waiting for a core or
  for the GIL held by the engine's threads);
- gui_events_per_s and the machine's load average, which decides what a stall means.

Prints one line per figure; --json OUT writes them too.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--call", type=Path, help="a stereo recording to play instead of the demo call")
    parser.add_argument("--json", dest="json_out", type=Path, metavar="OUT")
    args = parser.parse_args()
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    from PySide6.QtWidgets import QApplication

    import companion.ui  # noqa: F401  (the PySide6 reference guard)
    from companion.ui import resources
    from companion.ui.main_window import MainWindow
    from companion.ui.settings import Settings
    from companion.ui.stall_meter import StallMeter
    from companion.ui.theme import apply_theme

    app = QApplication(sys.argv[:1])
    resources.load()
    settings = Settings("call-companion-bench", "gui-stall")
    settings.clear()
    window = MainWindow(settings, audible=False, dark=apply_theme(app, "light"))
    window.show()
    window.jobs.wait(window.warm_up_job)
    meter = StallMeter()
    window.call_finished.connect(lambda _reason: app.quit())
    started = time.monotonic()
    if not window.start_demo(args.call, realtime=True):
        print("could not start the call", file=sys.stderr)
        return 2
    meter.start()
    app.exec()
    meter.stop()
    wall = time.monotonic() - started
    figures = {
        "gui_stall_worst_ms": meter.worst_s * 1000,
        "gui_stall_p99_ms": meter.percentile(0.99) * 1000,
        "gui_stall_p999_ms": meter.percentile(0.999) * 1000,
        "gui_busy_worst_ms": meter.worst_busy_s * 1000,
        "gui_events_per_s": len(window.live.events) / wall,
        "call_wall_s": wall,
        "load_average_1min": os.getloadavg()[0],
        "cpu_count": os.cpu_count() or 0,
        "date": date.today().isoformat(),
        "machine": f"{platform.machine()} {platform.processor() or ''}".strip(),
    }
    window.close()
    settings.clear()
    for key, value in figures.items():
        print(f"{key}: {value:.3f}" if isinstance(value, float) else f"{key}: {value}")
    if args.json_out:
        args.json_out.write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
