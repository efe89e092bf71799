"""Starting the window: the Qt application, resources, theme, and the scripted options.

``--demo`` plays the bundled call; ``--screenshot PATH --quit-after S`` saves a
PNG of the window after S seconds and exits 0, which works without a screen
(the offscreen platform is chosen when there is no display).
"""

from __future__ import annotations

import logging
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from companion import exit_codes

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WindowOptions:
    demo: bool = False
    call: bool = False  # start a live call at launch
    screenshot: Path | None = None
    quit_after: float | None = None
    compact: bool | None = None
    theme: str | None = None  # overrides the saved look for this run
    audible: bool = True
    settings_scope: tuple[str, str] | None = None  # (organisation, application), for tests
    store_dir: Path | None = None  # the session store; None: the settings' choice or the data folder
    effort: str | None = None  # the power setting for this run; None: the settings' choice


def _has_display() -> bool:
    if sys.platform in ("win32", "darwin"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def run_window(options: WindowOptions) -> int:
    """Open the window and run the event loop; returns the exit code."""
    if options.screenshot is not None and not _has_display():
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if not _has_display() and not os.environ.get("QT_QPA_PLATFORM"):
        # Qt would abort with a page about platform plugins; say what is missing instead.
        print(
            "call-companion: no screen to open the window on (neither DISPLAY nor WAYLAND_DISPLAY is set). "
            "Run it from a desktop session, under xvfb-run, or with QT_QPA_PLATFORM=offscreen "
            "(add --screenshot PATH --quit-after S to see the window as an image).",
            file=sys.stderr,
        )
        return exit_codes.USER_ERROR
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from companion.jobs import JobsManager
    from companion.ui import resources
    from companion.ui.main_window import MainWindow
    from companion.ui.settings import Key, Settings
    from companion.ui.theme import apply_theme

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Call Companion")
    app.setOrganizationName("call-companion")
    resources.load()
    settings = Settings(*options.settings_scope) if options.settings_scope else Settings()
    dark = apply_theme(app, options.theme or settings.text(Key.THEME))
    jobs = JobsManager()
    window = MainWindow(
        settings, audible=options.audible and options.screenshot is None, dark=dark, effort=options.effort, jobs=jobs
    )
    from companion.ui.sessions_entry import install_sessions
    from companion.ui.store_location import store_dir

    window.sessions = install_sessions(
        window, options.store_dir.expanduser().absolute() if options.store_dir else store_dir(settings)
    )
    if options.compact is not None:
        window.compact_action.setChecked(options.compact)
    window.show()
    if options.demo:
        QTimer.singleShot(0, window.start_demo)
    elif options.call:
        QTimer.singleShot(0, window.start_call)
    result = {"code": exit_codes.OK}
    if options.quit_after is not None:

        def finish() -> None:
            if options.screenshot is not None:
                options.screenshot.parent.mkdir(parents=True, exist_ok=True)
                if not window.grab().save(str(options.screenshot)):
                    print(f"call-companion: cannot write {options.screenshot}", file=sys.stderr)
                    result["code"] = exit_codes.USER_ERROR
            window.close()
            app.quit()

        QTimer.singleShot(int(options.quit_after * 1000), finish)
    app.exec()
    # Whatever is still running (the window closed it all; a model load may linger) ends before the process.
    jobs.shutdown(timeout=60)
    return result["code"]
