"""Playing a call file through the pipeline at real-time pace, as a listener sees it."""

from __future__ import annotations

import threading
from pathlib import Path

from companion.audio.files import FileSource
from companion.events import Event
from companion.pipeline import CallPipeline


def run_live(wav: Path, timeout: float = 180) -> tuple[list[Event], CallPipeline]:
    """The events a listener received (in order) and the finished pipeline."""
    seen: list[Event] = []
    lock = threading.Lock()

    def listener(event: Event) -> None:
        with lock:
            seen.append(event)

    pipeline = CallPipeline(FileSource(wav, realtime=True), listeners=[listener])
    pipeline.start()
    assert pipeline.wait(timeout=timeout), "the live call did not finish"
    assert pipeline.error is None, pipeline.error
    return seen, pipeline
