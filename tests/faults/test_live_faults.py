"""A live call's device vanishing, and two copies of the app on one store, for real (PulseAudio, PortAudio)."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from companion.store.db import SessionStore
from companion.store.instance_lock import InstanceLock
from companion.ui.call_keeper import CallKeeper
from tests.audio.pulse import PulseServer
from tests.faults import drive


@pytest.mark.live
def test_the_capture_device_vanishes_mid_call_and_comes_back(pulse: PulseServer, call_wav, tmp_path: Path) -> None:
    wav, turns = call_wav
    case = drive.device_lost_live(pulse.env, wav, tmp_path, turns[1].end + 1.0)
    # One line says what happened (not one as it happened and again at the end).
    assert case.returncode == 2
    assert case.stderr.count("stopped delivering audio") == 1, case.stderr
    assert "Traceback" not in case.stderr
    # The call is kept, ended with its reason, every line shown in it stored.
    assert case.state == "complete" and case.reason == "device lost"
    assert len(case.shown) >= 2 and not case.missing, (case.shown, case.kept)
    # The device is back: the next call starts, hears the call and is kept.
    assert case.next_returncode == 0, case.next_stderr
    assert case.next_lines and case.next_state == "complete"
    assert case.sessions == 2


@pytest.mark.live
def test_two_copies_on_one_store(pulse: PulseServer, call_wav, tmp_path: Path) -> None:
    wav, turns = call_wav
    store = tmp_path / "store"
    env = drive.case_env(tmp_path, pulse.env)
    seconds = turns[2].end + 3
    first = drive.start_listen(env, store, seconds, tmp_path / "ready-1")
    second = drive.start_listen(env, store, seconds, tmp_path / "ready-2")
    time.sleep(0.5)
    player = pulse.play(wav)
    try:
        first.communicate(timeout=180)
        second.communicate(timeout=180)
        err1, err2 = drive.errors(first), drive.errors(second)
    finally:
        player.kill()
        player.wait()
    assert first.returncode == 0 and second.returncode == 0, (err1, err2)
    # The second says so, in one line; the first is not bothered.
    assert "also in use by call-companion listen (process" in err2, err2
    assert "also in use" not in err1
    # Both calls are kept whole: the second's start-up recovery left the first's live call alone.
    with SessionStore(store) as s:
        sessions = s.sessions()
        assert len(sessions) == 2
        assert {x.state for x in sessions} == {"complete"}
        for x in sessions:  # the first copy started earlier, so it stops earlier in the call
            assert x.utterances >= 1
    with sqlite3.connect(store / "sessions.db") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_second_window_on_a_store_says_so(qtbot: QtBot, tmp_path: Path) -> None:
    other = InstanceLock(tmp_path)
    assert other.acquire("call-companion listen") is None  # the first copy, holding the store
    try:
        keeper = CallKeeper(tmp_path, spool_dir=tmp_path / "spool")
        with qtbot.waitSignal(keeper.message, timeout=5000) as said:
            keeper.recover()
        assert said.args[0].startswith(f"The session store {tmp_path} is also in use by call-companion listen")
        assert not keeper.instance.held
    finally:
        other.release()
    # Once the first copy has gone, a window claims the store quietly.
    keeper = CallKeeper(tmp_path, spool_dir=tmp_path / "spool")
    keeper.recover()
    assert keeper.instance.held
    keeper.instance.release()
