"""The bundled demo call, and playing it aloud in step with the pipeline when there are speakers."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, QUrl

log = logging.getLogger(__name__)

DEMO_CALL = Path(__file__).resolve().parent.parent.parent / "assets" / "demo" / "demo-call.ogg"


class DemoPlayback(QObject):
    """Plays the demo through the default output device, or stays silent when there is none."""

    def __init__(self, path: Path, audible: bool = True, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.player = None
        if not audible:
            return
        # Imported here: Qt Multimedia loads its back-end, which a silent run does not need.
        from PySide6.QtMultimedia import QAudioOutput, QMediaDevices, QMediaPlayer

        if not QMediaDevices.audioOutputs():
            log.info("no audio output device: the demo plays silently")
            return
        self.output = QAudioOutput(self)
        self.player = QMediaPlayer(self)
        self.player.setAudioOutput(self.output)
        self.player.setSource(QUrl.fromLocalFile(str(path)))

    @property
    def audible(self) -> bool:
        return self.player is not None

    def play(self) -> None:
        if self.player is not None:
            self.player.play()

    def stop(self) -> None:
        if self.player is not None:
            self.player.stop()
