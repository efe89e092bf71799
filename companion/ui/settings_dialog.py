"""Settings: the agent's and the customer's inputs (with live meters), the model, the playbook, the look.

The meters run the real capture source for the chosen devices, in a thread of
its own, until the dialog closes; a device problem shows as a message in the
dialog, never as a traceback.
"""

from __future__ import annotations

import logging
import threading

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from companion.audio.frames import AudioBlock, dbfs
from companion.errors import CompanionError
from companion.jobs import JobsManager
from companion.ui.settings import Key, Settings, device_setting
from companion.ui.team_page import TeamPage
from companion.ui.theme import THEMES
from companion.ui.widgets.level_meter import LevelMeter

log = logging.getLogger(__name__)

OTHER_CHANNEL = "— the agent device's other channel —"
# The power setting (companion.asr.effort), as the dialog names it; applies from the next call.
EFFORT_LABELS = {
    "low": "Low: lightest on the PC, fewer live updates",
    "normal": "Normal",
    "high": "High: most live updates and accuracy, most CPU",
}


class InputProbe(QObject):
    """Runs a capture source only to show its levels, as a background job; stops when asked."""

    level = Signal(str, float)
    failed = Signal(str)

    def __init__(self, jobs: JobsManager, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.jobs = jobs
        self._job: _ProbeJob | None = None

    def start(self, agent: str | int, customer: str | int | None, channel: str | None) -> None:
        self.stop()
        self._job = _ProbeJob(self, agent, customer, channel)
        self.jobs.start(self._job)

    def stop(self) -> None:
        job, self._job = self._job, None
        if job is not None:
            job.cancel()
            self.jobs.wait(job, 2.0)


class _ProbeJob:
    name = "input-probe"

    def __init__(self, probe: InputProbe, agent: str | int, customer: str | int | None, channel: str | None) -> None:
        self.probe = probe
        self.inputs = (agent, customer, channel)
        self.stop = threading.Event()

    def cancel(self) -> None:
        self.stop.set()

    def run(self) -> None:
        try:
            from companion.audio.capture import LiveSource

            LiveSource(*self.inputs).run(self._deliver, self.stop)
        except ImportError:
            self.probe.failed.emit("live capture is not available in this build")
        except CompanionError as exc:
            self.probe.failed.emit(str(exc))

    def _deliver(self, block: AudioBlock) -> None:
        self.probe.level.emit(block.speaker, dbfs(block.samples))


class SettingsDialog(QDialog):
    """Choose inputs, model, playbook and theme; saved to QSettings on OK."""

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Call Companion settings")
        self.settings = settings
        self.agent_device = QComboBox()
        self.customer_device = QComboBox()
        self.agent_channel = QComboBox()
        self.agent_channel.addItems(["left", "right"])
        self.message = QLabel()
        self.message.setObjectName("ErrorBanner")
        self.message.setWordWrap(True)
        self.message.hide()
        self.meters = {"agent": LevelMeter("Agent"), "customer": LevelMeter("Customer")}
        self.test_button = QPushButton("Test inputs")
        self.test_button.setCheckable(True)
        self.test_button.toggled.connect(self._on_test_toggled)
        self.model = QComboBox()
        self.model.setEditable(True)
        self.model.addItems(["bundled"])
        model_browse = QPushButton("Folder…")
        model_browse.clicked.connect(self._browse_model)
        self.playbook = QLineEdit()
        self.playbook.setPlaceholderText("the bundled playbook")
        playbook_browse = QPushButton("File…")
        playbook_browse.clicked.connect(self._browse_playbook)
        self.effort = QComboBox()
        for name, label in EFFORT_LABELS.items():
            self.effort.addItem(label, name)
        self.theme = QComboBox()
        self.theme.addItems(list(THEMES))
        self.agent_name = QLineEdit()
        self.agent_name.setPlaceholderText("kept with each recorded call")
        self.reviewer = QLineEdit()
        self.reviewer.setPlaceholderText("the author of coaching notes")
        self.redact = QCheckBox("Hide card numbers, SSNs, e-mails and phone numbers in stored calls")

        form = QFormLayout()
        form.addRow("Agent input", self.agent_device)
        form.addRow("Customer input", self.customer_device)
        form.addRow("Agent channel (one stereo device)", self.agent_channel)
        meters = QVBoxLayout()
        for meter in self.meters.values():
            meters.addWidget(meter)
        meters_row = QHBoxLayout()
        meters_row.addLayout(meters, 1)
        meters_row.addWidget(self.test_button)
        form.addRow("Levels", meters_row)
        form.addRow("Speech model", _row(self.model, model_browse))
        form.addRow("Playbook file", _row(self.playbook, playbook_browse))
        form.addRow("Power (CPU use)", self.effort)
        form.addRow("Look", self.theme)
        form.addRow("Agent name", self.agent_name)
        form.addRow("Reviewer name", self.reviewer)
        form.addRow("Privacy", self.redact)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        general = QWidget()
        general.setLayout(form)
        self.jobs: JobsManager = getattr(parent, "jobs", None) or JobsManager()  # the window's one owner
        self.team_page = TeamPage(settings, jobs=self.jobs)
        self.pages = QTabWidget()
        self.pages.addTab(general, "General")
        self.pages.addTab(self.team_page, "Team")
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(self.pages)
        layout.addWidget(buttons)

        self.probe = InputProbe(self.jobs, self)
        self.probe.level.connect(self._on_level_changed)
        self.probe.failed.connect(self.show_message)
        self._fill_devices()
        self._load()
        self.customer_device.currentIndexChanged.connect(self._on_customer_changed)
        self._on_customer_changed()

    # -- devices ------------------------------------------------------------------------

    def _fill_devices(self) -> None:
        self.agent_device.addItem("System default input", "")
        self.customer_device.addItem(OTHER_CHANNEL, "")
        try:
            from companion.audio.devices import list_input_devices

            devices = list_input_devices()
        except ImportError:
            self.show_message("Live capture is not available in this build: only the demo call can run.")
            return
        except CompanionError as exc:
            self.show_message(str(exc))
            return
        if not devices:
            self.show_message("No audio input device found. Plug in a headset, then reopen Settings.")
        for device in devices:
            label = f"{device.name}  ({device.max_input_channels} ch)"
            self.agent_device.addItem(label, device.name)
            self.customer_device.addItem(label, device.name)

    def show_message(self, text: str) -> None:
        self.message.setText(f"⚠  {text}")
        self.message.show()
        self.test_button.setChecked(False)

    def _on_customer_changed(self) -> None:
        # The channel map only applies when both voices come from one stereo device.
        self.agent_channel.setEnabled(self.customer_device.currentData() == "")

    def _on_test_toggled(self, on: bool) -> None:
        if not on:
            self.probe.stop()
            for meter in self.meters.values():
                meter.reset()
            return
        self.message.hide()
        agent = device_setting(str(self.agent_device.currentData() or ""))
        customer = device_setting(str(self.customer_device.currentData() or ""))
        if agent is None:
            try:
                from companion.audio.devices import list_input_devices

                devices = list_input_devices()
            except (ImportError, CompanionError) as exc:
                self.show_message(str(exc) or "live capture is not available")
                return
            if not devices:
                self.show_message("No audio input device found.")
                return
            agent = devices[0].index
        channel = self.agent_channel.currentText() if customer is None else None
        self.probe.start(agent, customer, channel)

    def _on_level_changed(self, speaker: str, db: float) -> None:
        meter = self.meters.get("customer" if speaker == "call" else speaker)
        if meter is not None:
            meter.set_level(db)

    # -- files --------------------------------------------------------------------------

    def _browse_model(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Speech model folder")
        if folder:
            self.model.setCurrentText(folder)

    def _browse_playbook(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Playbook", "", "Playbooks (*.yaml *.yml *.toml)")
        if path:
            self.playbook.setText(path)

    # -- persistence --------------------------------------------------------------------

    def _load(self) -> None:
        _select(self.agent_device, self.settings.text(Key.AGENT_DEVICE))
        _select(self.customer_device, self.settings.text(Key.CUSTOMER_DEVICE))
        self.agent_channel.setCurrentText(self.settings.text(Key.AGENT_CHANNEL) or "left")
        self.model.setCurrentText(self.settings.text(Key.MODEL) or "bundled")
        self.playbook.setText(self.settings.text(Key.PLAYBOOK))
        self.theme.setCurrentText(self.settings.text(Key.THEME) or "auto")
        self.effort.setCurrentIndex(max(0, self.effort.findData(self.settings.text(Key.EFFORT))))
        self.agent_name.setText(self.settings.text(Key.AGENT_NAME))
        self.reviewer.setText(self.settings.text(Key.REVIEWER))
        self.redact.setChecked(self.settings.flag(Key.REDACT))

    def save(self) -> None:
        self.settings.set(Key.AGENT_DEVICE, str(self.agent_device.currentData() or ""))
        self.settings.set(Key.CUSTOMER_DEVICE, str(self.customer_device.currentData() or ""))
        self.settings.set(Key.AGENT_CHANNEL, self.agent_channel.currentText())
        self.settings.set(Key.MODEL, self.model.currentText().strip() or "bundled")
        self.settings.set(Key.PLAYBOOK, self.playbook.text().strip())
        self.settings.set(Key.THEME, self.theme.currentText())
        self.settings.set(Key.EFFORT, str(self.effort.currentData()))
        self.settings.set(Key.AGENT_NAME, self.agent_name.text().strip())
        self.settings.set(Key.REVIEWER, self.reviewer.text().strip())
        self.settings.set(Key.REDACT, self.redact.isChecked())
        self.team_page.save()
        self.settings.sync()

    def accept(self) -> None:
        self.save()
        self.probe.stop()
        super().accept()

    def done(self, result: int) -> None:
        self.probe.stop()
        super().done(result)


def _row(*widgets: QWidget) -> QHBoxLayout:
    row = QHBoxLayout()
    for i, widget in enumerate(widgets):
        row.addWidget(widget, 1 if i == 0 else 0)
    return row


def _select(combo: QComboBox, value: str) -> None:
    index = combo.findData(value)
    if index < 0 and value:
        combo.addItem(f"{value} (not connected)", value)
        index = combo.count() - 1
    combo.setCurrentIndex(max(0, index))
