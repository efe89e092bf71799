"""kill -9 mid-call, for real: ``listen --store`` on a PulseAudio source and ``analyze --store``.

One kill of each here (``benchmarks/fault_loop.py`` runs fifty at random moments):
every line shown before the kill is in the store after the next start, at most 2 s
of sound before the kill is missing, the store is sound and the call is marked recovered.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.audio.pulse import PulseServer
from tests.faults import drive


def check(case: drive.KillCase) -> None:
    print(
        f"{case.kind} killed at {case.at_s:.2f} s: kept {case.audio_s:.2f} s of audio, lost {case.audio_lost_s:.2f} s"
    )
    assert case.recover_output.count("cut off") == 1, case.recover_output  # said once, not logged again
    assert case.state == "recovered"
    assert case.integrity == "ok"
    assert not case.missing, case.missing
    assert case.audio_lost_s <= 2.0


@pytest.mark.live
def test_kill_9_during_a_live_call(pulse: PulseServer, call_wav, tmp_path: Path) -> None:
    wav, turns = call_wav
    at = turns[2].end + 1.3  # mid-call, lines shown, between pages
    case = drive.kill_live(pulse.env, wav, tmp_path, at)
    assert len(case.shown) >= 2, case.shown  # the kill came after lines were on the screen
    check(case)


def test_kill_9_during_analyze_store(call_wav, tmp_path: Path) -> None:
    wav, _turns = call_wav
    case = drive.kill_analyze(wav, tmp_path, 2.5)
    assert case.read_s > 5.0  # the file was well under way
    check(case)
