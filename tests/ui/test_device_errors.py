"""Device problems show in the window, in words, and never cost what was already captured."""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from companion.audio.files import FileSource
from companion.audio.frames import AudioBlock
from companion.errors import CaptureError
from companion.events import Speaker
from companion.ui.main_window import MainWindow
from companion.ui.settings import Key, Settings

VANISH_AT_S = 40.0


class VanishingHeadset:
    """The demo call's real audio, from a "headset" that is unplugged 40 s into the call.

    It raises the real CaptureError a live source raises when its device disappears;
    everything downstream (pipeline, model, coach, window) is the real thing.
    """

    realtime = False
    carries_audio = True
    description = "USB headset (unplugged mid-call)"

    def __init__(self, path: Path) -> None:
        self._file = FileSource(path)

    @property
    def channels(self) -> tuple[tuple[Speaker, str], ...]:
        return self._file.channels

    def run(self, deliver: Callable[[AudioBlock], None], stop: threading.Event) -> None:
        def until_unplugged(block: AudioBlock) -> None:
            if block.t0 >= VANISH_AT_S:
                raise CaptureError("the agent's headset was disconnected: plug it back in and start a new call")
            deliver(block)

        self._file.run(until_unplugged, stop)


def test_a_device_vanishing_mid_call_shows_a_message_and_keeps_the_call(
    qtbot: QtBot, settings: Settings, demo_call: Path
) -> None:
    window = MainWindow(settings, audible=False)
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.call_finished, timeout=120_000) as finished:
        assert window.run_source(VanishingHeadset(demo_call))
    assert finished.args == ["device lost"]
    banner = window.live.error_banner
    assert banner.isVisible()
    assert "headset was disconnected" in banner.text() and "What was captured is kept" in banner.text()
    assert "Traceback" not in banner.text()
    finals = window.live.transcript.finals
    assert len(finals) >= 5, "what was said before the device vanished is transcribed and kept"
    assert all(u.start < VANISH_AT_S for u in finals)
    assert "sofa" in window.live.transcript.toPlainText().lower()
    assert window.live.stats.recording.property("active") == "false"
    assert not window.in_call and window.start_action.text() == "Start call"


def test_a_missing_input_device_is_a_message_not_a_traceback(qtbot: QtBot, settings: Settings) -> None:
    settings.set(Key.AGENT_DEVICE, "Headset That Is Not Plugged In 9000")
    window = MainWindow(settings, audible=False)
    qtbot.addWidget(window)
    window.show()
    assert window.start_call() is False
    assert not window.in_call
    banner = window.live.error_banner
    assert banner.isVisible() and banner.text().strip("⚠ ")
    assert "Traceback" not in banner.text()
    # With a sound server the named device is missing; without one there are no inputs at all.
    assert (
        "'Headset That Is Not Plugged In 9000' was not found" in banner.text()
        or "no sound input devices were found" in banner.text()
    ), banner.text()


@pytest.mark.skipif(
    importlib.util.find_spec("companion.audio.devices") is None,
    reason="companion.audio.devices not merged yet",
)
def test_settings_dialog_lists_inputs_or_says_why_not(qtbot: QtBot, settings: Settings) -> None:
    from companion.ui.settings_dialog import SettingsDialog

    dialog = SettingsDialog(settings)
    qtbot.addWidget(dialog)
    # Either real devices are listed, or the dialog says in words why there are none.
    assert dialog.agent_device.count() > 1 or dialog.message.text().strip("⚠ ")


def test_a_model_that_cannot_load_ends_the_call_in_the_window(
    qtbot: QtBot, settings: Settings, demo_call: Path
) -> None:
    """No timer watches the engine: the window learns of the failed call from its CallEnded alone."""
    settings.set(Key.MODEL, "/no/such/model")
    window = MainWindow(settings, audible=False)
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.call_finished, timeout=30_000) as finished:
        assert window.start_demo(demo_call, realtime=False)
    assert finished.args == ["model failed"]
    assert not window.in_call and window.start_action.text() == "Start call"
    assert "speech model" in window.live.error_banner.text() and window.live.error_banner.isVisible()
    assert "could not be loaded" in window.state_label.text()
    assert window.live.stats.recording.property("active") == "false"


def test_stopping_a_call_in_the_window_ends_it_as_stopped(qtbot: QtBot, settings: Settings, demo_call: Path) -> None:
    window = MainWindow(settings, audible=False)
    qtbot.addWidget(window)
    window.show()
    assert window.start_demo(demo_call, realtime=True)
    qtbot.waitUntil(lambda: window.live.state.t > 2.0, timeout=60_000)
    assert window.live.stats.recording.text() == "● DEMO"
    with qtbot.waitSignal(window.call_finished, timeout=60_000) as finished:
        window.stop_call()
    assert finished.args == ["stopped"] and not window.in_call
    assert window.state_label.text() == "Call stopped"
