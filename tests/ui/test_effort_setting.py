"""The power setting in the window and on the command line, and the companion's own CPU use in the status bar."""

from __future__ import annotations

import time

import pytest
from pytestqt.qtbot import QtBot

from companion.asr.effort import EFFORTS
from companion.cli import build_parser
from companion.commands.effort import effort_from
from companion.ui.cpu_meter import CpuMeter
from companion.ui.main_window import MainWindow
from companion.ui.settings import Key, Settings
from companion.ui.settings_dialog import SettingsDialog


def test_the_dialog_keeps_the_effort_and_the_next_call_uses_it(qtbot: QtBot, settings: Settings) -> None:
    assert settings.text(Key.EFFORT) == "normal"
    dialog = SettingsDialog(settings)
    qtbot.addWidget(dialog)
    assert dialog.effort.currentData() == "normal"
    dialog.effort.setCurrentIndex(dialog.effort.findData("low"))
    dialog.accept()
    assert settings.text(Key.EFFORT) == "low"
    reopened = SettingsDialog(settings)
    qtbot.addWidget(reopened)
    assert reopened.effort.currentData() == "low"
    window = MainWindow(settings, audible=False)
    qtbot.addWidget(window)
    assert window._engine_settings().effort is EFFORTS["low"]
    # --effort on the command line wins for that run.
    override = MainWindow(settings, audible=False, effort="high")
    qtbot.addWidget(override)
    assert override._engine_settings().effort is EFFORTS["high"]


def test_an_unknown_stored_effort_falls_back_to_normal(qtbot: QtBot, settings: Settings) -> None:
    settings.set(Key.EFFORT, "turbo")  # a hand-edited settings file
    window = MainWindow(settings, audible=False)
    qtbot.addWidget(window)
    assert window._engine_settings().effort is EFFORTS["normal"]


@pytest.mark.parametrize(
    "argv",
    [
        ["analyze", "call.wav", "--realtime", "--effort", "low"],
        ["listen", "--agent-device", "1", "--effort", "low"],
        ["--effort", "low"],
    ],
)
def test_effort_on_the_command_line(argv: list[str]) -> None:
    assert effort_from(build_parser().parse_args(argv)) is EFFORTS["low"]


def test_default_effort_on_the_command_line() -> None:
    assert effort_from(build_parser().parse_args(["analyze", "call.wav"])) is EFFORTS["normal"]
    assert effort_from(build_parser().parse_args([])) is EFFORTS["normal"]


def test_an_unknown_effort_is_one_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        build_parser().parse_args(["analyze", "call.wav", "--effort", "turbo"])
    assert exit_.value.code == 2
    assert "invalid choice: 'turbo'" in capsys.readouterr().err


def test_the_cpu_meter_reads_the_process_own_use(qtbot: QtBot, ui_resources: None) -> None:
    meter = CpuMeter()
    qtbot.addWidget(meter)
    assert meter.isHidden(), "nothing to show outside a call"
    meter.start()
    assert not meter.isHidden()
    deadline = time.process_time() + 0.2
    while time.process_time() < deadline:  # work, so there is something to measure
        pass
    meter.sample()
    assert meter.share is not None and meter.share > 0.05
    assert meter.text().startswith("CPU ") and meter.text().endswith(" %")
    meter.stop()
    assert meter.isHidden()
