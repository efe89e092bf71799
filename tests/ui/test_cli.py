"""``call-companion`` opens the window; ``--screenshot PATH --quit-after S`` works without a screen."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtGui import QImage

ROOT = Path(__file__).resolve().parents[2]


def _run(tmp_path: Path, *args: str, extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")  # never the user's settings
    env["XDG_DATA_HOME"] = str(tmp_path / "data")  # never the user's sessions (the window keeps every call)
    env.update(extra_env or {})
    return _companion(env, *args)


def _companion(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "companion", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def test_screenshot_and_quit_after_without_a_screen(tmp_path: Path) -> None:
    shot = tmp_path / "window.png"
    result = _run(tmp_path, "--screenshot", str(shot), "--quit-after", "0.5", "--theme", "dark")
    assert result.returncode == 0, result.stderr
    image = QImage(str(shot))
    assert not image.isNull() and image.width() >= 600 and image.height() >= 400
    assert "Traceback" not in result.stderr


def test_screenshot_without_quit_after_is_a_usage_error(tmp_path: Path) -> None:
    result = _run(tmp_path, "--screenshot", str(tmp_path / "x.png"))
    assert result.returncode == 2
    assert "--quit-after" in result.stderr


def test_no_screen_to_open_the_window_on_is_one_clear_line(tmp_path: Path) -> None:
    result = _run(tmp_path, "--demo")
    assert result.returncode == 2
    assert "no screen to open the window on" in result.stderr and "QT_QPA_PLATFORM=offscreen" in result.stderr
    assert "Traceback" not in result.stderr and "platform plugin" not in result.stderr


def test_no_portaudio_shows_a_message_in_the_window(tmp_path: Path) -> None:
    # Hide the library the way a machine without libportaudio2 would: sounddevice finds nothing.
    (tmp_path / "sitecustomize.py").write_text(
        "import ctypes.util\n_find = ctypes.util.find_library\n"
        "ctypes.util.find_library = lambda name: None if 'portaudio' in name else _find(name)\n"
    )
    shot = tmp_path / "no-portaudio.png"
    result = _run(
        tmp_path, "--call", "--screenshot", str(shot), "--quit-after", "1", extra_env={"PYTHONPATH": str(tmp_path)}
    )
    assert result.returncode == 0, result.stderr
    assert "shown in the window" in result.stderr and "libportaudio2" in result.stderr
    assert "Traceback" not in result.stderr
    assert not QImage(str(shot)).isNull()


def test_the_window_and_the_command_line_see_the_same_calls(tmp_path: Path) -> None:
    """A new user: a demo call in the window, then ``sessions list`` with no flag shows it."""
    import json

    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env = {k: v for k, v in env.items() if not k.startswith("XDG_")}
    env["HOME"] = str(home)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return _companion(env, *args)

    empty = run("sessions", "list")
    assert empty.returncode == 0 and empty.stdout.strip() == "no sessions", empty.stderr
    # The window plays the demo for a few seconds, then closes: the call is stopped and kept.
    window = run("--demo", "--screenshot", str(tmp_path / "demo.png"), "--quit-after", "12")
    assert window.returncode == 0, window.stderr
    listed = run("sessions", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    assert len(rows) == 1 and rows[0]["state"] == "complete", rows
    assert rows[0]["duration"] > 1.0 and rows[0]["audio"].startswith(str(home / ".local" / "share" / "call-companion"))
