"""Take the documentation's screenshots from one run of the demo call through the real engine.

At chosen call times the window is grabbed in the light look, the dark look and
compact mode, so the pictures in docs/ show what an agent actually sees:

    python scripts/make_screenshots.py [--out docs/img] [--at 25 62]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "img")
    parser.add_argument("--at", type=float, nargs="+", default=[25.0, 62.0], help="call times to grab (s)")
    args = parser.parse_args()

    from PySide6.QtCore import QSize, QTimer
    from PySide6.QtWidgets import QApplication

    import companion.ui  # noqa: F401  (the PySide6 reference guard)
    from companion.ui import resources
    from companion.ui.main_window import MainWindow
    from companion.ui.settings import Settings
    from companion.ui.theme import apply_theme

    app = QApplication(sys.argv[:1])
    resources.load()
    settings = Settings("call-companion-docs", "screenshots")
    settings.clear()
    window = MainWindow(settings, audible=False, dark=apply_theme(app, "light"))
    import tempfile

    from companion.ui.sessions_entry import install_sessions

    # The toolbar as users have it (Sessions included); the demo's session goes to a throw-away store.
    store = tempfile.TemporaryDirectory()
    install_sessions(window, Path(store.name) / "store", spool_dir=Path(store.name) / "spool")
    window.resize(QSize(1180, 780))
    window.show()
    window.jobs.wait(window.warm_up_job)
    args.out.mkdir(parents=True, exist_ok=True)

    def grab(name: str) -> None:
        path = args.out / f"{name}.png"
        window.grab().save(str(path))
        print(path)

    def shoot(t: float) -> None:
        stamp = f"{int(t):02d}s"
        grab(f"window-light-{stamp}")
        window.set_dark(apply_theme(app, "dark"))
        grab(f"window-dark-{stamp}")
        window.compact_action.setChecked(True)
        grab(f"window-compact-dark-{stamp}")
        window.set_dark(apply_theme(app, "light"))
        grab(f"window-compact-light-{stamp}")
        window.compact_action.setChecked(False)
        window.resize(QSize(1180, 780))

    for t in args.at:
        QTimer.singleShot(int(t * 1000), lambda t=t: shoot(t))
    # Grabbed once the status bar has laid out the "Call saved" line that the call's end brings.
    window.call_finished.connect(lambda _reason: QTimer.singleShot(300, lambda: (grab("window-light-end"), app.quit())))
    window.start_demo()
    app.exec()
    settings.clear()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
