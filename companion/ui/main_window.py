"""The companion window: a toolbar to run calls, the live view, and window-level behaviour.

The window owns at most one ``CallSession`` at a time.  Starting a call builds a
source (live devices or the demo file) and a fresh coach; the session's bridge
feeds the live view.  Closing the window stops the engine and waits for it, so
the last words of a call are still transcribed before the app exits.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QByteArray, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QIcon, QKeySequence
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QToolBar

from companion.asr.effort import DEFAULT_EFFORT, EFFORTS
from companion.asr.model import ModelSettings
from companion.audio.files import FileSource
from companion.audio.sources import Source
from companion.errors import CompanionError
from companion.pipeline import EngineSettings
from companion.ui.bridge import CallSession, warm_up
from companion.ui.coaching import load_coaching
from companion.ui.cpu_meter import CpuMeter
from companion.ui.demo import DEMO_CALL, DemoPlayback
from companion.ui.live_view import LiveView
from companion.ui.settings import Key, Settings, device_setting
from companion.ui.shortcuts import Shortcut
from companion.ui.theme import apply_theme

log = logging.getLogger(__name__)

DEFAULT_SIZE = QSize(1180, 800)
COMPACT_SIZE = QSize(460, 250)
SESSION_POLL_MS = 200
CLOSE_WAIT_S = 20.0


class MainWindow(QMainWindow):
    """Start and stop calls, switch to compact mode, and show the live view."""

    call_started = Signal()
    call_starting = Signal(object)  # the CallSession, before its pipeline runs: attach listeners here
    call_finished = Signal(str)

    def __init__(self, settings: Settings, audible: bool = True, dark: bool = False, effort: str | None = None) -> None:
        super().__init__()
        self.settings = settings
        self.effort_override = effort  # --effort for this run; otherwise the one in Settings
        self._end_reason: str | None = None
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
        self._watch = QTimer(self)
        self._watch.setInterval(SESSION_POLL_MS)
        self._watch.timeout.connect(self._on_watch)
        self.set_dark(dark)
        self.warm_up_thread = warm_up(self._engine_settings())
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
        self.session.bridge.finished.connect(self._on_call_ended)
        self.call_starting.emit(self.session)
        self.session.start()
        if self.playback is not None:
            self.playback.play()
        self._watch.start()
        self.cpu_meter.start()
        self.start_action.setIcon(QIcon(":/icons/stop.svg"))
        self.start_action.setText("Stop call")
        self.demo_action.setEnabled(False)
        self.state_label.setText(f"In call: {source.description}")
        self.call_started.emit()
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

    def _on_call_ended(self, reason: str) -> None:
        self._end_reason = reason
        if self.session is not None and self.session.running:
            self.state_label.setText("Call ended: finishing…")

    def _on_watch(self) -> None:
        # The call is over once its thread is: just after CallEnded, or straight away when
        # a model cannot load (then no CallEnded comes at all).
        if self.session is not None and not self.session.running:
            reason = self._end_reason or ("error" if self.session.error else "end")
            self._end_reason = None
            self._on_call_finished(reason)

    def _on_call_finished(self, reason: str) -> None:
        session = self.session
        if session is None:
            return
        self.session = None
        self._watch.stop()
        self.cpu_meter.stop()
        if self.playback is not None:
            self.playback.stop()
            self.playback = None
        if session.error is not None:
            self.live.show_error(f"{session.error} What was captured is kept.")
        self.live.stats.set_recording(False)
        self.start_action.setIcon(QIcon(":/icons/start.svg"))
        self.start_action.setText("Start call")
        self.demo_action.setEnabled(True)
        self.state_label.setText("Call ended" if reason != "error" else "Call ended by an error")
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
        session = self.session
        if session is not None:
            session.stop()
            if not session.wait(CLOSE_WAIT_S):
                log.warning("the call engine did not stop within %.0f s", CLOSE_WAIT_S)
            self._on_call_finished("stopped")
        super().closeEvent(event)
