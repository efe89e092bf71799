"""Fixtures for the window's tests: compiled resources and settings that never touch the user's."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

import companion.ui  # noqa: F401  (guards None/True/False before any Qt call)
from companion.ui import resources
from companion.ui.settings import Settings
from companion.ui.theme import apply_theme

ORGANISATION = "call-companion-tests"


@pytest.fixture(scope="session")
def ui_resources(qapp: QApplication, tmp_path_factory: pytest.TempPathFactory) -> None:
    # Every QSettings of the test session lives in a temporary folder.
    folder = tmp_path_factory.mktemp("qsettings")
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(folder))
    resources.load()
    apply_theme(qapp, "light")


@pytest.fixture
def settings(ui_resources: None) -> Iterator[Settings]:
    scoped = Settings(ORGANISATION, f"test-{uuid.uuid4().hex[:8]}")
    yield scoped
    scoped.clear()


@pytest.fixture(autouse=True)
def no_engine_left_running() -> Iterator[None]:
    """A test that leaves a call pipeline running fails: the window must stop what it starts."""
    yield
    left = [t.name for t in threading.enumerate() if t.name in ("call-pipeline", "input-probe") and t.is_alive()]
    assert not left, f"threads left running: {left}"


@pytest.fixture(scope="session")
def demo_call() -> Path:
    from companion.ui.demo import DEMO_CALL

    assert DEMO_CALL.exists(), "the demo call is missing: run scripts/make_demo.py"
    return DEMO_CALL
