"""The companion window: a toolbar to run calls, the live view, and window-level behaviour.

The window owns at most one ``CallSession`` at a time.  Starting a call builds a
source (live devices or the demo file) and a fresh coach; the session's bridge
feeds the live view.  Closing the window stops the engine and waits for it, so
the last words of a call are still transcribed before the app exits.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QByteArray, QSize, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QIcon, QKeySequence
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QToolBar

from companion.asr.effort import DEFAULT_EFFORT, EFFORTS
from companion.asr.model import ModelSettings
from companion.audio.files import FileSource
from companion.audio.sources import Source
from companion.errors import CompanionError
from companion.events import DEVICE_LOST, FAILED, FINISHED, MODEL_FAILED, STOPPED
from companion.jobs import JobsManager
from companion.pipeline import EngineSettings
from companion.ui.bridge import CallSession, ModelWarmUp
from companion.ui.coaching import load_coaching
from companion.ui.collection import hold_collection, release_collection
from companion.ui.cpu_meter import CpuMeter
from companion.ui.demo import DEMO_CALL, DemoPlayback
from companion.ui.live_view import LiveView
from companion.ui.settings import Key, Settings, device_setting
from companion.ui.shortcuts import Shortcut
from companion.ui.theme import apply_theme

log = logging.getLogger(__name__)

DEFAULT_SIZE = QSize(1180, 800)
COMPACT_SIZE = QSize(460, 250)
CLOSE_WAIT_S = 20.0
END_WORDS = {
    FINISHED: "Call ended",
    STOPPED: "Call stopped",
    DEVICE_LOST: "Call ended: an audio device was lost",
    MODEL_FAILED: "Call not started: the speech model could not be loaded",
    FAILED: "Call ended by an error",
}


class MainWindow(QMainWindow):
    """Start and stop calls, switch to compact mode, and show the live view."""

    call_starting = Signal(object)  # the CallSession, before its pipeline runs: attach listeners here
    call_finished = Signal(str)  # the CallEnded reason, once the window has finished with the call

    def __init__(
        self,
        settings: Settings,
        audible: bool = True,
        dark: bool = False,
        effort: str | None = None,
        jobs: JobsManager | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.effort_override = effort  # --effort for this run; otherwise the one in Settings
        self.jobs = jobs or JobsManager()  # every thread the window's work needs starts here
        self.audible = audible
        self.session: CallSession | None = None
        self.playback: DemoPlayback | None = None
        self._normal_geometry: QByteArray | None = None
        self.setWindowTitle("Call Companion")
        self.setWindowIcon(QIcon(":/icons/app.svg"))
        coaching = load_coaching(settings.text(Key.PLAYBOOK))
        self.live = LiveView(coaching.steps)
        if coaching.problem:
            self.live.show_error(coaching.problem)
        self.setCentralWidget(self.live)
        self._build_actions()
        self.state_label = QLabel("Ready")
        self.statusBar().addWidget(self.state_label, 1)
        self.cpu_meter = CpuMeter()
        self.statusBar().addPermanentWidget(self.cpu_meter)
        self.set_dark(dark)
        self.warm_up_job = ModelWarmUp(self._engine_settings())
        self.jobs.start(self.warm_up_job)
        self._restore_geometry()
        if settings.flag(Key.COMPACT):
            self.compact_action.setChecked(True)

    # -- building ------------------------------------------------------------------------

    def _action(self, icon: str, text: str, shortcut: Shortcut, slot, checkable: bool = False) -> QAction:
        action = QAction(QIcon(f":/icons/{icon}.svg"), text, self)
        action.setShortcut(QKeySequence(shortcut.value))
        action.setToolTip(f"{text} ({QKeySequence(shortcut.value).toString(QKeySequence.SequenceFormat.NativeText)})")
        action.setCheckable(checkable)
        (action.toggled if checkable else action.triggered).connect(slot)
        # Added to the window too, so shortcuts work while the toolbar is hidden (compact mode).
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        self.start_action = self._action("start", "Start call", Shortcut.START_STOP, self.toggle_call)
        self.demo_action = self._action("demo", "Demo call", Shortcut.DEMO, self.start_demo)
        self.compact_action = self._action("compact", "Compact", Shortcut.COMPACT, self.set_compact, True)
        self.settings_action = self._action("settings", "Settings", Shortcut.SETTINGS, self.open_settings)
        self.quit_action = self._action("stop", "Quit", Shortcut.QUIT, self.close)
        self.toolbar = QToolBar("Call")
        self.toolbar.setObjectName("CallToolbar")
        self.toolbar.setMovable(False)
        self.toolbar.setIconSize(QSize(22, 22))
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for action in (self.start_action, self.demo_action, self.compact_action, self.settings_action):
            self.toolbar.addAction(action)
        self.addToolBar(self.toolbar)

    # -- calls ---------------------------------------------------------------------------

    @property
    def in_call(self) -> bool:
        return self.session is not None

    def toggle_call(self) -> None:
        if self.in_call:
            self.stop_call()
        else:
            self.start_call()

    def start_call(self) -> bool:
        """Start a live call on the inputs chosen in the settings."""
        try:
            source = self._live_source()
        except CompanionError as exc:
            self.live.show_error(str(exc))
            self.state_label.setText("Could not start the call")
            return False
        self.live.demo = False
        return self.run_source(source)

    def _live_source(self) -> Source:
        try:
            from companion.audio.capture import LiveSource
        except ImportError as exc:
            raise CompanionError("live capture is not available in this build; try the demo call") from exc
        agent = device_setting(self.settings.text(Key.AGENT_DEVICE))
        customer = device_setting(self.settings.text(Key.CUSTOMER_DEVICE))
        channel = self.settings.text(Key.AGENT_CHANNEL) or None
        if agent is None:
            # The system's default input: the agent's headset in the usual set-up.
            from companion.audio.devices import list_input_devices

            devices = list_input_devices()
            if not devices:
                raise CompanionError("no audio input device found: plug in a headset or choose one in Settings")
            agent = devices[0].index
        return LiveSource(agent, customer, channel if customer is None else None)

    def start_demo(self, path: Path | None = None, realtime: bool = True) -> bool:
        """Play the bundled demo call through the live pipeline, aloud when speakers exist."""
        if self.in_call:
            return False
        path = path or DEMO_CALL
        try:
            source = FileSource(path, realtime=realtime)
        except CompanionError as exc:
            self.live.show_error(str(exc))
            return False
        if realtime:
            self.playback = DemoPlayback(path, self.audible, self)
        self.live.demo = True  # a file plays: the window says DEMO, not RECORDING
        return self.run_source(source)

    def run_source(self, source: Source) -> bool:
        """Run a call from any source: the window cannot tell a file from a live call."""
        if self.in_call:
            return False
        coaching = load_coaching(self.settings.text(Key.PLAYBOOK))
        self.live.clear_error()
        if coaching.problem:
            self.live.show_error(coaching.problem)
        self.live.set_steps(coaching.steps)
        self.session = CallSession(source, self._engine_settings(), coaching.coach, parent=self)
        self.session.bridge.event_ready.connect(self.live.apply)
        self.session.bridge.finished.connect(self._on_call_finished)
        self.call_starting.emit(self.session)
        if not self.session.start(self.jobs):
            self.session = None
            return False
        hold_collection()
        if self.playback is not None:
            self.playback.play()
        self.cpu_meter.start()
        self.start_action.setIcon(QIcon(":/icons/stop.svg"))
        self.start_action.setText("Stop call")
        self.demo_action.setEnabled(False)
        self.state_label.setText("Demo call playing" if self.live.demo else "In call")
        return True

    def _engine_settings(self) -> EngineSettings:
        effort = self.effort_override or self.settings.text(Key.EFFORT)
        return EngineSettings(
            model=ModelSettings(name=self.settings.text(Key.MODEL) or "bundled"),
            effort=EFFORTS.get(effort, EFFORTS[DEFAULT_EFFORT]),
        )

    def stop_call(self) -> None:
        if self.session is None:
            return
        self.session.stop()
        if self.playback is not None:
            self.playback.stop()
        self.state_label.setText("Stopping: finishing the transcript of what was said…")

    def _on_call_finished(self, reason: str) -> None:
        """The call's CallEnded has reached the window: every event is in, the engine is stopping."""
        session = self.session
        if session is None:
            return
        self.session = None
        session.wait(CLOSE_WAIT_S)  # CallEnded is the engine's last act: this returns at once
        release_collection()
        self.cpu_meter.stop()
        if self.playback is not None:
            self.playback.stop()
            self.playback = None
        if session.error is not None:
            kept = "" if reason == MODEL_FAILED else " What was captured is kept."  # nothing was, then
            self.live.show_error(f"{session.error}{kept}")
        self.start_action.setIcon(QIcon(":/icons/start.svg"))
        self.start_action.setText("Start call")
        self.demo_action.setEnabled(True)
        self.state_label.setText(END_WORDS.get(reason, f"Call ended ({reason})"))
        self.last_events = list(session.events)
        self.call_finished.emit(reason)

    # -- window --------------------------------------------------------------------------

    def set_dark(self, dark: bool) -> None:
        self.dark = dark
        self.live.set_dark(dark)

    def set_compact(self, compact: bool) -> None:
        """A small always-on-top window with only the next step and the mood."""
        if compact == self.live.compact:
            return
        if compact:
            self._normal_geometry = self.saveGeometry()
        else:
            self.settings.set(Key.COMPACT_GEOMETRY, self.saveGeometry())
        self.live.set_compact(compact)
        self.toolbar.setVisible(not compact)
        self.statusBar().setVisible(not compact)
        self.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint, compact)
        self.show()  # changing window flags hides a window
        self.activateWindow()  # and the agent's next shortcut must still reach it
        self.layout().activate()  # the hidden parts must stop counting before the resize
        if compact:
            saved = self.settings.blob(Key.COMPACT_GEOMETRY)
            if saved is None or not self.restoreGeometry(saved):
                self.resize(COMPACT_SIZE)
        elif self._normal_geometry is not None:
            self.restoreGeometry(self._normal_geometry)
        else:
            self.resize(DEFAULT_SIZE)
        self.settings.set(Key.COMPACT, compact)

    def open_settings(self) -> None:
        from companion.ui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.settings, self)
        if dialog.exec():
            app = QApplication.instance()
            if isinstance(app, QApplication):
                self.set_dark(apply_theme(app, self.settings.text(Key.THEME)))
            if not self.in_call:
                self.live.set_steps(load_coaching(self.settings.text(Key.PLAYBOOK)).steps)

    def _restore_geometry(self) -> None:
        saved = self.settings.blob(Key.GEOMETRY)
        if saved is None or not self.restoreGeometry(saved):
            self.resize(DEFAULT_SIZE)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.live.compact:
            self.settings.set(Key.COMPACT_GEOMETRY, self.saveGeometry())
            if self._normal_geometry is not None:
                self.settings.set(Key.GEOMETRY, self._normal_geometry)
        else:
            self.settings.set(Key.GEOMETRY, self.saveGeometry())
        self.settings.sync()
        # The one shutdown wait: the call is stopped (its last words still transcribed), an import
        # cancelled, a model load let finish, all against one deadline.
        if not self.jobs.shutdown(CLOSE_WAIT_S):
            log.warning("background work did not end within %.0f s", CLOSE_WAIT_S)
        if self.session is not None:
            self._on_call_finished(STOPPED)
        super().closeEvent(event)
