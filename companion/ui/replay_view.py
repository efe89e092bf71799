"""Replay of a stored call: the audio drives the fold of the stored events, so every panel shows that moment.

The player's position is call time.  At each position the view folds the
session's events up to it (``fold(events, t)``: the ``CallState`` the live view
drew at that moment) and draws it with the live view's own ``CallPanels``: the
next step, the playbook, the mood, the chart and the alerts exactly as the
agent had them.  The transcript lists the whole call, the lines said by then as
the agent read them and the line being heard highlighted; the chart and the
timeline move their cursor.  Clicking a line, the chart or the timeline
seeks.  Notes are added at the player's position and kept in the store.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QSplitter,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from companion.analysis.state import CallState, fold
from companion.call_analysis import TRANSCRIPT_CHANNEL
from companion.errors import CompanionError, StoreError
from companion.store.db import SessionStore
from companion.store.export import scorecard_html
from companion.store.lengths import length_text
from companion.store.session_data import StoredSession, load_session
from companion.ui.call_panels import CallPanels, ShowsCallPanels
from companion.ui.coaching import StepInfo
from companion.ui.replay_moment import MomentIndex, current_utterance
from companion.ui.replay_player import ReplayPlayer
from companion.ui.session_table import local_date
from companion.ui.widgets.alerts import AlertStack
from companion.ui.widgets.notes_panel import NotesPanel
from companion.ui.widgets.replay_chart import ReplayChart
from companion.ui.widgets.replay_transcript import ReplayTranscript
from companion.ui.widgets.timeline import Timeline
from companion.ui.widgets.transport import SKIP_S, Transport

log = logging.getLogger(__name__)

SIDE_WIDTH = 300
NOTES_WIDTH = 340


NoteWriter = Callable[[float, str, str, str], StoredSession]
"""Keeps a note (at, kind, author, text) where the session lives and returns the session with it."""


def is_transcript_session(channels: Sequence[tuple[str, str]]) -> bool:
    """Kept from a text transcript (``analyze FILE.txt --store``, ``import FILE.txt``): lines, no sound."""
    return bool(channels) and all(name == TRANSCRIPT_CHANNEL for _speaker, name in channels)


def neighbour_line(starts: Sequence[float], t: float, forward: bool) -> float | None:
    """The start of the line after the one at ``t`` (or before it); None at either end of the call."""
    ordered = sorted(starts)
    if forward:
        return next((s for s in ordered if s > t + 1e-3), None)
    # Back from inside a line goes to its start, from a line's start to the line before (as players do).
    earlier = [s for s in ordered if s < t - 1e-3]
    return earlier[-1] if earlier else (0.0 if t > 0 else None)


def replay_steps(playbook_steps: Sequence[tuple[str, str]], catalogue: Sequence[StepInfo]) -> list[StepInfo]:
    """The steps of the playbook the call was coached with, with today's guidance where ids match."""
    known = {s.id: s for s in catalogue}
    steps = []
    for step_id, title in playbook_steps:
        info = known.get(step_id)
        steps.append(StepInfo(step_id, title, info.guidance if info else "", info.example if info else ""))
    return steps or list(catalogue)


class ReplayView(ShowsCallPanels, QWidget):
    """One stored session, replayed in sync; ``load`` it, then play or seek."""

    back_requested = Signal()
    moment_shown = Signal(float)

    def __init__(self, catalogue: Sequence[StepInfo] = (), redact: bool = True, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ReplayView")
        self.catalogue = list(catalogue)
        self.redact = redact
        self.store: SessionStore | None = None
        self.note_writer: NoteWriter | None = None
        self.session: StoredSession | None = None
        self.moments = MomentIndex(())
        self.position = 0.0
        self._starts: list[float] = []  # utterance starts, in the transcript's order
        self.line_steps = False  # no audio: back and on go a line at a time

        self.player = ReplayPlayer(self)
        self.title = QLabel()
        self.title.setObjectName("ReplayTitle")
        self.title.setWordWrap(True)
        self.banner = QLabel()
        self.banner.setObjectName("ErrorBanner")
        self.banner.setWordWrap(True)
        self.banner.hide()
        self.transport = Transport()
        self.timeline = Timeline()
        self.alerts = AlertStack()
        self.alerts.setFixedHeight(110)
        self.transcript = ReplayTranscript()
        self.chart = ReplayChart()
        self.chart.setMinimumHeight(180)
        self.panels = CallPanels(self.chart, self.alerts)
        self.next_step, self.mood, self.steps_panel = self.panels.next_step, self.panels.mood, self.panels.steps_panel
        self.notes = NotesPanel()
        self.scorecard = QTextBrowser()
        self.scorecard.setObjectName("Scorecard")

        left = QVBoxLayout()
        left.addWidget(self.next_step, 1)
        left.addWidget(self.mood)
        side = QWidget()
        side.setFixedWidth(SIDE_WIDTH)
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(self.steps_panel)
        side_layout.addWidget(self.alerts)
        top = QHBoxLayout()
        top.addLayout(left, 1)
        top.addWidget(side)
        lower = QSplitter(Qt.Orientation.Horizontal)
        lower.addWidget(self.transcript)
        lower.addWidget(self.chart)
        lower.setSizes([480, 420])
        lower.setChildrenCollapsible(False)
        moment = QWidget()
        moment_layout = QVBoxLayout(moment)
        moment_layout.setContentsMargins(0, 0, 0, 0)
        moment_layout.addLayout(top)
        moment_layout.addWidget(lower, 1)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.notes, "Notes")
        self.tabs.addTab(self.scorecard, "Scorecard")
        self.tabs.setMinimumWidth(NOTES_WIDTH)
        body = QSplitter(Qt.Orientation.Horizontal)
        body.addWidget(moment)
        body.addWidget(self.tabs)
        body.setSizes([900, NOTES_WIDTH])
        body.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 10)
        layout.addWidget(self.title)
        layout.addWidget(self.banner)
        layout.addWidget(self.transport)
        layout.addWidget(self.timeline)
        layout.addWidget(body, 1)

        self.player.position_changed.connect(self.show_moment)
        self.player.playing_changed.connect(self.transport.set_playing)
        self.player.error.connect(self.show_problem)
        self.transport.play_toggled.connect(self.player.toggle)
        self.transport.skip_requested.connect(self.skip)
        self.transport.speed_changed.connect(self.player.set_rate)
        self.transport.seek_requested.connect(self.seek)
        for widget in (self.transcript, self.chart, self.timeline, self.notes):
            widget.seek_requested.connect(self.seek)
        self.notes.note_requested.connect(self.add_note)
        ctx = Qt.ShortcutContext.WidgetWithChildrenShortcut
        for keys, slot in (
            ("Space", self.player.toggle),
            ("Left", lambda: self.skip(-SKIP_S)),
            ("Right", lambda: self.skip(SKIP_S)),
            ("Escape", self.back_requested.emit),
        ):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(ctx)
            shortcut.activated.connect(slot)

    # -- loading ------------------------------------------------------------------------------

    def load(self, store: SessionStore, session_id: int) -> bool:
        """Open a session for replay; False (with the reason shown) when it cannot be read."""
        self.player.stop()
        try:
            session = load_session(store, session_id, redact=self.redact)
        except StoreError as exc:
            self.show_problem(str(exc))
            return False
        self.store = store
        return self.show_session(session)

    def show_session(self, session: StoredSession, note_writer: NoteWriter | None = None) -> bool:
        """Replay a session read elsewhere (the team store); ``note_writer`` keeps notes where it lives."""
        self.player.stop()
        self.session, self.note_writer = session, note_writer
        s = session.summary
        self.banner.hide()
        e = html.escape  # a title, an agent or a note from an imported file is text, never markup
        who = f" · agent {e(s.agent)}" if s.agent else ""
        self.title.setText(
            f"<b>{e(s.title or 'Call')}</b> · {local_date(s.started_at)} · {length_text(s.duration)}{who}"
            + (f"<br><i>{e(s.note)}</i>" if s.note else "")
        )
        self.moments = MomentIndex(session.events)
        self.panels.state = CallState()
        self.panels.set_steps(replay_steps(s.playbook_steps, self.catalogue))
        self.transcript.set_utterances(session.utterances)
        self._starts = [u.start for u in self.transcript.utterances]
        whole = fold(session.events)
        self.chart.clear_call()
        self.chart.show_whole_line([(p.t, p.smoothed) for p in whole.mood_line], s.duration)
        self.timeline.set_call(session.events, s.duration)
        self._show_notes()
        self.transport.set_duration(s.duration)
        audio = s.audio if s.audio is not None and s.audio.exists() else None
        self.player.load(audio, s.duration)
        self.line_steps = audio is None
        self.transport.set_line_steps(self.line_steps)
        if audio is None and is_transcript_session(s.channels):
            self.show_problem(
                "This call was kept from a transcript and has no audio: Play runs through its lines "
                "at their times; ◀ Line and Line ▶ (or ← and →) go one line at a time."
            )
        elif audio is None:
            self.show_problem(
                "This call has no stored audio: the replay runs silently on the transcript; "
                "← and → go one line at a time."
            )
        self.show_moment(0.0)
        return True

    def close_session(self) -> None:
        self.player.stop()
        self.player.load(None, 0.0)
        self.session = None

    # -- the moment -----------------------------------------------------------------------------

    def seek(self, t: float) -> None:
        self.player.seek(t)

    def skip(self, dt: float) -> None:
        """Five seconds back or on; without audio, the line before or the next line."""
        if not self.line_steps:
            self.player.skip(dt)
            return
        target = neighbour_line(self._starts, self.position, forward=dt > 0)
        if target is not None:
            self.player.seek(target)

    def show_moment(self, t: float) -> None:
        """Draw the call as it was at call time ``t``."""
        self.position = t
        self.transport.set_position(t)
        self.timeline.set_position(t)
        self.chart.set_cursor(t)
        self.notes.set_moment(t)
        self.transcript.highlight(current_utterance(self._starts, t))
        state, changed = self.moments.state_at(t)
        if changed:
            self.transcript.show_said(state.lines)
            self.panels.show(state)
        self.moment_shown.emit(t)

    # -- notes and scorecard ---------------------------------------------------------------------

    def add_note(self, kind: str, author: str, text: str) -> bool:
        """Keep a note at the player's position; it shows on the timeline, the chart and the scorecard."""
        if self.session is None or (self.store is None and self.note_writer is None):
            return False
        try:
            if self.note_writer is not None:
                self.session = self.note_writer(round(self.position, 2), kind, author, text)
            elif self.store is not None:
                self.store.add_note(self.session.summary.id, round(self.position, 2), author, text, kind)
                self.session = load_session(self.store, self.session.summary.id, redact=self.redact)
        except CompanionError as exc:
            self.notes.show_problem(str(exc))
            return False
        self._show_notes()
        return True

    def _show_notes(self) -> None:
        if self.session is None:
            return
        notes = self.session.notes
        self.notes.set_notes(notes)
        self.timeline.set_notes(notes)
        self.chart.set_notes(notes)
        self.scorecard.setHtml(scorecard_html(self.session))

    def show_problem(self, text: str) -> None:
        self.banner.setText(f"⚠  {text}")
        self.banner.show()

    def set_dark(self, dark: bool) -> None:
        self.transcript.set_dark(dark)
        self.chart.set_dark(dark)

    @property
    def audio_path(self) -> Path | None:
        return self.session.summary.audio if self.session is not None else None
