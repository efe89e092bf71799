"""Records a call from a file at real-time pace into a store, as the window does; the crash test kills it.

Run as ``python -m tests.store.record_call STORE_DIR WAV``; prints
``started <monotonic time>`` when the call starts, so the test knows the call
time at which it pulled the plug.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from companion.audio.files import FileSource
from companion.events import CallStarted, Event
from companion.pipeline import CallPipeline
from companion.store.recorder import RecorderSettings, SessionRecorder


def main(store_dir: str, wav: str) -> None:
    pipeline = CallPipeline(FileSource(wav, realtime=True))
    recorder = SessionRecorder(Path(store_dir), RecorderSettings(agent="Sam")).attach(pipeline)

    def on_event(event: Event) -> None:
        if isinstance(event, CallStarted):
            print(f"started {time.monotonic()}", flush=True)

    pipeline.add_listener(on_event)
    pipeline.run()
    recorder.close()
    print("finished", flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:3])
