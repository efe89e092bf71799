"""The window's own behaviour: settings persisted, geometry restored, compact mode, shortcuts."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QKeySequence
from pytestqt.qtbot import QtBot

from companion.ui.main_window import COMPACT_SIZE, MainWindow
from companion.ui.settings import Key, Settings, device_setting
from companion.ui.settings_dialog import SettingsDialog
from companion.ui.shortcuts import Shortcut


def test_settings_round_trip(settings: Settings) -> None:
    settings.set(Key.MODEL, "/models/base.en")
    settings.set(Key.COMPACT, True)
    settings.sync()
    again = Settings(*_scope(settings))
    assert again.text(Key.MODEL) == "/models/base.en"
    assert again.flag(Key.COMPACT) is True
    assert again.text(Key.AGENT_CHANNEL) == "left", "defaults apply to unset keys"
    assert device_setting("3") == 3 and device_setting("USB Headset") == "USB Headset"
    assert device_setting(" ") is None


def _scope(settings: Settings) -> tuple[str, str]:
    q = settings._qsettings
    return q.organizationName(), q.applicationName()


def test_geometry_is_restored_on_start(qtbot: QtBot, settings: Settings) -> None:
    window = MainWindow(settings, audible=False)
    qtbot.addWidget(window)
    window.show()
    window.resize(700, 560)
    qtbot.waitUntil(lambda: window.size() == QSize(700, 560), timeout=2000)
    window.close()
    again = MainWindow(settings, audible=False)
    qtbot.addWidget(again)
    assert again.size() == QSize(700, 560)


def test_compact_mode_is_small_and_always_on_top(qtbot: QtBot, settings: Settings) -> None:
    window = MainWindow(settings, audible=False)
    qtbot.addWidget(window)
    window.show()
    window.resize(700, 560)
    qtbot.waitUntil(lambda: window.size() == QSize(700, 560), timeout=2000)
    normal = window.size()
    window.compact_action.trigger()
    assert window.live.compact
    assert window.windowFlags() & Qt.WindowType.WindowStaysOnTopHint
    assert window.size() == COMPACT_SIZE
    assert not window.toolbar.isVisible() and not window.live.transcript.isVisible()
    assert window.live.next_step.isVisible() and window.live.mood.isVisible()
    assert settings.flag(Key.COMPACT)
    window.compact_action.trigger()
    assert not window.windowFlags() & Qt.WindowType.WindowStaysOnTopHint
    assert window.size() == normal and window.live.transcript.isVisible()
    window.close()


def test_shortcuts_are_bound_on_the_window_so_they_work_in_compact_mode(qtbot: QtBot, settings: Settings) -> None:
    window = MainWindow(settings, audible=False)
    qtbot.addWidget(window)
    window.show()
    bound = {QKeySequence(s.value): s for s in Shortcut}
    for action in (window.start_action, window.compact_action, window.demo_action, window.settings_action):
        assert action.shortcut() in bound, action.text()
        assert action in window.actions(), "bound on the window, not only on the toolbar"
        assert action.shortcutContext() == Qt.ShortcutContext.WindowShortcut
        assert action.shortcut().toString() in action.toolTip() or "Ctrl" in action.toolTip()
    window.compact_action.trigger()
    assert not window.toolbar.isVisible() and window.compact_action.isEnabled()
    window.compact_action.trigger()
    window.close()


def test_settings_dialog_saves_model_playbook_inputs_and_look(qtbot: QtBot, settings: Settings) -> None:
    dialog = SettingsDialog(settings)
    qtbot.addWidget(dialog)
    dialog.model.setCurrentText("/opt/models/small.en")
    dialog.playbook.setText("/team/playbook.yaml")
    dialog.theme.setCurrentText("dark")
    dialog.agent_channel.setCurrentText("right")
    assert dialog.redact.isChecked()  # redaction is on unless a user turns it off
    dialog.agent_name.setText("Priya")
    dialog.reviewer.setText("Team lead Sam")
    dialog.redact.setChecked(False)
    dialog.accept()
    assert settings.text(Key.AGENT_NAME) == "Priya" and settings.text(Key.REVIEWER) == "Team lead Sam"
    assert settings.flag(Key.REDACT) is False
    assert settings.text(Key.MODEL) == "/opt/models/small.en"
    assert settings.text(Key.PLAYBOOK) == "/team/playbook.yaml"
    assert settings.text(Key.THEME) == "dark"
    assert settings.text(Key.AGENT_CHANNEL) == "right"
    reopened = SettingsDialog(settings)
    qtbot.addWidget(reopened)
    assert reopened.model.currentText() == "/opt/models/small.en"
    assert reopened.theme.currentText() == "dark"
    assert reopened.agent_name.text() == "Priya" and not reopened.redact.isChecked()
    # One stereo device: the channel map applies; two devices: it does not.
    assert reopened.agent_channel.isEnabled() == (reopened.customer_device.currentData() == "")
