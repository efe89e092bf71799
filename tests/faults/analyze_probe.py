"""``call-companion analyze`` as it is, plus one line per second of audio read: where the file was at a kill.

Run as ``python -m tests.faults.analyze_probe analyze FILE --store ...``.  A file is
read faster than real time, so only the process itself knows how far it got; the
probe is an extra audio listener and changes nothing else.
"""

from __future__ import annotations

import sys

import companion.call_analysis as call_analysis
from companion.audio.frames import AudioBlock
from companion.cli import main


class _ProbedPipeline(call_analysis.CallPipeline):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._said = 0.0
        self.add_audio_listener(self._probe)

    def _probe(self, block: AudioBlock) -> None:
        # After the recorder's listener (added first), so the block said has been handed to it.
        if block.t1 - self._said >= 0.25:
            self._said = block.t1
            print(f"read {block.t1:.3f}", flush=True)


if __name__ == "__main__":
    call_analysis.CallPipeline = _ProbedPipeline  # type: ignore[misc]
    sys.exit(main(sys.argv[1:]))
