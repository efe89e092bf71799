"""The replay's clock: the session's audio through QMediaPlayer, or a silent clock without audio.

Call time ``t`` is sample ``t * 16000`` of the stored file, so the player's
position is the call time.  Machines without an output device (and the
offscreen tests) still play: Qt's FFmpeg back-end then keeps time with the
system clock.  A session with no audio file (a transcript import, a recorder
that could not write sound) replays on a timer instead.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QElapsedTimer, QObject, QTimer, QUrl, Signal

log = logging.getLogger(__name__)

SPEEDS = (1.0, 1.5, 2.0)
TICK_MS = 50


class ReplayPlayer(QObject):
    """Play, pause, seek and speed for one session; ``position_changed`` carries call seconds."""

    position_changed = Signal(float)
    playing_changed = Signal(bool)
    error = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.duration = 0.0
        self.rate = 1.0
        self.position = 0.0
        self.playing = False
        self.media = None  # QMediaPlayer when the session has audio
        self._output = None
        # The silent clock: call time advances with wall time times the speed.
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._on_tick)
        self._elapsed = QElapsedTimer()
        self._anchor = 0.0

    @property
    def has_audio(self) -> bool:
        return self.media is not None

    def load(self, audio: Path | None, duration: float) -> None:
        self.stop()
        self.duration = max(0.0, duration)
        self.position = 0.0
        if audio is None or not Path(audio).exists():
            self._drop_media()
            return
        # Imported here: Qt Multimedia loads its back-end, which the rest of the window does not need.
        from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer

        if self.media is None:
            self.media = QMediaPlayer(self)
            self._output = QAudioOutput(self)
            self.media.setAudioOutput(self._output)
            self.media.positionChanged.connect(self._on_media_position)
            self.media.playbackStateChanged.connect(self._on_media_state)
            self.media.errorOccurred.connect(self._on_media_error)
        self.media.setSource(QUrl.fromLocalFile(str(audio)))
        self.media.setPlaybackRate(self.rate)

    def _drop_media(self) -> None:
        if self.media is not None:
            self.media.stop()
            self.media.setSource(QUrl())
            self.media.deleteLater()
            self.media = None

    # -- control -------------------------------------------------------------------------

    def play(self) -> None:
        if self.position >= self.duration - 0.05:
            self.seek(0.0)
        if self.media is not None:
            self.media.play()
        else:
            self._anchor = self.position
            self._elapsed.start()
            self._timer.start()
        self._set_playing(True)

    def pause(self) -> None:
        if self.media is not None:
            self.media.pause()
        self._timer.stop()
        self._set_playing(False)

    def stop(self) -> None:
        if self.media is not None:
            self.media.stop()
        self._timer.stop()
        self._set_playing(False)

    def toggle(self) -> None:
        self.pause() if self.playing else self.play()

    def seek(self, t: float) -> None:
        """Jump to call time ``t``; the view follows at once, before the audio catches up."""
        t = min(max(0.0, t), self.duration)
        self.position = t
        if self.media is not None:
            self.media.setPosition(round(t * 1000))
        self._anchor = t
        self._elapsed.restart()
        self.position_changed.emit(t)

    def skip(self, dt: float) -> None:
        self.seek(self.position + dt)

    def set_rate(self, rate: float) -> None:
        self._anchor = self.position
        self._elapsed.restart()
        self.rate = rate
        if self.media is not None:
            self.media.setPlaybackRate(rate)

    # -- clocks --------------------------------------------------------------------------

    def _on_media_position(self, ms: int) -> None:
        if not self.playing:
            return  # a seek already moved the view; the back-end's echo adds nothing
        self.position = ms / 1000.0
        self.position_changed.emit(self.position)

    def _on_media_state(self, state: object) -> None:
        from PySide6.QtMultimedia import QMediaPlayer

        if state == QMediaPlayer.PlaybackState.StoppedState and self.playing:
            # The end of the file: stay on the last moment rather than jumping back to zero.
            self.position = self.duration
            self.position_changed.emit(self.position)
            self._set_playing(False)

    def _on_media_error(self, _error: object, text: str) -> None:
        log.warning("replay audio: %s", text)
        self._drop_media()
        self.error.emit(f"The call's audio cannot be played ({text}); the replay runs silently.")
        if self.playing:
            self._anchor = self.position
            self._elapsed.restart()
            self._timer.start()

    def _on_tick(self) -> None:
        self.position = min(self.duration, self._anchor + self._elapsed.elapsed() / 1000.0 * self.rate)
        self.position_changed.emit(self.position)
        if self.position >= self.duration:
            self._timer.stop()
            self._set_playing(False)

    def _set_playing(self, playing: bool) -> None:
        if playing != self.playing:
            self.playing = playing
            self.playing_changed.emit(playing)
